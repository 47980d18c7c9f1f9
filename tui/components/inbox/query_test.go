package inbox

import (
	"slices"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/tuitest"
)

// The `/` filter reads fields as well as words (issue 15 item 7), at 80x24 in German: each typed
// expression lists exactly the open cases the predicate picks, in list order.
func TestFilterFieldsAndNames(t *testing.T) {
	withMail := tuitest.Case(500)
	withMail.ID, withMail.Reference, withMail.Status = "case-mail", "SNE-2026-000023", api.StatusInReview
	withMail.Applicant.Email = "K.Krueger@example.org"
	m := loaded(t, 120, 80, 23, withMail)
	m = press(t, m, "5") // Alle (open)
	tests := []struct {
		typed string
		want  func(s store.Summary) bool
	}{
		{"zuständig:müller", func(s store.Summary) bool { return s.Assignee == "crivitz.mueller" }},
		{"zuständig:jörg", func(s store.Summary) bool { return s.Assignee == "crivitz.mueller" }},
		{"assignee:me", func(s store.Summary) bool { return s.Assignee == tuitest.Me.Clerk }},
		{"zuständig:niemand", func(s store.Summary) bool { return s.Assignee == "" }},
		{"özdemir", func(s store.Summary) bool { return s.Assignee == "crivitz.oezdemir" }},
		{"müller", func(s store.Summary) bool {
			return s.Assignee == "crivitz.mueller" || strings.Contains(s.Search, "müller")
		}},
		{"status:neu", func(s store.Summary) bool { return s.Status == api.StatusNew }},
		{"-status:neu", func(s store.Summary) bool { return s.Status != api.StatusNew }},
		{"status:new,unterlagen", func(s store.Summary) bool {
			return s.Status == api.StatusNew || s.Status == api.StatusAwaitingDocuments
		}},
		{"frist<24.11.2026", func(s store.Summary) bool { return s.DueDate != "" && s.DueDate < "2026-11-24" }},
		{"frist>+7", func(s store.Summary) bool { return s.DueDate > "2026-12-01" }},
		{"due:none", func(s store.Summary) bool { return s.DueDate == "" }},
		{"-crivitz", func(s store.Summary) bool { return !strings.Contains(s.Search, "crivitz") }},
		{"leistung:wohngeld -zuständig:ich", func(s store.Summary) bool {
			return strings.HasPrefix(s.ServiceName, "Wohngeld") && s.Assignee != tuitest.Me.Clerk
		}},
		{"GEW-2026-1", func(s store.Summary) bool { return s.Reference == "GEW-2026-000001" }},
		{"sne-2026-23", func(s store.Summary) bool { return s.Reference == "SNE-2026-000023" }},
		{"k.krueger@example.org", func(s store.Summary) bool { return s.ID == "case-mail" }},
	}
	for _, tc := range tests {
		f := press(t, m, "/")
		f = typeText(t, f, tc.typed)
		var want []string
		for _, s := range m.Rows() {
			if tc.want(s) {
				want = append(want, s.ID)
			}
		}
		var got []string
		for _, s := range f.Rows() {
			got = append(got, s.ID)
		}
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%q: rows %v, want %v", tc.typed, got, want)
		}
	}
	// A term the filter cannot read says so where the list would be, within 80 columns.
	for typed, says := range map[string]string{
		"status:xy":   "unbekannter Wert in »status:xy«",
		"farbe:rot":   "unbekanntes Feld »farbe:rot«",
		"frist<31.02": "Datum in »frist<31.02« unlesbar",
	} {
		f := press(t, m, "/")
		f = typeText(t, f, typed)
		if len(f.Rows()) != 0 || !strings.Contains(f.View(), says) {
			t.Errorf("%q: %d rows, view:\n%s", typed, len(f.Rows()), f.View())
		}
	}
}
