package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
)

// `amt list --query` speaks the inbox's filter language (package query): fields, exclusions,
// assignee names, short Aktenzeichen (issue 15 item 7).
func TestListQueryLanguage(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	c.must(exitOffline, "assign", caseReview, "--to", clerkB, "--server", deadServer)
	ids := func(q string) []string {
		t.Helper()
		var rows []caseJSON
		if err := json.Unmarshal([]byte(c.must(0, "list", "--query", q, "--json")), &rows); err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	var all []caseJSON
	if err := json.Unmarshal([]byte(c.must(0, "list", "--json")), &all); err != nil {
		t.Fatal(err)
	}
	pick := func(f func(r caseJSON) bool) []string {
		var out []string
		for _, r := range all {
			if f(r) {
				out = append(out, r.ID)
			}
		}
		return out
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"zuständig:meier", []string{caseReview}},
		{"jens", []string{caseReview}}, // the assignee's name
		{"GEW-2026-4", []string{caseReview}},
		{"status:neu -wohngeld", pick(func(r caseJSON) bool { return r.Status == api.StatusNew && r.Service != "Wohngeld" })},
		{"leistung:wohngeld status:offen", pick(func(r caseJSON) bool { return r.Service == "Wohngeld" && r.Status.Open() })},
	}
	for _, tc := range tests {
		if got := ids(tc.q); len(tc.want) == 0 || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.q, got, tc.want)
		}
	}
	if code, _, errs := c.run("list", "--query", "farbe:rot"); code != exitUsage || !strings.Contains(errs, "»farbe:rot«") {
		t.Fatalf("bad field: %d %s", code, errs)
	}
}
