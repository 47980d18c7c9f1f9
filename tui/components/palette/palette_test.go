package palette

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/tuitest"
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

type ran struct{ id string }

func cmds() []Command {
	mk := func(id, title string) Command { return Command{ID: id, Title: title, Msg: ran{id}} }
	return []Command{
		mk("sync", "Jetzt synchronisieren"), mk("offline", "Offline gehen (Demo)"), mk("online", "Online gehen (Demo)"),
		mk("view done", "Ansicht: Erledigt"), mk("sort reference", "Sortieren nach Aktenzeichen"), mk("quit", "Beenden"),
	}
}

func newPalette() Model {
	c := common.NewCtx(nil, tuitest.Me, tuitest.Clock)
	c.ScreenWidth, c.ScreenHeight = 80, 24
	return New(c, cmds())
}

func typed(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

func TestPaletteSearchAndRun(t *testing.T) {
	tests := []struct{ q, first string }{
		{"", "sync"},
		{"online", "online"}, // exact id wins over the fuzzy "offline" matches
		{"offl", "offline"},
		{"erled", "view done"},
		{"aktz", "sort reference"},
		{"beend", "quit"},
	}
	for _, tc := range tests {
		m := typed(newPalette(), tc.q)
		got := m.Matches()
		if len(got) == 0 || got[0].ID != tc.first {
			t.Fatalf("%q: first %v", tc.q, got)
		}
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
		if r, ok := cmd().(RunMsg); !ok || r.Command.Msg != (ran{tc.first}) {
			t.Fatalf("%q: enter gave %#v", tc.q, cmd())
		}
	}
	m := typed(newPalette(), "zzzz")
	if len(m.Matches()) != 0 || !strings.Contains(m.View(), "Kein Befehl passt") {
		t.Fatal("no-match state")
	}
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter}); cmd != nil {
		t.Fatal("enter without a match ran something")
	}
}

func TestPaletteMoveAndClose(t *testing.T) {
	m := newPalette()
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyDown})
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyDown})
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyUp})
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if r := cmd().(RunMsg); r.Command.ID != "offline" {
		t.Fatalf("ran %s", r.Command.ID)
	}
	_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if _, ok := cmd().(CloseMsg); !ok {
		t.Fatal("esc did not close")
	}
	if !m.CapturingInput() || !strings.Contains(m.View(), "› Offline gehen") {
		t.Fatalf("view:\n%s", m.View())
	}
}

// Typed text that starts a title (or one of its words) ranks before scattered fuzzy matches:
// "schlie" finds "Abschließen", not "Sprache: Englisch" (s…c…h…l…i…e), and "entsch" Entscheiden.
func TestPalettePrefixFirst(t *testing.T) {
	mk := func(id, title string) Command { return Command{ID: id, Title: title} }
	all := []Command{
		mk("lang en", "Sprache: Englisch (English)"), mk("lang de", "Sprache: Deutsch"),
		mk("theme red-green", "Farbschema: Rot-Grün-Sehschwäche"), mk("help", "Tastenkürzel anzeigen"),
		mk("case close", "Vorgang: Abschließen"), mk("case decide", "Vorgang: Entscheiden"),
		mk("case comment", "Vorgang: Notiz schreiben"), mk("sort status", "Sortieren nach Status"),
		mk("view resub", "Ansicht: Wiedervorlage"), mk("case resubmission", "Wiedervorlage setzen"),
		mk("theme default", "Farbschema: Standard"), mk("case status", "Status ändern"),
		mk("clear filter", "Filter löschen"), mk("view done", "Ansicht: Erledigt"),
		mk("page up", "Seite hoch"), mk("keep note", "als Notiz behalten"),
	}
	c := common.NewCtx(nil, tuitest.Me, tuitest.Clock)
	c.ScreenWidth, c.ScreenHeight = 80, 24
	tests := []struct{ q, first string }{
		{"schlie", "case close"},
		{"Schließ", "case close"},
		{"entsch", "case decide"},
		{"wied", "case resubmission"},
		{"sta", "case status"},
		{"erl", "view done"},
		{"set", "case resubmission"}, // fuzzy alone: "Seite hoch"
		{"anz", "help"},              // fuzzy alone: "als Notiz behalten"
		{"stat", "case status"},
		{"notiz schr", "case comment"},
		{"sehsch", "theme red-green"},
	}
	for _, tc := range tests {
		m := typed(New(c, all), tc.q)
		got := m.Matches()
		if len(got) == 0 || got[0].ID != tc.first {
			var ids []string
			for _, g := range got {
				ids = append(ids, g.ID)
			}
			t.Errorf("%q: %v, want %q first", tc.q, ids, tc.first)
		}
	}
}
