package server_test

import (
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

// TestFingerprintAnswersLateResend: past the retention a record's answer is gone but its
// fingerprint stays. A Wiedervorlage replaced by a colleague's newer one is not set again by its
// late resend (the bug before fingerprints), a note's id with another body still answers 422, the
// 409 is no replay, and nothing else changes for fresh actions.
func TestFingerprintAnswersLateResend(t *testing.T) {
	retention := server.DefaultIdempotencyRetention
	t0 := fixedNow
	clock := &testClock{now: t0}
	env := servertest.Start(t, servertest.WithNow(clock.Now), servertest.WithCases(testCases))
	amt := env.Data.Amts[0].ID
	a := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	b := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk, clerkOf(t, env, amt, api.RoleClerk)))
	cs := reviewable(t, env, a, amt, false, nil)

	// Clerk A sets a Wiedervorlage (its answer is lost), clerk B sets one of their own (they are
	// per clerk: A's stays), A adds a note.
	mine := api.ResubmissionRequest{Date: "2027-09-30", Reason: "Unterlagen prüfen"}
	a.mustAct(api.ActionResubmission, cs.ID, "wv-a", "", mine, 0)
	b.mustAct(api.ActionResubmission, cs.ID, "wv-b", "", api.ResubmissionRequest{Date: "2027-10-15"}, 0)
	note := api.NoteRequest{Text: "Rückruf vereinbart"}
	a.mustAct(api.ActionNote, cs.ID, "fp-note", "", note, 0)
	before := a.getCase(cs.ID)

	clock.Set(t0.Add(retention + time.Second))
	if n, err := env.Server.PruneIdempotency(); err != nil || n == 0 {
		t.Fatalf("PruneIdempotency: %d %v", n, err)
	}

	// A's late resend of their Wiedervorlage: already applied, nothing changes, B's stays.
	resp, out := a.act(api.ActionResubmission, cs.ID, "wv-a", "", mine, 0)
	wantProblem(t, resp, out, 409, api.ProblemAlreadyApplied)
	if resp.Header.Get(api.HeaderIdempotentReplay) != "" {
		t.Fatal("a fingerprint answered as a replay")
	}
	after := a.getCase(cs.ID)
	if rs := casework.Resubmissions(after); after.Version != before.Version || len(rs) != 2 || rs[0].ID != "wv-a" || rs[1].ID != "wv-b" {
		t.Fatalf("late resend changed the case: v%d → v%d, Wiedervorlagen %+v", before.Version, after.Version, rs)
	}
	// The same ids: B's Wiedervorlage and the note answer already-applied too; another body 422.
	resp, out = b.act(api.ActionResubmission, cs.ID, "wv-b", "", api.ResubmissionRequest{Date: "2027-10-15"}, 0)
	wantProblem(t, resp, out, 409, api.ProblemAlreadyApplied)
	resp, out = a.act(api.ActionNote, cs.ID, "fp-note", "", note, 0)
	wantProblem(t, resp, out, 409, api.ProblemAlreadyApplied)
	resp, out = a.act(api.ActionNote, cs.ID, "fp-note", "", api.NoteRequest{Text: "anderer Text"}, 0)
	wantProblem(t, resp, out, 422, api.ProblemUnprocessable)
	if n := countNotes(a.getCase(cs.ID), "fp-note"); n != 1 {
		t.Fatalf("note fp-note %d times", n)
	}
	// Fresh actions are unaffected.
	a.mustAct(api.ActionNote, cs.ID, "fp-note-2", "", note, 0)
}

// TestFingerprintsLeaveWithCase: a case forwarded out of its Amt keeps its fingerprints while its
// tombstone is in the change feed (a resend answers already-applied); when the tombstone is pruned
// they go with it, and a resend answers 404 like every action on the case. Another case's
// fingerprints stay.
func TestFingerprintsLeaveWithCase(t *testing.T) {
	retention := server.DefaultIdempotencyRetention
	const tombstones = 30 * 24 * time.Hour
	t0 := fixedNow
	clock := &testClock{now: t0}
	env := servertest.Start(t, servertest.WithNow(clock.Now), servertest.WithCases(testCases),
		servertest.WithConfig(func(c *server.Config) { c.TombstoneRetention = tombstones }))
	amt := env.Data.Amts[0].ID
	a := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	taken := map[string]bool{}
	leaving := reviewable(t, env, a, amt, false, taken)
	staying := reviewable(t, env, a, amt, false, taken)
	note := api.NoteRequest{Text: "Zuständigkeit prüfen"}
	leaving = a.mustAct(api.ActionNote, leaving.ID, "leave-note", "", note, 0)
	a.mustAct(api.ActionNote, staying.ID, "stay-note", "", note, 0)

	clock.Set(t0.Add(retention + time.Second))
	if _, err := env.Server.PruneIdempotency(); err != nil {
		t.Fatal(err)
	}
	a.mustAct(api.ActionDecision, leaving.ID, "leave-fwd", "", api.DecisionRequest{Outcome: api.OutcomeForwarded}, leaving.Version)
	resp, out := a.act(api.ActionNote, leaving.ID, "leave-note", "", note, 0)
	wantProblem(t, resp, out, 409, api.ProblemAlreadyApplied)

	clock.Set(t0.Add(retention + tombstones + time.Minute))
	if n, err := env.Server.PruneTombstones(); err != nil || n != 1 {
		t.Fatalf("PruneTombstones: %d %v, want the forwarded case's", n, err)
	}
	resp, out = a.act(api.ActionNote, leaving.ID, "leave-note", "", note, 0)
	wantProblem(t, resp, out, 404, api.ProblemNotFound)
	resp, out = a.act(api.ActionNote, staying.ID, "stay-note", "", note, 0)
	wantProblem(t, resp, out, 409, api.ProblemAlreadyApplied)
}
