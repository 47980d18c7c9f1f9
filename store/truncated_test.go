package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/amt-mv/amt/api"
)

// TestTruncatedFileIsCorruptNotEmpty: a cache cut short must be reported as damaged. bbolt alone
// would extend it with zero pages on the first write, and the cases would silently read as gone.
func TestTruncatedFileIsCorruptNotEmpty(t *testing.T) {
	dir := t.TempDir()
	st := openTest(t, dir)
	var cs []api.Case
	for i := range 300 {
		cs = append(cs, mkCase(i, "2026-12-01", 1))
	}
	if err := st.ApplyChanges(upsert(cs...), "300"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DBFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkNotTruncated(path); err != nil {
		t.Fatalf("healthy file refused: %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	hw, ok := boltHighWater(f)
	f.Close()
	if !ok {
		t.Fatal("no valid meta page")
	}
	need, page := int(hw), os.Getpagesize()
	// Cutting the preallocated tail beyond the pages in use is harmless.
	if err := os.WriteFile(path, raw[:need], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkNotTruncated(path); err != nil {
		t.Fatalf("file cut at its high-water mark refused: %v", err)
	}
	for _, keep := range []int{need - page, need / 2, 3 * page} {
		if err := os.WriteFile(path, raw[:keep], 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(testOptions(dir))
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d of %d bytes: %v, want ErrCorrupt", keep, len(raw), err)
		}
	}
}

// TestEmptyFileIsCorruptNotNew: a cache file emptied to 0 bytes (a failed copy, a full disk) is
// damage, not a new cache — issue #16 item 8 saw it reset silently and the sealed attachment
// files deleted. Nothing in the directory is touched. An empty file where no cache was ever
// opened (no attachments directory: bbolt stopped between creating and writing it) is new.
func TestEmptyFileIsCorruptNotNew(t *testing.T) {
	dir := t.TempDir()
	st := openTest(t, dir)
	if err := st.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1)), "1"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	sealed := filepath.Join(dir, AttachmentsDir, "sealed-file-of-a-case")
	if err := os.WriteFile(sealed, []byte("sealed bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DBFile)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(testOptions(dir)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("empty amt.db opened: %v, want ErrCorrupt", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Fatalf("amt.db changed: %v %v", fi, err)
	}
	if b, err := os.ReadFile(sealed); err != nil || string(b) != "sealed bytes" {
		t.Fatalf("attachment file gone or changed: %v", err)
	}

	fresh := t.TempDir()
	if err := os.WriteFile(filepath.Join(fresh, DBFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(testOptions(fresh))
	if err != nil {
		t.Fatalf("empty amt.db in a directory without a cache: %v", err)
	}
	st.Close()
}
