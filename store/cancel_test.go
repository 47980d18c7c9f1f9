package store

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// An action that has not left the machine can be taken back, and its optimistic effect with it;
// one the syncer has begun sending cannot (issue 15 item 3).
func TestCancel(t *testing.T) {
	s := newTestStore(t)
	c := mkCase(1, "2026-12-10", 3)
	if err := s.ApplyChanges(upsert(c), "1"); err != nil {
		t.Fatal(err)
	}
	a, err := s.Enqueue(note(c.ID, "Rückruf vereinbart"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Case(c.ID); len(got.Notes) != 1 {
		t.Fatalf("overlay notes = %d, want 1", len(got.Notes))
	}
	got, err := s.Cancel(a.ID)
	if err != nil || got.ID != a.ID {
		t.Fatalf("Cancel = %+v, %v", got, err)
	}
	if cs, _ := s.Case(c.ID); len(cs.Notes) != 0 {
		t.Fatalf("the cancelled note is still shown: %+v", cs.Notes)
	}
	if ob, _ := s.Outbox(); len(ob) != 0 {
		t.Fatalf("outbox after cancel: %+v", ob)
	}
	if _, err := s.Cancel(a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Cancel: %v, want ErrNotFound", err)
	}
	if _, err := s.BeginSend(a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("BeginSend of a cancelled action: %v, want ErrNotFound", err)
	}

	// In flight: refused, the action and its effect stay.
	b, _ := s.Enqueue(note(c.ID, "zweiter Vermerk"))
	if sent, err := s.BeginSend(b.ID); err != nil || !sent.InFlight {
		t.Fatalf("BeginSend = %+v, %v", sent, err)
	}
	if _, err := s.Cancel(b.ID); !errors.Is(err, ErrInFlight) {
		t.Fatalf("Cancel in flight: %v, want ErrInFlight", err)
	}
	if cs, _ := s.Case(c.ID); len(cs.Notes) != 1 {
		t.Fatalf("refused cancel changed the case: %+v", cs.Notes)
	}
	// The connection was never made: cancellable again.
	if err := s.MarkUnsent(b.ID, 1, time.Time{}, "offline"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cancel(b.ID); err != nil {
		t.Fatalf("Cancel after an unsent attempt: %v", err)
	}
	// Delivered: gone, so not found.
	d, _ := s.Enqueue(note(c.ID, "dritter"))
	if _, err := s.BeginSend(d.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDone(d.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cancel(d.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Cancel after delivery: %v, want ErrNotFound", err)
	}
	// A rejected action has been answered and is not on its way: it can be taken back too.
	r, _ := s.Enqueue(note(c.ID, "vierter"))
	_, _ = s.BeginSend(r.ID)
	if err := s.MarkRejected(r.ID, "Unprocessable"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cancel(r.ID); err != nil {
		t.Fatalf("Cancel of a rejected action: %v", err)
	}
}

// The clerk's undo and the syncer's BeginSend race on the same actions: for each, exactly one
// wins, and an action is never both cancelled and sent.
func TestCancelRacesBeginSend(t *testing.T) {
	s := newTestStore(t)
	const n = 40
	var ids []string
	for i := 0; i < n; i++ {
		a, err := s.Enqueue(Action{CaseID: "c1", Kind: api.ActionNote, Body: mustJSON(api.NoteRequest{Text: "x"})})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	cancelled := make([]bool, n)
	sent := make([]bool, n)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i, id := range ids {
			_, err := s.Cancel(id)
			switch {
			case err == nil:
				cancelled[i] = true
			case errors.Is(err, ErrInFlight):
			default:
				t.Errorf("Cancel %d: %v", i, err)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i, id := range ids {
			_, err := s.BeginSend(id)
			switch {
			case err == nil:
				sent[i] = true
			case errors.Is(err, ErrNotFound):
			default:
				t.Errorf("BeginSend %d: %v", i, err)
			}
		}
	}()
	wg.Wait()
	for i := range ids {
		if cancelled[i] == sent[i] {
			t.Errorf("action %d: cancelled %v, sent %v; want exactly one", i, cancelled[i], sent[i])
		}
		_, err := s.Action(ids[i])
		if sent[i] && err != nil || cancelled[i] && !errors.Is(err, ErrNotFound) {
			t.Errorf("action %d: lookup %v (sent %v)", i, err, sent[i])
		}
	}
}
