package tui

import (
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/i18n"
)

// signinAccessible is the sign-in dialog as linear text: what happened, the address and the code
// on lines of their own (the cursor on the code), and when the code expires as a time of day
// instead of a countdown, so nothing on the screen moves while the clerk signs in elsewhere.
func (m Model) signinAccessible() access.Screen {
	d := m.signin
	w := max(20, m.ctx.ScreenWidth)
	var sc access.Screen
	sc.Focus(sc.AddWrapped(i18n.T("signin.title"), w), 0)
	switch d.phase {
	case signinOffer:
		sc.AddWrapped(i18n.T("signin.ended"), w)
		sc.Focus(sc.AddWrapped(i18n.T("signin.offer"), w), 0)
	case signinStarting:
		sc.Focus(sc.AddWrapped(i18n.T("signin.start"), w), 0)
	case signinFailed:
		sc.Focus(sc.AddWrapped(i18n.Tf("signin.failed", sanitize.Line(d.err)), w), 0)
		sc.AddWrapped(i18n.T("signin.retry"), w)
	case signinWaiting:
		sc.AddWrapped(i18n.T("signin.open"), w)
		sc.AddWrapped(sanitize.Line(d.prompt.URL), w)
		sc.AddWrapped(i18n.T("signin.code"), w)
		sc.Focus(sc.Add(sanitize.Line(d.prompt.Code)), 0)
		if !d.prompt.Expiry.IsZero() {
			sc.AddWrapped(i18n.Tf("a11y.signin.until", d.prompt.Expiry.Local().Format("15:04")), w)
		}
	}
	return sc
}
