package pending

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
	p := &k.Pending
	return keys.Help(keys.Group{Title: i18n.T("keys.pending"), Bindings: []key.Binding{p.Reapply, p.AsNote, p.Discard}},
		keys.Group{Title: i18n.T("keys.list"), Bindings: append(k.Nav(), k.List.Open)}, k.GlobalGroup())
}

// ShortHelp is the view's one-line hint (bubbles/help.KeyMap).
func (m Model) ShortHelp() []key.Binding {
	k := m.ctx.Keys
	p := &k.Pending
	return k.Short(p.Reapply, p.AsNote, p.Discard, k.Global.Back)
}

// FullHelp is HelpGroups without titles (bubbles/help.KeyMap).
func (m Model) FullHelp() [][]key.Binding { return keys.Full(m.HelpGroups()) }
