package actions

import (
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
)

// NewDocumentRequest opens the Nachforderung dialog.
func NewDocumentRequest(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogDocumentRequest, caseIDs, fDocs, fDate, fText)
}

// buildDocumentRequest validates the form of the Nachforderung dialog and builds its actions, the confirmation lines, or the
// validation error and the field to focus (see build).
func (m Model) buildDocumentRequest() ([]store.Action, []restateLine, int, error) {
	now := m.ctx.Now()
	var docs []string
	for _, l := range strings.Split(m.docs.Value(), "\n") {
		l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "-•*"))
		if l != "" {
			docs = append(docs, l)
		}
	}
	if len(docs) == 0 {
		return nil, nil, m.fieldIndex(fDocs), verr("act.err.docsEmpty")
	}
	d, _, err := casework.ParseWorkingDate(m.date.Value(), now)
	if err != nil {
		return nil, nil, m.fieldIndex(fDate), verr(err.Error())
	}
	return m.each(api.ActionDocumentRequest, api.DocumentRequestRequest{Documents: docs, Deadline: d,
		Message: strings.TrimSpace(m.text.Value())})
}
