package dashboard

import (
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/query"
	"github.com/amt-mv/amt/store"
)

// The inbox said "Fällig 26" while the dashboard said "Diese Woche 0 · bis 06.12.": both now count
// the same cases, the inbox's Fällig tab (status:open due:week) and the dashboard's Fällig.
func TestDueIsOneDefinition(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.Local) // a Friday: "until Sunday" would be 2 days
	var rows []store.Summary
	for i, d := range []string{"2026-11-24", "2026-12-03", "2026-12-04", "2026-12-06", "2026-12-07", "2026-12-11", "2026-12-12", "2027-01-01", ""} {
		for _, st := range []api.Status{api.StatusNew, api.StatusInReview, api.StatusDecided} {
			rows = append(rows, store.Summary{ID: d + string(st), DueDate: d, Status: st, Reference: "X-" + string(rune('a'+i))})
		}
	}
	q, err := query.Parse("status:open due:week", now)
	if err != nil {
		t.Fatal(err)
	}
	env := query.NewEnv("", nil, now, 3)
	inbox := 0
	for i := range rows {
		if q.Match(&rows[i], env) {
			inbox++
		}
	}
	s := Compute(rows, "", now)
	if s.DueWeek != inbox || inbox != 12 {
		t.Fatalf("dashboard Fällig %d, inbox Fällig %d, want 12 each", s.DueWeek, inbox)
	}
	if s.WeekEnd != "2026-12-11" {
		t.Fatalf("until %s", s.WeekEnd)
	}
}
