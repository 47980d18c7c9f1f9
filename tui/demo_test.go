package tui

import (
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/tuitest"
)

// TestDemoHostileCasesRenderClean renders the demo data set's hostile cases (OSC 52 in a name, CSI
// clear-screen and C1 CSI in form values, U+202E in a file name and a note) everywhere the TUI
// shows them: every inbox tab and preview, and every tab of the case view, at 80x24 and 140x40.
func TestDemoHostileCasesRenderClean(t *testing.T) {
	data := demo.Generate(demo.Options{Now: tuitest.Now})
	amt := data.Amts[0].ID
	var cases []api.Case
	for i := 0; i < data.N; i++ {
		if c := data.Case(i).Case; c.Amt == amt {
			cases = append(cases, c)
		}
	}
	var me api.Me
	var clerks []api.Clerk
	for _, c := range data.Clerks {
		if c.Amt == amt {
			if me.Clerk == "" {
				me = api.Me{Clerk: c.ID, Name: c.Name, Role: c.Role, Amt: amt, AmtName: data.Amts[0].Name}
			}
			clerks = append(clerks, api.Clerk{ID: c.ID, Name: c.Name, Role: c.Role})
		}
	}
	hostile := map[string]bool{}
	for _, i := range demo.HostileCaseIndexes {
		hostile[data.Case(i).Case.ID] = true
	}
	st := tuitest.OpenStore(t, cases...)
	for _, sz := range [][2]int{{80, 24}, {140, 40}} {
		m := newRoot(t, Deps{Store: st, Me: me, Clerks: clerks, Now: tuitest.Clock}, sz[0], sz[1])
		seen := map[string]bool{}
		for tab := 0; tab < 6; tab++ {
			m, _ = press(t, m, string(rune('1'+tab)), "g")
			for range m.Inbox().Rows() {
				assertClean(t, m.View())
				id := m.Inbox().CurrentID()
				if hostile[id] && !seen[id] {
					seen[id] = true
					m, _ = press(t, m, "enter")
					if m.State() != common.ViewCase {
						t.Fatal("case view not opened")
					}
					for i := 0; i < 5; i++ { // every case tab
						assertClean(t, m.View())
						m, _ = press(t, m, "tab")
					}
					m, _ = press(t, m, "esc")
				}
				m, _ = press(t, m, "j")
			}
		}
		if len(seen) != len(hostile) {
			t.Fatalf("%v: saw hostile cases %v of %v", sz, seen, hostile)
		}
	}
}
