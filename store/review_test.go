package store

import (
	"errors"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// A second Open that is already waiting for the lock while the first store compacts must not end
// up owning the old, unlinked file (its writes would vanish) — it must still see "already open".
func TestCompactDoesNotHandOldFileToWaitingOpener(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1)), "1"); err != nil {
		t.Fatal(err)
	}
	type res struct {
		st  *Store
		err error
	}
	got := make(chan res, 1)
	opened := make(chan struct{}, 1)
	testHookOpened = func(string) {
		select {
		case opened <- struct{}{}:
		default:
		}
	}
	t.Cleanup(func() { testHookOpened = nil })
	go func() {
		o := testOptions(dir)
		o.LockTimeout = 1500 * time.Millisecond
		st, err := Open(o)
		got <- res{st, err}
	}()
	<-opened // the opener holds the current file and waits for its lock
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err == nil {
		// Show the damage: what the second store writes is lost for the first.
		_, _ = r.st.Enqueue(Action{CaseID: "case-000001", Kind: api.ActionNote, Body: mustJSON(api.NoteRequest{Text: "lost"})})
		_ = r.st.Close()
		out, _ := s.Outbox()
		t.Fatalf("second Open succeeded on the replaced file while the first store is open (outbox seen by first store: %d)", len(out))
	}
	if !errors.Is(r.err, ErrAlreadyOpen) {
		t.Fatalf("second Open: %v, want ErrAlreadyOpen", r.err)
	}
	// The first store still works after compaction.
	if _, err := s.Enqueue(Action{CaseID: "case-000001", Kind: api.ActionNote, Body: mustJSON(api.NoteRequest{Text: "x"})}); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestSettledResolutionsCheckStateInTx(t *testing.T) {
	s := newTestStore(t)
	c := mkCase(1, "2026-12-01", 3)
	if err := s.ApplyChanges(upsert(c), "1"); err != nil {
		t.Fatal(err)
	}
	dec := func() Action {
		a, err := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionDecision, Body: mustJSON(api.DecisionRequest{Outcome: api.OutcomeRejected})})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	note := Action{CaseID: c.ID, Kind: api.ActionNote, Body: mustJSON(api.NoteRequest{Text: "Absicht"})}

	// Pending actions (maybe on their way to the server) are refused.
	p := dec()
	if err := s.DiscardSettled(p.ID); !errors.Is(err, ErrNotSettled) {
		t.Fatalf("DiscardSettled(pending) = %v", err)
	}
	if _, err := s.ReplaceSettled(p.ID, note); !errors.Is(err, ErrNotSettled) {
		t.Fatalf("ReplaceSettled(pending) = %v", err)
	}
	if err := s.RequeueConflict(p.ID); !errors.Is(err, ErrNotSettled) {
		t.Fatalf("RequeueConflict(pending) = %v", err)
	}
	if out, _ := s.Outbox(); len(out) != 1 {
		t.Fatalf("refusals changed the outbox: %d", len(out))
	}

	// A conflict: re-apply against the server's version it came back with.
	sc := c
	sc.Version = 5
	if err := s.MarkConflict(p.ID, sc); err != nil {
		t.Fatal(err)
	}
	if err := s.RequeueConflict(p.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Action(p.ID); a.State != StatePending || a.BaseVersion != 5 || a.ServerCase != nil {
		t.Fatalf("requeued: %+v", a)
	}
	if err := s.RequeueConflict(p.ID); !errors.Is(err, ErrNotSettled) {
		t.Fatalf("second RequeueConflict = %v", err)
	}

	// Replace: the note and the removal are one step; a second replace finds nothing.
	if err := s.MarkRejected(p.ID, "nein"); err != nil {
		t.Fatal(err)
	}
	n, err := s.ReplaceSettled(p.ID, note)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReplaceSettled(p.ID, note); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second ReplaceSettled = %v", err)
	}
	out, _ := s.Outbox()
	if len(out) != 1 || out[0].ID != n.ID || out[0].Kind != api.ActionNote {
		t.Fatalf("outbox after replace: %+v", out)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestMarkDoneRebaseMovesLaterIfMatchActions(t *testing.T) {
	s := newTestStore(t)
	c := mkCase(1, "2026-12-01", 5)
	if err := s.ApplyChanges(upsert(c), "1"); err != nil {
		t.Fatal(err)
	}
	enq := func(kind api.ActionKind, body any, base int64) Action {
		a, err := s.Enqueue(Action{CaseID: c.ID, Kind: kind, Body: mustJSON(body), BaseVersion: base})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	n := enq(api.ActionNote, api.NoteRequest{Text: "vorab"}, 5)
	asg := enq(api.ActionAssignment, api.AssignmentRequest{Assignee: "x"}, 5)
	other := enq(api.ActionStatus, api.StatusRequest{Status: api.StatusInReview}, 4) // saw another version
	later := enq(api.ActionNote, api.NoteRequest{Text: "danach"}, 5)                 // no If-Match
	done := c
	done.Version = 6
	if err := s.MarkDoneRebase(n.ID, &done, 5, 6); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int64{asg.ID: 6, other.ID: 4, later.ID: 5} {
		if a, _ := s.Action(id); a.BaseVersion != want {
			t.Errorf("%s: base %d, want %d", a.Kind, a.BaseVersion, want)
		}
	}
	if _, err := s.Action(n.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delivered action still there: %v", err)
	}
	if sc, _ := s.ServerCase(c.ID); sc.Version != 6 {
		t.Fatalf("server case version %d", sc.Version)
	}
}

// Due keeps the per-case order the syncer keeps: nothing of a case goes past its conflict.
func TestDueHoldsBackBehindConflict(t *testing.T) {
	s := newTestStore(t)
	c := mkCase(1, "2026-12-01", 3)
	if err := s.ApplyChanges(upsert(c), "1"); err != nil {
		t.Fatal(err)
	}
	d, err := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionDecision, Body: mustJSON(api.DecisionRequest{Outcome: api.OutcomeRejected})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionStatus, Body: mustJSON(api.StatusRequest{Status: api.StatusClosed})}); err != nil {
		t.Fatal(err)
	}
	sc := c
	sc.Version = 4
	if err := s.MarkConflict(d.ID, sc); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.Due(time.Now()); len(due) != 0 {
		t.Fatalf("due behind a conflict: %+v", due)
	}
}
