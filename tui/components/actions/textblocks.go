package actions

// Textbausteine: the service's prepared texts (catalogue, built-in texts file) for the Begründung
// of a decision and for a Nachforderung. The text-block key opens a picker over the focused text
// field; the chosen block is inserted as plain text, which the clerk edits like anything typed.

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// picker is the open text-block picker: the blocks that fit and the field they go into.
type picker struct {
	blocks []catalogue.TextBlock
	target field // fText (Begründung, message) or fDocs (the list of documents)
	cursor int
}

// textBlocks returns the blocks the focused field of the dialog takes, and that field: the
// decision's reasoning takes the Begründung blocks of the chosen outcome; a Nachforderung's
// document list and message take its Nachforderung blocks. ok is false where no blocks apply.
func (m Model) textBlocks() (blocks []catalogue.TextBlock, target field, ok bool) {
	if len(m.cases) != 1 || len(m.fields) == 0 {
		return nil, 0, false
	}
	svc, _ := builtinCatalogue().Lookup(m.cases[0].Service.Key)
	f := m.fields[m.focus]
	switch {
	case m.kind == common.DialogDecide && f == fText:
		return svc.TextBlocks.ForDecision(api.Outcome(m.options[m.choice].value)), fText, true
	case m.kind == common.DialogDocumentRequest && (f == fDocs || f == fText):
		return svc.TextBlocks.Nachforderung, f, true
	}
	return nil, 0, false
}

// openPicker opens the picker over the focused field, or says why there is nothing to pick.
func (m Model) openPicker() (Model, tea.Cmd) {
	blocks, target, ok := m.textBlocks()
	switch {
	case !ok:
		m.errMsg = i18n.T("act.tb.notHere")
	case len(blocks) == 0:
		m.errMsg = i18n.T("act.tb.none")
	default:
		m.pick = &picker{blocks: blocks, target: target}
		m.errMsg = ""
	}
	return m, nil
}

// pickKey handles keys while the picker is open: move, choose by number or Enter, Esc back.
func (m Model) pickKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	p := *m.pick
	l, d := m.ctx.Keys.List, m.ctx.Keys.Dialog
	switch {
	case key.Matches(msg, d.Cancel), key.Matches(msg, d.TextBlock):
		m.pick = nil
		return m, m.focusField(m.focus)
	case key.Matches(msg, l.Up):
		p.cursor = (p.cursor + len(p.blocks) - 1) % len(p.blocks)
	case key.Matches(msg, l.Down):
		p.cursor = (p.cursor + 1) % len(p.blocks)
	case key.Matches(msg, d.Confirm):
		return m.insertBlock(p.blocks[p.cursor], p.target)
	default:
		if n, err := strconv.Atoi(msg.String()); err == nil && n >= 1 && n <= len(p.blocks) {
			return m.insertBlock(p.blocks[n-1], p.target)
		}
	}
	m.pick = &p
	return m, nil
}

// insertBlock puts the block's text into the field: at the cursor of the reasoning or message
// (separated from text before it by a space), as a line of its own in the list of documents.
func (m Model) insertBlock(b catalogue.TextBlock, target field) (Model, tea.Cmd) {
	m.pick = nil
	text := strings.TrimSpace(b.Text)
	switch target {
	case fDocs:
		v := strings.TrimRight(m.docs.Value(), "\n")
		if v != "" {
			v += "\n"
		}
		m.docs.SetValue(v + text)
	default:
		if v := m.text.Value(); v != "" && !strings.HasSuffix(v, " ") && !strings.HasSuffix(v, "\n") {
			text = " " + text
		}
		m.text.InsertString(text)
	}
	return m, m.focusField(m.fieldIndex(target))
}

// viewPicker renders the picker in place of the form.
func (m Model) viewPicker(b *strings.Builder, iw int) {
	th := m.ctx.Theme
	m.context(b, iw)
	title := i18n.T("act.tb.title.begruendung")
	if m.kind == common.DialogDocumentRequest {
		title = i18n.T("act.tb.title.nachforderung")
	}
	b.WriteString("\n" + th.Label.Render(common.Truncate(title, iw)) + "\n")
	p := m.pick
	for i, bl := range p.blocks {
		n := strconv.Itoa(i+1) + " "
		if i >= 9 {
			n = "  "
		}
		line := common.Line(bl.Title) + " – " + common.Line(bl.Text)
		if i == p.cursor {
			b.WriteString(th.Accent.Render(common.Truncate("› "+n+line, iw)) + "\n")
		} else {
			b.WriteString(common.Truncate("  "+n+line, iw) + "\n")
		}
	}
	b.WriteString("\n" + th.Muted.Render(wrap(common.Text(p.blocks[p.cursor].Text), iw)) + "\n")
	k := m.ctx.Keys.Dialog
	b.WriteString("\n" + th.Muted.Render(common.Truncate(hint(k.Confirm, i18n.T("act.tb.insert"))+" · "+hint(k.Cancel, i18n.T("act.tb.back")), iw)))
}

// accessiblePicker reads the picker linearly: what it is for, each block numbered with its whole
// text, the cursor on the chosen one, and the keys in words.
func (m Model) accessiblePicker(sc *access.Screen, w int) {
	title := i18n.T("act.tb.title.begruendung")
	if m.kind == common.DialogDocumentRequest {
		title = i18n.T("act.tb.title.nachforderung")
	}
	sc.AddWrapped(title, w)
	for i, bl := range m.pick.blocks {
		at := sc.AddWrapped(strconv.Itoa(i+1)+": "+common.Line(bl.Title)+": "+common.Text(bl.Text), w)
		if i == m.pick.cursor {
			sc.FocusItem(at, len(sc.Lines)-at)
		}
	}
	k := m.ctx.Keys.Dialog
	sc.Add(common.SpokenHints(hint(k.Confirm, i18n.T("act.tb.insert")), hint(k.Cancel, i18n.T("act.tb.back"))))
}
