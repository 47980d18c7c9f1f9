package actions

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/tui/i18n"
)

func (m Model) dirty() bool {
	return strings.TrimSpace(m.text.Value()) != "" || strings.TrimSpace(m.docs.Value()) != "" ||
		m.date.Value() != "" || m.reason.Value() != "" || m.fee.Value() != "" || m.valid.Value() != "" ||
		slices.ContainsFunc(m.values, func(t textinput.Model) bool { return strings.TrimSpace(t.Value()) != "" })
}

func (m Model) closeCmd(queued int) tea.Cmd {
	msg := ClosedMsg{Kind: m.kind, CaseIDs: m.CaseIDs(), Queued: queued}
	return func() tea.Msg { return msg }
}

func (m Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys.Dialog
	switch m.step {
	case stepLoading, stepSubmitting:
		if m.step == stepLoading && key.Matches(msg, k.Cancel) {
			return m, m.closeCmd(0)
		}
		return m, nil
	case stepBlocked:
		if key.Matches(msg, k.Cancel) || key.Matches(msg, k.Confirm) {
			return m, m.closeCmd(0)
		}
		return m, nil
	case stepConfirm:
		return m.confirmKey(msg)
	}
	// stepEdit
	if m.pick != nil {
		return m.pickKey(msg)
	}
	if key.Matches(msg, k.TextBlock) {
		return m.openPicker()
	}
	if key.Matches(msg, k.Cancel) {
		if m.dirty() && !m.escArm {
			m.escArm = true
			m.errMsg = i18n.T("act.escAgain")
			return m, nil
		}
		return m, m.closeCmd(0)
	}
	m.escArm = false
	switch {
	case key.Matches(msg, k.Submit):
		return m.submit()
	case key.Matches(msg, k.NextField):
		return m, m.focusField((m.focus + 1) % len(m.fields))
	case key.Matches(msg, k.PrevField):
		return m, m.focusField((m.focus + len(m.fields) - 1) % len(m.fields))
	}
	f := m.fields[m.focus]
	if f == fChoice {
		l := m.ctx.Keys.List
		switch {
		case key.Matches(msg, l.Up):
			m.choice = (m.choice + len(m.options) - 1) % len(m.options)
			return m, nil
		case key.Matches(msg, l.Down):
			m.choice = (m.choice + 1) % len(m.options)
			return m, nil
		case key.Matches(msg, l.Home):
			m.choice = 0
			return m, nil
		case key.Matches(msg, l.End):
			m.choice = len(m.options) - 1
			return m, nil
		case key.Matches(msg, k.Confirm):
			if len(m.fields) == 1 {
				return m.submit()
			}
			return m, m.focusField(m.focus + 1)
		}
		return m, nil
	}
	if key.Matches(msg, k.Confirm) && f != fText && f != fDocs {
		// Enter in a one-line field moves on; in the last field it submits (decide and approval
		// still stop at their confirmation screen).
		if m.focus == len(m.fields)-1 {
			return m.submit()
		}
		return m, m.focusField(m.focus + 1)
	}
	return m.forward(msg)
}

func (m Model) confirmKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys.Dialog
	switch {
	case key.Matches(msg, k.Cancel):
		// Back to the form, nothing sent; a second Esc there closes the dialog.
		m.step = stepEdit
		m.errMsg = ""
		m.confirm.Reset()
		return m, m.focusField(m.focus)
	case key.Matches(msg, m.ctx.Keys.List.PageDown):
		m.scroll = min(m.scroll+m.confirmBudget()-1, m.maxScroll())
		return m, nil
	case key.Matches(msg, m.ctx.Keys.List.PageUp):
		m.scroll = max(m.scroll-m.confirmBudget()+1, 0)
		return m, nil
	case key.Matches(msg, k.Confirm):
		if !confirmWord(m.confirm.Value()) {
			m.errMsg = i18n.T("act.confirm.wrong")
			return m, nil
		}
		return m.enqueue()
	}
	var cmd tea.Cmd
	m.confirm, cmd = m.confirm.Update(msg)
	m.errMsg = ""
	return m, cmd
}

// maxScroll is the largest useful scroll offset of the confirmation's long values.
func (m Model) maxScroll() int {
	n := 0
	for _, l := range m.restate {
		if l.label != "" {
			n = max(n, len(wrapLines(l.value, m.innerWidth()-16)))
		}
	}
	return max(n-m.confirmBudget(), 0)
}

// confirmWord accepts the typed confirmation: j / ja / y / yes.
func confirmWord(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "j", "ja", "y", "yes":
		return true
	}
	return false
}

func (m *Model) focusField(i int) tea.Cmd {
	if len(m.fields) == 0 {
		return nil
	}
	if i >= len(m.fields) {
		i = len(m.fields) - 1
	}
	m.focus = i
	m.text.Blur()
	m.docs.Blur()
	for _, t := range []*textinput.Model{&m.date, &m.reason, &m.fee, &m.valid, &m.confirm} {
		t.Blur()
	}
	for j := range m.values {
		m.values[j].Blur()
	}
	if f := m.fields[i]; f >= fValue0 {
		return m.values[f-fValue0].Focus()
	}
	switch m.fields[i] {
	case fText:
		return m.text.Focus()
	case fDocs:
		return m.docs.Focus()
	case fDate:
		return m.date.Focus()
	case fReason:
		return m.reason.Focus()
	case fFee:
		return m.fee.Focus()
	case fValid:
		return m.valid.Focus()
	}
	return nil
}

// forward passes a message (keys, blink) to the focused input.
func (m Model) forward(msg tea.Msg) (Model, tea.Cmd) {
	if m.step == stepConfirm {
		var cmd tea.Cmd
		m.confirm, cmd = m.confirm.Update(msg)
		return m, cmd
	}
	if m.step != stepEdit || len(m.fields) == 0 {
		return m, nil
	}
	if _, ok := msg.(tea.KeyMsg); ok {
		m.errMsg = ""
	}
	var cmd tea.Cmd
	switch m.fields[m.focus] {
	case fText:
		m.text, cmd = m.text.Update(msg)
	case fDocs:
		m.docs, cmd = m.docs.Update(msg)
	case fDate:
		m.date, cmd = m.date.Update(msg)
	case fReason:
		m.reason, cmd = m.reason.Update(msg)
	case fFee:
		m.fee, cmd = m.fee.Update(msg)
	case fValid:
		m.valid, cmd = m.valid.Update(msg)
	default:
		if f := m.fields[m.focus]; f >= fValue0 {
			m.values[f-fValue0], cmd = m.values[f-fValue0].Update(msg)
		}
	}
	return m, cmd
}
