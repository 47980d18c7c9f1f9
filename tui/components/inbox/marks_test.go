package inbox

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/theme"
)

// TestStatesNeverByColourAlone is the rule "nothing depends on colour alone" (BITV 2.0, WCAG
// 1.4.1): in every theme, with and without colour, on the cursor row, a marked row and a plain
// row, each state a row can be in (overdue, due soon, pending, conflict, rejected) shows its own
// mark in the text itself, and a row without the state shows none of them.
func TestStatesNeverByColourAlone(t *testing.T) {
	m := loaded(t, 3, 140, 39)
	e := newEnv(m.ctx)
	base := m.Rows()[0]
	base.Status = api.StatusInReview
	base.Pending, base.Conflict, base.Rejected = 0, false, false
	base.DueDate = "2099-12-31"
	states := []struct {
		name, mark string
		set        func(*store.Summary)
	}{
		{"overdue", common.DueOverdue.Symbol(), func(s *store.Summary) { s.DueDate = "2000-01-03" }},
		{"due soon", common.DueSoon.Symbol(), func(s *store.Summary) { s.DueDate = e.today }},
		{"pending", common.MarkPending, func(s *store.Summary) { s.Pending = 2 }},
		{"conflict", common.MarkConflict, func(s *store.Summary) { s.Conflict = true }},
		{"rejected", common.MarkRejected, func(s *store.Summary) { s.Rejected = true }},
	}
	profiles := []termenv.Profile{termenv.TrueColor, termenv.ANSI256, termenv.Ascii}
	defer lipgloss.SetColorProfile(termenv.Ascii)
	for _, prof := range profiles {
		lipgloss.SetColorProfile(prof)
		for _, name := range theme.Names {
			for _, noColor := range []bool{false, true} {
				m.ctx.Theme = theme.Must(name, noColor)
				for _, look := range []struct{ cursor, marked bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
					plain := ansi.Strip(m.renderRow(&base, look.cursor, look.marked, &e))
					for _, st := range states {
						if strings.Contains(plain, st.mark) {
							t.Fatalf("profile %v theme %s: a row without state shows %s's mark %q: %q", prof, name, st.name, st.mark, plain)
						}
					}
					for _, st := range states {
						s := base
						st.set(&s)
						row := ansi.Strip(m.renderRow(&s, look.cursor, look.marked, &e))
						if !strings.Contains(row, st.mark) {
							t.Errorf("profile %v theme %s no-colour %v cursor %v marked %v: %s row has no mark %q: %q",
								prof, name, noColor, look.cursor, look.marked, st.name, st.mark, row)
						}
					}
				}
			}
		}
	}
}
