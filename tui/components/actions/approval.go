package actions

import (
	"github.com/amt-mv/amt/tui/common"
)

// NewApproval opens the four-eyes dialog (leads): approve or return a proposed decision.
func NewApproval(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogApproval, caseIDs, fChoice, fText)
}
