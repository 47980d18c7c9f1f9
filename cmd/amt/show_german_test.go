package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// `amt show` printed "Zahlung: 50,00 € (pending)", "Bewilligt (proposed), crivitz.wendt" and ISO
// dates in the German output: it now reads like the terminal app (names, German words and dates).
func TestShowSpeaksGerman(t *testing.T) {
	fee := int64(5000)
	at := time.Date(2026, 11, 24, 9, 14, 0, 0, time.Local)
	c := api.Case{ID: "case-000023", Reference: "SNE-2026-000023", Status: api.StatusDecisionProposed,
		Service: api.Service{Key: "99107004000000", Name: "Wohngeld"}, DueDate: "2026-12-16",
		Assignee: "crivitz.wendt", SubmittedAt: at,
		Payment:      &api.Payment{AmountCents: 5000, Status: "pending"},
		Decision:     &api.Decision{Outcome: api.OutcomeApproved, State: "proposed", Actor: "crivitz.wendt", FeeCents: &fee, Reasoning: "passt", ValidUntil: "2027-11-30"},
		Notes:        []api.Note{{Actor: "crivitz.schulz", Text: "Rückruf", CreatedAt: at}},
		Resubmission: &api.Resubmission{Date: "2026-12-07", Reason: "Rückruf"},
	}
	clerks := []api.Clerk{{ID: "crivitz.wendt", Name: "Tobias Wendt"}, {ID: "crivitz.schulz", Name: "Kerstin Schulz"}}
	for _, lang := range []string{"de", "en"} {
		var out bytes.Buffer
		a := &app{stdout: &out, lang: lang, clerks: clerks}
		a.printCase(c, nil)
		s := out.String()
		if lang == "de" {
			for _, bad := range []string{"(pending)", "(proposed)", "crivitz.wendt", "crivitz.schulz"} {
				if strings.Contains(s, bad) {
					t.Errorf("German show has %q:\n%s", bad, s)
				}
			}
			if iso := regexp.MustCompile(`\d{4}-\d\d-\d\d`).FindString(s); iso != "" {
				t.Errorf("German show has the ISO date %s:\n%s", iso, s)
			}
			for _, want := range []string{"Zahlung: 50,00 € (offen)", "(zur Freigabe), Tobias Wendt", "24.11.2026 09:14 Kerstin Schulz", "Zuständig: Tobias Wendt", "16.12.2026"} {
				if !strings.Contains(s, want) {
					t.Errorf("German show lacks %q:\n%s", want, s)
				}
			}
		} else if !strings.Contains(s, "(pending)") || !strings.Contains(s, "(proposed), Tobias Wendt") {
			t.Errorf("English show:\n%s", s)
		}
	}
}
