package store

import (
	"bytes"
	"crypto/cipher"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
)

// sortKeyV1 is the index key of schema 1: due date (undated "~"), 0x00, case id.
func sortKeyV1(dueDate, id string) []byte {
	if dueDate == "" {
		dueDate = "~"
	}
	if len(dueDate) > maxDueLen {
		dueDate = dueDate[:maxDueLen]
	}
	return append(append([]byte(dueDate), 0), id...)
}

// downgradeToV1 rewrites a closed cache's index and caseidx in the layout of schema 1 (as the old
// code path wrote them: every row under its v1 key, caseidx pointing there) and marks it schema 1.
func downgradeToV1(t *testing.T, dir string) {
	t.Helper()
	downgradeToV1WithAEAD(t, dir, testAEAD(t, dir))
}

func downgradeToV1WithAEAD(t *testing.T, dir string, aead cipher.AEAD) {
	t.Helper()
	rawUpdate(t, filepath.Join(dir, DBFile), func(tx *bolt.Tx) error {
		idx, ids := tx.Bucket(bIndex), tx.Bucket(bCaseIdx)
		type row struct{ id, key, sum []byte }
		var rows []row
		if err := ids.ForEach(func(id, v []byte) error {
			k, err := open(aead, bCaseIdx, id, v)
			if err != nil {
				return err
			}
			p, err := open(aead, bIndex, k, idx.Get(k))
			if err != nil {
				return err
			}
			sum, err := decodeSummary(p)
			if err != nil {
				return err
			}
			rows = append(rows, row{bytes.Clone(id), sortKeyV1(sum.DueDate, string(id)), p})
			return nil
		}); err != nil {
			return err
		}
		for _, name := range [][]byte{bIndex, bCaseIdx} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		idx, ids = tx.Bucket(bIndex), tx.Bucket(bCaseIdx)
		for _, r := range rows {
			if err := idx.Put(r.key, seal(aead, bIndex, r.key, r.sum)); err != nil {
				return err
			}
			if err := ids.Put(r.id, seal(aead, bCaseIdx, r.id, r.key)); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(mSchema, u64(1))
	})
}

// testAEAD unlocks the data key of a closed test cache.
func testAEAD(t *testing.T, dir string) cipher.AEAD {
	t.Helper()
	s := openTest(t, dir)
	a := s.aead
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return a
}

// A schema-1 cache (index keyed by due date alone) opens migrated: the index is rebuilt open cases
// first, every row, summary (including its outbox state) and pointer survives, the counter is
// right, and the store keeps working on the new layout.
func TestMigrateV1toV2(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	finished := []api.Status{api.StatusDecided, api.StatusClosed, api.StatusWithdrawn, api.StatusForwarded}
	open := []api.Status{api.StatusNew, api.StatusInReview, api.StatusAwaitingDocuments, api.StatusDecisionProposed}
	var cs []api.Case
	const n = 300
	for i := 0; i < n; i++ {
		due := fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28)
		if i%50 == 7 {
			due = ""
		}
		c := mkCase(i, due, 1)
		if i%2 == 0 {
			c.Status = finished[i/2%len(finished)]
		} else {
			c.Status = open[i/2%len(open)]
		}
		cs = append(cs, c)
	}
	if err := s.ApplyChanges(upsert(cs...), "cur-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(note("case-000003", "Rückruf")); err != nil {
		t.Fatal(err)
	}
	before, err := s.AllSummaries()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	downgradeToV1(t, dir)

	// The downgraded file really is the old layout: index in due-date order, open and finished mixed.
	var v1 []string
	rawView(t, filepath.Join(dir, DBFile), func(tx *bolt.Tx) error {
		return tx.Bucket(bIndex).ForEach(func(k, _ []byte) error { v1 = append(v1, string(k)); return nil })
	})
	if len(v1) != n || v1[0][0] < '0' || v1[0][0] > '9' {
		t.Fatalf("v1 layout not written: %d rows, first key %q", len(v1), v1[0])
	}

	s = openTest(t, dir)
	if v := schemaOf(t, s); v != SchemaVersion() || v < 2 {
		t.Fatalf("schema %d after migration, want %d", v, SchemaVersion())
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Count(); err != nil || c != n {
		t.Fatalf("Count = %d, %v", c, err)
	}
	after, err := s.AllSummaries()
	if err != nil {
		t.Fatal(err)
	}
	// Same rows, now ordered: open first, each class by due date (undated last), then id.
	want := slices.Clone(before)
	slices.SortFunc(want, func(a, b Summary) int {
		return bytes.Compare(sortKey(a.Status, a.DueDate, a.ID), sortKey(b.Status, b.DueDate, b.ID))
	})
	if len(after) != len(want) {
		t.Fatalf("%d rows after migration, want %d", len(after), len(want))
	}
	for i := range want {
		if after[i] != want[i] {
			t.Fatalf("row %d: %+v, want %+v", i, after[i], want[i])
		}
	}
	for i := range after {
		if open := after[i].Status.Open(); open != (i < n/2) {
			t.Fatalf("row %d (%s) open=%v: open cases are not first", i, after[i].Status, open)
		}
	}
	if sum, err := s.Summary("case-000003"); err != nil || sum.Pending != 1 {
		t.Fatalf("pending note lost in migration: %+v, %v", sum, err)
	}
	if cur, err := s.Cursor(); err != nil || cur != "cur-1" {
		t.Fatalf("cursor %q, %v", cur, err)
	}

	// The first page is the top of the open work list.
	page, err := s.SummaryPage(0, 20)
	if err != nil {
		t.Fatal(err)
	}
	for i := range page {
		if page[i] != after[i] || !page[i].Status.Open() {
			t.Fatalf("first page row %d: %s %s", i, page[i].ID, page[i].Status)
		}
	}

	// The store keeps working: a case that gets decided moves to the finished part.
	c := cs[1]
	c.Status, c.Version = api.StatusDecided, 2
	if err := s.ApplyChanges(upsert(c), "cur-2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	var openIDs []string
	if err := s.ScanSummaries(ScanOpen, func(sum Summary) bool {
		openIDs = append(openIDs, sum.ID)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(openIDs) != n/2-1 || slices.Contains(openIDs, c.ID) {
		t.Fatalf("%d open rows after deciding %s (in list: %v)", len(openIDs), c.ID, slices.Contains(openIDs, c.ID))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	openTest(t, dir) // opening again migrates nothing
}

func rawView(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(fn); err != nil {
		t.Fatal(err)
	}
}

// ScanSummaries visits the requested part of the index in order and stops when asked.
func TestScanSummaries(t *testing.T) {
	s := newTestStore(t)
	var cs []api.Case
	for i := 0; i < 40; i++ {
		c := mkCase(i, fmt.Sprintf("2026-12-%02d", 1+(39-i)%28), 1)
		if i%4 == 0 {
			c.Status = api.StatusClosed
		}
		cs = append(cs, c)
	}
	if err := s.ApplyChanges(upsert(cs...), ""); err != nil {
		t.Fatal(err)
	}
	all, err := s.AllSummaries()
	if err != nil {
		t.Fatal(err)
	}
	scan := func(part Scan, stopAfter int) []Summary {
		var out []Summary
		if err := s.ScanSummaries(part, func(sum Summary) bool {
			out = append(out, sum)
			return len(out) != stopAfter
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := scan(ScanAll, -1); !slices.Equal(got, all) {
		t.Fatalf("ScanAll differs from AllSummaries")
	}
	if got := scan(ScanOpen, -1); !slices.Equal(got, all[:30]) {
		t.Fatalf("ScanOpen: %d rows", len(got))
	}
	if got := scan(ScanFinished, -1); !slices.Equal(got, all[30:]) {
		t.Fatalf("ScanFinished: %d rows", len(got))
	}
	if got := scan(ScanOpen, 5); !slices.Equal(got, all[:5]) {
		t.Fatalf("ScanOpen stopped after 5: %d rows", len(got))
	}
	if got := scan(ScanFinished, 3); !slices.Equal(got, all[30:33]) {
		t.Fatalf("ScanFinished stopped after 3: %d rows", len(got))
	}
}
