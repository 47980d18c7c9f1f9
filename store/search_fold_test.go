package store

import (
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
)

// TestSearchTextPerFieldAndFolded (issue #16 item 8): a 100,000-character service name no longer
// pushes the applicant out of search (each field is capped on its own), and invisible or
// compatibility characters in the applicant's name do not hide it from "max mustermann"; the
// applicant's e-mail address is searchable (issue 15 item 7).
func TestSearchTextPerFieldAndFolded(t *testing.T) {
	c := &api.Case{
		Reference: "HST-2026-000012",
		Service:   api.Service{Name: strings.Repeat("Hundesteuer ", 100000/12)},
		Applicant: api.Applicant{Name: "Max\u200b Mus\u00adtermann", Email: "Max.Mustermann@Example.org"},
		Sections:  []api.Section{{Fields: []api.Field{{Label: "Ort", Value: "ＣＲＩＶＩＴＺ"}}}},
	}
	s := summaryOf(c)
	for _, want := range []string{"hst-2026-000012", "max mustermann", "crivitz", "max.mustermann@example.org"} {
		if !strings.Contains(s.Search, want) {
			t.Errorf("search text lacks %q", want)
		}
	}
	if len(s.Search) > MaxSearchBytes {
		t.Fatalf("search text %d bytes", len(s.Search))
	}
}
