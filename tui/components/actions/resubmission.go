package actions

import (
	"github.com/amt-mv/amt/tui/common"
)

// NewResubmission opens the Wiedervorlage dialog.
func NewResubmission(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogResubmission, caseIDs, fDate, fReason)
}
