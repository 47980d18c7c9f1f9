package actions

import (
	"strings"

	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"

	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// fieldLabel is a field's label, the same in the visual and the accessible dialog.
func (m Model) fieldLabel(f field) string {
	switch f {
	case fText:
		return i18n.T("act.field.text." + string(m.kind))
	case fDocs:
		return i18n.T("act.field.docs")
	case fDate:
		return i18n.T("act.field.date." + string(m.kind))
	case fReason:
		return i18n.T("act.field.reason")
	case fFee:
		return i18n.T("act.field.fee")
	case fValid:
		return i18n.T("act.field.valid")
	case fChoice:
		return i18n.T("act.field.choice." + string(m.kind))
	}
	if f >= fValue0 {
		return common.Line(m.valueSpecs[f-fValue0].Label)
	}
	return ""
}

// title is the dialog's title with the case it acts on.
func (m Model) title() string {
	title := i18n.T("act.title." + string(m.kind))
	if len(m.cases) == 1 {
		title += " · " + common.Line(m.cases[0].Reference)
	} else if len(m.cases) > 1 {
		title += " · " + i18n.Tf("act.nCases", len(m.cases))
	}
	return title
}

// AccessibleView renders the dialog as linear text, read field by field: the title and the case,
// then "Feld 2 von 4: Label: value" per field (a choice says its value and place, a text its
// lines), the keys, and any warning or error in words. The cursor stands in the focused field, at
// the input's own cursor. The confirmation restates every value and says in words what will
// happen; the cursor stands in its answer field.
func (m Model) AccessibleView() access.Screen {
	var sc access.Screen
	w := max(20, m.w)
	sc.AddWrapped(strings.ReplaceAll(m.title(), " · ", ", "), w)
	if len(m.cases) == 1 {
		c := m.cases[0]
		sc.AddWrapped(access.Sentence(common.Line(c.Service.Name), common.Line(c.Applicant.Name), common.StatusLabel(c.Status)), w)
	} else if len(m.cases) > 1 {
		refs := make([]string, 0, len(m.cases))
		for _, c := range m.cases {
			refs = append(refs, common.Line(c.Reference))
		}
		sc.AddWrapped(strings.Join(refs, ", "), w)
		if n := m.skipped(); n > 0 {
			sc.AddWrapped(i18n.Tf("act.skipped", n), w)
		}
	}
	switch m.step {
	case stepLoading:
		sc.Focus(sc.Add(i18n.T("act.loading")), 0)
	case stepBlocked:
		sc.Focus(sc.AddWrapped(m.blocked, w), 0)
		sc.Add(common.SpokenHints(hint(m.ctx.Keys.Dialog.Cancel, i18n.T("act.close"))))
	case stepConfirm, stepSubmitting:
		m.accessibleConfirm(&sc, w)
	default:
		if m.pick != nil {
			m.accessiblePicker(&sc, w)
			break
		}
		m.accessibleForm(&sc, w)
	}
	if m.step != stepBlocked {
		if m.warn != "" {
			sc.AddWrapped(m.warn, w)
		}
		if m.errMsg != "" {
			sc.AddWrapped(m.errMsg, w)
		}
	}
	return sc
}

func (m Model) accessibleForm(sc *access.Screen, w int) {
	if m.kind == common.DialogApproval && len(m.cases) == 1 && m.cases[0].Decision != nil {
		d := m.cases[0].Decision
		sc.AddWrapped(i18n.Tf("act.approval.proposedBy", m.ctx.ClerkName(d.Actor)), w)
		sc.AddWrapped(access.Field(i18n.T("act.label.outcome"), OutcomeLabel(d.Outcome)), w)
		sc.AddWrapped(access.Field(i18n.T("act.label.fee"), feeText(d.FeeCents)), w)
		if d.ValidUntil != "" {
			sc.AddWrapped(access.Field(i18n.T("act.label.valid"), common.FormatDate(d.ValidUntil)), w)
		}
		sc.AddWrapped(access.Field(i18n.T("act.label.reasoning"), common.Text(d.Reasoning)), w)
	}
	sc.Focus(len(sc.Lines), 0)
	for i, f := range m.fields {
		head := i18n.Tf("a11y.field", i+1, len(m.fields), m.fieldLabel(f))
		focused := i == m.focus
		switch f {
		case fText, fDocs:
			ta := m.text
			if f == fDocs {
				ta = m.docs
			}
			m.accessibleArea(sc, head, ta, focused, w)
		case fChoice:
			value := i18n.T("a11y.field.empty")
			if m.choice >= 0 && m.choice < len(m.options) {
				value = i18n.Tf("a11y.choice", m.options[m.choice].label, m.choice+1, len(m.options))
			}
			at := sc.AddWrapped(access.Field(head, value), w)
			if focused {
				sc.Focus(at, 0)
			}
		default:
			in := m.inputOf(f)
			m.accessibleInput(sc, head, in, focused, w)
			if f == fDate {
				sc.AddWrapped(i18n.T("act.date.help"), w)
			}
		}
	}
	k := m.ctx.Keys.Dialog
	hints := []string{hint(k.Submit, i18n.T("act.hint.submit."+string(m.kind))), hint(k.Cancel, i18n.T("key.cancel"))}
	if len(m.fields) > 1 {
		hints = append(hints, hint(k.NextField, i18n.T("key.nextField")))
	}
	sc.AddWrapped(common.SpokenHints(hints...), w)
}

// inputOf is the one-line input of a field.
func (m Model) inputOf(f field) textinput.Model {
	switch f {
	case fDate:
		return m.date
	case fReason:
		return m.reason
	case fFee:
		return m.fee
	case fValid:
		return m.valid
	}
	if f >= fValue0 {
		return m.values[f-fValue0]
	}
	return m.confirm
}

// accessibleInput renders "head: value" with the cursor at the input's own cursor when focused.
func (m Model) accessibleInput(sc *access.Screen, head string, in textinput.Model, focused bool, w int) {
	prefix := head + ": "
	value := common.Line(in.Value())
	if value == "" && !focused {
		prefix, value = head+": ", i18n.T("a11y.field.empty")
	}
	at := sc.Add(common.Truncate(prefix+value, w))
	if focused {
		sc.Focus(at, min(common.Width(prefix)+in.Position(), w-1))
	}
}

// accessibleArea renders a text area: its head with the number of lines, then its lines; the
// cursor stands on the area's cursor line and column when focused.
func (m Model) accessibleArea(sc *access.Screen, head string, ta textarea.Model, focused bool, w int) {
	v := ta.Value()
	if v == "" {
		at := sc.Add(common.Truncate(access.Field(head, i18n.T("a11y.field.empty")), w))
		if focused {
			sc.Focus(at, 0)
		}
		return
	}
	lines := strings.Split(v, "\n")
	sc.Add(common.Truncate(access.Field(head, i18n.Tf("a11y.field.lines", len(lines))), w))
	for i, l := range lines {
		at := sc.Add(common.Truncate(common.Line(l), w))
		if focused && i == ta.Line() {
			sc.Focus(at, min(ta.LineInfo().StartColumn+ta.LineInfo().ColumnOffset, w-1))
		}
	}
}

func (m Model) accessibleConfirm(sc *access.Screen, w int) {
	if len(m.restate) > 0 && m.kind != common.DialogDecide && m.kind != common.DialogApproval {
		sc.Focus(sc.Add(i18n.T("act.sending")), 0)
		return
	}
	sc.AddWrapped(i18n.T("act.confirm.intro."+string(m.kind)), w)
	for _, l := range m.restate {
		if l.label == "" {
			sc.AddWrapped(l.value, w)
			continue
		}
		sc.AddWrapped(access.Field(l.label, strings.ReplaceAll(l.value, "\n", " ")), w)
	}
	if m.kind == common.DialogDecide || m.kind == common.DialogApproval {
		sc.AddWrapped(i18n.T("a11y.confirm."+string(m.kind)), w)
	}
	if m.step == stepSubmitting {
		sc.Focus(sc.Add(i18n.T("act.sending")), 0)
		return
	}
	k := m.ctx.Keys.Dialog
	sc.AddWrapped(i18n.Tf("act.confirm.prompt", keyLabel(k.Confirm), keyLabel(k.Cancel)), w)
	at := sc.Add("> " + common.Line(m.confirm.Value()))
	sc.Focus(at, min(2+m.confirm.Position(), w-1))
}
