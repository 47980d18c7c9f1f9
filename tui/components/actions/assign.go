package actions

import (
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
