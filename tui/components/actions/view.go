package actions

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/keys"
	"github.com/amt-mv/amt/tui/theme"
)

// View renders the dialog box (the root centres it over the view).
func (m Model) View() string {
	th := m.ctx.Theme
	iw := m.innerWidth()
	var b strings.Builder
	b.WriteString(th.DialogTitle.Render(common.Truncate(m.title(), iw)))
	b.WriteString("\n")

	switch m.step {
	case stepLoading:
		b.WriteString("\n" + th.Muted.Render(i18n.T("act.loading")) + "\n")
	case stepBlocked:
		b.WriteString("\n" + wrap(m.blocked, iw) + "\n\n")
		b.WriteString(th.Muted.Render(hint(m.ctx.Keys.Dialog.Cancel, i18n.T("act.close"))))
	case stepConfirm, stepSubmitting:
		if len(m.restate) > 0 && m.kind != common.DialogDecide && m.kind != common.DialogApproval {
			b.WriteString("\n" + th.Muted.Render(i18n.T("act.sending")) + "\n")
			break
		}
		m.viewConfirm(&b, iw)
	case stepEdit:
		if m.pick != nil {
			m.viewPicker(&b, iw)
			break
		}
		m.viewForm(&b, iw)
	default:
		m.viewForm(&b, iw)
	}
	if m.step != stepBlocked {
		if m.warn != "" {
			b.WriteString("\n" + th.Warn.Render(common.Truncate("⚠ "+m.warn, iw)))
		}
		if m.errMsg != "" {
			b.WriteString("\n" + th.Error.Render(wrap("✗ "+m.errMsg, iw)))
		}
	}
	return th.Dialog.Width(iw + 2).Render(b.String())
}

func (m Model) context(b *strings.Builder, iw int) {
	th := m.ctx.Theme
	if len(m.cases) == 1 {
		c := m.cases[0]
		line := common.Line(c.Service.Name) + " · " + common.Line(c.Applicant.Name) + " · " + common.StatusLabel(c.Status)
		b.WriteString(th.Muted.Render(common.Truncate(line, iw)) + "\n")
	} else if len(m.cases) > 1 {
		refs := make([]string, 0, len(m.cases))
		for _, c := range m.cases {
			refs = append(refs, common.Line(c.Reference))
		}
		b.WriteString(th.Muted.Render(common.Truncate(strings.Join(refs, ", "), iw)) + "\n")
		if n := m.skipped(); n > 0 {
			b.WriteString(th.Warn.Render(common.Truncate(i18n.Tf("act.skipped", n), iw)) + "\n")
		}
	}
}

// skipped counts the cases of a bulk dialog that do not allow its action (left out on submit).
func (m Model) skipped() int {
	if m.kind == common.DialogAssign || m.step == stepLoading || m.step == stepBlocked {
		return 0
	}
	return len(m.cases) - len(m.targets())
}

func (m Model) label(b *strings.Builder, i int, text string) {
	th := m.ctx.Theme
	if !m.compact() {
		b.WriteString("\n")
	}
	if i == m.focus {
		b.WriteString(th.Accent.Render("› " + text))
	} else {
		b.WriteString(th.Label.Render("  " + text))
	}
	b.WriteString("\n")
}

// inline renders a one-line input after its label: "› Gebühr in € (optional)  26,00".
func (m Model) inline(b *strings.Builder, i int, text, input string) {
	th := m.ctx.Theme
	if !m.compact() {
		b.WriteString("\n")
	}
	l := common.Fit("  "+text, 26)
	if i == m.focus {
		l = th.Accent.Render(common.Fit("› "+text, 26))
	} else {
		l = th.Label.Render(l)
	}
	b.WriteString(l + " " + input + "\n")
}

// compact drops the blank lines between fields on short terminals.
func (m Model) compact() bool { return m.h > 0 && m.h < 32 }

func (m Model) viewForm(b *strings.Builder, iw int) {
	th := m.ctx.Theme
	m.context(b, iw)
	if m.kind == common.DialogApproval && len(m.cases) == 1 && m.cases[0].Decision != nil {
		d := m.cases[0].Decision
		b.WriteString("\n" + th.Label.Render(i18n.Tf("act.approval.proposedBy", m.ctx.ClerkName(d.Actor))) + "\n")
		kv(b, th, iw, i18n.T("act.label.outcome"), OutcomeLabel(d.Outcome))
		kv(b, th, iw, i18n.T("act.label.fee"), feeText(d.FeeCents))
		if d.ValidUntil != "" {
			kv(b, th, iw, i18n.T("act.label.valid"), common.FormatDate(d.ValidUntil))
		}
		kv(b, th, iw, i18n.T("act.label.reasoning"), clip(common.Text(d.Reasoning), iw-14, 4))
	}
	for i, f := range m.fields {
		switch f {
		case fText:
			m.label(b, i, m.fieldLabel(fText))
			b.WriteString(m.text.View() + "\n")
		case fDocs:
			m.label(b, i, m.fieldLabel(fDocs))
			b.WriteString(m.docs.View() + "\n")
		case fDate:
			m.inline(b, i, m.fieldLabel(fDate), m.date.View())
			m.viewDateMeant(b, iw)
		case fReason:
			m.inline(b, i, m.fieldLabel(fReason), m.reason.View())
		case fFee:
			m.inline(b, i, m.fieldLabel(fFee), m.fee.View())
		case fValid:
			m.inline(b, i, m.fieldLabel(fValid), m.valid.View())
		case fChoice:
			m.label(b, i, m.fieldLabel(fChoice))
			m.viewChoices(b, i == m.focus, iw)
		default:
			if f >= fValue0 {
				m.inline(b, i, m.fieldLabel(f), m.values[f-fValue0].View())
			}
		}
	}
	k := m.ctx.Keys.Dialog
	parts := []string{hint(k.Submit, i18n.T("act.hint.submit."+string(m.kind))), hint(k.Cancel, i18n.T("key.cancel"))}
	if len(m.fields) > 1 {
		parts = append(parts, hint(k.NextField, i18n.T("key.nextField")))
	}
	if _, _, ok := m.textBlocks(); ok {
		parts = append(parts, hint(k.TextBlock, i18n.T("act.tb.hint")))
	}
	b.WriteString("\n" + th.Muted.Render(common.Truncate(strings.Join(parts, " · "), iw)))
}

func (m Model) viewChoices(b *strings.Builder, focused bool, iw int) {
	th := m.ctx.Theme
	// A window of at most 7 rows around the choice, so a long clerk list fits in 24 lines.
	lo, hi := 0, len(m.options)
	if hi > 7 {
		lo = min(max(m.choice-3, 0), len(m.options)-7)
		hi = lo + 7
	}
	for i := lo; i < hi; i++ {
		o := m.options[i]
		mark := "( ) "
		if i == m.choice {
			mark = "(•) "
		}
		line := common.Truncate("  "+mark+o.label, iw)
		switch {
		case i == m.choice && focused:
			b.WriteString(th.RowCursor.Render(line))
		case i == m.choice:
			b.WriteString(th.Bold.Render(line))
		default:
			b.WriteString(th.Row.Render(line))
		}
		b.WriteString("\n")
	}
	if lo > 0 || hi < len(m.options) {
		b.WriteString(th.Muted.Render(i18n.Tf("act.moreOptions", len(m.options))) + "\n")
	}
}

func (m Model) viewConfirm(b *strings.Builder, iw int) {
	th := m.ctx.Theme
	b.WriteString("\n" + th.Bold.Render(i18n.T("act.confirm.intro."+string(m.kind))) + "\n\n")
	// Budget the long values so the whole confirmation fits the screen; the clerk pages through
	// a longer reasoning (so what is confirmed is seen in full).
	budget := m.confirmBudget()
	for _, l := range m.restate {
		if l.label == "" {
			b.WriteString(th.Warn.Render(wrap(l.value, iw)) + "\n")
			continue
		}
		v := l.value
		if strings.Contains(v, "\n") || common.Width(v) > iw-16 {
			lines := wrapLines(v, iw-16)
			if len(lines) > budget {
				off := min(m.scroll, len(lines)-budget)
				v = strings.Join(lines[off:off+budget], "\n")
				v += "\n" + th.Muted.Render(i18n.Tf("act.scroll", off+1, off+budget, len(lines),
					firstKey(m.ctx.Keys.List.PageUp)+"/"+firstKey(m.ctx.Keys.List.PageDown)))
			} else {
				v = strings.Join(lines, "\n")
			}
		}
		kv(b, th, iw, l.label, v)
	}
	b.WriteString("\n")
	if m.step == stepSubmitting {
		b.WriteString(th.Muted.Render(i18n.T("act.sending")))
		return
	}
	k := m.ctx.Keys.Dialog
	b.WriteString(wrap(i18n.Tf("act.confirm.prompt", keyLabel(k.Confirm), keyLabel(k.Cancel)), iw) + "\n")
	b.WriteString(th.Prompt.Render("> ") + m.confirm.View())
}

// kv renders a label column and a (possibly multi-line) value.
func kv(b *strings.Builder, th *theme.Theme, iw int, label, value string) {
	const lw = 14
	lines := strings.Split(value, "\n")
	for i, l := range lines {
		if i == 0 {
			b.WriteString(th.Label.Render(common.Fit(label, lw)))
		} else {
			b.WriteString(strings.Repeat(" ", lw))
		}
		b.WriteString(th.Value.Render(common.Truncate(l, iw-lw)) + "\n")
	}
}

func keyLabel(k key.Binding) string { return k.Help().Key }

// firstKey labels only the first key of a binding ("Bild↓" rather than "Bild↓/Strg+F").
func firstKey(k key.Binding) string {
	if ks := k.Keys(); len(ks) > 0 {
		return keys.Label(ks[:1])
	}
	return ""
}

func hint(k key.Binding, what string) string {
	if k.Help().Key == "" {
		return what
	}
	return k.Help().Key + " " + what
}

// wrap word-wraps s (already sanitised) to width w, breaking over-long words.
func wrap(s string, w int) string {
	return ansi.Wrap(s, max(w, 1), "")
}

// confirmBudget is how many lines a long value may take on the confirmation screen.
func (m Model) confirmBudget() int {
	if m.h <= 0 {
		return 12
	}
	return max(m.h-12-len(m.restate), 3)
}

// wrapLines wraps s to width w and returns its lines without trailing spaces.
func wrapLines(s string, w int) []string {
	lines := strings.Split(wrap(s, max(w, 10)), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return lines
}

// clip wraps s to width w and keeps at most n lines, saying how many were left out.
func clip(s string, w, n int) string {
	if w < 10 {
		w = 10
	}
	lines := strings.Split(wrap(s, w), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	if len(lines) > n {
		more := len(lines) - (n - 1)
		lines = append(lines[:n-1], i18n.Tf("act.moreLines", more))
	}
	return strings.Join(lines, "\n")
}

// viewDateMeant shows under the date field the date the clerk's input means ("→ Montag,
// 07.12.2026"), moved to the next working day of Mecklenburg-Vorpommern with the reason when it is
// a weekend or public holiday (casework.ParseWorkingDate, which the dialog queues too); the input
// help while nothing readable is typed.
func (m Model) viewDateMeant(b *strings.Builder, iw int) {
	th := m.ctx.Theme
	pad := common.Fit("", 27)
	d, shift, err := casework.ParseWorkingDate(m.date.Value(), m.ctx.Now())
	if err != nil {
		b.WriteString(th.Muted.Render(pad+i18n.T("act.date.help")) + "\n")
		return
	}
	lang := common.DateLang()
	b.WriteString(th.Accent.Render(common.Truncate(pad+"→ "+casework.FormatDateLong(d, lang), iw)) + "\n")
	if shift != nil {
		b.WriteString(th.Warn.Render(wrap("ⓘ "+casework.ShiftHint(*shift, d, lang), iw)) + "\n")
	}
}
