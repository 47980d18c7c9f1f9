package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
)

// TestRescueOutbox: a cache with a damaged record is moved aside, a fresh cache is opened and the
// outbox is carried over with its action ids.
func TestRescueOutbox(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1)), "5"); err != nil {
		t.Fatal(err)
	}
	var want []Action
	for _, txt := range []string{"eins", "zwei", "drei"} {
		a, err := s.Enqueue(note("case-000001", txt))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a)
	}
	// Damage the second action's record and the case record.
	var bad [][]byte
	if err := s.view(func(tx *bolt.Tx) error {
		bad = append(bad, bytes.Clone(tx.Bucket(bOutbox).Get(seqKey(want[1].Seq))), bytes.Clone(tx.Bucket(bCases).Get([]byte("case-000001"))))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	path := filepath.Join(dir, DBFile)
	raw, _ := os.ReadFile(path)
	for _, ct := range bad {
		flipAll(t, raw, ct, len(ct)-5)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, dir)
	if err := s.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Check = %v", err)
	}
	s.Close()

	old, err := MoveAside(dir, time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(old) != "amt.db.broken-20261124T190000Z" {
		t.Fatalf("moved to %s", old)
	}
	opts := testOptions(dir)
	opts.Passphrase = "wrong"
	if _, _, err := RescueOutbox(old, opts); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	got, skipped, err := RescueOutbox(old, testOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 1 || len(got) != 2 || got[0].ID != want[0].ID || got[1].ID != want[2].ID {
		t.Fatalf("rescued %d (skipped %d): %+v", len(got), skipped, got)
	}

	fresh := openTest(t, dir)
	if n, _ := fresh.Count(); n != 0 {
		t.Fatalf("fresh cache has %d cases", n)
	}
	for _, a := range got {
		b, err := fresh.Enqueue(Action{ID: a.ID, CaseID: a.CaseID, Kind: a.Kind, SubID: a.SubID, Body: a.Body, BaseVersion: a.BaseVersion, Actor: a.Actor})
		if err != nil || b.ID != a.ID {
			t.Fatalf("re-enqueue: %+v, %v", b, err)
		}
	}
	if ob, _ := fresh.Outbox(); len(ob) != 2 {
		t.Fatalf("outbox %d", len(ob))
	}
	// A second MoveAside in the same second does not clobber the first.
	fresh.Close()
	old2, err := MoveAside(dir, time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC))
	if err != nil || old2 == old {
		t.Fatalf("second move aside: %s, %v", old2, err)
	}
	_ = api.ActionNote
}
