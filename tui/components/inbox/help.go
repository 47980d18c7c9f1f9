package inbox

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
	l := &k.List
	return keys.Help(keys.Group{Title: i18n.T("keys.list"), Bindings: append(k.Nav(), l.Open, l.Filter, l.Sort,
		l.Reverse, l.Select, l.SelectAll, l.Assign, l.Resubmission, l.DocRequest, l.Status, l.NextView, l.PrevView, k.ViewsBinding())}, k.GlobalGroup())
}

// HelpBelow is the filter language of `/` (package query): the help overlay shows it under the keys.
func (m Model) HelpBelow() []keys.Group {
	g := keys.Group{Title: i18n.T("help.filter")}
	for _, k := range []string{"words", "status", "assignee", "service", "due", "dueless", "resub", "sync", "ref", "not"} {
		g.Bindings = append(g.Bindings, key.NewBinding(key.WithKeys(k),
			key.WithHelp(i18n.T("help.filter."+k+".term"), i18n.T("help.filter."+k))))
	}
	return []keys.Group{g}
}

// ShortHelp is the view's one-line hint (bubbles/help.KeyMap).
func (m Model) ShortHelp() []key.Binding {
	k := m.ctx.Keys
	l := &k.List
	return k.Short(l.Open, l.Filter, l.Sort, l.Select, l.NextView)
}

// FullHelp is HelpGroups without titles (bubbles/help.KeyMap).
func (m Model) FullHelp() [][]key.Binding { return keys.Full(m.HelpGroups()) }
