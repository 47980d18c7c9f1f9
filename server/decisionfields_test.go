package server_test

import (
	"fmt"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

// The server checks a decision against its service's decision fields in the catalogue (issue 15
// item 11): a Wohngeld grant names the monthly amount and the period (required in this
// catalogue), in canonical form, and no field the service does not have; the values are kept on
// the case's decision.
func TestDecisionFieldsValidated(t *testing.T) {
	cat := catalogue.DefaultWithTexts()
	svc, ok := cat.Lookup("99107004018000")
	if !ok || len(svc.Decision) != 2 {
		t.Fatalf("Wohngeld in the catalogue: %v %+v", ok, svc)
	}
	for i := range svc.Decision {
		svc.Decision[i].Required = true
	}
	env := startFixed(t, servertest.WithConfig(func(c *server.Config) { c.Documents.Catalogue = cat }))
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	var wg api.Case
	for i := 0; i < env.Data.N; i++ {
		sc := env.Data.Case(i).Case
		if sc.Amt != amt || sc.Service.Key != svc.Key {
			continue
		}
		if cur := c.getCaseMaybe(sc.ID); cur != nil && (cur.Status == api.StatusNew || cur.Status == api.StatusInReview || cur.Status == api.StatusAwaitingDocuments) {
			if cur.Status != api.StatusInReview {
				*cur = c.mustAct(api.ActionStatus, cur.ID, "prep-"+cur.ID, "", api.StatusRequest{Status: api.StatusInReview}, cur.Version)
			}
			wg = *cur
			break
		}
	}
	if wg.ID == "" {
		t.Fatal("no open Wohngeld case")
	}
	good := map[string]string{"monthlyAmount": "31250", "grantPeriod": "2026-12-01/2027-11-30"}
	tests := []struct {
		name string
		body api.DecisionRequest
	}{
		{"grant without fields", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "x"}},
		{"grant without period", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "x", Values: map[string]string{"monthlyAmount": "31250"}}},
		{"amount in euros", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "x", Values: map[string]string{"monthlyAmount": "312,50", "grantPeriod": good["grantPeriod"]}}},
		{"period reversed", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "x", Values: map[string]string{"monthlyAmount": "31250", "grantPeriod": "2027-11-30/2026-12-01"}}},
		{"unknown field", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "x", Values: map[string]string{"monthlyAmount": "31250", "grantPeriod": good["grantPeriod"], "bonus": "1"}}},
		{"rejection with an amount", api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "x", Values: good}},
	}
	for i, tt := range tests {
		id := fmt.Sprintf("dec-bad-%d", i)
		path, _ := api.ActionPath(api.ActionDecision, wg.ID, id, id)
		resp, out := c.do("PUT", env.URL+path, tt.body, hdr{"If-Match": ifMatch(wg.Version)})
		wantProblem(t, resp, out, 422, api.ProblemValidation)
	}
	got := c.mustAct(api.ActionDecision, wg.ID, "dec-good", "", api.DecisionRequest{Outcome: api.OutcomeApproved,
		Reasoning: "Anspruch nach § 19 WoGG", Values: good}, wg.Version)
	if got.Decision == nil || got.Decision.Values["monthlyAmount"] != "31250" || got.Decision.Values["grantPeriod"] != good["grantPeriod"] {
		t.Fatalf("decision %+v", got.Decision)
	}
	if again := c.getCase(wg.ID); again.Decision == nil || again.Decision.Values["grantPeriod"] != good["grantPeriod"] {
		t.Fatalf("stored decision %+v", again.Decision)
	}
}

// grantValues are valid values for the required decision fields of c's service (a Wohngeld grant
// names amount and period), for tests that grant whatever case they find.
func grantValues(c api.Case) map[string]string {
	var out map[string]string
	for _, f := range c.Service.Decision {
		if !f.Required {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		switch f.Kind {
		case "amount_per_month", "amount_per_year":
			out[f.Name] = "10000"
		case "period":
			out[f.Name] = "2026-12-01/2027-11-30"
		case "date":
			out[f.Name] = "2026-12-01"
		case "text":
			out[f.Name] = "Auflage"
		}
	}
	return out
}
