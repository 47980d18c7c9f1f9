package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/zalando/go-keyring"
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

// keyringOptions are test options for a cache locked only by the (mock) OS keyring.
func keyringOptions(dir string) Options {
	opts := testOptions(dir)
	opts.Passphrase = ""
	opts.UseKeyring = true
	return opts
}

// TestRescueKeyringOnlyCache: the keyring account is derived from the cache dir, so a fresh cache
// opened in the same dir after MoveAside must reuse the keyring's key-encryption key rather than
// replace it; otherwise the moved-aside file can no longer be unlocked (neither for
// `amt cache rescue --from FILE` nor for a full Open, e.g. by support).
func TestRescueKeyringOnlyCache(t *testing.T) {
	keyring.MockInit()
	t.Cleanup(keyring.MockInit)
	dir := t.TempDir()
	opts := keyringOptions(dir)
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1)), "5"); err != nil {
		t.Fatal(err)
	}
	var want []Action
	for _, txt := range []string{"eins", "zwei"} {
		a, err := s.Enqueue(note("case-000001", txt))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, a)
	}
	if err := s.PutMeta("me", []byte("clerk-a")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	user := keyringUser(s.Dir())
	kekBefore, err := keyring.Get(KeyringService, user)
	if err != nil {
		t.Fatal(err)
	}

	old, err := MoveAside(dir, time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Open(opts) // a new cache in the same dir, with the keyring
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if kek, err := keyring.Get(KeyringService, user); err != nil || kek != kekBefore {
		t.Fatalf("keyring entry replaced by the fresh cache (err %v)", err)
	}

	// cache rescue --from FILE: the moved-aside file's outbox, while the fresh cache is open.
	got, skipped, err := RescueOutbox(old, opts)
	if err != nil {
		t.Fatalf("RescueOutbox of the moved-aside file: %v", err)
	}
	if skipped != 0 || len(got) != 2 || got[0].ID != want[0].ID || got[1].ID != want[1].ID {
		t.Fatalf("rescued %d (skipped %d): %+v", len(got), skipped, got)
	}

	// A full Open of the moved-aside file in another dir: the file names its own keyring account.
	other := t.TempDir()
	raw, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, DBFile), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := Open(keyringOptions(other))
	if err != nil {
		t.Fatalf("Open of the moved-aside file: %v", err)
	}
	defer o.Close()
	if err := o.Check(); err != nil {
		t.Fatalf("Check of the moved-aside file: %v", err)
	}
	if v, err := o.Meta("me"); err != nil || string(v) != "clerk-a" {
		t.Fatalf("Meta = %q, %v", v, err)
	}
	if ob, err := o.Outbox(); err != nil || len(ob) != 2 {
		t.Fatalf("Outbox = %d, %v", len(ob), err)
	}
	// Opening the copy elsewhere created no keyring entry for that dir.
	if _, err := keyring.Get(KeyringService, keyringUser(o.Dir())); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("keyring entry for the other dir: %v", err)
	}

	// The fresh cache itself reopens with the same entry.
	for _, a := range got {
		if _, err := fresh.Enqueue(Action{ID: a.ID, CaseID: a.CaseID, Kind: a.Kind, Body: a.Body}); err != nil {
			t.Fatal(err)
		}
	}
	fresh.Close()
	fresh, err = Open(opts)
	if err != nil {
		t.Fatalf("reopen fresh cache: %v", err)
	}
	if ob, err := fresh.Outbox(); err != nil || len(ob) != 2 {
		t.Fatalf("fresh Outbox = %d, %v", len(ob), err)
	}
}
