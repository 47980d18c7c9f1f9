package actions

import (
	"errors"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// precondition says why the action is impossible for the loaded case, or "" (casework decides;
// a bulk dialog needs one case that allows its action).
func (m Model) precondition() string {
	if m.kind == common.DialogAssign {
		var err error
		for _, c := range m.cases {
			if err = casework.CanAssign(c, m.ctx.Clerk()); err == nil {
				return ""
			}
		}
		return BlockText(err)
	}
	var err error
	for _, c := range m.cases {
		if err = Allowed(m.ctx, m.kind, c); err == nil {
			return ""
		}
	}
	return BlockText(err)
}

// Bulk reports whether a dialog of kind acts on a selection of cases at once (the inbox's marked
// cases): assignment, Wiedervorlage, Nachforderung and status, with the same values for every case.
func Bulk(k common.DialogKind) bool {
	switch k {
	case common.DialogAssign, common.DialogResubmission, common.DialogDocumentRequest, common.DialogStatus:
		return true
	}
	return false
}

// targets are the loaded cases that allow the dialog's action (a bulk dialog skips the others).
func (m Model) targets() []api.Case {
	out := make([]api.Case, 0, len(m.cases))
	for _, c := range m.cases {
		if Allowed(m.ctx, m.kind, c) == nil {
			out = append(out, c)
		}
	}
	return out
}

// ActionKind is the kind of action a dialog queues.
func ActionKind(k common.DialogKind) api.ActionKind {
	switch k {
	case common.DialogAssign:
		return api.ActionAssignment
	case common.DialogResubmission:
		return api.ActionResubmission
	case common.DialogDocumentRequest:
		return api.ActionDocumentRequest
	case common.DialogDecide:
		return api.ActionDecision
	case common.DialogApproval:
		return api.ActionApproval
	case common.DialogStatus:
		return api.ActionStatus
	}
	return api.ActionNote
}

// Allowed asks casework whether the signed-in clerk may take the dialog's action on the case: nil,
// or the *casework.Refusal that says why not. Views offer a dialog's key only when it is allowed.
func Allowed(ctx *common.Ctx, k common.DialogKind, c api.Case) error {
	return casework.Allowed(ActionKind(k), ownOverlay(ctx, c), ctx.Clerk())
}

// ownOverlay returns c with a proposal still in the outbox attributed to the signed-in clerk: it
// was made here.
func ownOverlay(ctx *common.Ctx, c api.Case) api.Case {
	if d := c.Decision; d != nil && d.Actor == store.OverlayActor {
		dd := *d
		dd.Actor = ctx.Me.Clerk
		c.Decision = &dd
	}
	return c
}

// CanApprove reports whether the signed-in clerk may approve or return the case's proposed
// decision (a lead or deputy, and not the proposer).
func CanApprove(ctx *common.Ctx, c api.Case) bool {
	return Allowed(ctx, common.DialogApproval, c) == nil
}

// BlockText says in the clerk's language why casework refuses an action ("" for nil).
func BlockText(err error) string {
	if err == nil {
		return ""
	}
	var rf *casework.Refusal
	if !errors.As(err, &rf) {
		return i18n.T("act.err.unknown")
	}
	switch rf.Kind {
	case api.ActionDecision:
		if rf.Reason == casework.ReasonAwaitingApproval {
			return i18n.T("act.block.proposed")
		}
		return i18n.T("act.block.closed")
	case api.ActionDocumentRequest:
		return i18n.T("act.block.closedDocs")
	case api.ActionApproval:
		switch rf.Reason {
		case casework.ReasonNotApprover:
			return i18n.T("act.block.notLead")
		case casework.ReasonOwnProposal:
			return i18n.T("act.block.ownProposal")
		}
		return i18n.T("act.block.noProposal")
	case api.ActionNote:
		return i18n.T("act.block.noNotes")
	case api.ActionResubmission:
		return i18n.T("act.block.closedResub")
	case api.ActionAssignment:
		return i18n.T("act.block.closedAssign")
	case api.ActionStatus:
		switch rf.Reason {
		case casework.ReasonNotProposer:
			return i18n.T("act.block.notProposer")
		case casework.ReasonNeedsApprover:
			return i18n.T("act.block.needsApprover")
		}
		return i18n.T("act.block.statusFinished")
	}
	return i18n.T("act.err.unknown")
}
