package actions

import (
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// NewApproval opens the four-eyes dialog (leads): approve or return a proposed decision.
func NewApproval(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogApproval, caseIDs, fChoice, fText)
}

// buildApproval validates the form of the four-eyes dialog (approve or return) and builds its actions, the confirmation lines, or the
// validation error and the field to focus (see build).
func (m Model) buildApproval() ([]store.Action, []restateLine, int, error) {
	c := m.cases[0]
	ref := caseRef(c)
	approve := m.options[m.choice].value == "approve"
	comment := strings.TrimSpace(m.text.Value())
	if !approve && comment == "" {
		return nil, nil, m.fieldIndex(fText), verr("act.err.returnComment")
	}
	d := c.Decision
	a, err := m.newAction(api.ActionApproval, c, d.ID, api.ApprovalRequest{Approve: approve, Comment: comment})
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
