package inbox

import (
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/store"

	"github.com/amt-mv/amt/tui/common"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/tuitest"
)

// The first screen has cases to work on: "Meine" when the clerk has open cases of their own,
// otherwise "Alle"; a configured startView wins; a tab the clerk picked is never overridden.
func TestStartView(t *testing.T) {
	notMine := func(n int) []api.Case {
		cs := tuitest.Cases(n)
		for i := range cs {
			if cs[i].Assignee == tuitest.Me.Clerk {
				cs[i].Assignee = ""
			}
		}
		return cs
	}
	open := func(t *testing.T, cases []api.Case, startView string) Model {
		t.Helper()
		st := tuitest.OpenStore(t, cases...)
		c := newCtx(st, 80, 23)
		c.Config.StartView = startView
		m := New(c)
		m, _ = drain(t, m, m.Init())
		return m
	}
	tests := []struct {
		name      string
		cases     []api.Case
		startView string
		want      string // NameKey of the tab shown
	}{
		{"mine has cases", tuitest.Cases(40), "", "tab.mine"},
		{"mine empty", notMine(40), "", "tab.all"},
		{"configured all", tuitest.Cases(40), "all", "tab.all"},
		{"configured by title", tuitest.Cases(40), "Fällig", "tab.due"},
		{"configured empty mine kept", notMine(40), "mine", "tab.mine"},
		{"unknown name is automatic", notMine(40), "nonsense", "tab.all"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := open(t, tc.cases, tc.startView)
			if got := m.SavedViews()[m.Tab()].NameKey; got != tc.want {
				t.Fatalf("start tab %s, want %s", got, tc.want)
			}
			if tc.want != "tab.mine" && len(m.Rows()) == 0 {
				t.Fatal("start tab is empty")
			}
		})
	}

	// A tab chosen before the full load arrives is kept.
	st := tuitest.OpenStore(t, notMine(40)...)
	m := New(newCtx(st, 80, 23))
	m, rest := m.Update(m.Init()()) // the first page; rest holds the full load, not run yet
	m = press(t, m, "3")
	if m.Tab() != 2 || m.Loaded() {
		t.Fatalf("tab %d, loaded %v after pressing 3 on the first page", m.Tab(), m.Loaded())
	}
	m, _ = drain(t, m, rest)
	if !m.Loaded() || m.Tab() != 2 {
		t.Fatalf("loaded %v, tab %d: the automatic start overrode the clerk's choice", m.Loaded(), m.Tab())
	}
}

// A new tab starts at its top row (its most urgent case), not wherever the old tab's cursor was.
func TestTabSwitchStartsAtTop(t *testing.T) {
	m := loaded(t, 80, 80, 23)
	m = press(t, m, "5", "j", "j", "j")
	if m.Cursor() != 3 {
		t.Fatalf("cursor %d", m.Cursor())
	}
	m = press(t, m, "3")
	if m.Cursor() != 0 || m.offs != 0 {
		t.Fatalf("new tab: cursor %d offs %d, want the top", m.Cursor(), m.offs)
	}
	// A new sort keeps the case under the cursor.
	m = press(t, m, "j", "j")
	id := m.CurrentID()
	m = press(t, m, "s")
	if m.CurrentID() != id {
		t.Fatalf("sort moved the cursor from %s to %s", id, m.CurrentID())
	}
}

// The filter input never pushes the counters off the info line (it pads itself to its width):
// at 80 columns the query, the counts and the sort all stay readable, uncut.
func TestFilterLineKeepsCounters(t *testing.T) {
	m := loaded(t, 120, 80, 23)
	m = press(t, m, "5", "/")
	m = typeText(t, m, "crivitz")
	m = press(t, m, "enter", "s", "s") // sorted by Aktenzeichen: the longest sort label
	line := strings.Split(m.View(), "\n")[1]
	if common.Width(line) != 80 {
		t.Fatalf("info line is %d cells: %q", common.Width(line), line)
	}
	for _, want := range []string{"Filter: crivitz", "sortiert nach Aktenzeichen", "Vorgängen"} {
		if !strings.Contains(line, want) {
			t.Fatalf("info line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "…") {
		t.Fatalf("info line is cut: %q", line)
	}
}

func TestShortName(t *testing.T) {
	tests := []struct {
		name string
		w    int
		want string
	}{
		{"Jan Wendt", 9, "Jan Wendt"},
		{"Kerstin Schulz", 9, "K. Schulz"},
		{"Mathias Krüger", 9, "M. Krüger"},
		{"Anna-Lena Maria Özdemir", 12, "A. M. Özdemir"},
		{"—", 3, "—"},
		{"crivitz.unknown", 8, "crivitz.unknown"}, // one word: Fit cuts it
	}
	for _, tc := range tests {
		if got := shortName(tc.name, tc.w); got != tc.want {
			t.Errorf("shortName(%q, %d) = %q, want %q", tc.name, tc.w, got, tc.want)
		}
	}
}

// The first screen comes from the first-page read alone (no full load): the start tab's first
// rows, the same as once everything is loaded; an empty "Meine" gives way to "Alle" at once.
func TestFirstPageIsFirstScreen(t *testing.T) {
	notMine := func(n int) []api.Case {
		cs := tuitest.Cases(n)
		for i := range cs {
			if cs[i].Assignee == tuitest.Me.Clerk {
				cs[i].Assignee = ""
			}
		}
		return cs
	}
	for _, tc := range []struct {
		name  string
		cases []api.Case
		want  string
	}{
		{"mine", tuitest.Cases(400), "tab.mine"},
		{"mine empty", notMine(400), "tab.all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := tuitest.OpenStore(t, tc.cases...)
			m := New(newCtx(st, 80, 23))
			m, cmd := m.Update(m.Init()())
			batch, ok := cmd().(tea.BatchMsg)
			if !ok {
				t.Fatalf("first page answered %T", cmd())
			}
			var rest []tea.Cmd
			for _, c := range batch { // run the first page's filter, hold the full load back
				if c == nil {
					continue
				}
				if msg, ok := c().(filterMsg); ok {
					m, _ = m.Update(msg)
				} else {
					rest = append(rest, c)
				}
			}
			if m.Loaded() {
				t.Fatal("loaded everything already")
			}
			if got := m.SavedViews()[m.Tab()].NameKey; got != tc.want {
				t.Fatalf("first screen on %s, want %s", got, tc.want)
			}
			first := ids(m.Rows())
			if len(first) == 0 {
				t.Fatal("first screen is empty")
			}
			m, _ = drain(t, m, tea.Batch(rest...))
			if !m.Loaded() || m.SavedViews()[m.Tab()].NameKey != tc.want {
				t.Fatalf("after the full load: loaded %v, tab %s", m.Loaded(), m.SavedViews()[m.Tab()].NameKey)
			}
			full := ids(m.Rows())
			if want := min(len(full), m.lay.listRows); len(first) < want {
				t.Fatalf("first screen has %d rows, the screen shows %d", len(first), want)
			}
			if len(full) < len(first) || !slices.Equal(full[:len(first)], first) {
				t.Fatalf("first screen %v, full list starts %v", first, full[:min(len(full), len(first))])
			}
		})
	}
}

func ids(rows []store.Summary) []string {
	out := make([]string, len(rows))
	for i := range rows {
		out[i] = rows[i].ID
	}
	return out
}
