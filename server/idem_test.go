package server_test

import (
	"bufio"
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// testClock is the server's injected clock; tests move it forward.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// metric returns the value of an unlabelled metric from GET /metrics.
func metric(t *testing.T, c *client, name string) int64 {
	t.Helper()
	resp, out := c.do("GET", c.env.URL+"/metrics", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return n
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}

// TestIdempotencyRetention: within the retention every action's resend answers the original
// result; after it, a prune pass turns the records into fingerprints and a resend of any kind
// answers 409 already-applied, never applied twice (not stopped by a stale If-Match either: the
// fingerprint is consulted first). The record of an open four-eyes proposal is kept until the
// proposal is decided, so neither the proposer's resend nor the lead's approval breaks.
func TestIdempotencyRetention(t *testing.T) {
	const retention = 90 * 24 * time.Hour
	t0 := fixedNow
	clock := &testClock{now: t0}
	env := servertest.Start(t, servertest.WithNow(clock.Now), servertest.WithCases(testCases))
	amt := env.Data.Amts[0].ID
	clerk := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	lead := newClient(t, env, clerkOf(t, env, amt, api.RoleLead))
	taken := map[string]bool{}

	type action struct {
		name    string
		c       *client
		kind    api.ActionKind
		caseID  string
		id, sub string
		body    any
		version int64 // If-Match sent; 0 = none
		status  int   // answer to the resend after the retention
		typ     string
		first   []byte
	}
	var acts []*action
	// reviewable moves a case to in_review with a status action when it is not there yet: that
	// leaves a record too.
	preps := 0
	review := func(fourEyes bool) api.Case {
		t.Helper()
		cs := reviewable(t, env, clerk, amt, fourEyes, taken)
		if findCase(t, env, amt, func(c api.Case) bool { return c.ID == cs.ID }).Status != api.StatusInReview {
			preps++
		}
		return cs
	}
	do := func(a *action) api.Case {
		t.Helper()
		resp, out := a.c.act(a.kind, a.caseID, a.id, a.sub, a.body, a.version)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", a.name, resp.StatusCode, out)
		}
		a.first = out
		acts = append(acts, a)
		var ar api.ActionResult
		mustJSON(t, out, &ar)
		return ar.Case
	}

	// Appends and a re-assignment on one case, a status change on another, a final decision, a
	// four-eyes decision with its approval, and an open four-eyes proposal.
	a := review(false)
	a = do(&action{name: "note", c: clerk, kind: api.ActionNote, caseID: a.ID, id: "ret-note",
		body: api.NoteRequest{Text: "Rückruf vereinbart"}, status: 409, typ: api.ProblemAlreadyApplied})
	a = do(&action{name: "document request", c: clerk, kind: api.ActionDocumentRequest, caseID: a.ID, id: "ret-docs",
		body: api.DocumentRequestRequest{Documents: []string{"Meldebescheinigung"}, Deadline: "2027-06-30"}, status: 409, typ: api.ProblemAlreadyApplied})
	a = do(&action{name: "resubmission", c: clerk, kind: api.ActionResubmission, caseID: a.ID, id: "ret-resub",
		body: api.ResubmissionRequest{Date: "2027-06-30"}, status: 409, typ: api.ProblemAlreadyApplied})
	do(&action{name: "assignment", c: clerk, kind: api.ActionAssignment, caseID: a.ID, id: "ret-assign",
		body: api.AssignmentRequest{Assignee: ""}, version: a.Version, status: 409, typ: api.ProblemAlreadyApplied})
	b := review(false)
	do(&action{name: "status", c: clerk, kind: api.ActionStatus, caseID: b.ID, id: "ret-status",
		body: api.StatusRequest{Status: api.StatusAwaitingDocuments}, version: b.Version, status: 409, typ: api.ProblemAlreadyApplied})
	c := review(false)
	do(&action{name: "decision", c: clerk, kind: api.ActionDecision, caseID: c.ID, id: "ret-dec",
		body: api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "unvollständig"}, version: c.Version, status: 409, typ: api.ProblemAlreadyApplied})
	d := review(true)
	d = do(&action{name: "four-eyes proposal", c: clerk, kind: api.ActionDecision, caseID: d.ID, id: "ret-prop",
		body: api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "geprüft"}, version: d.Version, status: 409, typ: api.ProblemAlreadyApplied})
	do(&action{name: "approval (decision id as key)", c: lead, kind: api.ActionApproval, caseID: d.ID, id: "ret-prop", sub: "ret-prop",
		body: api.ApprovalRequest{Approve: true}, version: d.Version, status: 409, typ: api.ProblemAlreadyApplied})
	e := review(true)
	e = do(&action{name: "open proposal", c: clerk, kind: api.ActionDecision, caseID: e.ID, id: "ret-open",
		body: api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "geprüft"}, version: e.Version, status: 200})

	resend := func(a *action) (*http.Response, []byte) {
		t.Helper()
		return a.c.act(a.kind, a.caseID, a.id, a.sub, a.body, a.version)
	}
	wantReplay := func(when string, a *action) {
		t.Helper()
		resp, out := resend(a)
		var ar api.ActionResult
		mustJSON(t, a.first, &ar)
		if cur := a.c.getCaseMaybe(a.caseID); cur == nil || cur.Version != ar.Case.Version {
			// The case has changed since: the original answer is not kept (only the version it
			// produced), so the resend answers already-applied, never applies twice.
			if resp.StatusCode != 409 || !bytes.Contains(out, []byte(api.ProblemAlreadyApplied)) {
				t.Fatalf("%s: resend of %s after the case changed: %d %s", when, a.name, resp.StatusCode, truncate(out))
			}
			return
		}
		if resp.StatusCode != 200 || resp.Header.Get(api.HeaderIdempotentReplay) != "true" || !bytes.Equal(out, a.first) {
			t.Fatalf("%s: resend of %s: %d replay=%q %s", when, a.name, resp.StatusCode, resp.Header.Get(api.HeaderIdempotentReplay), truncate(out))
		}
	}
	prune := func(at time.Time) int {
		t.Helper()
		clock.Set(at)
		n, err := env.Server.PruneIdempotency()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Within the retention, up to its last instant, nothing is pruned and every resend answers
	// the original result.
	for _, at := range []time.Time{t0.Add(retention / 2), t0.Add(retention - 24*time.Hour), t0.Add(retention)} {
		if n := prune(at); n != 0 {
			t.Fatalf("pruned %d records %v after they were written", n, at.Sub(t0))
		}
		for _, a := range acts {
			wantReplay(at.Sub(t0).String(), a)
		}
	}
	// A note written later than the others, still young at the next pass.
	clock.Set(t0.Add(60 * 24 * time.Hour))
	young := &action{name: "young note", c: clerk, kind: api.ActionNote, caseID: a.ID, id: "ret-young", body: api.NoteRequest{Text: "später"}}
	resp, out := resend(young)
	if resp.StatusCode != 200 {
		t.Fatalf("young note: %d %s", resp.StatusCode, out)
	}
	young.first = out

	// Past the retention: all but the open proposal's record go.
	after := t0.Add(retention + time.Second)
	if n := prune(after); n != preps+len(acts)-1 {
		t.Fatalf("pruned %d records, want %d", n, preps+len(acts)-1)
	}
	if got := metric(t, clerk, "amt_idempotency_records_pruned_total"); got != int64(preps+len(acts)-1) {
		t.Fatalf("amt_idempotency_records_pruned_total = %d, want %d", got, preps+len(acts)-1)
	}
	if n := prune(after); n != 0 {
		t.Fatalf("second pass pruned %d", n)
	}
	wantReplay("young note after the pass", young)
	for _, a := range acts {
		t.Run(a.name, func(t *testing.T) {
			if a.status == 200 {
				wantReplay("open proposal after the pass", a)
				return
			}
			resp, out := resend(a)
			if resp.Header.Get(api.HeaderIdempotentReplay) != "" {
				t.Fatalf("pruned record replayed")
			}
			wantProblem(t, resp, out, a.status, a.typ)
		})
	}
	// Nothing was applied twice.
	cur := clerk.getCase(a.ID)
	if n := countNotes(cur, "ret-note"); n != 1 {
		t.Fatalf("note ret-note %d times", n)
	}
	docs := 0
	for _, r := range cur.DocumentRequests {
		if r.ID == "ret-docs" {
			docs++
		}
	}
	if docs != 1 {
		t.Fatalf("document request ret-docs %d times", docs)
	}

	// The open proposal still works: its lead approves it now.
	e2 := lead.mustAct(api.ActionApproval, e.ID, "", "ret-open", api.ApprovalRequest{Approve: true}, e.Version)
	if e2.Status != api.StatusDecided || e2.Decision.ApprovedBy == "" {
		t.Fatalf("approval after the pass: %s %+v", e2.Status, e2.Decision)
	}
	// Once decided, the proposal's record ages like any other (kept until a full retention after
	// the pass that kept it) and a resend then answers 409 already-applied.
	if n := prune(after.Add(retention)); n != 1 { // the young note
		t.Fatalf("pruned %d, want only the young note", n)
	}
	if n := prune(after.Add(retention + time.Second)); n != 2 { // the proposal's and its approval's
		t.Fatalf("pruned %d after the proposal was decided, want 2", n)
	}
	resp, out = resend(acts[len(acts)-1])
	wantProblem(t, resp, out, 409, api.ProblemAlreadyApplied)
}

func countNotes(c api.Case, id string) int {
	n := 0
	for _, note := range c.Notes {
		if note.ID == id {
			n++
		}
	}
	return n
}
