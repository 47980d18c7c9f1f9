package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
)

// corpusDB builds a closed cache with cases, outbox entries and meta, and returns its bytes.
func corpusDB(t *testing.T, n int) []byte {
	t.Helper()
	dir := t.TempDir()
	s := openTest(t, dir)
	var cs []api.Case
	for i := 0; i < n; i++ {
		cs = append(cs, mkCase(i, fmt.Sprintf("2026-12-%02d", 1+i%28), 1))
	}
	if err := s.ApplyChanges(upsert(cs...), "42"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += 7 {
		if _, err := s.Enqueue(Action{CaseID: cs[i].ID, Kind: api.ActionNote, Body: mustJSON(api.NoteRequest{Text: "Rückruf erbeten"})}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exercise opens a damaged file and runs every read and some writes. It fails the test on a panic
// and returns the errors seen.
func exercise(t *testing.T, raw []byte) (errs []error, openErr error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, DBFile), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic on damaged file: %v", r)
		}
	}()
	opts := testOptions(dir)
	opts.LockTimeout = 100 * time.Millisecond
	s, err := Open(opts)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rec := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	_, err = s.Count()
	rec(err)
	sums, err := s.AllSummaries()
	rec(err)
	_, err = s.SummaryPage(3, 20)
	rec(err)
	for i := 0; i < 40; i++ {
		_, err = s.Case(fmt.Sprintf("case-%06d", i))
		if !errors.Is(err, ErrNotFound) {
			rec(err)
		}
	}
	_, err = s.Outbox()
	rec(err)
	_, err = s.Due(time.Now())
	rec(err)
	_, err = s.SyncState()
	rec(err)
	rec(s.Check())
	_ = sums
	// Writes on a damaged file must not panic either.
	rec(s.ApplyChanges(upsert(mkCase(3, "2027-01-01", 9)), "43"))
	_, err = s.Enqueue(Action{CaseID: "case-000005", Kind: api.ActionNote, Body: []byte(`{"text":"x"}`)})
	rec(err)
	_, err = s.Purge(time.Now())
	rec(err)
	return errs, nil
}

func TestTruncatedFile(t *testing.T) {
	raw := corpusDB(t, 60)
	sizes := []int{10, 100, 4096 + 100, len(raw) - 1}
	for n := 4096; n < len(raw); n += 4096 { // every page boundary
		sizes = append(sizes, n)
	}
	for _, size := range sizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			errs, openErr := exercise(t, raw[:size])
			if openErr != nil {
				if !errors.Is(openErr, ErrCorrupt) {
					t.Errorf("open error not ErrCorrupt: %v", openErr)
				}
				return
			}
			// Cutting only trailing free pages loses nothing; cutting into live pages must show.
			if len(errs) == 0 && size < len(raw)/2 {
				t.Errorf("truncation to %d of %d bytes went unnoticed", size, len(raw))
			}
		})
	}
}

func TestBitFlipsNeverPanic(t *testing.T) {
	raw := corpusDB(t, 60)
	r := rand.New(rand.NewPCG(1, 2))
	runs := 60 // AMT_STORE_FLIPS=1000 for a longer run
	if n, err := strconv.Atoi(os.Getenv("AMT_STORE_FLIPS")); err == nil && n > 0 {
		runs = n
	}
	seen := map[string]bool{}
	detected := 0
	for i := 0; i < runs; i++ {
		bad := bytes.Clone(raw)
		off := r.IntN(len(bad))
		bad[off] ^= byte(1 << r.IntN(8))
		// Sometimes damage a whole run of bytes.
		if i%3 == 0 {
			for j := off; j < off+64 && j < len(bad); j++ {
				bad[j] = byte(r.UintN(256))
			}
		}
		errs, openErr := exercise(t, bad)
		if openErr != nil || len(errs) > 0 {
			detected++
			for _, e := range append(errs, openErr) {
				if e != nil && !seen[e.Error()] && len(seen) < 15 {
					seen[e.Error()] = true
					t.Logf("offset %d: %v", off, e)
				}
			}
		}
	}
	t.Logf("%d of %d damaged files reported an error", detected, runs)
	if detected == 0 {
		t.Fatal("no damage detected at all")
	}
}

// TestFlippedRecordNamesBucket flips a byte inside one case's ciphertext.
func TestFlippedRecordNamesBucket(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1), mkCase(2, "2026-12-02", 1)), ""); err != nil {
		t.Fatal(err)
	}
	var ct []byte
	if err := s.view(func(tx *bolt.Tx) error {
		ct = bytes.Clone(tx.Bucket(bCases).Get([]byte("case-000002")))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	path := filepath.Join(dir, DBFile)
	raw, _ := os.ReadFile(path)
	flipAll(t, raw, ct, len(ct)/2)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	if _, err := s.Case("case-000001"); err != nil {
		t.Fatalf("intact case: %v", err)
	}
	_, err := s.Case("case-000002")
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "cases") {
		t.Fatalf("err = %v, want ErrCorrupt naming bucket cases", err)
	}
	if err := s.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Check = %v", err)
	}
	// The list still works: the index row is intact.
	if sums, err := s.AllSummaries(); err != nil || len(sums) != 2 {
		t.Fatalf("AllSummaries = %d, %v", len(sums), err)
	}
}

func TestNotADatabase(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, DBFile), bytes.Repeat([]byte("kein bbolt "), 2000), 0o600); err != nil {
		t.Fatal(err)
	}
	var err error
	noPanic(t, "Open", func() { _, err = Open(testOptions(dir)) })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}
