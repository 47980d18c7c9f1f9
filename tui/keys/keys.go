// Package keys owns the TUI keymap: every action of every view as a bubbles key.Binding with a
// stable action name, rebindable from config, and the blocks each view builds its help from.
package keys

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"github.com/amt-mv/amt/tui/i18n"
)

// GlobalKeys work in every view unless a text input has focus.
type GlobalKeys struct {
	Quit, Help, Palette, Back, Inbox, Pending, Dashboard, Sync, Undo key.Binding
	PrintQueue                                                       key.Binding // the Postausgang view
}

// ListKeys move through lists (inbox, pending) and scroll pages (case view).
type ListKeys struct {
	Up, Down, PageUp, PageDown, Home, End, Open key.Binding
	Filter, Sort, Select, Assign                key.Binding
	Reverse, SelectAll                          key.Binding
	Resubmission, DocRequest, Status            key.Binding // on the marked cases (bulk)
	NextView, PrevView                          key.Binding
	Views                                       [9]key.Binding // saved view tabs 1…9
}

// CaseKeys act on the open case. Final actions (Decide, FourEyes) sit on shifted keys, never one
// stray key away from navigation.
type CaseKeys struct {
	NextTab, PrevTab                          key.Binding
	Comment, Assign, Resubmission, DocRequest key.Binding
	Decide, FourEyes, Status                  key.Binding
	OpenFile, Download, SaveTo                key.Binding
	// NextCase and PrevCase open the next or previous case of the list without going back;
	// Search finds text within the case; CheckEvidence marks a Nachweis as checked.
	NextCase, PrevCase, Search, CheckEvidence key.Binding
}

// PendingKeys resolve conflicts and rejections in Ausstehend.
type PendingKeys struct {
	Reapply, AsNote, Discard key.Binding
}

// PrintQueueKeys work on the letters of the Postausgang.
type PrintQueueKeys struct {
	Print, Printed key.Binding // open with the system viewer; mark printed
}

// DialogKeys work inside action dialogs, the palette and confirmations.
type DialogKeys struct {
	Submit, Confirm, Cancel, NextField, PrevField key.Binding
	TextBlock                                     key.Binding // insert a Textbaustein (decision, Nachforderung)
}

// KeyMap is the whole keymap. Share it by pointer; the root rebuilds help labels on language change.
type KeyMap struct {
	Global  GlobalKeys
	List    ListKeys
	Case    CaseKeys
	Pending PendingKeys
	Dialog  DialogKeys

	PrintQueue PrintQueueKeys
}

// Scope names the part of the keymap an action belongs to.
type Scope string

// Scopes, in help order.
const (
	ScopeGlobal  Scope = "global"
	ScopeList    Scope = "list"
	ScopeCase    Scope = "case"
	ScopePending Scope = "pending"
	ScopeDialog  Scope = "dialog"
	ScopePrint   Scope = "printqueue"
)

// Action is one rebindable action: its config name ("case.decide"), scope, i18n description key
// and the live binding inside the KeyMap.
type Action struct {
	Name    string // "<scope>.<action>", the name used in config
	Scope   Scope
	DescKey string
	Binding *key.Binding
}

// Default returns the default keymap with help texts in the current language.
func Default() *KeyMap {
	b := func(keys ...string) key.Binding { return key.NewBinding(key.WithKeys(keys...)) }
	k := &KeyMap{
		Global: GlobalKeys{
			Quit: b("q", "ctrl+c"), Help: b("?"), Palette: b(":"), Back: b("esc"),
			Inbox: b("I"), Pending: b("P"), Dashboard: b("O"), Sync: b("ctrl+r"), Undo: b("z"),
			PrintQueue: b("B"),
		},
		List: ListKeys{
			Up: b("up", "k"), Down: b("down", "j"), PageUp: b("pgup", "ctrl+b"), PageDown: b("pgdown", "ctrl+f"),
			Home: b("home", "g"), End: b("end", "G"), Open: b("enter"),
			Filter: b("/"), Sort: b("s"), Select: b(" "), Assign: b("a"),
			Reverse: b("S"), SelectAll: b("*"), Resubmission: b("w"), DocRequest: b("n"), Status: b("b"),
			NextView: b("tab"), PrevView: b("shift+tab"),
		},
		Case: CaseKeys{
			NextTab: b("tab", "right", "l"), PrevTab: b("shift+tab", "left", "h"),
			Comment: b("c"), Assign: b("a"), Resubmission: b("w"), DocRequest: b("n"),
			Decide: b("D"), FourEyes: b("F"), Status: b("b"),
			OpenFile: b("o"), Download: b("d"), SaveTo: b("S"),
			NextCase: b("J", "]"), PrevCase: b("K", "["), Search: b("/"), CheckEvidence: b("p"),
		},
		Pending:    PendingKeys{Reapply: b("r"), AsNote: b("N"), Discard: b("X")},
		PrintQueue: PrintQueueKeys{Print: b("p"), Printed: b("m")},
		Dialog: DialogKeys{
			Submit: b("ctrl+s"), Confirm: b("enter"), Cancel: b("esc"),
			NextField: b("tab"), PrevField: b("shift+tab"), TextBlock: b("ctrl+t"),
		},
	}
	for i := range k.List.Views {
		k.List.Views[i] = b(fmt.Sprint(i + 1))
	}
	k.Relabel()
	return k
}

// Actions lists every action with a pointer to its live binding, in help order.
func (k *KeyMap) Actions() []Action {
	a := func(scope Scope, name, desc string, b *key.Binding) Action {
		return Action{Name: string(scope) + "." + name, Scope: scope, DescKey: desc, Binding: b}
	}
	g, l, c, p, d := &k.Global, &k.List, &k.Case, &k.Pending, &k.Dialog
	out := []Action{
		a(ScopeGlobal, "help", "key.help", &g.Help),
		a(ScopeGlobal, "palette", "key.palette", &g.Palette),
		a(ScopeGlobal, "inbox", "key.inbox", &g.Inbox),
		a(ScopeGlobal, "pending", "key.pending", &g.Pending),
		a(ScopeGlobal, "dashboard", "key.dashboard", &g.Dashboard),
		a(ScopeGlobal, "printqueue", "key.printQueue", &g.PrintQueue),
		a(ScopeGlobal, "sync", "key.sync", &g.Sync),
		a(ScopeGlobal, "undo", "key.undo", &g.Undo),
		a(ScopeGlobal, "back", "key.back", &g.Back),
		a(ScopeGlobal, "quit", "key.quit", &g.Quit),

		a(ScopeList, "up", "key.up", &l.Up),
		a(ScopeList, "down", "key.down", &l.Down),
		a(ScopeList, "pageup", "key.pageUp", &l.PageUp),
		a(ScopeList, "pagedown", "key.pageDown", &l.PageDown),
		a(ScopeList, "home", "key.home", &l.Home),
		a(ScopeList, "end", "key.end", &l.End),
		a(ScopeList, "open", "key.open", &l.Open),
		a(ScopeList, "filter", "key.filter", &l.Filter),
		a(ScopeList, "sort", "key.sort", &l.Sort),
		a(ScopeList, "select", "key.select", &l.Select),
		a(ScopeList, "selectall", "key.selectAll", &l.SelectAll),
		a(ScopeList, "reverse", "key.reverse", &l.Reverse),
		a(ScopeList, "resubmission", "key.bulkResub", &l.Resubmission),
		a(ScopeList, "docrequest", "key.bulkDocreq", &l.DocRequest),
		a(ScopeList, "status", "key.bulkStatus", &l.Status),
		a(ScopeList, "assign", "key.assign", &l.Assign),
		a(ScopeList, "nextview", "key.nextView", &l.NextView),
		a(ScopeList, "prevview", "key.prevView", &l.PrevView),
	}
	for i := range l.Views {
		out = append(out, a(ScopeList, fmt.Sprintf("view%d", i+1), "key.viewN", &l.Views[i]))
	}
	out = append(out,
		a(ScopeCase, "nexttab", "key.nextTab", &c.NextTab),
		a(ScopeCase, "prevtab", "key.prevTab", &c.PrevTab),
		a(ScopeCase, "comment", "key.comment", &c.Comment),
		a(ScopeCase, "assign", "key.assign", &c.Assign),
		a(ScopeCase, "resubmission", "key.resub", &c.Resubmission),
		a(ScopeCase, "docrequest", "key.docreq", &c.DocRequest),
		a(ScopeCase, "decide", "key.decide", &c.Decide),
		a(ScopeCase, "foureyes", "key.fourEyes", &c.FourEyes),
		a(ScopeCase, "status", "key.status", &c.Status),
		a(ScopeCase, "openfile", "key.openFile", &c.OpenFile),
		a(ScopeCase, "download", "key.download", &c.Download),
		a(ScopeCase, "saveto", "key.saveTo", &c.SaveTo),
		a(ScopeCase, "nextcase", "key.nextCase", &c.NextCase),
		a(ScopeCase, "prevcase", "key.prevCase", &c.PrevCase),
		a(ScopeCase, "search", "key.caseSearch", &c.Search),
		a(ScopeCase, "checkevidence", "key.checkEvidence", &c.CheckEvidence),

		a(ScopePending, "reapply", "key.reapply", &p.Reapply),
		a(ScopePending, "asnote", "key.asNote", &p.AsNote),
		a(ScopePending, "discard", "key.discard", &p.Discard),

		a(ScopePrint, "print", "key.pqPrint", &k.PrintQueue.Print),
		a(ScopePrint, "printed", "key.pqPrinted", &k.PrintQueue.Printed),

		a(ScopeDialog, "submit", "key.submit", &d.Submit),
		a(ScopeDialog, "confirm", "key.confirm", &d.Confirm),
		a(ScopeDialog, "cancel", "key.cancel", &d.Cancel),
		a(ScopeDialog, "nextfield", "key.nextField", &d.NextField),
		a(ScopeDialog, "prevfield", "key.prevField", &d.PrevField),
		a(ScopeDialog, "textblock", "key.textBlock", &d.TextBlock),
	)
	return out
}

// Rebind applies config overrides {action: keys}. An action is "<scope>.<name>" ("case.decide") or
// a bare name ("decide"), which rebinds that action in every scope that has it. Keys use Bubble
// Tea's names ("ctrl+d", "shift+tab", "space" or " "). Unknown actions, empty key lists and keys
// bound twice within one scope are reported; every valid override is applied regardless.
func (k *KeyMap) Rebind(overrides map[string][]string) error {
	var errs []error
	acts := k.Actions()
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		keys := normalise(overrides[name])
		if len(keys) == 0 {
			errs = append(errs, errors.New(i18n.Tf("keys.empty", name)))
			continue
		}
		found := false
		lname := strings.ToLower(strings.TrimSpace(name))
		for _, a := range acts {
			if a.Name == lname || (!strings.Contains(lname, ".") && strings.TrimPrefix(a.Name, string(a.Scope)+".") == lname) {
				a.Binding.SetKeys(keys...)
				found = true
			}
		}
		if !found {
			errs = append(errs, errors.New(i18n.Tf("keys.unknown", name)))
		}
	}
	k.Relabel()
	if err := k.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func normalise(keys []string) []string {
	var out []string
	for _, s := range keys {
		if s == "space" {
			s = " "
		}
		if s != " " {
			s = strings.TrimSpace(s)
		}
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// reach lists, per scope that handles keys, which scopes are live at the same time: a key may not
// be bound twice within one of these sets.
var reach = map[Scope][]Scope{
	ScopeList:    {ScopeGlobal, ScopeList},
	ScopeCase:    {ScopeGlobal, ScopeCase, "nav"},
	ScopePending: {ScopeGlobal, ScopePending, "nav", "open"},
	ScopePrint:   {ScopeGlobal, ScopePrint, "nav", "open"},
	ScopeDialog:  {ScopeDialog},
}

// Validate reports keys bound to two actions that are live at the same time.
func (k *KeyMap) Validate() error {
	acts := k.Actions()
	var errs []error
	seen := map[string]bool{}
	for _, view := range []Scope{ScopeList, ScopeCase, ScopePending, ScopePrint, ScopeDialog} {
		owner := map[string]string{}
		for _, a := range acts {
			if !live(a, reach[view]) {
				continue
			}
			for _, kk := range a.Binding.Keys() {
				if prev, dup := owner[kk]; dup && prev != a.Name {
					msg := i18n.Tf("keys.conflict", kk, prev, a.Name)
					if !seen[msg] {
						seen[msg] = true
						errs = append(errs, errors.New(msg))
					}
					continue
				}
				owner[kk] = a.Name
			}
		}
	}
	return errors.Join(errs...)
}

func live(a Action, scopes []Scope) bool {
	for _, s := range scopes {
		switch {
		case s == a.Scope:
			return true
		case s == "nav" && a.Scope == ScopeList && isNav(a.Name):
			return true
		case s == "open" && a.Name == "list.open":
			return true
		}
	}
	return false
}

func isNav(name string) bool {
	switch name {
	case "list.up", "list.down", "list.pageup", "list.pagedown", "list.home", "list.end":
		return true
	}
	return false
}

// Relabel sets every binding's help (key label and description) from its live keys in the current
// language. Call it after SetLang and after Rebind.
func (k *KeyMap) Relabel() {
	for _, a := range k.Actions() {
		a.Binding.SetHelp(Label(a.Binding.Keys()), i18n.T(a.DescKey))
	}
}

// Label renders keys for help: "k/↑", "Strg+C", "Leer".
func Label(keys []string) string {
	parts := make([]string, 0, len(keys))
	for _, s := range keys {
		parts = append(parts, keyName(s))
	}
	return strings.Join(parts, "/")
}

func keyName(s string) string {
	de := i18n.Current() == i18n.DE
	switch s {
	case "up":
		return "↑"
	case "down":
		return "↓"
	case "left":
		return "←"
	case "right":
		return "→"
	case "pgup":
		if de {
			return "Bild↑"
		}
		return "PgUp"
	case "pgdown":
		if de {
			return "Bild↓"
		}
		return "PgDn"
	case "home":
		if de {
			return "Pos1"
		}
		return "Home"
	case "end":
		if de {
			return "Ende"
		}
		return "End"
	case "enter":
		return "Enter"
	case "esc":
		return "Esc"
	case "tab":
		return "Tab"
	case "shift+tab":
		return "⇧Tab"
	case " ":
		if de {
			return "Leer"
		}
		return "Space"
	}
	if strings.HasPrefix(s, "ctrl+") {
		rest := strings.ToUpper(strings.TrimPrefix(s, "ctrl+"))
		if de {
			return "Strg+" + rest
		}
		return "Ctrl+" + rest
	}
	if strings.HasPrefix(s, "alt+") {
		return "Alt+" + strings.TrimPrefix(s, "alt+")
	}
	return s
}

// Group is one titled block of help.
type Group struct {
	Title    string
	Bindings []key.Binding
}

// The help of each view is owned by the view (its HelpGroups and ShortHelp, common.Component);
// these are the building blocks they share.

// Nav is the list navigation of every list and scrolling view.
func (k *KeyMap) Nav() []key.Binding {
	l := &k.List
	return []key.Binding{l.Up, l.Down, l.PageUp, l.PageDown, l.Home, l.End}
}

// GlobalGroup is the help block of the keys that work in every view.
func (k *KeyMap) GlobalGroup() Group {
	g := &k.Global
	return Group{i18n.T("keys.global"), []key.Binding{g.Inbox, g.Pending, g.Dashboard, g.PrintQueue, g.Palette,
		g.Sync, g.Undo, g.Help, g.Back, g.Quit}}
}

// ViewsBinding is a help-only binding standing for the nine saved-view keys ("1…9").
func (k *KeyMap) ViewsBinding() key.Binding {
	first, last := k.List.Views[0].Keys(), k.List.Views[len(k.List.Views)-1].Keys()
	label := ""
	if len(first) > 0 && len(last) > 0 {
		label = keyName(first[0]) + "…" + keyName(last[0])
	}
	return key.NewBinding(key.WithKeys(first...), key.WithHelp(label, i18n.T("key.viewN")))
}

// Help returns a view's help groups with disabled (and unlabelled) bindings left out.
func Help(gs ...Group) []Group {
	out := make([]Group, 0, len(gs))
	for _, g := range gs {
		out = append(out, Group{g.Title, enabled(g.Bindings)})
	}
	return out
}

// Short is a view's one-line hint: its most used keys, then palette, help and quit.
func (k *KeyMap) Short(bs ...key.Binding) []key.Binding {
	g := &k.Global
	return enabled(append(bs, g.Palette, g.Help, g.Quit))
}

// Full adapts help groups to bubbles/help.KeyMap's FullHelp.
func Full(gs []Group) [][]key.Binding {
	out := make([][]key.Binding, 0, len(gs))
	for _, g := range gs {
		out = append(out, g.Bindings)
	}
	return out
}

func enabled(bs []key.Binding) []key.Binding {
	out := bs[:0:0]
	for _, b := range bs {
		if b.Enabled() && b.Help().Key != "" {
			out = append(out, b)
		}
	}
	return out
}
