package keys

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"

	"github.com/amt-mv/amt/tui/i18n"
)

func TestDefaultKeymapIsValid(t *testing.T) {
	k := Default()
	if err := k.Validate(); err != nil {
		t.Fatalf("default keymap: %v", err)
	}
	names := map[string]bool{}
	for _, a := range k.Actions() {
		if names[a.Name] {
			t.Fatalf("duplicate action %s", a.Name)
		}
		names[a.Name] = true
		if len(a.Binding.Keys()) == 0 || a.Binding.Help().Desc == "" || !i18n.Has(a.DescKey) {
			t.Fatalf("%s: keys %v help %+v", a.Name, a.Binding.Keys(), a.Binding.Help())
		}
	}
}

// Final actions must never be one stray key from navigation: they sit on shifted letters that no
// navigation binding uses.
func TestFinalActionsAwayFromNavigation(t *testing.T) {
	k := Default()
	nav := map[string]bool{}
	for _, b := range []key.Binding{k.List.Up, k.List.Down, k.List.PageUp, k.List.PageDown, k.List.Home, k.List.End,
		k.Case.NextTab, k.Case.PrevTab, k.Global.Back, k.List.Open} {
		for _, s := range b.Keys() {
			nav[s] = true
		}
	}
	for _, b := range []key.Binding{k.Case.Decide, k.Case.FourEyes, k.Pending.Discard} {
		for _, s := range b.Keys() {
			if nav[s] || strings.ToUpper(s) != s {
				t.Fatalf("final action on %q", s)
			}
		}
	}
}

func TestRebind(t *testing.T) {
	tests := []struct {
		name    string
		over    map[string][]string
		check   func(k *KeyMap) bool
		errPart string
	}{
		{"scoped", map[string][]string{"case.decide": {"ctrl+d"}},
			func(k *KeyMap) bool { return slices.Equal(k.Case.Decide.Keys(), []string{"ctrl+d"}) }, ""},
		{"bare name hits every scope", map[string][]string{"assign": {"Z"}},
			func(k *KeyMap) bool {
				return slices.Equal(k.List.Assign.Keys(), []string{"Z"}) && slices.Equal(k.Case.Assign.Keys(), []string{"Z"})
			}, ""},
		{"space alias", map[string][]string{"list.select": {"space", "x"}},
			func(k *KeyMap) bool { return slices.Equal(k.List.Select.Keys(), []string{" ", "x"}) }, ""},
		{"unknown action", map[string][]string{"frobnicate": {"x"}}, nil, "frobnicate"},
		{"empty keys", map[string][]string{"quit": {}}, nil, "quit"},
		{"conflict with navigation", map[string][]string{"list.sort": {"j"}}, nil, "doppelt"},
		{"conflict with global", map[string][]string{"case.comment": {"q"}}, nil, "doppelt"},
		{"same key in different views is fine", map[string][]string{"pending.reapply": {"c"}},
			func(k *KeyMap) bool { return slices.Equal(k.Pending.Reapply.Keys(), []string{"c"}) }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := Default()
			err := k.Rebind(tc.over)
			if tc.errPart == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.errPart != "" && (err == nil || !strings.Contains(err.Error(), tc.errPart)) {
				t.Fatalf("error %v, want %q", err, tc.errPart)
			}
			if tc.check != nil && !tc.check(k) {
				t.Fatal("binding not applied")
			}
		})
	}
}

func TestHelpFollowsRebindingAndLanguage(t *testing.T) {
	defer i18n.SetLang(i18n.DE)
	k := Default()
	if err := k.Rebind(map[string][]string{"case.decide": {"ctrl+d"}, "list.down": {"U", "down"}}); err != nil {
		t.Fatal(err)
	}
	find := func(desc string) string {
		for _, a := range k.Actions() {
			if b := *a.Binding; b.Enabled() && b.Help().Desc == desc {
				return b.Help().Key
			}
		}
		return ""
	}
	if got := find("entscheiden"); got != "Strg+D" {
		t.Fatalf("decide help key %q", got)
	}
	if got := find("runter"); got != "U/↓" {
		t.Fatalf("down help key %q", got)
	}
	i18n.SetLang(i18n.EN)
	k.Relabel()
	if got := find("decide"); got != "Ctrl+D" {
		t.Fatalf("english decide help key %q", got)
	}
	// Disabled bindings disappear from help.
	k.Case.FourEyes.SetEnabled(false)
	gs := Help(Group{"case", []key.Binding{k.Case.Decide, k.Case.FourEyes}}, k.GlobalGroup())
	if len(gs) != 2 || len(gs[0].Bindings) != 1 || gs[0].Bindings[0].Help().Desc != "decide" {
		t.Fatalf("help with a disabled binding: %+v", gs)
	}
	if len(Full(gs)) != 2 || len(k.Short(k.Case.FourEyes)) != 3 {
		t.Fatal("bubbles/help blocks: the disabled key is in the short help, or a block is missing")
	}
}

func TestLabel(t *testing.T) {
	i18n.SetLang(i18n.DE)
	tests := map[string][]string{
		"k/↑":        {"k", "up"},
		"Strg+C":     {"ctrl+c"},
		"Leer":       {" "},
		"⇧Tab/Bild↓": {"shift+tab", "pgdown"},
		"Pos1/Ende":  {"home", "end"},
	}
	for want, in := range tests {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}
