package actions

import (
	"maps"
	"strings"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
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
	now := m.ctx.Now()
	at := func(f field) int {
		for i, x := range m.fields {
			if x == f {
				return i
			}
		}
		return -1
	}
	c := m.cases[0]
	ref := restateLine{i18n.T("act.label.case"), common.Line(c.Reference)}
	mk := func(kind api.ActionKind, c api.Case, sub string, body any) (store.Action, error) {
		a, err := common.NewAction(kind, c.ID, c.Version, sub, body)
		a.Actor = m.ctx.Me.Clerk
		return a, err
	}
	switch m.kind {
	case common.DialogComment:
		t := strings.TrimSpace(m.text.Value())
		if t == "" {
			return nil, nil, at(fText), verr("act.err.textEmpty")
		}
		if utf8.RuneCountInString(t) > api.MaxNoteRunes {
			return nil, nil, at(fText), verr("act.err.textLong")
		}
		a, err := mk(api.ActionNote, c, "", api.NoteRequest{Text: t})
		return one(a, err, ref)

	case common.DialogAssign:
		if len(m.options) == 0 {
			return nil, nil, -1, verr("act.err.noClerk")
		}
		who := m.options[m.choice].value
		var out []store.Action
		for _, c := range m.cases {
			if c.Assignee == who || casework.CanAssign(c, m.ctx.Clerk()) != nil {
				continue // nothing to change, or closed (the server refuses those)
			}
			a, err := mk(api.ActionAssignment, c, "", api.AssignmentRequest{Assignee: who})
			if err != nil {
				return nil, nil, -1, err
			}
			out = append(out, a)
		}
		return out, []restateLine{{i18n.T("act.label.assignee"), m.options[m.choice].label}}, -1, nil

	case common.DialogResubmission:
		d, err := casework.ParseFutureDate(m.date.Value(), now)
		if err != nil {
			return nil, nil, at(fDate), verr(err.Error())
		}
		a, err := mk(api.ActionResubmission, c, "", api.ResubmissionRequest{Date: d, Reason: strings.TrimSpace(m.reason.Value())})
		return one(a, err, ref)

	case common.DialogDocumentRequest:
		var docs []string
		for _, l := range strings.Split(m.docs.Value(), "\n") {
			l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "-•*"))
			if l != "" {
				docs = append(docs, l)
			}
		}
		if len(docs) == 0 {
			return nil, nil, at(fDocs), verr("act.err.docsEmpty")
		}
		d, err := casework.ParseFutureDate(m.date.Value(), now)
		if err != nil {
			return nil, nil, at(fDate), verr(err.Error())
		}
		a, err := mk(api.ActionDocumentRequest, c, "", api.DocumentRequestRequest{Documents: docs, Deadline: d,
			Message: strings.TrimSpace(m.text.Value())})
		return one(a, err, ref)

	case common.DialogDecide:
		o := api.Outcome(m.options[m.choice].value)
		reasoning := strings.TrimSpace(m.text.Value())
		if reasoning == "" {
			return nil, nil, at(fText), verr("act.err.reasoningEmpty")
		}
		if utf8.RuneCountInString(reasoning) > api.MaxNoteRunes {
			return nil, nil, at(fText), verr("act.err.textLong")
		}
		fee, err := casework.ParseFee(m.fee.Value())
		if err != nil {
			return nil, nil, at(fFee), verr(err.Error())
		}
		var valid string
		if strings.TrimSpace(m.valid.Value()) != "" {
			if valid, err = casework.ParseFutureDate(m.valid.Value(), now); err != nil {
				return nil, nil, at(fValid), verr(err.Error())
			}
		}
		body := api.DecisionRequest{Outcome: o, Reasoning: reasoning, FeeCents: fee, ValidUntil: valid}
		var acts []store.Action
		// The server decides only cases in review (a new case may only be withdrawn or forwarded):
		// a new case is taken into review first, in the same queue, so the decision follows it.
		startReview := casework.StartsReview(c, o)
		if startReview {
			s, err := mk(api.ActionStatus, c, "", api.StatusRequest{Status: api.StatusInReview})
			if err != nil {
				return nil, nil, -1, err
			}
			acts = append(acts, s)
		}
		a, err := mk(api.ActionDecision, c, "", body)
		if err != nil {
			return nil, nil, -1, err
		}
		acts = append(acts, a)
		rs := []restateLine{ref,
			{i18n.T("act.label.service"), common.Line(c.Service.Name)},
			{i18n.T("act.label.applicant"), common.Line(c.Applicant.Name)},
			{i18n.T("act.label.outcome"), OutcomeLabel(o)},
			{i18n.T("act.label.fee"), feeText(fee)},
			{i18n.T("act.label.valid"), dateOrNone(valid)},
			{i18n.T("act.label.reasoning"), reasoning},
		}
		if startReview {
			rs = append(rs, restateLine{"", i18n.T("act.decide.startReview")})
		}
		if casework.NeedsApproval(c, o) {
			rs = append(rs, restateLine{"", i18n.T("act.decide.fourEyes")})
		}
		return acts, rs, -1, nil

	case common.DialogApproval:
		approve := m.options[m.choice].value == "approve"
		comment := strings.TrimSpace(m.text.Value())
		if !approve && comment == "" {
			return nil, nil, at(fText), verr("act.err.returnComment")
		}
		d := c.Decision
		a, err := mk(api.ActionApproval, c, d.ID, api.ApprovalRequest{Approve: approve, Comment: comment})
		if err != nil {
			return nil, nil, -1, err
		}
		what := i18n.T("act.approval.approve")
		if !approve {
			what = i18n.T("act.approval.return")
		}
		rs := []restateLine{ref,
			{i18n.T("act.label.action"), what},
			{i18n.T("act.label.outcome"), OutcomeLabel(d.Outcome)},
			{i18n.T("act.label.proposer"), m.ctx.ClerkName(d.Actor)},
			{i18n.T("act.label.fee"), feeText(d.FeeCents)},
		}
		if comment != "" {
			rs = append(rs, restateLine{i18n.T("act.label.comment"), comment})
		}
		return []store.Action{a}, rs, -1, nil
	}
	return nil, nil, -1, verr("act.err.unknown")
}

func one(a store.Action, err error, ref restateLine) ([]store.Action, []restateLine, int, error) {
	if err != nil {
		return nil, nil, -1, err
	}
	return []store.Action{a}, []restateLine{ref}, -1, nil
}
