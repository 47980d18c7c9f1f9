package casework

import (
	"errors"
	"testing"

	"github.com/amt-mv/amt/api"
)

var (
	clerk  = Clerk{ID: "crivitz.wendt", Role: api.RoleClerk}
	lead   = Clerk{ID: "crivitz.schulz", Role: api.RoleLead}
	deputy = Clerk{ID: "crivitz.peters", Role: api.RoleDeputy}
)

// caseIn returns a four-eyes case in status st; a decision_proposed case carries the proposal of
// proposer.
func caseIn(st api.Status, proposer string) api.Case {
	c := api.Case{ID: "c1", Status: st, Service: api.Service{FourEyes: true}}
	switch st {
	case api.StatusDecisionProposed:
		c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, State: api.DecisionProposed, Actor: proposer}
	case api.StatusDecided:
		c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, State: api.DecisionFinal, Actor: proposer}
	}
	return c
}

// TestPreconditions is the rule table: which kind of action is allowed in which status, and why
// not. Approval is the only role-dependent rule; it is checked below.
func TestPreconditions(t *testing.T) {
	const (
		ok   = ""
		fin  = ReasonFinished
		wait = ReasonAwaitingApproval
		none = ReasonNoProposal
		prq  = ReasonNotInPrintQueue // the cases of this table have no documents
		evc  = ReasonEvidenceChecked // … and no unchecked evidence
	)
	type row map[api.ActionKind]Reason
	table := map[api.Status]row{
		api.StatusNew:               {api.ActionNote: ok, api.ActionDecision: ok, api.ActionAssignment: ok, api.ActionStatus: ok, api.ActionResubmission: ok, api.ActionDocumentRequest: ok, api.ActionApproval: none, api.ActionPrinted: prq, api.ActionEvidenceChecked: evc},
		api.StatusInReview:          {api.ActionNote: ok, api.ActionDecision: ok, api.ActionAssignment: ok, api.ActionStatus: ok, api.ActionResubmission: ok, api.ActionDocumentRequest: ok, api.ActionApproval: none, api.ActionPrinted: prq, api.ActionEvidenceChecked: evc},
		api.StatusAwaitingDocuments: {api.ActionNote: ok, api.ActionDecision: ok, api.ActionAssignment: ok, api.ActionStatus: ok, api.ActionResubmission: ok, api.ActionDocumentRequest: ok, api.ActionApproval: none, api.ActionPrinted: prq, api.ActionEvidenceChecked: evc},
		api.StatusDecisionProposed:  {api.ActionNote: ok, api.ActionDecision: wait, api.ActionAssignment: ok, api.ActionStatus: ok, api.ActionResubmission: ok, api.ActionDocumentRequest: wait, api.ActionApproval: ok, api.ActionPrinted: prq, api.ActionEvidenceChecked: evc},
		api.StatusDecided:           {api.ActionNote: ok, api.ActionDecision: fin, api.ActionAssignment: fin, api.ActionStatus: ok, api.ActionResubmission: fin, api.ActionDocumentRequest: fin, api.ActionApproval: none, api.ActionPrinted: prq, api.ActionEvidenceChecked: fin},
		api.StatusClosed:            {api.ActionNote: fin, api.ActionDecision: fin, api.ActionAssignment: fin, api.ActionStatus: fin, api.ActionResubmission: fin, api.ActionDocumentRequest: fin, api.ActionApproval: none, api.ActionPrinted: prq, api.ActionEvidenceChecked: fin},
		api.StatusWithdrawn:         {api.ActionNote: fin, api.ActionDecision: fin, api.ActionAssignment: fin, api.ActionStatus: fin, api.ActionResubmission: fin, api.ActionDocumentRequest: fin, api.ActionApproval: none, api.ActionPrinted: prq, api.ActionEvidenceChecked: fin},
		api.StatusForwarded:         {api.ActionNote: fin, api.ActionDecision: fin, api.ActionAssignment: fin, api.ActionStatus: fin, api.ActionResubmission: fin, api.ActionDocumentRequest: fin, api.ActionApproval: none, api.ActionPrinted: prq, api.ActionEvidenceChecked: fin},
	}
	if len(table) != len(api.Statuses) {
		t.Fatalf("table covers %d of %d statuses", len(table), len(api.Statuses))
	}
	for st, r := range table {
		if len(r) != len(api.ActionKinds) {
			t.Fatalf("%s: table covers %d of %d kinds", st, len(r), len(api.ActionKinds))
		}
		for kind, want := range r {
			err := Allowed(kind, caseIn(st, clerk.ID), lead)
			if got := reasonOf(t, err); got != want {
				t.Errorf("%s × %s: reason %q, want %q (%v)", st, kind, got, want, err)
			}
			if err != nil {
				var rf *Refusal
				errors.As(err, &rf)
				if rf.Kind != kind || rf.From != st || rf.Detail == "" {
					t.Errorf("%s × %s: refusal %+v lacks kind, status or text", st, kind, rf)
				}
			}
		}
	}
}

func reasonOf(t *testing.T, err error) Reason {
	t.Helper()
	if err == nil {
		return ""
	}
	var rf *Refusal
	if !errors.As(err, &rf) {
		t.Fatalf("%v is not a *Refusal", err)
	}
	return rf.Reason
}

func TestApprovalByRole(t *testing.T) {
	tests := []struct {
		name       string
		who        Clerk
		proposer   string
		decisionID string
		want       Reason
		forbidden  bool
	}{
		{"lead approves a colleague's proposal", lead, clerk.ID, "", "", false},
		{"deputy approves like a lead", deputy, clerk.ID, "", "", false},
		{"a clerk may not", clerk, "crivitz.other", "", ReasonNotApprover, true},
		{"an unknown role may not", Clerk{ID: "x", Role: "admin"}, clerk.ID, "", ReasonNotApprover, true},
		{"a lead's own proposal", lead, lead.ID, "", ReasonOwnProposal, true},
		{"a deputy's own proposal", deputy, deputy.ID, "", ReasonOwnProposal, true},
		{"the proposed decision by id", lead, clerk.ID, "d1", "", false},
		{"another decision", lead, clerk.ID, "d0", ReasonOtherDecision, false},
	}
	for _, tt := range tests {
		err := ApprovalAllowed(caseIn(api.StatusDecisionProposed, tt.proposer), tt.who, tt.decisionID)
		if got := reasonOf(t, err); got != tt.want {
			t.Errorf("%s: reason %q, want %q", tt.name, got, tt.want)
		}
		var rf *Refusal
		if errors.As(err, &rf) && rf.Forbidden() != tt.forbidden {
			t.Errorf("%s: Forbidden() = %v", tt.name, rf.Forbidden())
		}
	}
	// A decision returned or already final is no proposal, even in the proposed status.
	c := caseIn(api.StatusDecisionProposed, clerk.ID)
	c.Decision.State = api.DecisionReturned
	if got := reasonOf(t, CanApprove(c, lead)); got != ReasonNoProposal {
		t.Errorf("returned decision: %q", got)
	}
	c.Decision = nil
	if got := reasonOf(t, CanApprove(c, lead)); got != ReasonNoProposal {
		t.Errorf("no decision: %q", got)
	}
}

// TestCheckConcreteActions: what depends on the body beyond the kind's precondition.
func TestCheckConcreteActions(t *testing.T) {
	dec := func(o api.Outcome) Body {
		return Body{Kind: api.ActionDecision, Decision: &api.DecisionRequest{Outcome: o}}
	}
	status := func(s api.Status) Body { return Body{Kind: api.ActionStatus, Status: &api.StatusRequest{Status: s}} }
	tests := []struct {
		st   api.Status
		b    Body
		want Reason
	}{
		{api.StatusNew, dec(api.OutcomeApproved), ReasonTransition}, // the review starts first
		{api.StatusNew, dec(api.OutcomeWithdrawn), ""},
		{api.StatusNew, dec(api.OutcomeForwarded), ""},
		{api.StatusInReview, dec(api.OutcomeRejected), ""},
		{api.StatusAwaitingDocuments, dec(api.OutcomePartiallyApproved), ""},
		{api.StatusDecisionProposed, dec(api.OutcomeWithdrawn), ReasonAwaitingApproval},
		{api.StatusDecided, dec(api.OutcomeApproved), ReasonFinished},
		{api.StatusNew, status(api.StatusInReview), ""},
		{api.StatusNew, status(api.StatusAwaitingDocuments), ReasonTransition},
		{api.StatusInReview, status(api.StatusNew), ReasonTransition},
		{api.StatusAwaitingDocuments, status(api.StatusInReview), ""},
		{api.StatusDecisionProposed, status(api.StatusWithdrawn), ""},
		{api.StatusDecided, status(api.StatusClosed), ""},
		{api.StatusDecided, status(api.StatusInReview), ReasonTransition},
		{api.StatusClosed, status(api.StatusDecided), ReasonFinished},
		{api.StatusInReview, Body{Kind: api.ActionNote, Note: &api.NoteRequest{Text: "x"}}, ""},
		{api.StatusClosed, Body{Kind: api.ActionNote, Note: &api.NoteRequest{Text: "x"}}, ReasonFinished},
	}
	for _, tt := range tests {
		err := Check(caseIn(tt.st, clerk.ID), lead, tt.b, "")
		if got := reasonOf(t, err); got != tt.want {
			t.Errorf("%s × %s %v: reason %q, want %q (%v)", tt.st, tt.b.Kind, tt.b.Request(), got, tt.want, err)
		}
	}
	if StartsReview(caseIn(api.StatusNew, ""), api.OutcomeApproved) != true ||
		StartsReview(caseIn(api.StatusNew, ""), api.OutcomeForwarded) ||
		StartsReview(caseIn(api.StatusInReview, ""), api.OutcomeApproved) {
		t.Error("StartsReview: only a new case decided other than withdrawn/forwarded starts its review first")
	}
	for _, s := range api.Statuses {
		for _, who := range []Clerk{clerk, lead, {ID: "other", Role: api.RoleClerk}} {
			c := caseIn(s, clerk.ID)
			for _, to := range StatusTargets(c, who) {
				if err := StatusChangeAllowed(c, who, to); err != nil {
					t.Errorf("offered target %s from %s to %s refused: %v", to, s, who.ID, err)
				}
			}
			if (len(StatusTargets(c, who)) == 0) != (CanChangeStatus(c, who) != nil) {
				t.Errorf("%s, %s: CanChangeStatus disagrees with StatusTargets", s, who.ID)
			}
		}
	}
}

// TestFourEyesCannotBeBypassed (issue 16 item 5): on a four-eyes case, forwarding and withdrawing
// by decision are proposals like any other outcome, withdrawing by status needs a lead or deputy,
// and nobody but the proposer takes a proposal back (a lead returns it through the approval).
func TestFourEyesCannotBeBypassed(t *testing.T) {
	other := Clerk{ID: "crivitz.krueger", Role: api.RoleClerk}
	for _, o := range api.Outcomes {
		if !NeedsApproval(caseIn(api.StatusInReview, ""), o) {
			t.Errorf("four-eyes %s is final without approval", o)
		}
		if NeedsApproval(api.Case{Status: api.StatusInReview}, o) {
			t.Errorf("%s on a case without four-eyes needs approval", o)
		}
	}
	status := func(s api.Status) Body { return Body{Kind: api.ActionStatus, Status: &api.StatusRequest{Status: s}} }
	tests := []struct {
		name      string
		st        api.Status
		fourEyes  bool
		who       Clerk
		to        api.Status
		want      Reason
		forbidden bool
	}{
		{"clerk withdraws a four-eyes case", api.StatusInReview, true, clerk, api.StatusWithdrawn, ReasonNeedsApprover, true},
		{"clerk withdraws over a colleague's proposal", api.StatusDecisionProposed, true, other, api.StatusWithdrawn, ReasonNeedsApprover, true},
		{"proposer withdraws the case over own proposal", api.StatusDecisionProposed, true, clerk, api.StatusWithdrawn, ReasonNeedsApprover, true},
		{"lead withdraws a four-eyes case", api.StatusInReview, true, lead, api.StatusWithdrawn, "", false},
		{"deputy withdraws a proposed case", api.StatusDecisionProposed, true, deputy, api.StatusWithdrawn, "", false},
		{"clerk withdraws a case without four-eyes", api.StatusInReview, false, clerk, api.StatusWithdrawn, "", false},
		{"proposer takes the proposal back", api.StatusDecisionProposed, true, clerk, api.StatusInReview, "", false},
		{"colleague takes a proposal back", api.StatusDecisionProposed, true, other, api.StatusInReview, ReasonNotProposer, true},
		{"lead takes another's proposal back", api.StatusDecisionProposed, true, lead, api.StatusInReview, ReasonNotProposer, true},
	}
	for _, tt := range tests {
		c := caseIn(tt.st, clerk.ID)
		c.Service.FourEyes = tt.fourEyes
		err := Check(c, tt.who, status(tt.to), "")
		if got := reasonOf(t, err); got != tt.want {
			t.Errorf("%s: reason %q, want %q (%v)", tt.name, got, tt.want, err)
		}
		var rf *Refusal
		if errors.As(err, &rf) && rf.Forbidden() != tt.forbidden {
			t.Errorf("%s: Forbidden() = %v", tt.name, rf.Forbidden())
		}
		offered := false
		for _, s := range StatusTargets(c, tt.who) {
			offered = offered || s == tt.to
		}
		if offered != (tt.want == "") {
			t.Errorf("%s: StatusTargets offers it: %v", tt.name, offered)
		}
	}
}

// TestApprovers: who else in the Amt could approve a proposal — the warning before proposing.
func TestApprovers(t *testing.T) {
	clerks := []api.Clerk{{ID: lead.ID, Role: api.RoleLead}, {ID: clerk.ID, Role: api.RoleClerk}, {ID: "crivitz.krueger", Role: api.RoleClerk}}
	if got := Approvers(clerks, clerk.ID); len(got) != 1 || got[0].ID != lead.ID {
		t.Errorf("a clerk's proposal: %v", got)
	}
	if got := Approvers(clerks, lead.ID); len(got) != 0 {
		t.Errorf("the only lead's proposal: %v, want nobody", got)
	}
	clerks = append(clerks, api.Clerk{ID: deputy.ID, Role: api.RoleDeputy})
	if got := Approvers(clerks, lead.ID); len(got) != 1 || got[0].ID != deputy.ID {
		t.Errorf("lead with a deputy: %v", got)
	}
}
