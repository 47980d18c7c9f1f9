package store

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func rawUpdate(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func schemaOf(t *testing.T, s *Store) uint64 {
	t.Helper()
	var v uint64
	if err := s.view(func(tx *bolt.Tx) error {
		v, _ = getU64(tx.Bucket(bMeta).Get(mSchema))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrateFromV0(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(tx *bolt.Tx) error
	}{
		{"empty bbolt file", func(*bolt.Tx) error { return nil }},
		{"meta bucket without schema", func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bMeta); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rawUpdate(t, filepath.Join(dir, DBFile), tc.setup)
			s := openTest(t, dir)
			if v := schemaOf(t, s); v != SchemaVersion() {
				t.Fatalf("schema %d, want %d", v, SchemaVersion())
			}
			if n, err := s.Count(); err != nil || n != 0 {
				t.Fatalf("Count = %d, %v", n, err)
			}
			if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1)), "c"); err != nil {
				t.Fatal(err)
			}
			if err := s.Check(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func withMigration(t *testing.T, m migration) {
	saved := migrations
	migrations = append(append([]migration(nil), saved...), m)
	t.Cleanup(func() { migrations = saved })
}

func TestMigrationRunsOnceInOrder(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1)), ""); err != nil {
		t.Fatal(err)
	}
	s.Close()
	runs := 0
	base := SchemaVersion()
	withMigration(t, func(tx *bolt.Tx, s *Store) error {
		runs++
		// A migration may use the data key, e.g. to rewrite records.
		return s.put(tx, bKV, []byte("migrated"), []byte("yes"))
	})
	s = openTest(t, dir)
	if v := schemaOf(t, s); v != base+1 {
		t.Fatalf("schema %d, want %d", v, base+1)
	}
	if v, err := s.Meta("migrated"); err != nil || string(v) != "yes" {
		t.Fatalf("Meta = %q, %v", v, err)
	}
	if _, err := s.Case("case-000001"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	openTest(t, dir).Close()
	if runs != 1 {
		t.Fatalf("migration ran %d times", runs)
	}
}

func TestFailingMigrationLeavesFileAlone(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	s.Close()
	boom := errors.New("boom")
	withMigration(t, func(tx *bolt.Tx, s *Store) error {
		if err := s.put(tx, bKV, []byte("half"), []byte("done")); err != nil {
			return err
		}
		return boom
	})
	if _, err := Open(testOptions(dir)); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	migrations = migrations[:len(migrations)-1]
	s = openTest(t, dir)
	if v := schemaOf(t, s); v != SchemaVersion() {
		t.Fatalf("schema %d after failed migration", v)
	}
	if _, err := s.Meta("half"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("partial migration visible: %v", err)
	}
}

func TestNewerSchemaUntouched(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	s.Close()
	path := filepath.Join(dir, DBFile)
	rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(mSchema, u64(SchemaVersion()+1)) })
	before := fileHash(t, path)
	for _, pass := range []string{testPass, "", "wrong"} {
		opts := testOptions(dir)
		opts.Passphrase = pass
		if _, err := Open(opts); !errors.Is(err, ErrNewerSchema) {
			t.Fatalf("pass %q: err = %v, want ErrNewerSchema", pass, err)
		}
	}
	if after := fileHash(t, path); after != before {
		t.Fatal("newer-schema file was modified")
	}
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestCreatedTime(t *testing.T) {
	s := newTestStore(t)
	c, err := s.Created()
	if err != nil || c.IsZero() {
		t.Fatalf("Created = %v, %v", c, err)
	}
}
