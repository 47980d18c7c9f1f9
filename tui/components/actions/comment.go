package actions

import (
	"strings"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
)

// NewComment opens the comment (Notiz) dialog for one case.
func NewComment(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogComment, caseIDs, fText)
}

// buildComment validates the form of the comment dialog (one note) and builds its actions, the confirmation lines, or the
// validation error and the field to focus (see build).
func (m Model) buildComment() ([]store.Action, []restateLine, int, error) {
	c := m.cases[0]
	ref := caseRef(c)
	t := strings.TrimSpace(m.text.Value())
	if t == "" {
		return nil, nil, m.fieldIndex(fText), verr("act.err.textEmpty")
	}
	if utf8.RuneCountInString(t) > api.MaxNoteRunes {
		return nil, nil, m.fieldIndex(fText), verr("act.err.textLong")
	}
	a, err := m.newAction(api.ActionNote, c, "", api.NoteRequest{Text: t})
	return one(a, err, ref)
}
