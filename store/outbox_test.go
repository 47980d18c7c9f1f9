package store

import (
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

func note(caseID, text string) Action {
	return Action{CaseID: caseID, Kind: api.ActionNote, Body: mustJSON(api.NoteRequest{Text: text})}
}

func TestEnqueueValidation(t *testing.T) {
	s := newTestStore(t)
	for _, tc := range []struct {
		name string
		a    Action
	}{
		{"unknown kind", Action{CaseID: "c1", Kind: "poke", Body: []byte(`{}`)}},
		{"no case", Action{Kind: api.ActionNote, Body: []byte(`{"text":"x"}`)}},
		{"bad json", Action{CaseID: "c1", Kind: api.ActionNote, Body: []byte(`{"text":`)}},
		{"empty body", Action{CaseID: "c1", Kind: api.ActionNote}},
		{"wrong body type", Action{CaseID: "c1", Kind: api.ActionNote, Body: []byte(`{"text":42}`)}},
		{"approval without decision id", Action{CaseID: "c1", Kind: api.ActionApproval, Body: []byte(`{"approve":true}`)}},
		{"bad action id", Action{ID: "../x", CaseID: "c1", Kind: api.ActionNote, Body: []byte(`{"text":"x"}`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Enqueue(tc.a); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
	if ob, _ := s.Outbox(); len(ob) != 0 {
		t.Fatalf("outbox %+v", ob)
	}
}

func TestEnqueueAssigns(t *testing.T) {
	s := newTestStore(t)
	a, err := s.Enqueue(note("c1", "x")) // case not cached: allowed, no summary
	if err != nil {
		t.Fatal(err)
	}
	if a.Seq != 1 || len(a.ID) != 26 || a.CreatedAt.IsZero() || a.State != StatePending || a.BaseVersion != 0 {
		t.Fatalf("%+v", a)
	}
	// Same id, same action: idempotent. Same id, different action: refused.
	again := note("c1", "x")
	again.ID = a.ID
	b, err := s.Enqueue(again)
	if err != nil || b.Seq != a.Seq {
		t.Fatalf("re-enqueue: %+v, %v", b, err)
	}
	again.Body = mustJSON(api.NoteRequest{Text: "y"})
	if _, err := s.Enqueue(again); !errors.Is(err, ErrInvalid) {
		t.Fatalf("different body under same id: %v", err)
	}
	got, err := s.Action(a.ID)
	if err != nil || got.Seq != 1 {
		t.Fatalf("Action: %+v, %v", got, err)
	}
	if _, err := s.Action("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

func TestOutboxOrderAndDue(t *testing.T) {
	s := newTestStore(t)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	var ids []string
	for i, c := range []string{"c1", "c2", "c1", "c3", "c2"} {
		a, err := s.Enqueue(note(c, string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	ob, _ := s.Outbox()
	if !sort.SliceIsSorted(ob, func(i, j int) bool { return ob[i].Seq < ob[j].Seq }) || len(ob) != 5 {
		t.Fatalf("outbox order %+v", ob)
	}
	due, _ := s.Due(now)
	if len(due) != 5 {
		t.Fatalf("due %d", len(due))
	}
	// c1's first action waits for a retry: c1's second waits behind it; others stay due.
	if err := s.MarkRetry(ids[0], 1, now.Add(time.Minute), "offline"); err != nil {
		t.Fatal(err)
	}
	// c3's action conflicts: not due, and does not block others.
	if err := s.MarkConflict(ids[3], mkCase(3, "", 5)); err != nil {
		t.Fatal(err)
	}
	due, _ = s.Due(now)
	if got := actionIDs(due); !equal(got, []string{ids[1], ids[4]}) {
		t.Fatalf("due %v, want %v", got, []string{ids[1], ids[4]})
	}
	due, _ = s.Due(now.Add(time.Minute))
	if got := actionIDs(due); !equal(got, []string{ids[0], ids[1], ids[2], ids[4]}) {
		t.Fatalf("due later %v", got)
	}
	a0, _ := s.Action(ids[0])
	if a0.Attempts != 1 || a0.LastError != "offline" || !a0.NextAttempt.Equal(now.Add(time.Minute)) {
		t.Fatalf("retry state %+v", a0)
	}
}

func actionIDs(as []Action) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestActionStateTransitions(t *testing.T) {
	s := newTestStore(t)
	c := mkCase(1, "2026-12-01", 1)
	if err := s.ApplyChanges(upsert(c), ""); err != nil {
		t.Fatal(err)
	}
	dec, err := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionDecision, Body: mustJSON(api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "ja"})})
	if err != nil {
		t.Fatal(err)
	}
	nt, err := s.Enqueue(note(c.ID, "Notiz"))
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := s.Summary(c.ID)
	if sum.Pending != 2 || sum.Status != api.StatusDecided {
		t.Fatalf("after enqueue %+v", sum)
	}

	// Conflict: a colleague decided first. The server case becomes the base; the intent stays.
	theirs := c
	theirs.Version = 4
	theirs.Status = api.StatusInReview
	theirs.Assignee = "k2"
	if err := s.MarkConflict(dec.ID, theirs); err != nil {
		t.Fatal(err)
	}
	sum, _ = s.Summary(c.ID)
	if !sum.Conflict || sum.Pending != 1 || sum.Version != 4 || sum.Assignee != "k2" || sum.Status != api.StatusDecided {
		t.Fatalf("after conflict %+v", sum)
	}
	a, _ := s.Action(dec.ID)
	if a.State != StateConflict || a.ServerCase == nil || a.ServerCase.Version != 4 {
		t.Fatalf("conflict action %+v", a)
	}
	base, _ := s.ServerCase(c.ID)
	if base.Version != 4 {
		t.Fatalf("base version %d", base.Version)
	}

	// Requeue against the new version.
	if err := s.Requeue(dec.ID, 4); err != nil {
		t.Fatal(err)
	}
	a, _ = s.Action(dec.ID)
	if a.State != StatePending || a.BaseVersion != 4 || a.ServerCase != nil {
		t.Fatalf("requeued %+v", a)
	}
	sum, _ = s.Summary(c.ID)
	if sum.Conflict || sum.Pending != 2 {
		t.Fatalf("after requeue %+v", sum)
	}

	// Done with the server's answer (newer) → stored; an older answer is ignored.
	after := theirs
	after.Version = 5
	after.Status = api.StatusDecided
	after.Decision = &api.Decision{ID: dec.ID, Outcome: api.OutcomeApproved, State: api.DecisionFinal}
	if err := s.MarkDone(dec.ID, &after); err != nil {
		t.Fatal(err)
	}
	older := theirs
	older.Version = 3
	if err := s.MarkDone(nt.ID, &older); err != nil {
		t.Fatal(err)
	}
	base, _ = s.ServerCase(c.ID)
	if base.Version != 5 || base.Status != api.StatusDecided {
		t.Fatalf("base after done %d %s", base.Version, base.Status)
	}
	sum, _ = s.Summary(c.ID)
	if sum.Pending != 0 || sum.Conflict || sum.Rejected {
		t.Fatalf("after done %+v", sum)
	}
	if ob, _ := s.Outbox(); len(ob) != 0 {
		t.Fatalf("outbox %+v", ob)
	}
	if err := s.MarkDone(dec.ID, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second MarkDone: %v", err)
	}

	// Rejected, then discarded.
	r, _ := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionStatus, Body: mustJSON(api.StatusRequest{Status: api.StatusClosed})})
	if err := s.MarkRejected(r.ID, "409 invalid transition"); err != nil {
		t.Fatal(err)
	}
	a, _ = s.Action(r.ID)
	if a.State != StateRejected || a.LastError != "409 invalid transition" {
		t.Fatalf("rejected %+v", a)
	}
	if due, _ := s.Due(time.Now()); len(due) != 0 {
		t.Fatalf("rejected is due: %+v", due)
	}
	if err := s.Discard(r.ID); err != nil {
		t.Fatal(err)
	}
	sum, _ = s.Summary(c.ID)
	if sum.Rejected || sum.Pending != 0 {
		t.Fatalf("after discard %+v", sum)
	}
	for _, f := range []func() error{
		func() error { return s.Discard("missing") },
		func() error { return s.MarkRejected("missing", "") },
		func() error { return s.MarkRetry("missing", 1, time.Now(), "") },
		func() error { return s.Requeue("missing", 1) },
		func() error { return s.MarkConflict("missing", c) },
	} {
		if err := f(); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing action: %v", err)
		}
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	a, _ := s.Enqueue(note("c1", "x"))
	b, _ := s.Enqueue(note("c1", "y"))
	s.Close()
	s = openTest(t, dir)
	c, err := s.Enqueue(note("c1", "z"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Seq <= b.Seq || b.Seq <= a.Seq {
		t.Fatalf("seq %d %d %d", a.Seq, b.Seq, c.Seq)
	}
	ob, _ := s.Outbox()
	if len(ob) != 3 || string(ob[0].Body) != `{"text":"x"}` {
		t.Fatalf("outbox %+v", ob)
	}
}

func TestNewActionID(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 10000; i++ {
		id := NewActionID()
		if len(id) != 26 || !casework.ValidID(id) {
			t.Fatalf("bad id %q", id)
		}
		if id <= prev {
			t.Fatalf("not increasing: %s after %s", id, prev)
		}
		if seen[id] {
			t.Fatalf("duplicate %s", id)
		}
		seen[id] = true
		prev = id
	}
	// The first 10 digits carry the millisecond time.
	id := NewActionID()
	var ms uint64
	for _, c := range id[:10] {
		ms = ms<<5 | uint64(strings.IndexRune(crockford, c))
	}
	if d := time.Since(time.UnixMilli(int64(ms))); d < -time.Second || d > time.Minute {
		t.Fatalf("id time off by %s", d)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newTestStore(t)
	var cs []api.Case
	for i := 0; i < 50; i++ {
		cs = append(cs, mkCase(i, "2026-12-01", 1))
	}
	if err := s.ApplyChanges(upsert(cs...), ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := s.Enqueue(note(cs[(w*20+i)%50].ID, "n")); err != nil {
					errs <- err
				}
				if _, err := s.SummaryPage(i, 10); err != nil {
					errs <- err
				}
				if w == 0 && i%10 == 0 {
					if err := s.Compact(); err != nil {
						errs <- err
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if ob, _ := s.Outbox(); len(ob) != 80 {
		t.Fatalf("outbox %d", len(ob))
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestCaseActions(t *testing.T) {
	s := newTestStore(t)
	a1, _ := s.Enqueue(note("c1", "a"))
	_, _ = s.Enqueue(note("c10", "b")) // prefix of another id must not leak in
	a3, _ := s.Enqueue(note("c1", "c"))
	got, err := s.CaseActions("c1")
	if err != nil {
		t.Fatal(err)
	}
	if ids := actionIDs(got); !equal(ids, []string{a1.ID, a3.ID}) {
		t.Fatalf("CaseActions = %v", ids)
	}
	if _, err := s.Case("c1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Case without base: %v", err)
	}
}
