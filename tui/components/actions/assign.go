package actions

import (
	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// NewAssign opens the assignment dialog for one or several cases (bulk assignment).
func NewAssign(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogAssign, caseIDs, fChoice)
}

func assignOptions(ctx *common.Ctx) []option {
	opts := []option{{label: i18n.Tf("act.assign.me", common.Line(ctx.Me.Name)), value: ctx.Me.Clerk}}
	for _, c := range ctx.Clerks {
		if c.ID == ctx.Me.Clerk || c.ID == "" {
			continue
		}
		opts = append(opts, option{label: common.Line(c.Name), value: c.ID})
	}
	return append(opts, option{label: i18n.T("act.assign.nobody"), value: ""})
}

// buildAssign validates the form of the assignment dialog (an assignment for each case it changes) and builds its actions, the confirmation lines, or the
// validation error and the field to focus (see build).
func (m Model) buildAssign() ([]store.Action, []restateLine, int, error) {
	if len(m.options) == 0 {
		return nil, nil, -1, verr("act.err.noClerk")
	}
	who := m.options[m.choice].value
	var out []store.Action
	for _, c := range m.cases {
		if c.Assignee == who || casework.CanAssign(c, m.ctx.Clerk()) != nil {
			continue // nothing to change, or closed (the server refuses those)
		}
		a, err := m.newAction(api.ActionAssignment, c, "", api.AssignmentRequest{Assignee: who})
		if err != nil {
			return nil, nil, -1, err
		}
		out = append(out, a)
	}
	return out, []restateLine{{i18n.T("act.label.assignee"), m.options[m.choice].label}}, -1, nil
}
