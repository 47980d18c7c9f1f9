package tui

// The in-place sign-in: when the syncer reports that the server refused the clerk's sign-in and
// Deps.SignIn is set (the clerk signed in through the identity provider), a dialog says so and
// offers the device flow right here; the outbox stays untouched and is sent once signed in.

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/internal/termqr"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// SignInPrompt is a started device sign-in: the address and code to show, when the code
// expires, and Wait, which returns once the clerk confirmed (and the new sign-in is in use).
type SignInPrompt struct {
	URL    string // verification address, with the code if the provider offers that
	Code   string
	Expiry time.Time
	Wait   func(ctx context.Context) error
}

// SignInFunc starts a device sign-in at the identity provider (cmd/amt wires it); it runs in a
// tea.Cmd, never in Update.
type SignInFunc func(ctx context.Context) (SignInPrompt, error)

type signinPhase int

const (
	signinOffer signinPhase = iota
	signinStarting
	signinWaiting
	signinFailed
)

type signinDialog struct {
	phase  signinPhase
	prompt SignInPrompt
	err    string
	cancel context.CancelFunc
	gen    int // tells a stale flow's messages from the current one's
}

type signinStartedMsg struct {
	gen    int
	prompt SignInPrompt
	err    error
}

type signinDoneMsg struct {
	gen int
	err error
}

type signinTickMsg struct{ gen int }

// maybeOfferSignIn opens the dialog when the sign-in just became invalid.
func (m *Model) maybeOfferSignIn(prev, cur common.SyncStatus) {
	if m.deps.SignIn == nil || m.signin != nil {
		return
	}
	if cur.ErrKind == "unauthorized" && prev.ErrKind != "unauthorized" {
		m.signin = &signinDialog{phase: signinOffer}
	}
}

func (m *Model) startSignIn() tea.Cmd {
	d := m.signin
	d.gen++
	d.phase = signinStarting
	d.err = ""
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	gen, start := d.gen, m.deps.SignIn
	return func() tea.Msg {
		p, err := start(ctx)
		return signinStartedMsg{gen: gen, prompt: p, err: err}
	}
}

func (m *Model) closeSignIn() {
	if m.signin != nil && m.signin.cancel != nil {
		m.signin.cancel()
	}
	m.signin = nil
}

// signinKey handles a key while the dialog is open.
func (m Model) signinKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	d := m.signin
	switch msg.Type {
	case tea.KeyEsc:
		m.closeSignIn()
		return m, nil
	case tea.KeyEnter:
		if d.phase == signinOffer || d.phase == signinFailed {
			return m, m.startSignIn()
		}
	}
	return m, nil
}

// signinUpdate handles the dialog's own messages; ok is false for other messages.
func (m Model) signinUpdate(msg tea.Msg) (Model, tea.Cmd, bool) {
	d := m.signin
	switch msg := msg.(type) {
	case signinStartedMsg:
		if d == nil || msg.gen != d.gen {
			return m, nil, true
		}
		if msg.err != nil {
			d.phase, d.err = signinFailed, msg.err.Error()
			return m, nil, true
		}
		d.phase, d.prompt = signinWaiting, msg.prompt
		ctx, cancel := context.WithCancel(context.Background())
		old := d.cancel
		d.cancel = func() { cancel(); old() }
		gen, wait := d.gen, msg.prompt.Wait
		return m, tea.Batch(func() tea.Msg { return signinDoneMsg{gen: gen, err: wait(ctx)} }, m.signinTick()), true
	case signinDoneMsg:
		if d == nil || msg.gen != d.gen {
			return m, nil, true
		}
		if msg.err != nil {
			d.phase, d.err = signinFailed, msg.err.Error()
			return m, nil, true
		}
		m.closeSignIn()
		if m.deps.Syncer != nil {
			m.deps.Syncer.Kick()
		}
		return m, common.Toast(common.ToastSuccess, i18n.T("signin.done")), true
	case signinTickMsg:
		if d == nil || msg.gen != d.gen || d.phase != signinWaiting {
			return m, nil, true
		}
		return m, m.signinTick(), true
	}
	return m, nil, false
}

func (m *Model) signinTick() tea.Cmd {
	gen := m.signin.gen
	return m.tick(time.Second, func(time.Time) tea.Msg { return signinTickMsg{gen: gen} })
}

// signinView renders the dialog box.
func (m Model) signinView() string {
	d := m.signin
	c := m.ctx
	w := min(76, max(30, c.Width-4))
	var lines []string
	switch d.phase {
	case signinOffer:
		lines = append(lines, i18n.T("signin.ended"), "", i18n.T("signin.offer"))
	case signinStarting:
		lines = append(lines, i18n.T("signin.start"))
	case signinFailed:
		lines = append(lines, i18n.Tf("signin.failed", sanitize.Line(d.err)), "", i18n.T("signin.retry"))
	case signinWaiting:
		lines = append(lines, i18n.T("signin.open"), "  "+sanitize.Line(d.prompt.URL), i18n.T("signin.code"),
			"      "+sanitize.Line(d.prompt.Code), "")
		if qr, err := termqr.Lines(d.prompt.URL); err == nil && len(qr)+14 <= c.Height && len([]rune(qr[0]))+4 <= w {
			lines = append(lines, qr...)
			lines = append(lines, "")
		}
		left := d.prompt.Expiry.Sub(c.Now()).Round(time.Second)
		if left < 0 {
			left = 0
		}
		lines = append(lines, i18n.Tf("signin.left", fmt.Sprintf("%d:%02d", int(left.Minutes()), int(left.Seconds())%60)))
	}
	body := lipgloss.NewStyle().Width(w - 4).Render(strings.Join(lines, "\n"))
	title := c.Theme.DialogTitle.Render(i18n.T("signin.title"))
	return c.Theme.Dialog.Render(title + "\n\n" + body)
}
