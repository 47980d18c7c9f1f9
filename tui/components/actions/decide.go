package actions

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// NewDecide opens the decision dialog; it ends on a confirmation screen.
func NewDecide(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogDecide, caseIDs, fChoice, fText, fFee, fValid)
}

// buildDecide validates the form of the decision dialog (a new case is taken into review first) and builds its actions, the confirmation lines, or the
// validation error and the field to focus (see build).
func (m Model) buildDecide() ([]store.Action, []restateLine, int, error) {
	now := m.ctx.Now()
	c := m.cases[0]
	ref := caseRef(c)
	o := api.Outcome(m.options[m.choice].value)
	reasoning := strings.TrimSpace(m.text.Value())
	if reasoning == "" {
		return nil, nil, m.fieldIndex(fText), verr("act.err.reasoningEmpty")
	}
	if utf8.RuneCountInString(reasoning) > api.MaxNoteRunes {
		return nil, nil, m.fieldIndex(fText), verr("act.err.textLong")
	}
	fee, err := casework.ParseFee(m.fee.Value())
	if err != nil {
		return nil, nil, m.fieldIndex(fFee), verr(err.Error())
	}
	var valid string
	if strings.TrimSpace(m.valid.Value()) != "" {
		if valid, err = casework.ParseFutureDate(m.valid.Value(), now); err != nil {
			return nil, nil, m.fieldIndex(fValid), verr(err.Error())
		}
	}
	body := api.DecisionRequest{Outcome: o, Reasoning: reasoning, FeeCents: fee, ValidUntil: valid}
	var shown []restateLine
	for i, spec := range m.valueSpecs {
		v, err := casework.ParseDecisionValue(spec.Kind, m.values[i].Value(), now)
		if err != nil {
			return nil, nil, m.fieldIndex(fValue0 + field(i)), verr(err.Error())
		}
		if v == "" {
			continue
		}
		if !casework.Approving(o) {
			return nil, nil, m.fieldIndex(fValue0 + field(i)), validationError(i18n.Tf("act.err.valueNotForOutcome", common.Line(spec.Label)))
		}
		if body.Values == nil {
			body.Values = map[string]string{}
		}
		body.Values[spec.Name] = v
		shown = append(shown, restateLine{common.Line(spec.Label), casework.FormatDecisionValue(spec.Kind, v, caseworkLang())})
	}
	if casework.Approving(o) {
		for i, spec := range m.valueSpecs {
			if spec.Required && body.Values[spec.Name] == "" {
				return nil, nil, m.fieldIndex(fValue0 + field(i)), validationError(i18n.Tf("act.err.valueRequired", common.Line(spec.Label)))
			}
		}
	}
	var acts []store.Action
	// The server decides only cases in review (a new case may only be withdrawn or forwarded):
	// a new case is taken into review first, in the same queue, so the decision follows it.
	startReview := casework.StartsReview(c, o)
	if startReview {
		s, err := m.newAction(api.ActionStatus, c, "", api.StatusRequest{Status: api.StatusInReview})
		if err != nil {
			return nil, nil, -1, err
		}
		acts = append(acts, s)
	}
	a, err := m.newAction(api.ActionDecision, c, "", body)
	if err != nil {
		return nil, nil, -1, err
	}
	acts = append(acts, a)
	rs := []restateLine{ref,
		{i18n.T("act.label.service"), common.Line(c.Service.Name)},
		{i18n.T("act.label.applicant"), common.Line(c.Applicant.Name)},
		{i18n.T("act.label.outcome"), OutcomeLabel(o)},
		{i18n.T("act.label.fee"), feeText(fee)},
		{i18n.T("act.label.valid"), dateOrNone(valid)},
	}
	rs = append(rs, shown...)
	rs = append(rs, restateLine{i18n.T("act.label.reasoning"), reasoning})
	if startReview {
		rs = append(rs, restateLine{"", i18n.T("act.decide.startReview")})
	}
	if casework.NeedsApproval(c, o) {
		rs = append(rs, restateLine{"", i18n.T("act.decide.fourEyes")})
		if len(m.ctx.Clerks) > 0 && len(casework.Approvers(m.ctx.Clerks, m.ctx.Me.Clerk)) == 0 {
			rs = append(rs, restateLine{"", i18n.T("act.decide.noApprover")})
		}
	}
	// The Bescheid as the applicant will read it (preview.go), paged like the reasoning.
	if txt := PreviewBescheid(m.ctx, c, body, now); txt != "" {
		rs = append(rs, restateLine{i18n.T("act.label.bescheid"), strings.TrimRight(txt, "\n")})
		if casework.NeedsApproval(c, o) {
			rs = append(rs, restateLine{"", i18n.T("act.decide.previewFourEyes")})
		}
	}
	return acts, rs, -1, nil
}

// addValueFields adds an input for each of the service's decision fields that Values carries
// (fee and validity have their own inputs), before "valid until".
func (m *Model) addValueFields() {
	m.valueSpecs, m.values = nil, nil
	if len(m.cases) != 1 {
		return
	}
	var add []field
	for _, spec := range catalogue.DecisionFieldsOf(m.cases[0].Service) {
		if !casework.InValues(spec.Kind) {
			continue
		}
		t := textinput.New()
		t.Prompt = ""
		t.Placeholder = i18n.T("act.value.placeholder." + spec.Kind)
		t.CharLimit = 200
		t.PlaceholderStyle = m.ctx.Theme.Placeholder
		t.TextStyle = m.ctx.Theme.Input
		t.Cursor.SetMode(cursor.CursorStatic)
		t.Width = max(m.innerWidth()-30, 8)
		add = append(add, fValue0+field(len(m.values)))
		m.valueSpecs = append(m.valueSpecs, spec)
		m.values = append(m.values, t)
	}
	if len(add) == 0 {
		return
	}
	at := m.fieldIndex(fValid)
	if at < 0 {
		at = len(m.fields)
	}
	m.fields = slices.Concat(m.fields[:at:at], add, m.fields[at:])
}

// caseworkLang is the UI language for casework's formatting.
func caseworkLang() casework.Lang {
	if i18n.Current() == i18n.EN {
		return casework.English
	}
	return casework.German
}
