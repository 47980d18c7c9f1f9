// Package statusbar owns the always-visible bottom line: connection, last sync, pending actions,
// conflicts and rejections, the signed-in clerk and Amt, and a spinner while syncing.
package statusbar

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// Model is the status bar.
type Model struct {
	ctx      *common.Ctx
	spin     spinner.Model
	spinning bool
}

// New builds the status bar.
func New(ctx *common.Ctx) Model {
	s := spinner.New(spinner.WithSpinner(spinner.Line))
	return Model{ctx: ctx, spin: s}
}

// Update starts the spinner when a sync begins and lets it stop when the sync ends.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case common.SyncEventMsg:
		if msg.Syncing && !m.spinning {
			m.spinning = true
			return m, m.spin.Tick
		}
	case spinner.TickMsg:
		if !m.ctx.Status.Syncing {
			m.spinning = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	}
	return m, nil
}

// Spinning reports whether the spinner is animating.
func (m Model) Spinning() bool { return m.spinning }

// View renders the bar in ctx.ScreenWidth cells.
func (m Model) View() string {
	c, t := m.ctx, m.ctx.Theme
	st := c.Status
	var left []string
	if st.Online {
		left = append(left, t.StatusOnline.Render(i18n.T("status.online")))
	} else {
		left = append(left, t.StatusOffline.Render(strings.ToUpper(i18n.T("status.offline"))))
	}
	if st.Syncing {
		left = append(left, t.StatusSyncing.Render(m.spin.View()+" "+syncingText(st)))
	} else {
		left = append(left, t.StatusBar.Padding(0, 1).Render(i18n.Tf("status.lastSync", common.Relative(st.LastSync, c.Now()))))
	}
	if st.Pending > 0 {
		left = append(left, t.StatusPending.Render(common.MarkPending+" "+i18n.Tf("status.pending", st.Pending)))
	}
	switch {
	case st.Conflicts == 1:
		left = append(left, t.StatusConflict.Render(common.MarkConflict+" "+i18n.T("status.conflict1")))
	case st.Conflicts > 1:
		left = append(left, t.StatusConflict.Render(common.MarkConflict+" "+i18n.Tf("status.conflicts", st.Conflicts)))
	}
	if st.Rejected > 0 {
		left = append(left, t.StatusConflict.Render(common.MarkRejected+" "+i18n.Tf("status.rejected", st.Rejected)))
	}
	if q := queueText(c.QueueStatus); q != "" {
		left = append(left, t.StatusPending.Render(q))
	}
	if k := errKey(st.ErrKind); k != "" {
		left = append(left, t.StatusConflict.Render(i18n.T(k)))
	} else if st.ErrKind == errKindSlowLine && !st.Syncing {
		left = append(left, t.StatusConflict.Render(" "+i18n.SyncCut(i18n.Current(), st.Progress)+" "))
	}
	var right []string
	if c.Demo {
		right = append(right, t.StatusDemo.Render(i18n.T("status.demo")))
	}
	who := common.Line(c.Me.Name)
	if who == "" {
		who = common.Line(c.Me.Clerk)
	}
	if amt := common.Line(c.Me.AmtName); amt != "" {
		who += " · " + amt
	}
	if who != "" {
		right = append(right, t.StatusClerk.Render(who))
	}
	if h := HelpHint(c); h != "" {
		right = append(right, t.StatusClerk.Render(h))
	}

	w := c.ScreenWidth
	l := strings.Join(left, "")
	r := strings.Join(right, "")
	// Drop right-hand segments from the left (help hint last to go) until everything fits.
	for len(right) > 1 && common.Width(l)+common.Width(r) > w {
		right = right[1:]
		r = strings.Join(right, "")
	}
	gap := w - common.Width(l) - common.Width(r)
	if gap < 0 {
		return common.Truncate(l, w)
	}
	return l + t.StatusBar.Render(strings.Repeat(" ", gap)) + r
}

func errKey(kind string) string {
	switch kind {
	case "unauthorized":
		return "status.errAuth"
	case "server":
		return "status.errServer"
	case "local":
		return "status.errLocal"
	case "tls":
		return "status.errTLS"
	}
	return ""
}

// errKindSlowLine is syncer.ErrKindSlowLine: data arrived, then the line broke or stalled.
const errKindSlowLine = "slowline"

// syncingText is what the bar says while a sync runs: the loaded cases, rate and time left once a
// pull has measured them ("Leitung sehr langsam – 1.240 von 4.812 Vorgängen geladen · …" on a slow
// line), else "synchronisiere".
func syncingText(st common.SyncStatus) string {
	if p := st.Progress; p.Loaded > 0 || p.Rate > 0 {
		return i18n.SyncProgress(i18n.Current(), p)
	}
	return i18n.T("status.syncing")
}

// queueText describes the background downloads: "↓ 2 Anlagen · 45 % · 3,9 KB/s" or "↓ 1 Anlage ·
// wartet auf Verbindung"; "" when the queue is empty.
func queueText(q common.QueueStatus) string {
	if q.Queued <= 0 {
		return ""
	}
	s := i18n.T("status.queue1")
	if q.Queued > 1 {
		s = i18n.Tf("status.queue", q.Queued)
	}
	switch {
	case q.Waiting:
		s += " · " + i18n.T("status.queueWait")
	case q.Total > 0:
		s += fmt.Sprintf(" · %d %%", min(100, q.Bytes*100/q.Total))
		if q.Rate > 0 {
			s += " · " + i18n.Rate(i18n.Current(), q.Rate)
		}
	}
	return " " + s + " "
}

// HelpHint is the status bar's hint at the help key as it is bound now ("? Hilfe"; "F1 Hilfe"
// after rebinding help to F1), "" when help has no key.
func HelpHint(c *common.Ctx) string {
	b := &c.Keys.Global.Help
	if !b.Enabled() || b.Help().Key == "" {
		return ""
	}
	return b.Help().Key + " " + b.Help().Desc
}
