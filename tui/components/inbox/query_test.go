package inbox

import (
	"slices"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
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

// S reverses the sort order (and back); the info line says which way.
func TestReverseSort(t *testing.T) {
	m := loaded(t, 40, 80, 23)
	m = press(t, m, "5")
	before := m.Rows()
	r := press(t, m, "S")
	after := r.Rows()
	if len(after) != len(before) || len(after) < 2 {
		t.Fatalf("%d rows, want %d", len(after), len(before))
	}
	for i := range after {
		if after[i].ID != before[len(before)-1-i].ID {
			t.Fatalf("row %d: %s, want %s", i, after[i].ID, before[len(before)-1-i].ID)
		}
	}
	if !strings.Contains(r.View(), "Frist ↓") {
		t.Fatalf("info line does not say the order is reversed:\n%s", r.View())
	}
	if back := press(t, r, "S"); back.Rows()[0].ID != before[0].ID || strings.Contains(back.View(), "Frist ↓") {
		t.Fatal("second S did not restore the order")
	}
}

// The current filter (and sort) is saved as a new tab under a name the clerk types; the root is
// told so it can write the view into the config.
func TestSaveFilterAsView(t *testing.T) {
	m := loaded(t, 60, 80, 23)
	m = press(t, m, "5", "/")
	m = typeText(t, m, "zuständig:müller")
	m = press(t, m, "enter")
	want := m.Rows()
	n := len(m.SavedViews())
	m, fx := send(t, m, SaveViewMsg{})
	if !m.CapturingInput() || !strings.Contains(m.View(), "Name der Sicht:") {
		t.Fatalf("no name prompt (toasts %v):\n%s", fx.toasts, m.View())
	}
	m = typeText(t, m, "Müllers")
	m, fx = send(t, m, keyMsg("enter"))
	if len(m.SavedViews()) != n+1 || m.Tab() != n || m.SavedViews()[n].Title() != "Müllers" || m.Query() != "" {
		t.Fatalf("views %d tab %d query %q", len(m.SavedViews()), m.Tab(), m.Query())
	}
	if got := m.Rows(); len(got) != len(want) || got[0].ID != want[0].ID {
		t.Fatalf("saved view shows %d rows, want %d", len(got), len(want))
	}
	var saved *common.ViewSavedMsg
	for _, msg := range fx.msgs {
		if v, ok := msg.(common.ViewSavedMsg); ok {
			saved = &v
		}
	}
	if saved == nil || saved.View != (common.ViewConfig{Name: "Müllers", Filter: "status:open zuständig:müller", Sort: "due"}) {
		t.Fatalf("root told %+v (msgs %v)", saved, fx.msgs)
	}
	// Nothing typed: nothing to save, and the clerk is told how.
	_, fx = send(t, press(t, m, "1"), SaveViewMsg{})
	if len(fx.toasts) != 1 || !strings.Contains(fx.toasts[0].Text, "/") {
		t.Fatalf("toasts %v", fx.toasts)
	}
}
