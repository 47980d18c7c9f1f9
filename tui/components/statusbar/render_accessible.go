package statusbar

import (
	"strings"

	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// AccessibleView is the status line of the accessible mode: the same facts as the bar, in words,
// without the spinner and without relative times, so it changes only when the facts do (a sync
// that finished, a new pending action), never with the clock.
func (m Model) AccessibleView() string {
	c := m.ctx
	st := c.Status
	conn := i18n.T("status.offline")
	if st.Online {
		conn = i18n.T("status.online")
	}
	last := i18n.T("a11y.status.never")
	if !st.LastSync.IsZero() {
		at := common.FormatTime(st.LastSync)
		if common.Today(st.LastSync) == common.Today(c.Now()) {
			at = st.LastSync.Local().Format("15:04")
		}
		last = i18n.Tf("a11y.status.lastSync", at)
	}
	parts := []string{conn, last}
	if st.Pending > 0 {
		parts = append(parts, i18n.Tf("status.pending", st.Pending))
	}
	switch {
	case st.Conflicts == 1:
		parts = append(parts, i18n.T("status.conflict1"))
	case st.Conflicts > 1:
		parts = append(parts, i18n.Tf("status.conflicts", st.Conflicts))
	}
	if st.Rejected > 0 {
		parts = append(parts, i18n.Tf("status.rejected", st.Rejected))
	}
	if k := errKey(st.ErrKind); k != "" {
		parts = append(parts, i18n.T(k))
	}
	if h := HelpHint(c); h != "" {
		parts = append(parts, h)
	}
	if c.Demo {
		parts = append(parts, i18n.T("status.demo"))
	}
	who := common.Line(c.Me.Name)
	if who == "" {
		who = common.Line(c.Me.Clerk)
	}
	if amt := common.Line(c.Me.AmtName); amt != "" {
		who += ", " + amt
	}
	if who = strings.TrimSpace(who); who != "" {
		parts = append(parts, i18n.Tf("a11y.status.signedIn", who))
	}
	return common.Truncate(access.Sentence(parts...), max(c.ScreenWidth, 1))
}
