package caseview

import (
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
)

// TestDemoHostileCases renders every tab of the demo data's hostile cases (OSC 52 in a name, CSI
// and C1 in form values, U+202E in a file name and a note, and their events) and finds nothing
// unsafe.
func TestDemoHostileCases(t *testing.T) {
	d := demo.Generate(demo.Options{Cases: 20, Now: testkit.Now, Seed: 1})
	st := testkit.Store(t)
	var cases []api.Case
	for i := 0; i < d.N; i++ {
		sc := d.Case(i)
		sc.Case.History = sc.Events // as the server sends it: the Verlauf shows the events
		cases = append(cases, sc.Case)
	}
	testkit.Put(t, st, cases...)
	for _, i := range demo.HostileCaseIndexes {
		c := cases[i]
		for _, size := range [][2]int{{80, 24}, {140, 40}} {
			ctx := testkit.Ctx(st, size[0], size[1])
			ctx.Me.Clerk = c.Assignee
			m := New(ctx, c.ID)
			m, _ = m.Update(m.Init()())
			if _, ok := m.Case(); !ok {
				t.Fatalf("case %d not loaded", i)
			}
			for tab := TabForm; tab < numTabs; tab++ {
				m.setTab(tab)
				if p := testkit.Dirty(m.View()); p >= 0 {
					t.Errorf("case %d tab %d %v: unsafe output at %d: %q", i, tab, size, p, m.View())
				}
			}
		}
	}
}
