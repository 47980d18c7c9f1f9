package actions

import (
	"github.com/amt-mv/amt/tui/common"
)

// NewDocumentRequest opens the Nachforderung dialog.
func NewDocumentRequest(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogDocumentRequest, caseIDs, fDocs, fDate, fText)
}
