package server_test

import (
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

// Issue 15 item 5: two clerks' Wiedervorlagen on one case both stay (stored on either backend);
// a clerk's second one replaces only their own; the events carry the reasons.
func TestResubmissionsPerClerk(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	peters := clerkOf(t, env, amt, api.RoleClerk)
	wendt := clerkOf(t, env, amt, api.RoleClerk, peters)
	p, w := newClient(t, env, peters), newClient(t, env, wendt)
	cs := findCase(t, env, amt, func(c api.Case) bool { return c.Status == api.StatusInReview })

	p.mustAct(api.ActionResubmission, cs.ID, "rs-peters", "", api.ResubmissionRequest{Date: "2026-12-16", Reason: "Rückruf Antragsteller"}, 0)
	w.mustAct(api.ActionResubmission, cs.ID, "rs-wendt", "", api.ResubmissionRequest{Date: "2026-12-07", Reason: "Unterlagen prüfen"}, 0)
	w.mustAct(api.ActionResubmission, cs.ID, "rs-wendt-2", "", api.ResubmissionRequest{Date: "2026-12-09"}, 0)

	got := p.getCase(cs.ID) // read back from the store
	rs := casework.Resubmissions(got)
	byActor := map[string]api.Resubmission{}
	for _, r := range rs {
		byActor[r.Actor] = r
	}
	if byActor[peters].ID != "rs-peters" || byActor[peters].Reason != "Rückruf Antragsteller" || byActor[wendt].ID != "rs-wendt-2" {
		t.Fatalf("Wiedervorlagen %+v", rs)
	}
	if got.Resubmission == nil || got.Resubmission.ID != "rs-wendt-2" {
		t.Fatalf("earliest %+v", got.Resubmission)
	}
	var reasons []string
	for _, e := range got.History {
		if e.Kind == api.EventResubmission {
			reasons = append(reasons, e.Detail)
		}
	}
	if len(reasons) < 3 || reasons[len(reasons)-3] != "Rückruf Antragsteller" || reasons[len(reasons)-2] != "Unterlagen prüfen" {
		t.Fatalf("event details %q", reasons)
	}
}

// Issue 15 item 10: a Nachweis is marked as checked through its own action on either backend; the
// second clerk's check of the same evidence is the same action; unknown evidence is 404, a
// finished case 409.
func TestEvidenceChecked(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	aID := clerkOf(t, env, amt, api.RoleClerk)
	a := newClient(t, env, aID)
	b := newClient(t, env, clerkOf(t, env, amt, api.RoleLead))
	unchecked := func(c api.Case) (string, bool) {
		for _, e := range c.Evidence {
			if !e.Verified {
				return e.ID, true
			}
		}
		return "", false
	}
	cs := findCase(t, env, amt, func(c api.Case) bool {
		_, ok := unchecked(c)
		return c.Status.Open() && ok
	})
	evID, _ := unchecked(cs)
	got := a.mustAct(api.ActionEvidenceChecked, cs.ID, evID, evID, api.EvidenceCheckRequest{}, 0)
	var ev api.Evidence
	for _, e := range got.Evidence {
		if e.ID == evID {
			ev = e
		}
	}
	if !ev.Verified || ev.CheckedBy != aID || ev.CheckedAt == nil {
		t.Fatalf("evidence after check: %+v", ev)
	}
	if last := got.History[len(got.History)-1]; last.Kind != api.EventEvidenceChecked || last.Actor != aID {
		t.Fatalf("last event %+v", last)
	}
	resp, _ := b.act(api.ActionEvidenceChecked, cs.ID, evID, evID, api.EvidenceCheckRequest{}, 0)
	if resp.StatusCode != 200 || resp.Header.Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatalf("second check: %d replay=%q", resp.StatusCode, resp.Header.Get(api.HeaderIdempotentReplay))
	}
	if again := a.getCase(cs.ID); again.Version != got.Version {
		t.Fatalf("the second check changed the case: v%d → v%d", got.Version, again.Version)
	}
	resp, body := a.act(api.ActionEvidenceChecked, cs.ID, "nope", "nope", api.EvidenceCheckRequest{}, 0)
	wantProblem(t, resp, body, 404, api.ProblemNotFound)

	// A case that is no longer open: withdrawn (as a new case may be at once). On a four-eyes
	// service a withdrawal is only a proposal and the case stays open, so the case is one without.
	nw := findCase(t, env, amt, func(c api.Case) bool {
		_, ok := unchecked(c)
		return c.Status.Open() && c.Status != api.StatusDecisionProposed && !c.Service.FourEyes && c.ID != cs.ID && ok
	})
	closed := a.mustAct(api.ActionDecision, nw.ID, "wd-1", "", api.DecisionRequest{Outcome: api.OutcomeWithdrawn, Reasoning: "Antrag zurückgenommen"}, nw.Version)
	cev, _ := unchecked(closed)
	resp, body = a.act(api.ActionEvidenceChecked, closed.ID, cev, cev, api.EvidenceCheckRequest{}, 0)
	wantProblem(t, resp, body, 409, api.ProblemConflict)
}
