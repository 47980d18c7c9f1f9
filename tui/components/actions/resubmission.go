package actions

import (
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
)

// NewResubmission opens the Wiedervorlage dialog.
func NewResubmission(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogResubmission, caseIDs, fDate, fReason)
}

// buildResubmission validates the form of the Wiedervorlage dialog and builds its actions, the confirmation lines, or the
// validation error and the field to focus (see build).
func (m Model) buildResubmission() ([]store.Action, []restateLine, int, error) {
	now := m.ctx.Now()
	d, _, err := casework.ParseWorkingDate(m.date.Value(), now)
	if err != nil {
		return nil, nil, m.fieldIndex(fDate), verr(err.Error())
	}
	req := api.ResubmissionRequest{Date: d, Reason: strings.TrimSpace(m.reason.Value())}
	return m.each(api.ActionResubmission, req)
}
