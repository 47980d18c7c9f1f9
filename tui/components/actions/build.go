package actions

import (
	"maps"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// submit validates the form and builds the actions; decide and approval go to the confirmation
// screen, every other dialog queues at once.
func (m Model) submit() (Model, tea.Cmd) {
	acts, restate, bad, err := m.build()
	if err != nil {
		m.errMsg = err.Error()
		if bad >= 0 {
			return m, m.focusField(bad)
		}
		return m, nil
	}
	m.errMsg = ""
	m.restate = restate
	if m.built == nil || !sameActions(m.built, acts) {
		m.built = acts
		m.queued = nil
	}
	if m.kind == common.DialogDecide || m.kind == common.DialogApproval {
		m.step = stepConfirm
		m.scroll = 0
		m.confirm.Reset()
		m.text.Blur()
		return m, m.confirm.Focus()
	}
	return m.enqueue()
}

// sameActions reports whether a rebuilt form equals the one already built (same kind, case and
// body), so a retry after a store error reuses the action ids.
func sameActions(a, b []store.Action) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].CaseID != b[i].CaseID || a[i].Kind != b[i].Kind || a[i].SubID != b[i].SubID ||
			string(a[i].Body) != string(b[i].Body) || a[i].BaseVersion != b[i].BaseVersion {
			return false
		}
	}
	return true
}

func (m Model) enqueue() (Model, tea.Cmd) {
	var todo []store.Action
	for _, a := range m.built {
		if !m.queued[a.ID] {
			todo = append(todo, a)
		}
	}
	if len(todo) == 0 {
		// Nothing to change (e.g. assigning cases to who already has them).
		return m, m.closeCmd(len(m.queued))
	}
	m.step = stepSubmitting
	m.errMsg = ""
	return m, common.Enqueue(m.ctx, todo...)
}

func (m Model) onQueued(msg common.ActionQueuedMsg) (Model, tea.Cmd) {
	if msg.Err != nil {
		// Keep the clerk's text; what was queued stays queued and a retry reuses the same ids.
		m.errMsg = i18n.Tf("act.err.store", msg.Err.Error())
		m.queued = maps.Clone(m.queued)
		if m.queued == nil {
			m.queued = map[string]bool{}
		}
		for _, a := range msg.Actions {
			m.queued[a.ID] = true
		}
		m.step = stepEdit
		if m.kind == common.DialogDecide || m.kind == common.DialogApproval {
			m.step = stepConfirm
		}
		return m, nil
	}
	return m, m.closeCmd(len(msg.Actions) + len(m.queued))
}

// validationError is a translated validation message.
type validationError string

func (e validationError) Error() string { return string(e) }

func verr(k string) error { return validationError(i18n.T(k)) }

// build validates the form and returns the actions, the confirmation restatement, or the
// validation error and the index of the field to focus.
func (m Model) build() ([]store.Action, []restateLine, int, error) {
	switch m.kind {
	case common.DialogComment:
		return m.buildComment()
	case common.DialogAssign:
		return m.buildAssign()
	case common.DialogResubmission:
		return m.buildResubmission()
	case common.DialogDocumentRequest:
		return m.buildDocumentRequest()
	case common.DialogDecide:
		return m.buildDecide()
	case common.DialogApproval:
		return m.buildApproval()
	case common.DialogStatus:
		return m.buildStatus()
	}
	return nil, nil, -1, verr("act.err.unknown")
}

// fieldIndex is the position of field f in the dialog, or -1.
func (m Model) fieldIndex(f field) int {
	for i, x := range m.fields {
		if x == f {
			return i
		}
	}
	return -1
}

// newAction builds an outbox action of the signed-in clerk for case c.
func (m Model) newAction(kind api.ActionKind, c api.Case, sub string, body any) (store.Action, error) {
	a, err := common.NewAction(kind, c.ID, c.Version, sub, body)
	a.Actor = m.ctx.Me.Clerk
	return a, err
}

// caseRef is the confirmation line naming the case.
func caseRef(c api.Case) restateLine {
	return restateLine{i18n.T("act.label.case"), common.Line(c.Reference)}
}

// each builds the same action for every case that allows it (one case, or a bulk selection).
func (m Model) each(kind api.ActionKind, body any) ([]store.Action, []restateLine, int, error) {
	var out []store.Action
	var refs []string
	for _, c := range m.targets() {
		a, err := m.newAction(kind, c, "", body)
		if err != nil {
			return nil, nil, -1, err
		}
		out = append(out, a)
		refs = append(refs, common.Line(c.Reference))
	}
	return out, []restateLine{{i18n.T("act.label.case"), strings.Join(refs, ", ")}}, -1, nil
}

func one(a store.Action, err error, ref restateLine) ([]store.Action, []restateLine, int, error) {
	if err != nil {
		return nil, nil, -1, err
	}
	return []store.Action{a}, []restateLine{ref}, -1, nil
}
