package letter

import (
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// A Wohngeld Bescheid states the monthly amount and the period of the grant (issue 15 item 11),
// worded from the decision's values and the catalogue's labels; a rejection states neither.
func TestBescheidStatesDecisionValues(t *testing.T) {
	svc, ok := builtin.Lookup("99107004018000")
	if !ok {
		t.Fatal("Wohngeld not in the catalogue")
	}
	c := api.Case{ID: "c1", Reference: "WOG-2026-000012", Service: svc.APIService(),
		Applicant:   api.Applicant{Kind: "person", Name: "Marie Fuchs", Address: "Am See 3, 19089 Crivitz"},
		SubmittedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		Decision: &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, Reasoning: "Anspruch nach § 19 WoGG.",
			Values: map[string]string{"monthlyAmount": "31250", "grantPeriod": "2026-12-01/2027-11-30"}, State: api.DecisionFinal}}
	in := Input{Case: c, Sender: Sender{Name: "Amt Crivitz"}, Service: svc, Clerk: "Anja Peters",
		Date: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	txt := ForDecision(in).Text()
	for _, w := range []string{"Wohngeld monatlich: 312,50 € monatlich.", "Bewilligungszeitraum: 01.12.2026 bis 30.11.2027."} {
		if !strings.Contains(txt, w) {
			t.Errorf("missing %q in\n%s", w, txt)
		}
	}
	c.Decision.Outcome = api.OutcomeRejected
	in.Case = c
	if txt := ForDecision(in).Text(); strings.Contains(txt, "312,50") {
		t.Errorf("a rejection states the amount:\n%s", txt)
	}
}
