package caseview

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/keys"
)

var _ common.Component = Model{}

// HelpGroups is the view's full help from the live keymap (common.Component).
func (m Model) HelpGroups() []keys.Group {
	k := m.ctx.Keys
	cs := &k.Case
	return keys.Help(keys.Group{Title: i18n.T("keys.case"), Bindings: []key.Binding{cs.NextTab, cs.PrevTab, cs.Comment,
		cs.Assign, cs.Resubmission, cs.DocRequest, cs.Decide, cs.FourEyes, cs.Status, cs.OpenFile, cs.Download, cs.SaveTo,
		cs.CheckEvidence, cs.Search, cs.NextCase, cs.PrevCase}},
		keys.Group{Title: i18n.T("keys.list"), Bindings: k.Nav()}, k.GlobalGroup())
}

// ShortHelp is the view's one-line hint (bubbles/help.KeyMap).
func (m Model) ShortHelp() []key.Binding {
	k := m.ctx.Keys
	return k.Short(k.Case.NextTab, k.Case.Comment, k.Case.Decide, k.Global.Back)
}

// FullHelp is HelpGroups without titles (bubbles/help.KeyMap).
func (m Model) FullHelp() [][]key.Binding { return keys.Full(m.HelpGroups()) }
