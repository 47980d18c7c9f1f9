package server

import (
	"context"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

var idemT0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func openAt(t *testing.T, dir string, now *time.Time, prune time.Duration) *Server {
	t.Helper()
	s, err := New(Config{DataDir: dir, Now: func() time.Time { return *now }, PruneInterval: prune})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// idemState returns the idem keys and the age entries' times by idem key.
func idemState(t *testing.T, s *Server) (recs []string, ages map[string][]time.Time) {
	t.Helper()
	ages = map[string][]time.Time{}
	err := s.boltDB().View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bIdem).ForEach(func(k, _ []byte) error { recs = append(recs, string(k)); return nil }); err != nil {
			return err
		}
		return tx.Bucket(bIdemAge).ForEach(func(k, _ []byte) error {
			at := time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC()
			ages[string(k[8:])] = append(ages[string(k[8:])], at)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, ages
}

func putTestIdem(t *testing.T, s *Server, caseID string, kind api.ActionKind, id string, at time.Time) {
	t.Helper()
	err := s.boltDB().Update(func(tx *bolt.Tx) error {
		return putIdem(tx, idemKey(caseID, kind, id), idemRec{Hash: []byte{1}, Status: 200, Body: []byte(`{}`)}, at)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPruneIdempotencyBatches: a pass removes due records a bounded batch per transaction,
// keeps younger ones and an open proposal's (dated anew), and ends.
func TestPruneIdempotencyBatches(t *testing.T) {
	now := idemT0
	s := openAt(t, t.TempDir(), &now, -1)
	defer s.Close()
	s.idemBatch = 4
	retention := s.cfg.IdempotencyRetention
	for i := range 10 {
		putTestIdem(t, s, "c-gone", api.ActionNote, fmt.Sprintf("n-%02d", i), idemT0)
	}
	open := api.Case{ID: "c-open", Amt: "amt-x", Status: api.StatusDecisionProposed,
		Decision: &api.Decision{ID: "p-1", State: api.DecisionProposed, Outcome: api.OutcomeApproved}}
	if err := s.boltDB().Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bCases), []byte(open.ID), open) }); err != nil {
		t.Fatal(err)
	}
	putTestIdem(t, s, "c-open", api.ActionDecision, "p-1", idemT0)
	putTestIdem(t, s, "c-open", api.ActionNote, "n-open", idemT0) // not the proposal: goes
	putTestIdem(t, s, "c-young", api.ActionNote, "y-1", idemT0.Add(retention))
	putTestIdem(t, s, "c-young", api.ActionNote, "y-2", idemT0.Add(retention))

	now = idemT0.Add(retention + time.Second)
	type step struct {
		pruned int
		more   bool
	}
	var got []step
	for range 10 {
		n, more, err := s.pruneIdemBatch(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, step{n, more})
		if !more {
			break
		}
	}
	// 12 due (10 + the proposal's + its case's note), 4 per transaction; the proposal's is kept.
	want := []step{{4, true}, {4, true}, {3, true}, {0, false}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	recs, ages := idemState(t, s)
	wantRecs := []string{"c-open\x00decision\x00p-1", "c-young\x00note\x00y-1", "c-young\x00note\x00y-2"}
	if fmt.Sprintf("%q", recs) != fmt.Sprintf("%q", wantRecs) {
		t.Fatalf("records left %q, want %q", recs, wantRecs)
	}
	if len(ages) != 3 || len(ages[wantRecs[0]]) != 1 || !ages[wantRecs[0]][0].Equal(now) {
		t.Fatalf("age entries %v; the kept proposal's should be dated %v", ages, now)
	}
	// PruneIdempotency runs batches to the end; nothing else is due.
	if n, err := s.PruneIdempotency(); err != nil || n != 0 {
		t.Fatalf("PruneIdempotency: %d %v", n, err)
	}
}

// TestIndexLegacyIdem: records written before retention existed get an age entry, dated when
// the server first opens the database, in batches; they are pruned a retention after that.
func TestIndexLegacyIdem(t *testing.T) {
	dir := t.TempDir()
	now := idemT0
	s := openAt(t, dir, &now, -1)
	s.Close()
	// Make it a database of the previous version: records without age entries, no marker.
	const legacy = 2*idemPruneBatch + 7
	db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bMeta).Delete(kIdemAged); err != nil {
			return err
		}
		if err := tx.DeleteBucket(bIdemAge); err != nil {
			return err
		}
		for i := range legacy {
			if err := putJSON(tx.Bucket(bIdem), idemKey("c-old", api.ActionNote, fmt.Sprintf("n-%05d", i)), idemRec{Status: 200}); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	now = idemT0.Add(10 * 24 * time.Hour)
	s = openAt(t, dir, &now, -1)
	defer s.Close()
	recs, ages := idemState(t, s)
	if len(recs) != legacy || len(ages) != legacy {
		t.Fatalf("%d records, %d with age entries; want %d each", len(recs), len(ages), legacy)
	}
	for k, at := range ages {
		if len(at) != 1 || !at[0].Equal(now) {
			t.Fatalf("%q aged %v, want once at %v", k, at, now)
		}
	}
	opened := now
	now = opened.Add(s.cfg.IdempotencyRetention)
	if n, err := s.PruneIdempotency(); err != nil || n != 0 {
		t.Fatalf("within the retention after the upgrade: pruned %d %v", n, err)
	}
	now = opened.Add(s.cfg.IdempotencyRetention + time.Second)
	if n, err := s.PruneIdempotency(); err != nil || n != legacy {
		t.Fatalf("after it: pruned %d %v, want %d", n, err, legacy)
	}
}

// TestPruneIdempotencyAtStart: the background pass runs when the server starts, not only after
// the first PruneInterval.
func TestPruneIdempotencyAtStart(t *testing.T) {
	dir := t.TempDir()
	now := idemT0
	s := openAt(t, dir, &now, -1)
	putTestIdem(t, s, "c-1", api.ActionNote, "n-1", idemT0)
	putTestIdem(t, s, "c-1", api.ActionNote, "n-2", idemT0.Add(time.Hour))
	s.Close()

	now = idemT0.Add(s.cfg.IdempotencyRetention + time.Second)
	s = openAt(t, dir, &now, 24*time.Hour)
	s.Close() // waits for the background work, which prunes first thing
	s = openAt(t, dir, &now, -1)
	defer s.Close()
	if recs, _ := idemState(t, s); len(recs) != 1 || recs[0] != "c-1\x00note\x00n-2" {
		t.Fatalf("records after start: %q", recs)
	}
}
