package actions

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
	d := &k.Dialog
	return keys.Help(keys.Group{Title: i18n.T("keys.dialog"), Bindings: []key.Binding{d.Submit, d.Confirm, d.Cancel,
		d.NextField, d.PrevField, d.TextBlock}})
}

// ShortHelp is the view's one-line hint (bubbles/help.KeyMap).
func (m Model) ShortHelp() []key.Binding {
	k := m.ctx.Keys
	return k.Short(k.Dialog.Submit, k.Dialog.Cancel)
}

// FullHelp is HelpGroups without titles (bubbles/help.KeyMap).
func (m Model) FullHelp() [][]key.Binding { return keys.Full(m.HelpGroups()) }
