package tui

import (
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/toast"
	"github.com/amt-mv/amt/tui/i18n"
)

// UndoWindow is how long after queuing the undo key takes the actions back: as long as the toast
// that offers it stays. Measured on the context's clock.
const UndoWindow = toast.Lifetime

// undoState is the last batch of queued actions the undo key may take back, and until when.
type undoState struct {
	ids   []string
	until time.Time
}

// undoneMsg reports what the undo key took back.
type undoneMsg struct {
	taken, inFlight, gone int
	err                   error
}

// offerUndo remembers the actions just queued and returns the toast for them, with the undo key
// when one is bound.
func (m *Model) offerUndo(msg common.ActionQueuedMsg) common.ToastMsg {
	t := msg.Toast()
	if msg.Err != nil || len(msg.Actions) == 0 {
		return t
	}
	m.undo = undoState{until: m.ctx.Now().Add(UndoWindow)}
	for _, a := range msg.Actions {
		m.undo.ids = append(m.undo.ids, a.ID)
	}
	if u := m.ctx.Keys.Global.Undo; u.Enabled() && len(u.Keys()) > 0 {
		t.Text += " · " + common.Hint(u)
	}
	return t
}

// takeBack cancels the last queued batch in a command (store.Cancel checks each action's state in
// its own transaction, so the syncer and the undo never both win).
func (m Model) takeBack() (Model, tea.Cmd) {
	u := m.undo
	m.undo = undoState{}
	if len(u.ids) == 0 || m.ctx.Now().After(u.until) {
		return m, common.Toast(common.ToastInfo, i18n.T("toast.undoNothing"))
	}
	st := m.ctx.Store
	return m, func() tea.Msg {
		var r undoneMsg
		for i := len(u.ids) - 1; i >= 0; i-- {
			_, err := st.Cancel(u.ids[i])
			switch {
			case err == nil:
				r.taken++
			case errors.Is(err, store.ErrInFlight):
				r.inFlight++
			case errors.Is(err, store.ErrNotFound):
				r.gone++
			default:
				r.err = err
			}
		}
		return r
	}
}

// undone shows what the undo key did.
func (m Model) undone(r undoneMsg) (Model, tea.Cmd) {
	m.ctx.Status.Pending = max(m.ctx.Status.Pending-r.taken, 0)
	var t common.ToastMsg
	switch {
	case r.err != nil:
		t = common.ToastMsg{Kind: common.ToastError, Text: i18n.Tf("toast.saveFailed", r.err.Error())}
	case r.inFlight > 0 || r.gone > 0:
		t = common.ToastMsg{Kind: common.ToastWarn, Text: i18n.T("toast.undoTooLate"), Key: common.OutboxToast}
		if r.taken > 0 {
			t.Text = i18n.Tf("toast.undoPartly", r.taken, r.taken+r.inFlight+r.gone)
		}
	default:
		t = common.ToastMsg{Kind: common.ToastSuccess, Text: i18n.Tf("toast.undone", r.taken), Key: common.OutboxToast}
		if r.taken == 1 {
			t.Text = i18n.T("toast.undoneOne")
		}
	}
	return m.pushToast(t)
}

// undoKey reports whether msg is the undo key.
func (m Model) undoKey(msg tea.KeyMsg) bool { return key.Matches(msg, m.ctx.Keys.Global.Undo) }
