package actions

import (
	"slices"
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// NewStatus opens the status dialog: the status changes the clerk may set on the case (start the
// review, continue after documents arrived, close a decided case, take one's own proposal back,
// and for leads withdraw a case over a proposal), one choice, Enter queues it.
func NewStatus(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogStatus, caseIDs, fChoice)
}

// StatusChoices lists the status changes the status dialog offers on c, with their labels:
// casework's targets for the clerk, without those another dialog makes (awaiting documents is the
// Nachforderung; withdrawing is a decision while one is possible).
func StatusChoices(ctx *common.Ctx, c api.Case) []api.Status {
	c = ownOverlay(ctx, c)
	decidable := casework.CanDecide(c, ctx.Clerk()) == nil
	var out []api.Status
	for _, to := range casework.StatusTargets(c, ctx.Clerk()) {
		if to == api.StatusAwaitingDocuments || (to == api.StatusWithdrawn && decidable) {
			continue
		}
		out = append(out, to)
	}
	return out
}

// StatusChoiceLabel names the status change to "to" from c's status as the status dialog does.
func StatusChoiceLabel(c api.Case, to api.Status) string { return statusLabel(c, to) }

// statusLabel names a status change from c's status as the clerk thinks of it.
func statusLabel(c api.Case, to api.Status) string {
	switch {
	case to == api.StatusInReview && c.Status == api.StatusNew:
		return i18n.T("act.status.start")
	case to == api.StatusInReview && c.Status == api.StatusAwaitingDocuments:
		return i18n.T("act.status.received")
	case to == api.StatusInReview && c.Status == api.StatusDecisionProposed:
		return i18n.T("act.status.takeBack")
	case to == api.StatusClosed:
		return i18n.T("act.status.close")
	case to == api.StatusWithdrawn:
		return i18n.T("act.status.withdraw")
	}
	return common.StatusLabel(to)
}

// statusOptions fills the dialog's choices once the case is loaded; none means blocked.
func (m *Model) statusOptions() string {
	c := m.cases[0]
	m.options = nil
	// On a selection: every change one of the cases allows, named as for the first that does.
	seen := map[api.Status]bool{}
	for _, cc := range m.cases {
		for _, to := range StatusChoices(m.ctx, cc) {
			if !seen[to] {
				seen[to] = true
				m.options = append(m.options, option{label: statusLabel(cc, to), value: string(to)})
			}
		}
	}
	if len(m.options) > 0 {
		return ""
	}
	if err := casework.CanChangeStatus(ownOverlay(m.ctx, c), m.ctx.Clerk()); err != nil {
		return BlockText(err)
	}
	return i18n.T("act.block.statusOther")
}

// buildStatus builds the status change chosen, for each case that allows it (a selection skips
// the others).
func (m Model) buildStatus() ([]store.Action, []restateLine, int, error) {
	to := api.Status(m.options[m.choice].value)
	var out []store.Action
	var refs []string
	for _, c := range m.cases {
		if !slices.Contains(StatusChoices(m.ctx, c), to) {
			continue
		}
		a, err := m.newAction(api.ActionStatus, c, "", api.StatusRequest{Status: to})
		if err != nil {
			return nil, nil, -1, err
		}
		out = append(out, a)
		refs = append(refs, common.Line(c.Reference))
	}
	return out, []restateLine{{i18n.T("act.label.case"), strings.Join(refs, ", ")}}, -1, nil
}
