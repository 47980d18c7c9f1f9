package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

// conflictInStore queues a decision and records a conflict for it, without a server.
func conflictInStore(t *testing.T, st *store.Store) store.Action {
	t.Helper()
	c := api.Case{ID: caseReview, Version: 3, Status: api.StatusInReview, Service: api.Service{Name: "x"}}
	if err := st.ApplyChanges([]api.Change{{Kind: api.ChangeUpsert, CaseID: c.ID, Case: &c}}, "1"); err != nil {
		t.Fatal(err)
	}
	a, err := st.Enqueue(store.Action{CaseID: c.ID, Kind: api.ActionDecision,
		Body: mustJSON(t, api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "ok"}), BaseVersion: 2})
	if err != nil {
		t.Fatal(err)
	}
	sc := c
	sc.Version = 4
	if err := st.MarkConflict(a.ID, sc); err != nil {
		t.Fatal(err)
	}
	return a
}

// Turning a conflict into a note is one step: a double key press (or a crash between the two
// writes) must not queue the note twice or keep the conflict beside its note.
func TestResolveAsNoteOnce(t *testing.T) {
	st := openStore(t, t.TempDir(), newClock().Now)
	defer st.Close()
	a := conflictInStore(t, st)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = Resolve(st, a.ID, AsNote)
		}()
	}
	wg.Wait()
	out, err := st.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, x := range out {
		switch {
		case x.ID == a.ID:
			t.Errorf("conflicted action still in the outbox: %+v", x.State)
		case x.Kind == api.ActionNote:
			notes++
		}
	}
	if notes != 1 {
		t.Fatalf("%d notes queued, want 1", notes)
	}
}

// The rebase of later If-Match actions onto the version the clerk's own delivered action produced
// must be in the same transaction as settling that action: a crash between the two made the
// clerk's next decision a false conflict.
func TestOwnActionRebaseIsAtomicWithSettle(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	note := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "vorab"})
	asg := a.enqueue(t, caseReview, api.ActionAssignment, api.AssignmentRequest{Assignee: clerkA})

	// "Crash" the push right after the note is settled locally: the pushing goroutine ends there.
	failpoint = func(name string) {
		if name == "after-local-settle" {
			runtime.Goexit()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = a.y.SyncOnce(ctx)
	failpoint = nil
	if sc := serverCase(t, env, clerkA, caseReview); noteCount(sc, note.ID) != 1 {
		t.Fatalf("note not delivered")
	}
	// Restart: a new syncer with no memory of the note.
	a.y = New(a.c, a.st, Options{Now: clk.Now})
	a.sync(t)
	for _, x := range a.outbox(t) {
		t.Errorf("left in the outbox: %s %s %s", x.Kind, x.State, x.LastError)
	}
	if sc := serverCase(t, env, clerkA, caseReview); sc.Assignee != clerkA {
		t.Fatalf("assignment %s not applied: assignee %q", asg.ID, sc.Assignee)
	}
}

// Cancelling Run while it long-polls returns at once and leaves no goroutine behind.
func TestRunCancelNoLeak(t *testing.T) {
	var polling atomic.Int64 // long-polls the server is holding
	env := startServer(t, 0, servertest.WithHandlerWrapper(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("wait") != "" {
				polling.Add(1)
				defer polling.Add(-1)
			}
			h.ServeHTTP(w, r)
		})
	}))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{LongPoll: 20 * time.Second}, nil)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.y.Run(ctx) }()
	waitEvent(t, a.y, 10*time.Second, "first sync", func(e Event) bool { return !e.LastSync.IsZero() && !e.Syncing })
	a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "während Long-Poll"})
	a.y.Kick()
	waitEvent(t, a.y, 10*time.Second, "note delivered", func(e Event) bool { return e.Pending == 0 && !e.Syncing })
	// Cancel while the server holds Run's long-poll.
	deadline := time.Now().Add(10 * time.Second)
	for polling.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Run does not long-poll after the note was delivered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second): // half the long-poll: waiting it out would take 20 s
		t.Fatal("Run did not return after cancel")
	}
	t.Logf("Run stopped %s after cancel", time.Since(start))
	a.c.Close()
	deadline = time.Now().Add(10 * time.Second) // a leaked goroutine never ends; these end at once
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Run, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// A feed that answers 503 with a long Retry-After is not probed again before that time: Run's
// wait honours the server's hint like an action's persisted retry does.
func TestRunHonoursRetryAfterOnPull(t *testing.T) {
	var gets atomic.Int64
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/changes") {
				gets.Add(1)
				writeProblem(w, http.StatusServiceUnavailable, api.ProblemUnavailable, "120")
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	st := openStore(t, t.TempDir(), nil)
	defer st.Close()
	var mu sync.Mutex
	var waits []time.Duration
	after := func(d time.Duration) <-chan time.Time {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		ch := make(chan time.Time, 1)
		ch <- time.Now() // fire at once: the test looks at what was asked for
		return ch
	}
	y := New(newClient(t, env.URL, env.Token(clerkA), nil), st, Options{After: after})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- y.Run(ctx) }()
	for {
		mu.Lock()
		n := len(waits)
		mu.Unlock()
		if n >= 3 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	for i, d := range waits[:3] {
		if d < 120*time.Second {
			t.Errorf("wait %d after 503 + Retry-After: 120 was %s", i, d)
		}
	}
}

// Run pushes many cases at once while the clerk keeps queueing and the store purges and compacts:
// every note arrives exactly once, in queue order per case, and the cache stays consistent.
func TestRunConcurrentEnqueueCompactPurge(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	env := startServer(t, 200)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{LongPoll: 2 * time.Second, BackoffBase: 10 * time.Millisecond}, nil)
	a.sync(t)
	sums, err := a.st.AllSummaries()
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for _, s := range sums {
		switch s.Status {
		case api.StatusNew, api.StatusInReview, api.StatusAwaitingDocuments:
			open = append(open, s.ID)
		}
	}
	if len(open) < 40 {
		t.Fatalf("only %d open cases", len(open))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.y.Run(ctx) }()

	type queued struct {
		id  string
		seq uint64
	}
	var mu sync.Mutex
	byCase := map[string][]queued{}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 60 {
				caseID := open[(g*61+i*7)%len(open)]
				mu.Lock() // Seq order per case = the order recorded here
				q, err := a.st.Enqueue(storeNote(caseID, fmt.Sprintf("g%d n%d", g, i)))
				if err == nil {
					byCase[caseID] = append(byCase[caseID], queued{q.ID, q.Seq})
				}
				mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				a.y.Kick()
				time.Sleep(time.Millisecond)
			}
		}()
	}
	stopMaint := make(chan struct{})
	maintDone := make(chan struct{})
	go func() {
		defer close(maintDone)
		for {
			select {
			case <-stopMaint:
				return
			case <-time.After(30 * time.Millisecond):
			}
			if _, err := a.st.Purge(time.Now().AddDate(1, 0, 0)); err != nil {
				t.Error(err)
			}
			if err := a.st.Compact(); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := a.st.Outbox()
		if err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox does not drain: %d left, first %+v", len(out), out[0])
		}
		a.y.Kick()
		time.Sleep(50 * time.Millisecond)
	}
	close(stopMaint)
	<-maintDone
	cancel()
	<-done
	if err := a.st.Check(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for caseID, qs := range byCase {
		sc := serverCase(t, env, clerkA, caseID)
		pos := map[string]int{}
		for i, n := range sc.Notes {
			if _, dup := pos[n.ID]; dup {
				t.Fatalf("note %s twice on %s", n.ID, caseID)
			}
			pos[n.ID] = i
		}
		last := -1
		for _, q := range qs {
			p, ok := pos[q.id]
			if !ok {
				t.Fatalf("note %s missing on %s", q.id, caseID)
			}
			if p < last {
				t.Fatalf("note %s (seq %d) out of queue order on %s", q.id, q.seq, caseID)
			}
			last = p
			total++
		}
	}
	t.Logf("%d notes on %d cases", total, len(byCase))
}

// The four-eyes path end to end: a proposed decision and the lead's approval are delivered (the
// client checks each answer belongs to its action; an approval's is keyed by the decision id).
func TestFourEyesApprovalDelivered(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	const fourEyes = "case-000002"
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	dec := a.enqueue(t, fourEyes, api.ActionDecision, api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "ok"})
	a.sync(t)
	if out := a.outbox(t); len(out) != 0 {
		t.Fatalf("decision not delivered: %+v", out)
	}
	l := newClerk(t, env, lead, clk, Options{}, nil)
	l.sync(t)
	b := mustJSON(t, api.ApprovalRequest{Approve: true})
	sc, err := l.st.ServerCase(fourEyes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.st.Enqueue(store.Action{CaseID: fourEyes, Kind: api.ActionApproval, SubID: dec.ID, Body: b, BaseVersion: sc.Version}); err != nil {
		t.Fatal(err)
	}
	l.sync(t)
	if out := l.outbox(t); len(out) != 0 {
		t.Fatalf("approval not delivered: %+v", out)
	}
	if got := serverCase(t, env, lead, fourEyes); got.Status != api.StatusDecided || got.Decision == nil || got.Decision.ApprovedBy != lead {
		t.Fatalf("server case: %s %+v", got.Status, got.Decision)
	}
}

// A feed that says hasMore without moving its cursor (a broken server or cache in between) must
// not keep one pull spinning forever.
func TestPullStuckCursorStops(t *testing.T) {
	var gets atomic.Int64
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/changes") {
				gets.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"items":[],"nextCursor":"7","hasMore":true}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	st := openStore(t, t.TempDir(), nil)
	defer st.Close()
	y := New(newClient(t, env.URL, env.Token(clerkA), nil), st, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := y.SyncOnce(ctx)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("SyncOnce = %v (ctx %v) after %d requests; want a prompt error", err, ctx.Err(), gets.Load())
	}
	if n := gets.Load(); n > 3 {
		t.Fatalf("%d requests for a stuck feed", n)
	}
}

// The sync state records when the last attempt was made, also when it failed or only pushed.
func TestSyncStateRecordsAttempt(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	t0 := clk.Now()
	clk.Advance(time.Hour)
	if err := a.y.Push(context.Background()); err != nil {
		t.Fatal(err)
	}
	ss, err := a.st.SyncState()
	if err != nil {
		t.Fatal(err)
	}
	if !ss.LastSync.Equal(t0) || ss.LastError != "" {
		t.Fatalf("after a push: %+v", ss)
	}
	env.HTTP.Close()
	clk.Advance(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.y.SyncOnce(ctx); err == nil {
		t.Fatal("sync with the server down succeeded")
	}
	ss, err = a.st.SyncState()
	if err != nil {
		t.Fatal(err)
	}
	if !ss.LastAttempt.Equal(clk.Now()) || !ss.LastSync.Equal(t0) || ss.LastError == "" {
		t.Fatalf("after a failed sync at %s: %+v", clk.Now(), ss)
	}
}

// A rejection's reason comes from the server: it is stored as one safe, bounded line.
func TestRejectedReasonSanitisedAndBounded(t *testing.T) {
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isAction(r) {
				w.Header().Set("Content-Type", api.ContentTypeProblem)
				w.WriteHeader(http.StatusUnprocessableEntity)
				detail := "\x1b]0;pwned\x07\x1b[2J\u202eevil\n" + strings.Repeat("x", 100_000)
				b, _ := json.Marshal(api.Problem{Type: api.ProblemUnprocessable, Title: "Bad\x1b[31m", Status: 422, Detail: detail})
				w.Write(b)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	a := newClerk(t, env, clerkA, newClock(), Options{}, nil)
	a.sync(t)
	a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "x"})
	a.sync(t)
	out := a.outbox(t)
	if len(out) != 1 || out[0].State != store.StateRejected {
		t.Fatalf("outbox: %+v", out)
	}
	r := out[0].LastError
	if strings.ContainsAny(r, "\x1b\x07\n\u202e") || len(r) > 1000 || !strings.HasPrefix(r, "[idempotency-mismatch] Bad") {
		t.Fatalf("reason %.120q (%d bytes)", r, len(r))
	}
}
