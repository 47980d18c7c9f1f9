package store

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
)

// withResubmissions gives c the Wiedervorlagen of two clerks (one each), the earliest also in
// the legacy single field, as the server sends them.
func withResubmissions(c api.Case) api.Case {
	c.Resubmissions = []api.Resubmission{
		{ID: "r1", Date: "2026-12-16", Reason: "Rückruf Antragsteller", Actor: "crivitz.peters"},
		{ID: "r2", Date: "2026-12-07", Actor: "crivitz.wendt"},
	}
	c.Resubmission = &c.Resubmissions[1]
	return c
}

// formatV1 is the summary as format 1 (schema 3 and before) wrote it: without the clerks'
// Wiedervorlagen at the end.
func formatV1(t *testing.T, s *Summary) []byte {
	t.Helper()
	b := encodeSummary(s)
	tail := binary.AppendUvarint(nil, uint64(len(s.Resubmissions)))
	tail = append(tail, s.Resubmissions...)
	v1 := append([]byte(nil), b[:len(b)-len(tail)]...)
	v1[0] = 1
	return v1
}

// A summary knows each clerk's own Wiedervorlage: a colleague's is not mine, and the earliest
// of all stays in ResubmissionDate.
func TestSummaryResubmissionsPerClerk(t *testing.T) {
	s := openTest(t, t.TempDir())
	c := withResubmissions(mkCase(1, "2026-12-10", 1))
	if err := s.ApplyChanges(upsert(c), "c1"); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Summary(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ clerk, want string }{
		{"crivitz.peters", "2026-12-16"},
		{"crivitz.wendt", "2026-12-07"},
		{"crivitz.schulz", ""},
		{"", ""},
	} {
		if got := sum.ResubmissionOf(tc.clerk); got != tc.want {
			t.Errorf("ResubmissionOf(%q) = %q, want %q", tc.clerk, got, tc.want)
		}
	}
	if sum.ResubmissionDate != "2026-12-07" {
		t.Errorf("ResubmissionDate %q, want the earliest", sum.ResubmissionDate)
	}
	dec, err := decodeSummary(encodeSummary(&sum))
	if err != nil || dec != sum {
		t.Fatalf("round trip: %+v, %v", dec, err)
	}
	// Format 1 still reads, without the clerks' dates.
	old, err := decodeSummary(formatV1(t, &sum))
	want := sum
	want.Resubmissions = ""
	if err != nil || old != want {
		t.Fatalf("format 1: %+v, %v", old, err)
	}
	// A truncated format 2 is damaged, not a panic.
	b := encodeSummary(&sum)
	if _, err := decodeSummary(b[:len(b)-3]); err == nil {
		t.Fatal("a truncated summary decoded")
	}
}

// A schema-3 cache (summaries of format 1) opens with its summaries rewritten: each clerk's own
// Wiedervorlage is known for cases cached before the upgrade.
func TestMigrateV3toV4(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	c := withResubmissions(mkCase(1, "2026-12-10", 1))
	plain := mkCase(2, "2026-12-11", 1)
	if err := s.ApplyChanges(upsert(c, plain), "c1"); err != nil {
		t.Fatal(err)
	}
	aead := s.aead
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, filepath.Join(dir, DBFile), func(tx *bolt.Tx) error {
		idx := tx.Bucket(bIndex)
		type kv struct{ k, v []byte }
		var rows []kv
		if err := idx.ForEach(func(k, v []byte) error {
			p, err := open(aead, bIndex, k, v)
			if err != nil {
				return err
			}
			sum, err := decodeSummary(p)
			if err != nil {
				return err
			}
			rows = append(rows, kv{append([]byte(nil), k...), seal(aead, bIndex, k, formatV1(t, &sum))})
			return nil
		}); err != nil {
			return err
		}
		for _, r := range rows {
			if err := idx.Put(r.k, r.v); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(mSchema, u64(3))
	})
	s = openTest(t, dir)
	if v := schemaOf(t, s); v != SchemaVersion() || v < 4 {
		t.Fatalf("schema %d, want %d", v, SchemaVersion())
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Summary(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ResubmissionOf("crivitz.peters") != "2026-12-16" || sum.ResubmissionOf("crivitz.wendt") != "2026-12-07" {
		t.Fatalf("after the upgrade: %q", sum.Resubmissions)
	}
	if n, err := s.Count(); err != nil || n != 2 {
		t.Fatalf("Count = %d, %v", n, err)
	}
}
