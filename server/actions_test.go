package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// testCases is the size of the demo data set most tests use: big enough that every Amt has
// cases of every state and service kind.
const testCases = 200

var fixedNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func startFixed(t *testing.T, opts ...servertest.Option) *servertest.Env {
	return servertest.Start(t, append([]servertest.Option{servertest.WithNow(func() time.Time { return fixedNow }),
		servertest.WithCases(testCases)}, opts...)...)
}

func TestActionErrors(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	clerk := clerkOf(t, env, amt, api.RoleClerk)
	c := newClient(t, env, clerk)
	taken := map[string]bool{}
	rv := reviewable(t, env, c, amt, false, taken)
	closed := findCase(t, env, amt, func(c api.Case) bool { return c.Status == api.StatusClosed })
	nw := findCase(t, env, amt, func(c api.Case) bool { return c.Status == api.StatusNew && !taken[c.ID] })
	long := strings.Repeat("ä", api.MaxNoteRunes+1)
	tests := []struct {
		name    string
		kind    api.ActionKind
		caseID  string
		body    any
		version int64 // 0 = no If-Match; -1 = stale; -2 = "*"; -3 = W/"current"; -4 = current unquoted
		noKey   bool
		status  int
		typ     string
	}{
		{"empty note", api.ActionNote, rv.ID, `{"text":"  "}`, 0, false, 422, api.ProblemValidation},
		{"note too long", api.ActionNote, rv.ID, api.NoteRequest{Text: long}, 0, false, 422, api.ProblemValidation},
		{"note on closed case", api.ActionNote, closed.ID, `{"text":"x"}`, 0, false, 409, api.ProblemConflict},
		{"unknown outcome", api.ActionDecision, rv.ID, `{"outcome":"maybe","reasoning":"x"}`, rv.Version, false, 422, api.ProblemValidation},
		{"negative fee", api.ActionDecision, rv.ID, `{"outcome":"approved","reasoning":"x","feeCents":-1}`, rv.Version, false, 422, api.ProblemValidation},
		{"bad validUntil", api.ActionDecision, rv.ID, `{"outcome":"approved","reasoning":"x","validUntil":"31.12.2027"}`, rv.Version, false, 422, api.ProblemValidation},
		{"decision without If-Match", api.ActionDecision, rv.ID, `{"outcome":"approved","reasoning":"x"}`, 0, false, 428, api.ProblemPreconditionNeeded},
		{"decision stale", api.ActionDecision, rv.ID, `{"outcome":"approved","reasoning":"x"}`, -1, false, 412, api.ProblemPrecondition},
		{"decision If-Match star", api.ActionDecision, rv.ID, `{"outcome":"approved","reasoning":"x"}`, -2, false, 428, api.ProblemPreconditionNeeded},
		{"decision If-Match weak", api.ActionDecision, rv.ID, `{"outcome":"approved","reasoning":"x"}`, -3, false, 412, api.ProblemPrecondition},
		{"decision If-Match bare number", api.ActionDecision, rv.ID, `{"outcome":"approved","reasoning":"x"}`, -4, false, 400, api.ProblemBadRequest},
		{"note with NUL", api.ActionNote, rv.ID, `{"text":"a\u0000b"}`, 0, false, 422, api.ProblemValidation},
		{"decision reasoning with NUL", api.ActionDecision, rv.ID, `{"outcome":"approved","reasoning":"a\u0000"}`, rv.Version, false, 422, api.ProblemValidation},
		{"assignment empty object", api.ActionAssignment, rv.ID, `{}`, rv.Version, false, 422, api.ProblemValidation},
		{"assignment null", api.ActionAssignment, rv.ID, `{"assignee":null}`, rv.Version, false, 422, api.ProblemValidation},
		{"decision from new", api.ActionDecision, nw.ID, `{"outcome":"rejected","reasoning":"x"}`, nw.Version, false, 409, api.ProblemConflict},
		{"decision on closed", api.ActionDecision, closed.ID, `{"outcome":"rejected","reasoning":"x"}`, closed.Version, false, 409, api.ProblemConflict},
		{"approval without proposal", api.ActionApproval, rv.ID, `{"approve":true}`, rv.Version, false, 409, api.ProblemConflict},
		{"assignment without key", api.ActionAssignment, rv.ID, `{"assignee":""}`, rv.Version, true, 400, api.ProblemBadRequest},
		{"assignment unknown clerk", api.ActionAssignment, rv.ID, `{"assignee":"nobody"}`, rv.Version, false, 422, api.ProblemValidation},
		{"assignment without If-Match", api.ActionAssignment, rv.ID, `{"assignee":""}`, 0, false, 428, api.ProblemPreconditionNeeded},
		{"status unknown", api.ActionStatus, rv.ID, `{"status":"done"}`, rv.Version, false, 422, api.ProblemValidation},
		{"status illegal", api.ActionStatus, rv.ID, `{"status":"closed"}`, rv.Version, false, 409, api.ProblemConflict},
		{"status to decided", api.ActionStatus, rv.ID, `{"status":"decided"}`, rv.Version, false, 409, api.ProblemConflict},
		{"status stale", api.ActionStatus, rv.ID, `{"status":"awaiting_documents"}`, -1, false, 412, api.ProblemPrecondition},
		{"resubmission past", api.ActionResubmission, rv.ID, `{"date":"2026-11-23"}`, 0, false, 422, api.ProblemValidation},
		{"resubmission bad date", api.ActionResubmission, rv.ID, `{"date":"2026-02-30"}`, 0, false, 422, api.ProblemValidation},
		{"document request empty", api.ActionDocumentRequest, rv.ID, `{"documents":[],"deadline":"2026-12-24"}`, 0, false, 422, api.ProblemValidation},
		{"document request past", api.ActionDocumentRequest, rv.ID, `{"documents":["Pass"],"deadline":"2020-01-01"}`, 0, false, 422, api.ProblemValidation},
		{"document request closed", api.ActionDocumentRequest, closed.ID, `{"documents":["Pass"],"deadline":"2026-12-24"}`, 0, false, 409, api.ProblemConflict},
		{"bad action id", api.ActionNote, rv.ID, `{"text":"x"}`, 0, false, 400, api.ProblemBadRequest},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("err-%d", i)
			if tt.name == "bad action id" {
				id = strings.Repeat("x", 200)
			}
			path, _ := api.ActionPath(tt.kind, tt.caseID, id, id)
			h := hdr{}
			if !tt.noKey {
				h[api.HeaderIdempotencyKey] = id
			}
			switch {
			case tt.version > 0:
				h["If-Match"] = ifMatch(tt.version)
			case tt.version == -1:
				h["If-Match"] = `"999"`
			case tt.version == -2:
				h["If-Match"] = `*`
			case tt.version == -3:
				h["If-Match"] = "W/" + ifMatch(rv.Version)
			case tt.version == -4:
				h["If-Match"] = fmt.Sprint(rv.Version)
			}
			resp, out := c.do("PUT", env.URL+path, tt.body, h)
			p := wantProblem(t, resp, out, tt.status, tt.typ)
			if tt.status == 412 {
				if p.Case == nil || p.Case.ID != tt.caseID || resp.Header.Get("ETag") != ifMatch(p.Case.Version) {
					t.Fatalf("412 without current case/ETag: %+v %q", p.Case, resp.Header.Get("ETag"))
				}
			}
		})
	}
	// Nothing above changed the case.
	if got := c.getCase(rv.ID); got.Version != rv.Version {
		t.Fatalf("version %d, want %d", got.Version, rv.Version)
	}
}

func TestActionsApply(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	clerk := clerkOf(t, env, amt, api.RoleClerk)
	other := clerkOf(t, env, amt, api.RoleClerk, clerk)
	c := newClient(t, env, clerk)
	cs := reviewable(t, env, c, amt, false, nil)

	cs = c.mustAct(api.ActionNote, cs.ID, "note-1", "", api.NoteRequest{Text: "Rückfrage beim Bauamt\nerledigt"}, 0)
	if n := cs.Notes[len(cs.Notes)-1]; n.ID != "note-1" || n.Actor != clerk || n.Text != "Rückfrage beim Bauamt\nerledigt" {
		t.Fatalf("note = %+v", n)
	}
	cs = c.mustAct(api.ActionAssignment, cs.ID, "assign-1", "", api.AssignmentRequest{Assignee: other}, cs.Version)
	if cs.Assignee != other {
		t.Fatalf("assignee %q", cs.Assignee)
	}
	cs = c.mustAct(api.ActionAssignment, cs.ID, "assign-2", "", api.AssignmentRequest{Assignee: ""}, cs.Version)
	if cs.Assignee != "" {
		t.Fatalf("not unassigned: %q", cs.Assignee)
	}
	cs = c.mustAct(api.ActionResubmission, cs.ID, "wv-1", "", api.ResubmissionRequest{Date: "2026-11-24", Reason: "Anruf"}, 0)
	if cs.Resubmission == nil || cs.Resubmission.Date != "2026-11-24" {
		t.Fatalf("resubmission %+v", cs.Resubmission)
	}
	nreq := len(cs.DocumentRequests)
	cs = c.mustAct(api.ActionDocumentRequest, cs.ID, "nf-1", "", api.DocumentRequestRequest{Documents: []string{"Personalausweis"}, Deadline: "2026-12-08"}, 0)
	if cs.Status != api.StatusAwaitingDocuments || len(cs.DocumentRequests) != nreq+1 {
		t.Fatalf("after document request: %s %d", cs.Status, len(cs.DocumentRequests))
	}
	cs = c.mustAct(api.ActionStatus, cs.ID, "st-1", "", api.StatusRequest{Status: api.StatusInReview}, cs.Version)
	fee := int64(2600)
	cs = c.mustAct(api.ActionDecision, cs.ID, "dec-1", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "ok", FeeCents: &fee, ValidUntil: "2027-12-31"}, cs.Version)
	if cs.Status != api.StatusDecided || cs.Decision == nil || cs.Decision.State != api.DecisionFinal || *cs.Decision.FeeCents != 2600 {
		t.Fatalf("after decision: %s %+v", cs.Status, cs.Decision)
	}
	cs = c.mustAct(api.ActionStatus, cs.ID, "st-2", "", api.StatusRequest{Status: api.StatusClosed}, cs.Version)
	if cs.Status != api.StatusClosed {
		t.Fatal(cs.Status)
	}
	resp, out := c.act(api.ActionAssignment, cs.ID, "assign-3", "", api.AssignmentRequest{Assignee: other}, cs.Version)
	wantProblem(t, resp, out, 409, api.ProblemConflict)

	// The history records every step with server time.
	resp, out = c.do("GET", "/cases/"+cs.ID+"/events", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("events: %d %s", resp.StatusCode, out)
	}
	var evs api.EventList
	mustJSON(t, out, &evs)
	kinds := map[api.EventKind]int{}
	for i, e := range evs.Events {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		kinds[e.Kind]++
	}
	for _, k := range []api.EventKind{api.EventNote, api.EventAssigned, api.EventResubmission, api.EventDocumentRequest,
		api.EventDocumentsReceived, api.EventDecided, api.EventStatusChanged} {
		if kinds[k] == 0 {
			t.Errorf("no %s event", k)
		}
	}
	if kinds[api.EventAssigned] < 2 {
		t.Errorf("assigned events = %d", kinds[api.EventAssigned])
	}
}

func TestReplay(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	cs := reviewable(t, env, c, amt, false, nil)
	events := func() int {
		_, out := c.do("GET", "/cases/"+cs.ID+"/events", nil, nil)
		var l api.EventList
		mustJSON(t, out, &l)
		return len(l.Events)
	}
	before := events()
	var first []byte
	for i := 0; i < 3; i++ {
		resp, out := c.act(api.ActionNote, cs.ID, "note-r", "", `{"text":"einmal"}`, 0)
		if resp.StatusCode != 200 {
			t.Fatalf("try %d: %d %s", i, resp.StatusCode, out)
		}
		if i == 0 {
			first = out
			if resp.Header.Get(api.HeaderIdempotentReplay) != "" {
				t.Fatal("first answer marked as replay")
			}
			continue
		}
		if string(out) != string(first) || resp.Header.Get(api.HeaderIdempotentReplay) != "true" {
			t.Fatalf("replay %d differs or unmarked: %s", i, out)
		}
	}
	got := c.getCase(cs.ID)
	if got.Version != cs.Version+1 || events() != before+1 {
		t.Fatalf("applied more than once: version %d→%d, events %d→%d", cs.Version, got.Version, before, events())
	}
	// Same id, different body.
	resp, out := c.act(api.ActionNote, cs.ID, "note-r", "", `{"text":"anders"}`, 0)
	wantProblem(t, resp, out, 422, api.ProblemUnprocessable)
	// The same request re-encoded (whitespace) is still a replay.
	resp, out = c.act(api.ActionNote, cs.ID, "note-r", "", " {\n  \"text\" : \"einmal\"\n}\n", 0)
	if resp.StatusCode != 200 || string(out) != string(first) {
		t.Fatalf("re-encoded replay: %d %s", resp.StatusCode, out)
	}

	// A replayed state change answers the original result even though its If-Match is now stale
	// (the case is still at the version it produced).
	cur := c.getCase(cs.ID)
	body := api.StatusRequest{Status: api.StatusAwaitingDocuments}
	r1 := c.mustAct(api.ActionStatus, cs.ID, "st-r", "", body, cur.Version)
	resp, out = c.act(api.ActionStatus, cs.ID, "st-r", "", body, cur.Version)
	if resp.StatusCode != 200 || resp.Header.Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatalf("replay of status: %d %s", resp.StatusCode, out)
	}
	var ar api.ActionResult
	mustJSON(t, out, &ar)
	if ar.Case.Version != r1.Version || resp.Header.Get("ETag") != ifMatch(r1.Version) {
		t.Fatalf("replay version %d, want original %d", ar.Case.Version, r1.Version)
	}
	// Even without If-Match, a replay is recognised first.
	resp, _ = c.act(api.ActionStatus, cs.ID, "st-r", "", body, 0)
	if resp.StatusCode != 200 {
		t.Fatalf("replay without If-Match: %d", resp.StatusCode)
	}
	// Once the case has changed since, the record keeps only the version the action produced, not
	// a copy of the case: the resend answers already-applied (the client counts it as delivered
	// and pulls the current case), never applies twice.
	c.mustAct(api.ActionNote, cs.ID, "note-after", "", api.NoteRequest{Text: "danach"}, 0)
	resp, out = c.act(api.ActionStatus, cs.ID, "st-r", "", body, cur.Version)
	wantProblem(t, resp, out, 409, api.ProblemAlreadyApplied)
	// A failed action is not recorded: the same id may be retried with a fresh version.
	cur = c.getCase(cs.ID)
	resp, _ = c.act(api.ActionAssignment, cs.ID, "as-retry", "", api.AssignmentRequest{Assignee: ""}, cur.Version-1)
	if resp.StatusCode != 412 {
		t.Fatalf("stale: %d", resp.StatusCode)
	}
	c.mustAct(api.ActionAssignment, cs.ID, "as-retry", "", api.AssignmentRequest{Assignee: ""}, cur.Version)
}

func TestConcurrentDecisions(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c1 := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	c2 := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk, c1.envClerk(amt)))
	for round := 0; round < 5; round++ {
		cs := reviewable(t, env, c1, amt, false, map[string]bool{})
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, c := range []*client{c1, c2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outcome := []api.Outcome{api.OutcomeApproved, api.OutcomeRejected}[i]
				resp, _ := c.act(api.ActionDecision, cs.ID, fmt.Sprintf("dec-%d-%d", round, i), "",
					api.DecisionRequest{Outcome: outcome, Reasoning: "r"}, cs.Version)
				codes[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		ok, stale := 0, 0
		for _, code := range codes {
			switch code {
			case 200:
				ok++
			case 412:
				stale++
			}
		}
		if ok != 1 || stale != 1 {
			t.Fatalf("round %d: codes %v, want one 200 and one 412", round, codes)
		}
	}
}

// envClerk returns the clerk id of this client's token.
func (c *client) envClerk(amt string) string {
	for id, tok := range c.env.Tokens {
		if tok == c.token {
			return id
		}
	}
	return ""
}

func TestFourEyes(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	clerkID := clerkOf(t, env, amt, api.RoleClerk)
	leadID := clerkOf(t, env, amt, api.RoleLead)
	clerk := newClient(t, env, clerkID)
	lead := newClient(t, env, leadID)
	otherClerk := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk, clerkID))
	taken := map[string]bool{}

	// A clerk proposes; another clerk cannot approve; the lead approves.
	cs := reviewable(t, env, clerk, amt, true, taken)
	cs = clerk.mustAct(api.ActionDecision, cs.ID, "prop-1", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "Einkommen geprüft", Values: grantValues(cs)}, cs.Version)
	if cs.Status != api.StatusDecisionProposed || cs.Decision.State != api.DecisionProposed {
		t.Fatalf("proposal: %s %s", cs.Status, cs.Decision.State)
	}
	resp, out := otherClerk.act(api.ActionApproval, cs.ID, "prop-1", "prop-1", api.ApprovalRequest{Approve: true}, cs.Version)
	wantProblem(t, resp, out, 403, api.ProblemForbidden)
	resp, out = lead.act(api.ActionApproval, cs.ID, "x", "wrong-decision", api.ApprovalRequest{Approve: true}, cs.Version)
	wantProblem(t, resp, out, 404, api.ProblemNotFound)
	resp, out = lead.act(api.ActionDecision, cs.ID, "prop-2", "", api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "x"}, cs.Version)
	wantProblem(t, resp, out, 409, api.ProblemConflict)
	cs = lead.mustAct(api.ActionApproval, cs.ID, "prop-1", "prop-1", api.ApprovalRequest{Approve: true, Comment: "passt"}, cs.Version)
	if cs.Status != api.StatusDecided || cs.Decision.State != api.DecisionFinal || cs.Decision.ApprovedBy != leadID || cs.Decision.Actor != clerkID {
		t.Fatalf("approved: %s %+v", cs.Status, cs.Decision)
	}

	// A lead cannot approve their own proposal.
	cs = reviewable(t, env, lead, amt, true, taken)
	cs = lead.mustAct(api.ActionDecision, cs.ID, "prop-3", "", api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "fehlt"}, cs.Version)
	resp, out = lead.act(api.ActionApproval, cs.ID, "prop-3", "prop-3", api.ApprovalRequest{Approve: true}, cs.Version)
	wantProblem(t, resp, out, 403, api.ProblemForbidden)

	// Returning needs a comment and sends the case back to review.
	cs = reviewable(t, env, clerk, amt, true, taken)
	cs = clerk.mustAct(api.ActionDecision, cs.ID, "prop-4", "", api.DecisionRequest{Outcome: api.OutcomePartiallyApproved, Reasoning: "teils", Values: grantValues(cs)}, cs.Version)
	resp, out = lead.act(api.ActionApproval, cs.ID, "prop-4", "prop-4", api.ApprovalRequest{Approve: false}, cs.Version)
	wantProblem(t, resp, out, 422, api.ProblemValidation)
	cs = lead.mustAct(api.ActionApproval, cs.ID, "prop-4", "prop-4", api.ApprovalRequest{Approve: false, Comment: "Begründung ergänzen"}, cs.Version)
	if cs.Status != api.StatusInReview || cs.Decision.State != api.DecisionReturned {
		t.Fatalf("returned: %s %s", cs.Status, cs.Decision.State)
	}
	// Approval after return: 409; the clerk proposes anew under a new id.
	resp, out = lead.act(api.ActionApproval, cs.ID, "prop-4", "prop-4", api.ApprovalRequest{Approve: true}, cs.Version)
	wantProblem(t, resp, out, 422, api.ProblemUnprocessable) // same decision, different body than recorded
	cs = clerk.mustAct(api.ActionDecision, cs.ID, "prop-5", "", api.DecisionRequest{Outcome: api.OutcomePartiallyApproved, Reasoning: "ergänzt", Values: grantValues(cs)}, cs.Version)
	cs = lead.mustAct(api.ActionApproval, cs.ID, "prop-5", "prop-5", api.ApprovalRequest{Approve: true}, cs.Version)
	if cs.Status != api.StatusDecided {
		t.Fatal(cs.Status)
	}

	// Without If-Match, approval is refused.
	cs = reviewable(t, env, clerk, amt, true, taken)
	cs = clerk.mustAct(api.ActionDecision, cs.ID, "prop-6", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "ok", Values: grantValues(cs)}, cs.Version)
	resp, out = lead.act(api.ActionApproval, cs.ID, "prop-6", "prop-6", api.ApprovalRequest{Approve: true}, 0)
	wantProblem(t, resp, out, http.StatusPreconditionRequired, api.ProblemPreconditionNeeded)
}

func TestForwardedLeavesAmt(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	_, out := c.do("GET", "/changes?limit=1000", nil, nil)
	var page api.ChangePage
	mustJSON(t, out, &page)
	nw := findCase(t, env, amt, func(c api.Case) bool { return c.Status == api.StatusNew && !c.Service.FourEyes })
	c.mustAct(api.ActionDecision, nw.ID, "fwd-1", "", api.DecisionRequest{Outcome: api.OutcomeForwarded, Reasoning: "Zuständig ist der Landkreis"}, nw.Version)
	resp, out := c.do("GET", "/cases/"+nw.ID, nil, nil)
	wantProblem(t, resp, out, 404, api.ProblemNotFound)
	_, out = c.do("GET", "/changes?cursor="+page.NextCursor, nil, nil)
	page = api.ChangePage{}
	mustJSON(t, out, &page)
	if len(page.Items) != 1 || page.Items[0].Kind != api.ChangeDelete || page.Items[0].CaseID != nw.ID || page.Items[0].Case != nil {
		t.Fatalf("tombstone: %+v", page.Items)
	}
	// The forwarding answer can still be replayed.
	resp, _ = c.act(api.ActionDecision, nw.ID, "fwd-1", "", api.DecisionRequest{Outcome: api.OutcomeForwarded, Reasoning: "Zuständig ist der Landkreis"}, nw.Version)
	if resp.StatusCode != 200 || resp.Header.Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatalf("replay after forwarding: %d", resp.StatusCode)
	}
	resp, out = c.act(api.ActionNote, nw.ID, "n-after", "", api.NoteRequest{Text: "x"}, 0)
	wantProblem(t, resp, out, 404, api.ProblemNotFound)
}

// TestApprovalKeyedByClientActionID: two leads approve the same proposal offline, each under its
// own action id (Idempotency-Key). The first wins; the second is told the case changed (412 with
// the current case), not handed the first lead's result as if it were its own.
func TestApprovalKeyedByClientActionID(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	if err := env.Server.CreateClerk(amt, "zweite.leitung", "Zweite Leitung", api.RoleLead); err != nil {
		t.Fatal(err)
	}
	tok, err := env.Server.CreateToken(amt, "zweite.leitung", api.RoleLead)
	if err != nil {
		t.Fatal(err)
	}
	env.Tokens["zweite.leitung"] = tok
	clerk := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	lead1 := newClient(t, env, clerkOf(t, env, amt, api.RoleLead, "zweite.leitung"))
	lead2 := newClient(t, env, "zweite.leitung")

	cs := reviewable(t, env, clerk, amt, true, map[string]bool{})
	cs = clerk.mustAct(api.ActionDecision, cs.ID, "prop-k", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "geprüft"}, cs.Version)
	path, err := api.ActionPath(api.ActionApproval, cs.ID, "", "prop-k")
	if err != nil {
		t.Fatal(err)
	}
	approve := func(c *client, key string) (*http.Response, []byte) {
		return c.do("PUT", env.URL+path, api.ApprovalRequest{Approve: true},
			hdr{api.HeaderIdempotencyKey: key, "If-Match": ifMatch(cs.Version)})
	}
	resp, out := approve(lead1, "appr-lead1")
	if resp.StatusCode != 200 {
		t.Fatalf("first lead: %d %s", resp.StatusCode, out)
	}
	var first api.ActionResult
	mustJSON(t, out, &first)
	if first.ActionID != "appr-lead1" || first.Case.Status != api.StatusDecided {
		t.Fatalf("first result: %s %s", first.ActionID, first.Case.Status)
	}
	resp, out = approve(lead2, "appr-lead2")
	wantProblem(t, resp, out, http.StatusPreconditionFailed, api.ProblemPrecondition)
	// The first lead's resend is a replay of its own result.
	resp, out = approve(lead1, "appr-lead1")
	if resp.StatusCode != 200 || resp.Header.Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatalf("resend: %d replay=%q %s", resp.StatusCode, resp.Header.Get(api.HeaderIdempotentReplay), out)
	}
}
