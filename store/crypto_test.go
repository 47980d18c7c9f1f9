package store

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/zalando/go-keyring"
	bolt "go.etcd.io/bbolt"
)

// TestEncryptedAtRest writes personal data through every write path and greps the raw file.
func TestEncryptedAtRest(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	c := mkCase(1, "2026-12-01", 1)
	c.Applicant.Name = "Zacharias Quellenberger"
	if err := s.ApplyChanges(upsert(c), "cursor-1"); err != nil {
		t.Fatal(err)
	}
	const note = "Antragsteller hat angerufen, Unterlagen folgen"
	if _, err := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionNote, Body: mustJSON(api.NoteRequest{Text: note})}); err != nil {
		t.Fatal(err)
	}
	a, err := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionDecision, Body: mustJSON(api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "Voraussetzungen erfüllt"})})
	if err != nil {
		t.Fatal(err)
	}
	sc := c
	sc.Version = 2
	if err := s.MarkConflict(a.ID, sc); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMeta("me", []byte("Sachbearbeiterin Brunhilde Kowalczyk")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAttachmentMeta(AttachmentMeta{CaseID: c.ID, Attachment: api.Attachment{ID: "att-1", Name: "Quellenberger_Ausweis.pdf"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Quellenberger", "quellenberger", note, "Voraussetzungen", "Kowalczyk",
		"Heidestraße", "Imbiss", "erika@example.org", "GEW-2026", testPass} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("raw db file contains %q", secret)
		}
	}
	// Reopen: the data comes back.
	s2 := openTest(t, dir)
	got, err := s2.Case(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Applicant.Name != "Zacharias Quellenberger" || len(got.Notes) != 1 || got.Notes[0].Text != note {
		t.Fatalf("after reopen: %+v", got)
	}
}

// TestAssociatedDataBinding moves a ciphertext to another key and another bucket.
func TestAssociatedDataBinding(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1), mkCase(2, "2026-12-02", 1)), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMeta("a", []byte("alpha")); err != nil {
		t.Fatal(err)
	}
	// Copy case-000001's ciphertext over case-000002 and into kv.
	err := s.db.Update(func(tx *bolt.Tx) error {
		v := bytes.Clone(tx.Bucket(bCases).Get([]byte("case-000001")))
		if err := tx.Bucket(bCases).Put([]byte("case-000002"), v); err != nil {
			return err
		}
		return tx.Bucket(bKV).Put([]byte("case-000001"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Case("case-000001"); err != nil {
		t.Fatalf("untouched record: %v", err)
	}
	if _, err := s.Case("case-000002"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("moved to another key: %v, want ErrCorrupt", err)
	}
	if _, err := s.Meta("case-000001"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("moved to another bucket: %v, want ErrCorrupt", err)
	}
	if err := s.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Check: %v, want ErrCorrupt", err)
	}
}

func TestRecordSealOpen(t *testing.T) {
	a, err := newAEAD(bytes.Repeat([]byte{7}, keySize))
	if err != nil {
		t.Fatal(err)
	}
	rec := seal(a, bCases, []byte("k"), []byte("hello"))
	if p, err := open(a, bCases, []byte("k"), rec); err != nil || string(p) != "hello" {
		t.Fatalf("open = %q, %v", p, err)
	}
	rec2 := seal(a, bCases, []byte("k"), []byte("hello"))
	if bytes.Equal(rec[1:1+nonceSize], rec2[1:1+nonceSize]) {
		t.Fatal("nonce reused")
	}
	for i := range rec {
		bad := bytes.Clone(rec)
		bad[i] ^= 0x01
		if _, err := open(a, bCases, []byte("k"), bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip byte %d: %v", i, err)
		}
	}
	if _, err := open(a, bCases, []byte("k"), rec[:len(rec)-1]); !errors.Is(err, ErrCorrupt) {
		t.Fatal("truncated record accepted")
	}
}

func TestWrongPassphrase(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	opts := testOptions(dir)
	opts.Passphrase = "falsch"
	if _, err := Open(opts); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("err = %v, want ErrWrongPassphrase", err)
	}
	opts.Passphrase = ""
	if _, err := Open(opts); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no passphrase: %v, want ErrNoKey", err)
	}
	openTest(t, dir) // right passphrase still works
}

func TestNoKey(t *testing.T) {
	keyring.MockInitWithError(errors.New("no dbus"))
	t.Cleanup(keyring.MockInit)
	for _, useKeyring := range []bool{false, true} {
		opts := testOptions(t.TempDir())
		opts.Passphrase = ""
		opts.UseKeyring = useKeyring
		_, err := Open(opts)
		if !errors.Is(err, ErrNoKey) {
			t.Fatalf("UseKeyring=%v: %v, want ErrNoKey", useKeyring, err)
		}
		if !bytes.Contains([]byte(err.Error()), []byte("AMT_PASSPHRASE")) {
			t.Errorf("message does not mention AMT_PASSPHRASE: %v", err)
		}
	}
}

func TestKeyring(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	opts := testOptions(dir)
	opts.Passphrase = ""
	opts.UseKeyring = true
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutMeta("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// The keyring entry is named by a hash of the dir, not the path itself.
	if _, err := keyring.Get(KeyringService, keyringUser(s.Dir())); err != nil {
		t.Fatalf("keyring entry: %v", err)
	}
	// Reopen with the keyring, adding a passphrase for machines without one.
	opts.Passphrase = "nachgereicht"
	s, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Keyring gone: the passphrase added above unlocks it.
	keyring.MockInitWithError(errors.New("no dbus"))
	t.Cleanup(keyring.MockInit)
	s, err = Open(opts)
	if err != nil {
		t.Fatalf("passphrase fallback: %v", err)
	}
	if v, err := s.Meta("k"); err != nil || string(v) != "v" {
		t.Fatalf("Meta = %q, %v", v, err)
	}
	s.Close()
	opts.Passphrase = ""
	if _, err := Open(opts); !errors.Is(err, ErrNoKey) {
		t.Fatalf("keyring unavailable, no passphrase: %v", err)
	}
}

func TestKeyringOnlyCacheWithPassphrase(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	opts := testOptions(dir)
	opts.Passphrase = ""
	opts.UseKeyring = true
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	opts.UseKeyring = false
	opts.Passphrase = "irgendwas"
	if _, err := Open(opts); !errors.Is(err, ErrNoKey) {
		t.Fatalf("passphrase on keyring-only cache: %v, want ErrNoKey", err)
	}
}

func TestDamagedKeyMaterial(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m *bolt.Bucket) error
		want error
	}{
		{"key check", func(m *bolt.Bucket) error {
			v := bytes.Clone(m.Get(mKeyCheck))
			v[len(v)-1] ^= 1
			return m.Put(mKeyCheck, v)
		}, ErrCorrupt},
		{"key material not JSON", func(m *bolt.Bucket) error { return m.Put(mKeys, []byte("{")) }, ErrCorrupt},
		{"absurd KDF params", func(m *bolt.Bucket) error {
			return m.Put(mKeys, bytes.Replace(m.Get(mKeys), []byte(`"Memory":64`), []byte(`"Memory":999999999`), 1))
		}, ErrCorrupt},
		{"key material missing", func(m *bolt.Bucket) error { return m.Delete(mKeys) }, ErrCorrupt},
		{"schema record", func(m *bolt.Bucket) error { return m.Put(mSchema, []byte{1}) }, ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			openTest(t, dir).Close()
			rawUpdate(t, filepath.Join(dir, DBFile), func(tx *bolt.Tx) error { return tc.edit(tx.Bucket(bMeta)) })
			if _, err := Open(testOptions(dir)); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestKeyringGarbledEntry: a keyring entry that is not a key amt wrote is never overwritten; a new
// cache and an existing one both report ErrNoKey (data intact, AMT_PASSPHRASE is the way out).
func TestKeyringGarbledEntry(t *testing.T) {
	for _, garbage := range []string{"not base64 !", base64.StdEncoding.EncodeToString([]byte("short"))} {
		keyring.MockInit()
		t.Cleanup(keyring.MockInit)
		dir := t.TempDir()
		user := keyringUser(dir)
		if err := keyring.Set(KeyringService, user, garbage); err != nil {
			t.Fatal(err)
		}
		opts := testOptions(dir)
		opts.Passphrase = ""
		opts.UseKeyring = true
		if _, err := Open(opts); !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), "AMT_PASSPHRASE") {
			t.Fatalf("new cache, entry %q: %v, want ErrNoKey naming AMT_PASSPHRASE", garbage, err)
		}
		if v, err := keyring.Get(KeyringService, user); err != nil || v != garbage {
			t.Fatalf("entry overwritten: %q, %v", v, err)
		}
		// With a passphrase the cache is created (passphrase only) and opens again.
		opts.Passphrase = testPass
		opts.UseKeyring = false
		s, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()

		// An existing keyring cache whose entry got garbled: ErrNoKey, as before.
		keyring.MockInit()
		dir2 := t.TempDir()
		opts2 := testOptions(dir2)
		opts2.Passphrase = ""
		opts2.UseKeyring = true
		s, err = Open(opts2)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if err := keyring.Set(KeyringService, keyringUser(dir2), garbage); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(opts2); !errors.Is(err, ErrNoKey) {
			t.Fatalf("existing cache, entry %q: %v, want ErrNoKey", garbage, err)
		}
	}
}
