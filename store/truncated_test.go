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
