package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// The root's part of the accessible mode (common.Config.Accessible): the screen is the notice
// line (line 1, the fixed place where every change the clerk did not cause is said once), the
// active view or overlay as linear text, and the status line in words; the terminal cursor stands
// where the view says (access.Screen).

// maxNotices is how many notices since the clerk's last key the notice line keeps.
const maxNotices = 3

// a11yState is what the root keeps for the accessible mode. cursor is shared by every copy of
// the model and read by the terminal writer (Run).
type a11yState struct {
	cursor  *access.Cursor
	notices []common.ToastMsg // said since the clerk's last key, oldest first
	cases   int               // cases in the inbox at the last look; more means new ones arrived
	counted bool
}

// EnvAccessible reads the ACCESSIBLE convention of the Charm and gh tools: "1", "true", "yes" or
// "on" (any case) switch the accessible mode on.
func EnvAccessible(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// Notices lists the notices on the notice line (tests).
func (m Model) Notices() []string {
	out := make([]string, len(m.a11y.notices))
	for i, n := range m.a11y.notices {
		out[i] = n.Text
	}
	return out
}

// Cursor is where the accessible screen puts the terminal cursor (0-based line and cell).
func (m Model) Cursor() (row, col int, ok bool) { return m.a11y.cursor.Get() }

// pushToast shows t as a toast, or in the accessible mode says it once on the notice line (a
// toast would vanish after a few seconds: a time limit on reading).
func (m Model) pushToast(t common.ToastMsg) (Model, tea.Cmd) {
	if !m.ctx.Accessible() {
		var cmd tea.Cmd
		m.toasts, cmd = m.toasts.Push(t)
		return m, cmd
	}
	m.notify(t)
	return m, nil
}

// notify adds a notice; one with the same key replaces the older one.
func (m *Model) notify(t common.ToastMsg) {
	ns := make([]common.ToastMsg, 0, maxNotices)
	for _, n := range m.a11y.notices {
		if t.Key == "" || n.Key != t.Key {
			ns = append(ns, n)
		}
	}
	ns = append(ns, t)
	if len(ns) > maxNotices {
		ns = ns[len(ns)-maxNotices:]
	}
	m.a11y.notices = ns
}

// observe announces what changed without the clerk: new cases in the inbox and actions the
// syncer delivered. prev is the sync status before the message.
func (m *Model) observe(msg tea.Msg, prev common.SyncStatus) {
	if m.inbox.Loaded() {
		n := len(m.inbox.Summaries())
		if m.a11y.counted && n > m.a11y.cases {
			if d := n - m.a11y.cases; d == 1 {
				m.notify(common.ToastMsg{Text: i18n.T("a11y.new1")})
			} else {
				m.notify(common.ToastMsg{Text: i18n.Tf("a11y.newN", d)})
			}
		}
		m.a11y.cases, m.a11y.counted = n, true
	}
	cur := m.ctx.Status
	if _, ok := msg.(common.SyncEventMsg); ok && cur.Pending < prev.Pending &&
		cur.Conflicts <= prev.Conflicts && cur.Rejected <= prev.Rejected {
		if d := prev.Pending - cur.Pending; d == 1 {
			m.notify(common.ToastMsg{Text: i18n.T("a11y.sent1")})
		} else {
			m.notify(common.ToastMsg{Text: i18n.Tf("a11y.sentN", d)})
		}
	}
}

// noticeLine is line 1 of the accessible screen: the notices since the clerk's last key, the
// oldest dropped first when they do not fit one line.
func (m Model) noticeLine(w int) string {
	ns := m.a11y.notices
	for len(ns) > 0 {
		texts := make([]string, len(ns))
		for i, n := range ns {
			texts[i] = n.Text
		}
		line := i18n.Tf("a11y.announce", strings.Join(texts, " "))
		if common.Width(line) <= w || len(ns) == 1 {
			return common.Truncate(line, w)
		}
		ns = ns[1:]
	}
	return ""
}

// accessibleBody is the active overlay or view as linear text.
func (m Model) accessibleBody() access.Screen {
	switch {
	case m.signin != nil:
		return m.signinAccessible()
	case m.dialog != nil:
		return m.dialog.AccessibleView()
	case m.palette != nil:
		return m.palette.AccessibleView()
	case m.help != nil:
		return m.help.AccessibleView()
	case m.state == common.ViewInbox:
		return m.inbox.AccessibleView()
	}
	if v := m.activeChild(); v != nil && *v != nil {
		if a, ok := (*v).(interface{ AccessibleView() access.Screen }); ok {
			return a.AccessibleView()
		}
		return access.Screen{Lines: strings.Split((*v).View(), "\n")}
	}
	return access.Screen{}
}

// accessibleView renders the accessible screen and records where the cursor belongs. Recording
// the cursor is View's one side effect: the position is part of the frame, and the terminal
// writer needs it at the moment Bubble Tea writes that frame.
func (m Model) accessibleView() string {
	c := m.ctx
	w, h := c.ScreenWidth, c.ScreenHeight
	bh := max(1, h-2)
	body := m.accessibleBody().Window(bh)
	lines := make([]string, 0, h)
	lines = append(lines, m.noticeLine(w))
	for i := 0; i < bh; i++ {
		l := ""
		if i < len(body.Lines) {
			l = common.Truncate(body.Lines[i], w)
		}
		lines = append(lines, l)
	}
	lines = append(lines, m.status.AccessibleView())
	m.a11y.cursor.Set(1+min(max(body.Row, 0), bh-1), min(max(body.Col, 0), max(w-1, 0)))
	return strings.Join(lines, "\n")
}
