package dashboard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
	"github.com/amt-mv/amt/tui/i18n"
)

func TestMain(m *testing.M) {
	testkit.Init()
	os.Exit(m.Run())
}

// cases builds a small office: testkit.Now is Tuesday 2026-11-24, so "Fällig" (casework.IsDue)
// is open and due by 2026-12-01.
func cases() []api.Case {
	type spec struct {
		service  string
		status   api.Status
		due      string
		assignee string
	}
	specs := []spec{
		{"Gewerbeanmeldung", api.StatusNew, "2026-11-20", ""},                                // overdue, unassigned
		{"Gewerbeanmeldung", api.StatusInReview, "2026-11-24", "crivitz.schulz"},             // today: this week, mine
		{"Gewerbeanmeldung", api.StatusInReview, "2026-11-29", "crivitz.meyer"},              // Sunday: this week
		{"Gewerbeanmeldung", api.StatusAwaitingDocuments, "2026-11-30", "crivitz.schulz"},    // next week, mine
		{"Hundesteuer-Anmeldung", api.StatusNew, "2026-11-01", "crivitz.schulz"},             // overdue, mine
		{"Hundesteuer-Anmeldung", api.StatusDecisionProposed, "2026-12-10", "crivitz.meyer"}, //
		{"Anwohnerparkausweis", api.StatusNew, "", ""},                                       // no due date, unassigned
		{"Anwohnerparkausweis", api.StatusDecided, "2026-11-01", "crivitz.schulz"},           // closed: not overdue
		{"Anwohnerparkausweis", api.StatusClosed, "2026-10-01", "crivitz.meyer"},             //
		{"Gewerbeabmeldung", api.StatusWithdrawn, "2026-11-01", ""},                          //
	}
	out := make([]api.Case, len(specs))
	for i, s := range specs {
		c := testkit.Case(fmt.Sprintf("c%02d", i))
		c.Reference = fmt.Sprintf("X-2026-%06d", i)
		c.Service.Name, c.Status, c.DueDate, c.Assignee = s.service, s.status, s.due, s.assignee
		out[i] = c
	}
	return out
}

func load(t *testing.T, st *store.Store, w, h int) Model {
	t.Helper()
	m := New(testkit.Ctx(st, w, h))
	m, _ = m.Update(m.Init()())
	return m
}

func TestCounts(t *testing.T) {
	st := testkit.Store(t)
	testkit.Put(t, st, cases()...)
	m := load(t, st, 80, 24)
	s, ok := m.Stats()
	if !ok {
		t.Fatal("no stats")
	}
	checks := []struct {
		name      string
		got, want int
	}{
		{"total", s.Total, 10},
		{"open", s.Open, 7},
		{"overdue", s.Overdue, 2},
		{"due (overdue or by 01.12., as the inbox's Fällig tab)", s.DueWeek, 5},
		{"mine", s.Mine, 3},
		{"mine overdue", s.MineOverdue, 1},
		{"unassigned", s.Unassigned, 2},
		{"new", s.ByStatus[api.StatusNew], 3},
		{"in review", s.ByStatus[api.StatusInReview], 2},
		{"decided", s.ByStatus[api.StatusDecided], 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	want := []ServiceCount{{"Gewerbeanmeldung", 4, 1}, {"Hundesteuer-Anmeldung", 2, 1}, {"Anwohnerparkausweis", 1, 0}}
	if fmt.Sprint(s.Services) != fmt.Sprint(want) {
		t.Errorf("services = %v, want %v", s.Services, want)
	}
}

func TestReloadOnChange(t *testing.T) {
	st := testkit.Store(t)
	testkit.Put(t, st, cases()[:2]...)
	m := load(t, st, 80, 24)
	testkit.Put(t, st, cases()...)
	m, cmd := m.Update(common.StoreChangedMsg{})
	// A second change while computing is coalesced into one more run.
	m, none := m.Update(common.StoreChangedMsg{})
	if none != nil {
		t.Error("second change started a second computation")
	}
	m, again := m.Update(cmd())
	if again == nil {
		t.Fatal("coalesced change did not recompute")
	}
	m, _ = m.Update(again())
	if s, _ := m.Stats(); s.Total != 10 {
		t.Errorf("total = %d after reload", s.Total)
	}
}

func TestBar(t *testing.T) {
	for _, tt := range []struct {
		n, max, w int
		want      string
	}{
		{0, 10, 10, ""},
		{10, 10, 10, "██████████"},
		{5, 10, 10, "█████"},
		{1, 16, 4, "▎"},
		{1, 1000, 10, "▏"},
		{3, 8, 3, "█▏"},
	} {
		if got := Bar(tt.n, tt.max, tt.w); got != tt.want {
			t.Errorf("Bar(%d,%d,%d) = %q, want %q", tt.n, tt.max, tt.w, got, tt.want)
		}
	}
}

func TestGolden(t *testing.T) {
	st := testkit.Store(t)
	testkit.Put(t, st, cases()...)
	for _, size := range [][2]int{{80, 24}, {140, 40}} {
		m := load(t, st, size[0], size[1])
		v := m.View()
		if n := strings.Count(v, "\n") + 1; n != size[1]-1 {
			t.Errorf("%v: %d lines", size, n)
		}
		for i, l := range strings.Split(v, "\n") {
			if w := common.Width(l); w != size[0] {
				t.Errorf("%v: line %d is %d wide", size, i, w)
			}
		}
		testkit.Golden(t, filepath.Join("testdata", fmt.Sprintf("dashboard_%dx%d.golden", size[0], size[1])), v, testkit.UpdateFlag())
	}
}

func TestHostileServiceNames(t *testing.T) {
	st := testkit.Store(t)
	cs := cases()
	cs[0].Service.Name = "Gewerbe" + testkit.OSC52 + testkit.Bidi
	cs[1].Service.Name = testkit.CSI + testkit.C1
	testkit.Put(t, st, cs...)
	for _, size := range [][2]int{{80, 24}, {140, 40}} {
		if p := testkit.Dirty(load(t, st, size[0], size[1]).View()); p >= 0 {
			t.Errorf("%v: unsafe output at %d", size, p)
		}
	}
}

// Status labels are never cut in either language (the label column follows the longest label).
func TestStatusLabelsUncut(t *testing.T) {
	defer i18n.SetLang(i18n.DE)
	st := testkit.Store(t)
	testkit.Put(t, st, cases()...)
	for _, l := range []i18n.Lang{i18n.DE, i18n.EN} {
		i18n.SetLang(l)
		v := load(t, st, 80, 24).View()
		for _, s := range api.Statuses {
			if !strings.Contains(v, "  "+common.StatusLabel(s)+" ") {
				t.Errorf("%s: status %q cut or missing:\n%s", l, common.StatusLabel(s), v)
			}
		}
	}
}
