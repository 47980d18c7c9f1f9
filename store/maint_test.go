package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

func TestPurgeRules(t *testing.T) {
	s := newTestStore(t)
	cutoff := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	old := cutoff.Add(-24 * time.Hour)
	recent := cutoff.Add(24 * time.Hour)
	type row struct {
		status  api.Status
		updated time.Time
		outbox  bool
		purged  bool
	}
	rows := []row{
		{api.StatusClosed, old, false, true},
		{api.StatusDecided, old, false, true},
		{api.StatusWithdrawn, old, false, true},
		{api.StatusForwarded, old, false, true},
		{api.StatusClosed, recent, false, false},
		{api.StatusClosed, old, true, false}, // has an outbox entry
		{api.StatusNew, old, false, false},
		{api.StatusInReview, old, false, false},
		{api.StatusAwaitingDocuments, old, false, false},
		{api.StatusDecisionProposed, old, false, false},
	}
	var cs []api.Case
	for i, r := range rows {
		c := mkCase(i, "2026-01-01", 1)
		c.Status = r.status
		c.UpdatedAt = r.updated
		cs = append(cs, c)
	}
	if err := s.ApplyChanges(upsert(cs...), ""); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		p := s.AttachmentPath(cs[i].ID, "att-1")
		if err := os.WriteFile(p, []byte("%PDF"), 0o600); err != nil {
			t.Fatal(err)
		}
		if r.outbox {
			a, err := s.Enqueue(note(cs[i].ID, "noch offen"))
			if err != nil {
				t.Fatal(err)
			}
			// Even a rejected entry protects the case.
			if err := s.MarkRejected(a.ID, "nein"); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := s.Purge(cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("purged %d, want 4", n)
	}
	for i, r := range rows {
		_, err := s.ServerCase(cs[i].ID)
		_, ferr := os.Stat(s.AttachmentPath(cs[i].ID, "att-1"))
		if r.purged != errors.Is(err, ErrNotFound) {
			t.Errorf("row %d (%s): purged=%v, err=%v", i, r.status, r.purged, err)
		}
		if r.purged && ferr == nil {
			t.Errorf("row %d: attachment file kept", i)
		}
	}
	if c, _ := s.Count(); c != len(rows)-4 {
		t.Fatalf("Count %d", c)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestCompactKeepsData(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	var cs []api.Case
	for i := 0; i < 300; i++ {
		cs = append(cs, mkCase(i, "2026-12-01", 1))
	}
	if err := s.ApplyChanges(upsert(cs...), "77"); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Enqueue(note(cs[5].ID, "bleibt"))
	// Free most of the space.
	var dels []api.Change
	for i := 10; i < 300; i++ {
		dels = append(dels, api.Change{Kind: api.ChangeDelete, CaseID: cs[i].ID})
	}
	if err := s.ApplyChanges(dels, "78"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DBFile)
	before, _ := os.Stat(path)
	ch, cancel := s.Subscribe()
	defer cancel()
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if after.Size() >= before.Size() {
		t.Errorf("size %d → %d", before.Size(), after.Size())
	}
	if after.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", after.Mode().Perm())
	}
	select {
	case <-ch:
	default:
		t.Error("no notification after compact")
	}
	if _, err := os.Stat(path + ".compact"); !os.IsNotExist(err) {
		t.Errorf("temp file left: %v", err)
	}
	check := func(s *Store) {
		t.Helper()
		if n, _ := s.Count(); n != 10 {
			t.Fatalf("Count %d", n)
		}
		got, err := s.Case(cs[5].ID)
		if err != nil || len(got.Notes) != 1 || got.Notes[0].Text != "bleibt" {
			t.Fatalf("Case: %+v, %v", got.Notes, err)
		}
		if cur, _ := s.Cursor(); cur != "78" {
			t.Fatalf("cursor %q", cur)
		}
		if err := s.Check(); err != nil {
			t.Fatal(err)
		}
	}
	check(s)
	// Still usable for writes, and still locked against a second opener.
	if err := s.MarkDone(a.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(testOptions(dir)); !errors.Is(err, ErrAlreadyOpen) {
		t.Fatalf("second open after compact: %v", err)
	}
	a2, _ := s.Enqueue(note(cs[5].ID, "bleibt"))
	_ = a2
	s.Close()
	s = openTest(t, dir)
	check(s)
}

func TestAttachmentPathSafe(t *testing.T) {
	s := newTestStore(t)
	root := s.AttachmentsRoot()
	for _, tc := range []struct{ caseID, aid string }{
		{"case-1", "att-1"},
		{"../../etc", "passwd"},
		{"case-1", "../../../amt.db"},
		{"..", ".."},
		{".", "."},
		{"a/b", `c\d`},
		{"", ""},
		{"case 1", "ä.pdf"},
		{strings.Repeat("x", 500), "y"},
		{"case\x00", "z"},
	} {
		p := s.AttachmentPath(tc.caseID, tc.aid)
		rel, err := filepath.Rel(root, p)
		if err != nil || strings.HasPrefix(rel, "..") || strings.Count(rel, string(filepath.Separator)) != 1 {
			t.Errorf("AttachmentPath(%q, %q) = %s escapes or nests (rel %q)", tc.caseID, tc.aid, p, rel)
		}
		if filepath.Clean(p) != p {
			t.Errorf("AttachmentPath(%q, %q) = %s not clean", tc.caseID, tc.aid, p)
		}
	}
	if s.AttachmentPath("case-1", "att-1") != filepath.Join(root, "case-1", "att-1") {
		t.Error("safe ids should be kept")
	}
	if s.AttachmentPath("a", "x/y") == s.AttachmentPath("a", "x_y") {
		t.Error("distinct ids collide")
	}
}

func TestAttachmentMeta(t *testing.T) {
	s := newTestStore(t)
	m := AttachmentMeta{CaseID: "case-1", Attachment: api.Attachment{ID: "att-1", Name: "a.pdf", Size: 10}, Bytes: 4}
	if err := s.PutAttachmentMeta(m); err != nil {
		t.Fatal(err)
	}
	got, err := s.AttachmentMeta("case-1", "att-1")
	if err != nil || got.Bytes != 4 || got.Attachment.Name != "a.pdf" {
		t.Fatalf("%+v, %v", got, err)
	}
	if _, err := s.AttachmentMeta("case-1", "att-2"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if err := s.PutAttachmentMeta(AttachmentMeta{CaseID: "c"}); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
}
