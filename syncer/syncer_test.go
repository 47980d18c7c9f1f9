package syncer

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

func TestPullPagesMatchServer(t *testing.T) {
	var cnt counter
	env := startServer(t, 0, servertest.WithHandlerWrapper(cnt.wrap))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{PageSize: 3}, nil)
	a.sync(t)
	n, err := a.st.Count()
	if err != nil {
		t.Fatal(err)
	}
	if want := servertest.DefaultCases / 2; n != want {
		t.Fatalf("cached %d cases, want %d (one Amt's half)", n, want)
	}
	rows, _ := a.st.AllSummaries()
	for _, r := range rows {
		sc := serverCase(t, env, clerkA, r.ID)
		if sc.Version != r.Version {
			t.Errorf("%s: cached version %d, server %d", r.ID, r.Version, sc.Version)
		}
	}
	if cnt.puts.Load() != 0 {
		t.Errorf("pull sent %d PUTs", cnt.puts.Load())
	}
	// A sync with nothing new is one request.
	before := cnt.gets.Load()
	a.sync(t)
	if d := cnt.gets.Load() - before; d != 1 {
		t.Errorf("idle sync made %d requests, want 1", d)
	}
	ev := a.y.Status()
	if !ev.Online || ev.Pending != 0 || ev.LastSync.IsZero() || ev.Err != "" {
		t.Errorf("status after sync = %+v", ev)
	}
}

func TestPushNoteExactlyOnce(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	act := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "Rückfrage beim Gewerbeamt"})
	if got := a.y.Status(); got.Pending != 0 {
		// Status refreshes only on sync; this is fine either way.
		_ = got
	}
	a.sync(t)
	if out := a.outbox(t); len(out) != 0 {
		t.Fatalf("outbox after sync: %+v", out)
	}
	sc := serverCase(t, env, clerkA, caseReview)
	if n := noteCount(sc, act.ID); n != 1 {
		t.Fatalf("server has %d notes with id %s, want 1", n, act.ID)
	}
	// The cache holds the server's result.
	cc, err := a.st.ServerCase(caseReview)
	if err != nil || cc.Version != sc.Version || noteCount(cc, act.ID) != 1 {
		t.Fatalf("cached case v%d notes %d (err %v), server v%d", cc.Version, noteCount(cc, act.ID), err, sc.Version)
	}
	// A resend of the same action (as after a crash between server commit and local commit) is
	// answered from the server's idempotency record: still one note.
	act.Seq = 0
	if _, err := a.st.Enqueue(store.Action{ID: act.ID, CaseID: act.CaseID, Kind: act.Kind, Body: act.Body, BaseVersion: act.BaseVersion}); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	if out := a.outbox(t); len(out) != 0 {
		t.Fatalf("outbox after resend: %+v", out)
	}
	if n := noteCount(serverCase(t, env, clerkA, caseReview), act.ID); n != 1 {
		t.Fatalf("after resend server has %d notes, want 1", n)
	}
}

func TestOwnNoteDoesNotMakeLaterDecisionConflict(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	// Offline: a note, an assignment and a decision, all having seen the same version.
	a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "Unterlagen vollständig"})
	a.enqueue(t, caseReview, api.ActionAssignment, api.AssignmentRequest{Assignee: clerkA})
	dec := a.enqueue(t, caseReview, api.ActionDecision, api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "Voraussetzungen erfüllt"})
	a.sync(t)
	if out := a.outbox(t); len(out) != 0 {
		t.Fatalf("outbox: %+v", out)
	}
	sc := serverCase(t, env, clerkA, caseReview)
	if sc.Decision == nil || sc.Decision.ID != dec.ID || sc.Assignee != clerkA {
		t.Fatalf("server case: decision %+v assignee %q", sc.Decision, sc.Assignee)
	}
}

func TestConflictTwoClerksDecideOffline(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	b := newClerk(t, env, clerkB, clk, Options{}, nil)
	a.sync(t)
	b.sync(t)

	// Both decide the same case while offline; B also notes something afterwards.
	decA := a.enqueue(t, caseReview, api.ActionDecision, api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "passt"})
	decB := b.enqueue(t, caseReview, api.ActionDecision, api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "Unterlagen fehlen seit Wochen"})
	noteB := b.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "Antragsteller informiert"})

	a.sync(t) // A is first: wins.
	b.sync(t)
	out := b.outbox(t)
	if len(out) != 2 || out[0].ID != decB.ID || out[0].State != store.StateConflict {
		t.Fatalf("B outbox = %+v", out)
	}
	if out[0].ServerCase == nil || out[0].ServerCase.Decision == nil || out[0].ServerCase.Decision.ID != decA.ID {
		t.Fatalf("conflict does not carry the server's case with A's decision: %+v", out[0].ServerCase)
	}
	if !strings.Contains(string(out[0].Body), "Unterlagen fehlen") {
		t.Fatalf("conflict lost B's intent: %s", out[0].Body)
	}
	// Later actions of the conflicted case wait.
	if out[1].ID != noteB.ID || out[1].State != store.StatePending {
		t.Fatalf("B's later note = %+v, want pending", out[1])
	}
	if n := noteCount(serverCase(t, env, clerkB, caseReview), noteB.ID); n != 0 {
		t.Fatalf("B's later note was sent past the conflict")
	}
	if st := b.y.Status(); st.Conflicts != 1 || st.Pending != 1 {
		t.Fatalf("B status = %+v", st)
	}

	// B keeps the intent as a note; the waiting note follows.
	noteID, err := Resolve(b.st, decB.ID, AsNote)
	if err != nil {
		t.Fatal(err)
	}
	b.sync(t)
	if out := b.outbox(t); len(out) != 0 {
		t.Fatalf("B outbox after resolve: %+v", out)
	}
	sc := serverCase(t, env, clerkB, caseReview)
	if sc.Decision == nil || sc.Decision.ID != decA.ID {
		t.Fatalf("A's decision was overwritten: %+v", sc.Decision)
	}
	if noteCount(sc, noteID) != 1 || noteCount(sc, noteB.ID) != 1 {
		t.Fatalf("notes on server: %+v", sc.Notes)
	}
	for _, n := range sc.Notes {
		if n.ID == noteID && !strings.Contains(n.Text, "Unterlagen fehlen") {
			t.Fatalf("as-note text lost the reasoning: %q", n.Text)
		}
	}
}

func TestConflictReapply(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	b := newClerk(t, env, clerkB, clk, Options{}, nil)
	a.sync(t)
	b.sync(t)
	a.enqueue(t, caseReview2, api.ActionAssignment, api.AssignmentRequest{Assignee: clerkA})
	asgB := b.enqueue(t, caseReview2, api.ActionAssignment, api.AssignmentRequest{Assignee: clerkB})
	a.sync(t)
	b.sync(t)
	out := b.outbox(t)
	if len(out) != 1 || out[0].State != store.StateConflict {
		t.Fatalf("B outbox = %+v", out)
	}
	if _, err := Resolve(b.st, asgB.ID, Reapply); err != nil {
		t.Fatal(err)
	}
	b.sync(t)
	if out := b.outbox(t); len(out) != 0 {
		t.Fatalf("B outbox after reapply: %+v", out)
	}
	if sc := serverCase(t, env, clerkB, caseReview2); sc.Assignee != clerkB {
		t.Fatalf("assignee = %q, want %q", sc.Assignee, clerkB)
	}
	// Discard also works, and only for settled actions.
	p := b.enqueue(t, caseReview2, api.ActionNote, api.NoteRequest{Text: "x"})
	if _, err := Resolve(b.st, p.ID, Discard); !errors.Is(err, ErrNotConflict) {
		t.Fatalf("discarding a pending action: %v", err)
	}
}

func TestRejectedWithReason(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	dec := a.enqueue(t, caseNew, api.ActionDecision, api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "nochmal"})
	note := a.enqueue(t, caseNew, api.ActionNote, api.NoteRequest{Text: "Akte geschlossen"})
	a.sync(t)
	out := a.outbox(t)
	if len(out) != 1 || out[0].ID != dec.ID || out[0].State != store.StateRejected || out[0].LastError == "" {
		t.Fatalf("outbox = %+v", out)
	}
	// A rejection does not hold back later actions of the case.
	if n := noteCount(serverCase(t, env, clerkA, caseNew), note.ID); n != 1 {
		t.Fatalf("note after a rejected action: %d on server", n)
	}
	if st := a.y.Status(); st.Rejected != 1 {
		t.Fatalf("status = %+v", st)
	}
	if _, err := Resolve(a.st, dec.ID, Discard); err != nil {
		t.Fatal(err)
	}
	if out := a.outbox(t); len(out) != 0 {
		t.Fatalf("outbox after discard: %+v", out)
	}
}

func TestRetryAfterPersisted(t *testing.T) {
	var busy atomic.Bool
	busy.Store(true)
	var puts atomic.Int64
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				puts.Add(1)
				if busy.Load() {
					w.Header().Set("Retry-After", "120")
					w.Header().Set("Content-Type", api.ContentTypeProblem)
					w.WriteHeader(http.StatusServiceUnavailable)
					w.Write([]byte(`{"type":"` + api.ProblemUnavailable + `","title":"Service Unavailable","status":503}`))
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	n1 := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "eins"})
	a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "zwei"})
	a.sync(t)
	out := a.outbox(t)
	if len(out) != 2 || out[0].ID != n1.ID || out[0].Attempts != 1 || out[0].NextAttempt.Before(clk.Now().Add(120*time.Second)) {
		t.Fatalf("after 503: %+v", out)
	}
	if out[1].Attempts != 0 {
		t.Fatalf("the second action was sent past the first: %+v", out[1])
	}
	if puts.Load() != 1 {
		t.Fatalf("%d PUTs, want 1", puts.Load())
	}
	// The backoff survives a restart: reopen the store, sync again before it is due.
	a.st.Close()
	a.st = openStore(t, a.dir, clk.Now)
	t.Cleanup(func() { a.st.Close() })
	a.y = New(a.c, a.st, Options{Now: clk.Now})
	busy.Store(false)
	clk.Advance(60 * time.Second)
	a.sync(t)
	if puts.Load() != 1 {
		t.Fatalf("sent before Retry-After passed: %d PUTs", puts.Load())
	}
	clk.Advance(61 * time.Second)
	a.sync(t)
	if out := a.outbox(t); len(out) != 0 {
		t.Fatalf("outbox after retry: %+v", out)
	}
	if puts.Load() != 3 {
		t.Fatalf("%d PUTs, want 3", puts.Load())
	}
}

func TestResyncOn410KeepsOutbox(t *testing.T) {
	var gone, puts503 atomic.Bool
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && puts503.Load() {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			if strings.HasSuffix(r.URL.Path, "/changes") && r.URL.Query().Get("cursor") != "" && gone.CompareAndSwap(true, false) {
				w.Header().Set("Content-Type", api.ContentTypeProblem)
				w.WriteHeader(http.StatusGone)
				w.Write([]byte(`{"type":"` + api.ProblemGone + `","title":"Gone","status":410}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{PageSize: 4}, nil)
	a.sync(t)
	before, _ := a.st.Count()
	note := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "bleibt"})
	gone.Store(true)
	puts503.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The 410 arrives for the stored cursor only; the resync from "" succeeds.
	if err := a.y.SyncOnce(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	after, _ := a.st.Count()
	if after != before {
		t.Fatalf("after resync %d cases, want %d", after, before)
	}
	out := a.outbox(t)
	if len(out) != 1 || out[0].ID != note.ID {
		t.Fatalf("outbox lost in resync: %+v", out)
	}
	// The optimistic overlay still shows the note.
	c, err := a.st.Case(caseReview)
	if err != nil || noteCount(c, note.ID) != 1 {
		t.Fatalf("overlay after resync: %v, notes %+v", err, c.Notes)
	}
}

func TestUnauthorizedStops(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	st := openStore(t, t.TempDir(), clk.Now)
	defer st.Close()
	c := newClient(t, env.URL, "not-a-valid-token-0123456789", nil)
	y := New(c, st, Options{Now: clk.Now})
	err := y.SyncOnce(context.Background())
	if !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("err = %v", err)
	}
	if ev := y.Status(); ev.ErrKind != ErrKindUnauthorized || ev.Online {
		t.Fatalf("status = %+v", ev)
	}
}

func TestNoClientIsOffline(t *testing.T) {
	st := openStore(t, t.TempDir(), nil)
	defer st.Close()
	var none *client.Client // what amt passes when no server is configured
	for name, r := range map[string]Remote{"nil": nil, "nil *client.Client": none} {
		t.Run(name, func(t *testing.T) {
			y := New(r, st, Options{})
			if err := y.SyncOnce(context.Background()); !errors.Is(err, ErrNoClient) {
				t.Fatalf("err = %v", err)
			}
			if ev := y.Status(); ev.Online || ev.ErrKind != ErrKindOffline {
				t.Fatalf("status = %+v", ev)
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	st := openStore(t, t.TempDir(), nil)
	defer st.Close()
	y := New(nil, st, Options{})
	for n := 1; n < 30; n++ {
		ceil := time.Second << (n - 1)
		if n > 10 || ceil > 5*time.Minute {
			ceil = 5 * time.Minute
		}
		for i := 0; i < 50; i++ {
			if d := y.backoff(n); d < 0 || d > ceil {
				t.Fatalf("backoff(%d) = %s, ceiling %s", n, d, ceil)
			}
			if d := y.probeDelay(n); d < min(ceil, 30*time.Second)/2 || d > 30*time.Second {
				t.Fatalf("probeDelay(%d) = %s", n, d)
			}
		}
	}
}

func TestEventsLatestWins(t *testing.T) {
	st := openStore(t, t.TempDir(), nil)
	defer st.Close()
	y := New(nil, st, Options{})
	for i := 0; i < 100; i++ {
		y.update(func(e *Event) { e.Pending = i })
	}
	if ev := <-y.Events(); ev.Pending != 99 {
		t.Fatalf("event = %+v, want the latest", ev)
	}
	select {
	case ev := <-y.Events():
		t.Fatalf("extra event %+v", ev)
	default:
	}
}

func TestRunKickOfflineOnline(t *testing.T) {
	var down atomic.Bool
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if down.Load() {
				// A cut line: the connection dies without an answer.
				if hj, ok := w.(http.Hijacker); ok {
					if c, _, err := hj.Hijack(); err == nil {
						c.Close()
						return
					}
				}
				panic(http.ErrAbortHandler)
			}
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{BackoffBase: 10 * time.Millisecond, ProbeMax: 50 * time.Millisecond, LongPoll: 2 * time.Second}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.y.Run(ctx) }()
	waitEvent(t, a.y, 20*time.Second, "online", func(e Event) bool { return e.Online && !e.Syncing && !e.LastSync.IsZero() })
	if n, _ := a.st.Count(); n == 0 {
		t.Fatal("Run did not pull")
	}

	empty := func(Event) bool { out, _ := a.st.Outbox(); return len(out) == 0 }
	n1 := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "online"})
	a.y.Kick() // interrupts the long-poll
	waitEvent(t, a.y, 20*time.Second, "first note delivered", empty)

	down.Store(true)
	n2 := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "offline"})
	a.y.Kick()
	waitEvent(t, a.y, 20*time.Second, "offline", func(e Event) bool { return !e.Online && e.ErrKind == ErrKindOffline })
	if out := a.outbox(t); len(out) != 1 || out[0].ID != n2.ID {
		t.Fatalf("outbox while offline: %+v", out)
	}
	down.Store(false)
	// The fake clock does not move: the note's persisted backoff is lifted because the line came
	// back, not because time passed.
	waitEvent(t, a.y, 20*time.Second, "back online and drained", func(e Event) bool { return e.Online && empty(e) })
	sc := serverCase(t, env, clerkA, caseReview)
	if noteCount(sc, n1.ID) != 1 || noteCount(sc, n2.ID) != 1 {
		t.Fatalf("notes on server: %+v", sc.Notes)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// The rebase of a later action onto the clerk's own delivered note survives a restart.
func TestOwnNoteRebaseSurvivesRestart(t *testing.T) {
	var failDecision atomic.Bool
	failDecision.Store(true)
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/decisions/") && failDecision.Load() {
				writeProblem(w, http.StatusServiceUnavailable, api.ProblemUnavailable, "1")
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "vorab"})
	dec := a.enqueue(t, caseReview, api.ActionDecision, api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "ok"})
	a.sync(t)
	if out := a.outbox(t); len(out) != 1 || out[0].ID != dec.ID || out[0].State != store.StatePending {
		t.Fatalf("outbox: %+v", out)
	}
	a.st.Close()
	a.st = openStore(t, a.dir, clk.Now)
	t.Cleanup(func() { a.st.Close() })
	a.y = New(a.c, a.st, Options{Now: clk.Now})
	failDecision.Store(false)
	clk.Advance(time.Hour)
	a.sync(t)
	if out := a.outbox(t); len(out) != 0 {
		t.Fatalf("after restart: %+v", out)
	}
	if sc := serverCase(t, env, clerkA, caseReview); sc.Decision == nil || sc.Decision.ID != dec.ID {
		t.Fatalf("decision not applied: %+v", sc.Decision)
	}
}

// A server that answers every action with 503 + Retry-After does not make Run spin: between two
// waits of the loop each action is sent at most once, and every wait honours Retry-After. The
// loop's clock and timers are fakes, so the test sees each wait as it is asked for.
func TestRunNoTightRetryLoop(t *testing.T) {
	var puts, gets atomic.Int64
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				puts.Add(1)
				writeProblem(w, http.StatusServiceUnavailable, api.ProblemUnavailable, "1")
				return
			}
			gets.Add(1)
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	clk := newClock()
	st := openStore(t, t.TempDir(), clk.Now)
	defer st.Close()
	type timer struct {
		d    time.Duration
		fire chan time.Time
	}
	timers := make(chan timer, 64)
	after := func(d time.Duration) <-chan time.Time {
		tm := timer{d, make(chan time.Time, 1)}
		select {
		case timers <- tm:
		default: // the test stopped looking
		}
		return tm.fire
	}
	// No long-poll: every wait of the loop is a timer.
	y := New(newClient(t, env.URL, env.Token(clerkA), nil), st, Options{LongPoll: -1, Now: clk.Now, After: after})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- y.Run(ctx) }()
	defer func() { cancel(); <-done }()
	nextWait := func() timer {
		t.Helper()
		select {
		case tm := <-timers:
			return tm
		case <-time.After(20 * time.Second):
			t.Fatalf("Run did not wait (%d PUTs, %d GETs): it loops without pause", puts.Load(), gets.Load())
		}
		return timer{}
	}
	nextWait() // idle after the first sync
	for i := 0; i < 3; i++ {
		b := mustJSON(t, api.NoteRequest{Text: "x"})
		if _, err := st.Enqueue(store.Action{CaseID: crashCases[i], Kind: api.ActionNote, Body: b}); err != nil {
			t.Fatal(err)
		}
	}
	y.Kick()
	tm := nextWait()
	if p := puts.Load(); p != 3 {
		t.Fatalf("%d PUTs after the kick, want one per queued note", p)
	}
	const rounds = 8
	var elapsed time.Duration
	for round := 1; round <= rounds; round++ {
		if tm.d <= 0 {
			t.Fatalf("round %d: wait of %s", round, tm.d)
		}
		if round == 1 && tm.d < time.Second {
			t.Fatalf("first wait %s, shorter than Retry-After: 1", tm.d)
		}
		clk.Advance(tm.d)
		elapsed += tm.d
		tm.fire <- clk.Now()
		tm = nextWait()
		// At most one try of each action per round, and no more than one per second of the
		// (fake) time that passed: Retry-After is 1 s.
		if p := puts.Load(); p > int64(3+3*round) || p > 3+3*int64(elapsed/time.Second) {
			t.Fatalf("round %d: %d PUTs after %s", round, p, elapsed)
		}
	}
	if g := gets.Load(); g > rounds+2 {
		t.Fatalf("%d GETs in %d rounds", g, rounds)
	}
	t.Logf("%d PUTs, %d GETs in %d rounds, %s", puts.Load(), gets.Load(), rounds, elapsed)
}

// A pull that applied at least CompactAfter changes compacts the cache once the feed is drained
// (the file is replaced by a densely packed copy); smaller pulls leave it alone.
func TestLargePullCompacts(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	fileID := func(st *store.Store) os.FileInfo {
		t.Helper()
		fi, err := os.Stat(st.Path())
		if err != nil {
			t.Fatal(err)
		}
		return fi
	}
	for _, tc := range []struct {
		name    string
		after   int
		compact bool
	}{
		{"above threshold", 5, true},
		{"below threshold", servertest.DefaultCases, false},
		{"never", -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newClerk(t, env, clerkA, clk, Options{PageSize: 4, CompactAfter: tc.after}, nil)
			before := fileID(a.st)
			a.sync(t)
			if got := !os.SameFile(before, fileID(a.st)); got != tc.compact {
				t.Fatalf("compacted = %v, want %v", got, tc.compact)
			}
			if err := a.st.Check(); err != nil {
				t.Fatal(err)
			}
			if n, err := a.st.Count(); err != nil || n != servertest.DefaultCases/2 {
				t.Fatalf("Count = %d, %v", n, err)
			}
			// Nothing new: no second compaction (the counter starts again).
			before = fileID(a.st)
			a.sync(t)
			if !os.SameFile(before, fileID(a.st)) {
				t.Fatal("an idle sync compacted again")
			}
		})
	}
}

// A server certificate that is not accepted is its own kind, not "offline" (issue #16 item 8):
// the TUI tells the clerk to get the certificate fixed; the outbox stays as it is.
func TestUntrustedCertificateIsTLSKind(t *testing.T) {
	env := startServer(t, 20)
	ts := httptest.NewUnstartedServer(env.Server.Handler())
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	st := openStore(t, t.TempDir(), nil)
	defer st.Close()
	y := New(newClient(t, ts.URL, env.Token(env.Data.Clerks[0].ID), nil), st, Options{})
	err := y.SyncOnce(context.Background())
	if !errors.Is(err, client.ErrTLS) {
		t.Fatalf("err = %v, want ErrTLS", err)
	}
	if ev := y.Status(); ev.Online || ev.ErrKind != ErrKindTLS {
		t.Fatalf("status = %+v, want ErrKind %q", ev, ErrKindTLS)
	}
}
