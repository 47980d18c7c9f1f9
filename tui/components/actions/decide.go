package actions

import (
	"github.com/amt-mv/amt/tui/common"
)

// NewDecide opens the decision dialog; it ends on a confirmation screen.
func NewDecide(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogDecide, caseIDs, fChoice, fText, fFee, fValid)
}
