package server

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

// fingerprints returns the keys of bucket idemfp and their values.
func fingerprints(t *testing.T, s *Server) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := s.boltDB().View(func(tx *bolt.Tx) error {
		return tx.Bucket(bIdemFP).ForEach(func(k, v []byte) error {
			out[string(k)] = bytes.Clone(v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func putTestCase(t *testing.T, s *Server, c api.Case) {
	t.Helper()
	if err := s.boltDB().Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bCases), []byte(c.ID), c) }); err != nil {
		t.Fatal(err)
	}
}

// TestPruneIdempotencyKeepsFingerprints: a record past the retention leaves only its request hash
// under its key (no answer, no age entry) while its case is with its Amt, or forwarded with its
// tombstone in the feed; the record of a case forwarded without one, or of none, goes entirely;
// an open proposal's stays whole. Pruning a forwarded case's tombstone removes the fingerprints it
// had; those of other cases stay.
func TestPruneIdempotencyKeepsFingerprints(t *testing.T) {
	now := idemT0
	s := openAt(t, t.TempDir(), &now, -1)
	defer s.Close()
	for _, c := range []api.Case{
		{ID: "c-here", Amt: "amt-x", Status: api.StatusInReview, Version: 3},
		{ID: "c-fwd", Amt: "amt-x", Status: api.StatusForwarded, Version: 4},
		{ID: "c-open", Amt: "amt-x", Status: api.StatusDecisionProposed, Version: 5,
			Decision: &api.Decision{ID: "p-1", State: api.DecisionProposed, Outcome: api.OutcomeApproved}},
	} {
		putTestCase(t, s, c)
	}
	body := []byte(`{"actionId":"x","kind":"note","case":{"id":"c-here","history":["` + strings.Repeat("x", 4000) + `"]}}`)
	hashes := map[string][]byte{}
	put := func(caseID string, kind api.ActionKind, id string) {
		h := sha256.Sum256([]byte(caseID + id))
		ik := idemKey(caseID, kind, id)
		hashes[string(ik)] = h[:]
		if err := s.boltDB().Update(func(tx *bolt.Tx) error {
			return putIdem(tx, ik, idemRec{Hash: h[:], Status: 200, Body: body}, now)
		}); err != nil {
			t.Fatal(err)
		}
	}
	put("c-here", api.ActionNote, "n-1")
	put("c-here", api.ActionResubmission, "r-1")
	put("c-fwd", api.ActionNote, "n-2")
	put("c-open", api.ActionDecision, "p-1")
	put("c-open", api.ActionNote, "n-3")
	put("c-none", api.ActionNote, "n-4")
	now = idemT0.Add(10 * 24 * time.Hour)
	put("c-here", api.ActionNote, "n-5")

	now = idemT0.Add(s.cfg.IdempotencyRetention + time.Second)
	if n, err := s.PruneIdempotency(); err != nil || n != 5 {
		t.Fatalf("PruneIdempotency: %d %v, want 5", n, err)
	}
	recs, ages := idemState(t, s)
	if want := []string{"c-here\x00note\x00n-5", "c-open\x00decision\x00p-1"}; fmt.Sprintf("%q", recs) != fmt.Sprintf("%q", want) {
		t.Fatalf("whole records left %q, want %q (the young one and the open proposal's)", recs, want)
	}
	if len(ages) != 2 || len(ages[recs[0]]) != 1 || len(ages[recs[1]]) != 1 {
		t.Fatalf("age entries %v, want the young record's and the open proposal's", ages)
	}
	fps := fingerprints(t, s)
	want := []string{"c-here\x00note\x00n-1", "c-here\x00resubmission\x00r-1", "c-open\x00note\x00n-3"}
	if len(fps) != len(want) {
		t.Fatalf("fingerprints %q, want %q", keys(fps), want)
	}
	for _, k := range want {
		if !bytes.Equal(fps[k], hashes[k]) {
			t.Fatalf("fingerprint %q = %x, want the request hash %x", k, fps[k], hashes[k])
		}
	}
	if n, err := s.PruneIdempotency(); err != nil || n != 0 {
		t.Fatalf("second pass: %d %v", n, err)
	}

	// c-here is forwarded: its fingerprints stay while its tombstone is in the feed (and a record
	// aging meanwhile becomes one), and go with it.
	err := s.boltDB().Update(func(tx *bolt.Tx) error {
		before := api.Case{ID: "c-here", Amt: "amt-x", Status: api.StatusInReview, Version: 3}
		after := before
		after.Status, after.Version = api.StatusForwarded, 4
		return writeCase(tx, &before, &after, nil, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	forwarded := now
	now = idemT0.Add(10*24*time.Hour + s.cfg.IdempotencyRetention + time.Second)
	if n, err := s.PruneIdempotency(); err != nil || n != 1 {
		t.Fatalf("PruneIdempotency after the forward: %d %v, want n-5", n, err)
	}
	if n, err := s.PruneTombstones(); err != nil || n != 0 || len(fingerprints(t, s)) != 4 {
		t.Fatalf("tombstone pruned early (%d %v) or n-5 left no fingerprint: %q", n, err, keys(fingerprints(t, s)))
	}
	now = forwarded.Add(s.cfg.TombstoneRetention + time.Second)
	if n, err := s.PruneTombstones(); err != nil || n != 1 {
		t.Fatalf("PruneTombstones: %d %v, want 1", n, err)
	}
	if got := keys(fingerprints(t, s)); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", []string{"c-open\x00note\x00n-3"}) {
		t.Fatalf("fingerprints after the tombstone went: %q", got)
	}
	// A case still with its Amt never loses them this way.
	err = s.boltDB().Update(func(tx *bolt.Tx) error {
		n, err := dropFingerprints(tx, "c-open")
		if err == nil && n != 0 {
			err = fmt.Errorf("dropped %d fingerprints of a case still with its Amt", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func keys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestPruneScheduleClockJump: background passes (prunePass, one per wake of the loop) trust the
// clock at start, skip while it is far ahead of the schedule and resume when it is set right; a
// clock that goes back is no reason to skip, nor is setting it forward again. After a restart the
// first pass trusts the clock again.
func TestPruneScheduleClockJump(t *testing.T) {
	now := idemT0
	dir := t.TempDir()
	s := openAt(t, dir, &now, -1)
	s.cfg.IdempotencyRetention = 48 * time.Hour
	putTestIdem(t, s, "c-1", api.ActionNote, "n-1", idemT0)
	putTestIdem(t, s, "c-1", api.ActionNote, "n-2", idemT0.Add(time.Hour))
	sched := &pruneSchedule{interval: time.Hour}
	left := func() int {
		recs, _ := idemState(t, s)
		return len(recs)
	}
	step := func(name string, at time.Time, wantPruned bool, wantLeft int) {
		t.Helper()
		now = at
		if got := s.prunePass(sched, true); got != wantPruned {
			t.Fatalf("%s: pass pruned=%v, want %v", name, got, wantPruned)
		}
		if n := left(); n != wantLeft {
			t.Fatalf("%s: %d records left, want %d", name, n, wantLeft)
		}
	}
	h := func(n int) time.Time { return idemT0.Add(time.Duration(n) * time.Hour) }
	const year = 365 * 24 * time.Hour

	step("first pass since start", h(2), true, 2)
	step("clock a year ahead", h(3).Add(year), false, 2)
	step("still ahead an hour later", h(4).Add(year), false, 2)
	if n := s.metrics.pruneSkipped.Load(); n != 2 {
		t.Fatalf("skipped passes = %d, want 2", n)
	}
	step("clock set right", h(5), true, 2)
	step("clock a week behind", h(6).Add(-7*24*time.Hour), true, 2)
	step("set forward again", h(7), true, 2)
	step("a few hours late (within the slack)", h(8+20), true, 2)
	for i := 29; i < 49; i++ {
		step(fmt.Sprintf("hour %d", i), h(i), true, 2)
	}
	step("n-1 past the retention", h(49), true, 1)
	step("n-2 past the retention", h(50), true, 0)

	// A restart trusts the clock, wherever it stands.
	s.Close()
	now = h(51)
	s = openAt(t, dir, &now, -1)
	defer s.Close()
	s.cfg.IdempotencyRetention = 48 * time.Hour
	putTestIdem(t, s, "c-1", api.ActionNote, "n-3", h(51))
	sched = &pruneSchedule{interval: time.Hour}
	step("first pass after a restart, a year on", h(52).Add(year), true, 0)
}
