package server_test

import (
	"net/http"
	"testing"

	"github.com/amt-mv/amt/api"
)

// TestFourEyesBypass reproduces issue 16 item 5: a clerk who is not the assignee forwarded a
// four-eyes case out of the Amt at once (the lead then got 404 for good), and a clerk withdrew a
// case over a colleague's open proposal. Forwarding and withdrawing now go through the approval
// (a clerk's forwarding is a proposal, withdrawing by status needs a lead or deputy), only the
// proposer takes a proposal back, and a forwarded case stays readable to the Amt's leads.
func TestFourEyesBypass(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	clerkID := clerkOf(t, env, amt, api.RoleClerk)
	leadID := clerkOf(t, env, amt, api.RoleLead)
	clerk := newClient(t, env, clerkID)
	other := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk, clerkID))
	lead := newClient(t, env, leadID)
	taken := map[string]bool{}

	// A clerk's forwarding of a four-eyes case is only proposed: the case stays with the Amt.
	cs := reviewable(t, env, other, amt, true, taken)
	cs = other.mustAct(api.ActionDecision, cs.ID, "fwd-1", "", api.DecisionRequest{Outcome: api.OutcomeForwarded, Reasoning: "Landkreis"}, cs.Version)
	if cs.Status != api.StatusDecisionProposed || cs.Decision.State != api.DecisionProposed {
		t.Fatalf("a clerk's forwarding: %s %s, want a proposal", cs.Status, cs.Decision.State)
	}
	if got := lead.getCase(cs.ID); got.Status != api.StatusDecisionProposed {
		t.Fatalf("lead sees %s", got.Status)
	}
	// Another clerk cannot withdraw over the colleague's proposal, nor can the proposer.
	for _, c := range []*client{clerk, other} {
		resp, out := c.act(api.ActionStatus, cs.ID, "wd-"+c.envClerk(amt), "", api.StatusRequest{Status: api.StatusWithdrawn}, cs.Version)
		wantProblem(t, resp, out, http.StatusForbidden, api.ProblemForbidden)
	}
	// Nor take it back: only its proposer does.
	resp, out := clerk.act(api.ActionStatus, cs.ID, "back-x", "", api.StatusRequest{Status: api.StatusInReview}, cs.Version)
	wantProblem(t, resp, out, http.StatusForbidden, api.ProblemForbidden)
	// The lead approves the forwarding: the case leaves, yet stays readable to the lead as a
	// closed record; the clerks no longer see it and nobody acts on it.
	cs = lead.mustAct(api.ActionApproval, cs.ID, "fwd-1-ok", "fwd-1", api.ApprovalRequest{Approve: true}, cs.Version)
	if cs.Status != api.StatusForwarded {
		t.Fatalf("approved forwarding: %s", cs.Status)
	}
	if got := lead.getCase(cs.ID); got.Status != api.StatusForwarded || got.Decision == nil || got.Decision.ApprovedBy != leadID {
		t.Fatalf("lead reads the forwarded case: %s %+v", got.Status, got.Decision)
	}
	resp, _ = lead.do("GET", "/cases/"+cs.ID+"/events", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lead reads the forwarded case's events: %d", resp.StatusCode)
	}
	resp, out = other.do("GET", "/cases/"+cs.ID, nil, nil)
	wantProblem(t, resp, out, 404, api.ProblemNotFound)
	resp, out = lead.act(api.ActionNote, cs.ID, "n-after", "", api.NoteRequest{Text: "x"}, 0)
	if resp.StatusCode != 404 && resp.StatusCode != 409 {
		t.Fatalf("note on a forwarded case: %d %s", resp.StatusCode, out)
	}

	// Withdrawing a four-eyes case by status: a clerk is refused, the lead may.
	cs = reviewable(t, env, clerk, amt, true, taken)
	resp, out = clerk.act(api.ActionStatus, cs.ID, "wd-1", "", api.StatusRequest{Status: api.StatusWithdrawn}, cs.Version)
	wantProblem(t, resp, out, http.StatusForbidden, api.ProblemForbidden)
	cs = lead.mustAct(api.ActionStatus, cs.ID, "wd-2", "", api.StatusRequest{Status: api.StatusWithdrawn}, cs.Version)
	if cs.Status != api.StatusWithdrawn {
		t.Fatal(cs.Status)
	}
}

// TestProposalWithdrawnAndDeputy (issue 15 item 1): the proposer takes a proposal back before
// it is approved, and in an Amt with one lead a deputy approves the lead's proposal.
func TestProposalWithdrawnAndDeputy(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	leadID := clerkOf(t, env, amt, api.RoleLead)
	lead := newClient(t, env, leadID)
	taken := map[string]bool{}

	cs := reviewable(t, env, lead, amt, true, taken)
	cs = lead.mustAct(api.ActionDecision, cs.ID, "own-1", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "ok"}, cs.Version)
	resp, out := lead.act(api.ActionApproval, cs.ID, "own-1", "own-1", api.ApprovalRequest{Approve: true}, cs.Version)
	wantProblem(t, resp, out, http.StatusForbidden, api.ProblemForbidden)
	cs = lead.mustAct(api.ActionStatus, cs.ID, "own-1-back", "", api.StatusRequest{Status: api.StatusInReview}, cs.Version)
	if cs.Status != api.StatusInReview || cs.Decision.State != api.DecisionReturned {
		t.Fatalf("taken back: %s %s", cs.Status, cs.Decision.State)
	}
	if h := cs.History; len(h) == 0 || h[len(h)-1].Kind != api.EventDecisionWithdrawn || h[len(h)-1].Actor != leadID {
		t.Fatalf("history after taking back: %+v", h[len(h)-1])
	}

	// A deputy (token role) approves the lead's new proposal.
	if err := env.Server.CreateClerk(amt, "stellv", "Stell Vertretung", api.RoleDeputy); err != nil {
		t.Fatal(err)
	}
	tok, err := env.Server.CreateToken(amt, "stellv", api.RoleDeputy)
	if err != nil {
		t.Fatal(err)
	}
	env.Tokens["stellv"] = tok
	deputy := newClient(t, env, "stellv")
	cs = lead.mustAct(api.ActionDecision, cs.ID, "own-2", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "ok"}, cs.Version)
	cs = deputy.mustAct(api.ActionApproval, cs.ID, "own-2", "own-2", api.ApprovalRequest{Approve: true}, cs.Version)
	if cs.Status != api.StatusDecided || cs.Decision.ApprovedBy != "stellv" {
		t.Fatalf("deputy's approval: %s %+v", cs.Status, cs.Decision)
	}
}
