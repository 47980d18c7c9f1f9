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
	"github.com/amt-mv/amt/tui/tuitest"
)

// TestStatesNeverByColourAlone is the rule "nothing depends on colour alone" (BITV 2.0, WCAG
// 1.4.1): in every theme, with and without colour, on the cursor row, a marked row and a plain
// row, each state a row can be in (overdue, due soon, pending, conflict, rejected, delivery failed) shows its own
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
		{"delivery failed", common.MarkDeliveryFailed, func(s *store.Summary) { s.DeliveryFailed = true }},
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

// A case whose Bescheid did not reach the applicant carries the mark in its inbox row (from the
// cached case's documents, through the store's summary), and the preview says why; the other
// rows carry none.
func TestDeliveryFailedMark(t *testing.T) {
	failed := tuitest.Cases(1)[0]
	failed.ID, failed.Reference = "case-failed", "GEW-2026-009999"
	failed.DueDate = "2026-11-01" // first row
	failed.Documents = []api.Document{{ID: "bescheid-1", Kind: api.DocumentBescheid, Name: "Bescheid.pdf",
		Delivery: api.Delivery{Channel: api.ChannelEmail, State: api.DeliveryFailed, Detail: "550 mailbox unavailable"}}}
	m := loaded(t, 5, 140, 30, failed)
	var row string
	marks := 0
	for _, line := range strings.Split(ansi.Strip(m.View()), "\n") {
		if strings.Contains(line, common.MarkDeliveryFailed) {
			marks++
			if strings.Contains(line, failed.Reference) {
				row = line
			}
		}
	}
	if row == "" {
		t.Fatalf("no row of %s with %q:\n%s", failed.Reference, common.MarkDeliveryFailed, ansi.Strip(m.View()))
	}
	// The mark shows once in the list, and once more in the preview of the selected case.
	sel := m.CurrentID() == failed.ID
	if want := map[bool]int{true: 2, false: 1}[sel]; marks != want {
		t.Fatalf("%d lines with the mark (selected %v), want %d:\n%s", marks, sel, want, ansi.Strip(m.View()))
	}
	if sel && !strings.Contains(ansi.Strip(m.View()), "Schreiben nicht zugestellt") {
		t.Fatalf("preview does not say the letter was not delivered:\n%s", ansi.Strip(m.View()))
	}
}
