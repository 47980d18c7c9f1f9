package actions

import (
	"github.com/amt-mv/amt/tui/common"
)

// NewComment opens the comment (Notiz) dialog for one case.
func NewComment(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogComment, caseIDs, fText)
}
