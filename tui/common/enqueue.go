package common

import (
	"encoding/json"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/i18n"
)

// NewAction builds an outbox action for a case: body is marshalled to JSON (e.g. api.NoteRequest),
// baseVersion is the case version the clerk saw (used as If-Match for state changes), subID is the
// decision id for approvals and "" otherwise. The action id is chosen now, so a resend is harmless.
func NewAction(kind api.ActionKind, caseID string, baseVersion int64, subID string, body any) (store.Action, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return store.Action{}, fmt.Errorf("tui: encode %s: %w", kind, err)
	}
	return store.Action{
		ID:          store.NewActionID(),
		CaseID:      caseID,
		Kind:        kind,
		SubID:       subID,
		Body:        b,
		BaseVersion: baseVersion,
	}, nil
}

// Enqueue returns a command that writes the actions to the outbox (each with its optimistic
// effect, in the store's transaction), kicks the syncer and reports ActionQueuedMsg. It stops at
// the first failure; actions already queued stay queued and are reported alongside the error.
func Enqueue(c *Ctx, actions ...store.Action) tea.Cmd {
	st, sy, online := c.Store, c.Syncer, c.Status.Online
	return func() tea.Msg {
		if st == nil {
			return ActionQueuedMsg{Err: errors.New("no store")}
		}
		var done []store.Action
		var err error
		for _, a := range actions {
			var got store.Action
			got, err = st.Enqueue(a)
			if err != nil {
				break
			}
			done = append(done, got)
		}
		if len(done) > 0 && sy != nil {
			sy.Kick()
		}
		return ActionQueuedMsg{Actions: done, Err: err, Online: online}
	}
}

// Toast is the toast the root shows for the queued actions.
func (m ActionQueuedMsg) Toast() ToastMsg {
	switch {
	case m.Err != nil:
		return ToastMsg{Kind: ToastError, Text: i18n.Tf("toast.saveFailed", shortErr(m.Err))}
	case len(m.Actions) > 1:
		return ToastMsg{Kind: ToastSuccess, Text: i18n.Tf("toast.queuedMany", len(m.Actions)), Key: OutboxToast}
	case !m.Online:
		return ToastMsg{Kind: ToastInfo, Text: i18n.T("toast.queuedOffline"), Key: OutboxToast}
	}
	return ToastMsg{Kind: ToastSuccess, Text: i18n.T("toast.queued"), Key: OutboxToast}
}

// OutboxToast keys the toasts about the clerk's queued work: "all sent" replaces "queued".
const OutboxToast = "outbox"

// shortErr keeps an error short for a toast; the store's errors carry no personal data.
func shortErr(err error) string {
	s := err.Error()
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}
