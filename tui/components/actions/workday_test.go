package actions

import (
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
)

// Issue 15 item 5: while the clerk types, the dialog shows the date meant; a weekend or a public
// holiday of Mecklenburg-Vorpommern moves to the next working day with a visible hint, and that
// is the date queued. (The fixed clock is Tuesday, 24.11.2026.)
func TestResubmissionShowsWorkingDate(t *testing.T) {
	tests := []struct {
		in, shown, hint, want string
	}{
		{"+1", "→ Mittwoch, 25.11.2026", "", "2026-11-25"},
		{"+4", "→ Montag, 30.11.2026", "Samstag, 28.11.2026 ist kein Arbeitstag", "2026-11-30"},
		{"25.12.2026", "→ Montag, 28.12.2026", "ein Feiertag (1. Weihnachtstag)", "2026-12-28"},
		{"31.10.27", "→ Montag, 01.11.2027", "Sonntag, 31.10.2027 ist ein Feiertag (Reformationstag)", "2027-11-01"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			h := newHarness(t, NewResubmission, []api.Case{testkit.Case("c1")}, "c1")
			h.typ(tt.in)
			v := h.m.View()
			if !strings.Contains(v, tt.shown) {
				t.Fatalf("%q: want %q while typing in\n%s", tt.in, tt.shown, v)
			}
			flat := strings.Join(strings.Fields(strings.ReplaceAll(v, "│", " ")), " ")
			if tt.hint != "" && !strings.Contains(flat, tt.hint) {
				t.Fatalf("%q: want hint %q in\n%s", tt.in, tt.hint, v)
			}
			if tt.hint == "" && strings.Contains(v, "verschoben") {
				t.Fatalf("%q: a working day was moved:\n%s", tt.in, v)
			}
			if w, _ := lineWidths(v); w > 80 {
				t.Fatalf("dialog wider than 80 columns:\n%s", v)
			}
			h.send(keySend)
			out := h.outbox()
			if len(out) != 1 {
				t.Fatalf("outbox = %d\n%s", len(out), h.m.View())
			}
			if r := body[api.ResubmissionRequest](t, out[0]); r.Date != tt.want {
				t.Errorf("queued %s, want %s", r.Date, tt.want)
			}
		})
	}
}

// The Nachforderung's deadline follows the same rule.
func TestDocumentRequestDeadlineWorkingDay(t *testing.T) {
	h := newHarness(t, NewDocumentRequest, []api.Case{testkit.Case("c1")}, "c1")
	h.typ("Mietvertrag")
	h.send(keyTab)
	h.typ("+4")
	if v := h.m.View(); !strings.Contains(v, "→ Montag, 30.11.2026") {
		t.Fatalf("no resolved deadline:\n%s", v)
	}
	h.send(keySend)
	out := h.outbox()
	if len(out) != 1 {
		t.Fatalf("outbox = %d\n%s", len(out), h.m.View())
	}
	if r := body[api.DocumentRequestRequest](t, out[0]); r.Deadline != "2026-11-30" {
		t.Errorf("deadline %s", r.Deadline)
	}
}

func lineWidths(s string) (int, int) {
	w := 0
	lines := strings.Split(s, "\n")
	for _, l := range lines {
		w = max(w, len([]rune(l)))
	}
	return w, len(lines)
}

// The Wiedervorlage dialog at 80×24 with a Saturday typed: the date meant and the hint.
func TestResubmissionWorkingDayGolden(t *testing.T) {
	h := newHarness(t, NewResubmission, []api.Case{testkit.Case("c1")}, "c1")
	h.typ("+4")
	golden(t, "testdata/resubmission_weekend_80x24.golden", h.m.View())
}
