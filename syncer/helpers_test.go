package syncer

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

// Demo clerks of servertest's tiny data set (Amt Crivitz owns the even-numbered cases).
const (
	clerkA = "crivitz.schulz"
	clerkB = "crivitz.meier"
	lead   = "crivitz.krause"
	// caseReview is an in_review case of a plain (not four-eyes) service in Amt Crivitz.
	caseReview  = "case-000004"
	caseReview2 = "case-000012"
	caseNew     = "case-000000"
	caseClosed  = "case-000006"
)

// crashCases are the open Crivitz cases the crash, network and model tests write to.
var crashCases = []string{caseReview, caseReview2, caseNew, "case-000010"}

var cheapKDF = &store.KDFParams{Time: 1, Memory: 1024, Threads: 1}

const testPass = "test passphrase"

func openStore(t testing.TB, dir string, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dir, Passphrase: testPass, KDF: cheapKDF, Now: now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return st
}

func newClient(t testing.TB, url, token string, tr http.RoundTripper) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{BaseURL: url, Token: token, Transport: tr, AttemptTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// clerkEnv is one clerk's machine: a store, a client and a syncer.
type clerkEnv struct {
	clerk string
	dir   string
	st    *store.Store
	c     *client.Client
	y     *Syncer
}

func newClerk(t testing.TB, env *servertest.Env, clerk string, clk *clock, o Options, tr http.RoundTripper) *clerkEnv {
	t.Helper()
	dir := t.TempDir()
	st := openStore(t, dir, clk.Now)
	t.Cleanup(func() { st.Close() })
	c := newClient(t, env.URL, env.Token(clerk), tr)
	o.Now = clk.Now
	return &clerkEnv{clerk: clerk, dir: dir, st: st, c: c, y: New(c, st, o)}
}

func (ce *clerkEnv) sync(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ce.y.SyncOnce(ctx); err != nil {
		t.Fatalf("%s: sync: %v", ce.clerk, err)
	}
}

func (ce *clerkEnv) enqueue(t testing.TB, caseID string, kind api.ActionKind, body any) store.Action {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var base int64
	if sc, err := ce.st.ServerCase(caseID); err == nil {
		base = sc.Version
	}
	a, err := ce.st.Enqueue(store.Action{CaseID: caseID, Kind: kind, Body: b, BaseVersion: base})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return a
}

func (ce *clerkEnv) outbox(t testing.TB) []store.Action {
	t.Helper()
	out, err := ce.st.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// serverCase reads a case straight from the server as clerk.
func serverCase(t testing.TB, env *servertest.Env, clerk, id string) api.Case {
	t.Helper()
	c := newClient(t, env.URL, env.Token(clerk), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sc, err := c.Case(ctx, id, "")
	if err != nil {
		t.Fatalf("server case %s: %v", id, err)
	}
	return sc
}

// noteCount counts the notes with id on the server's case.
func noteCount(sc api.Case, id string) int {
	n := 0
	for _, x := range sc.Notes {
		if x.ID == id {
			n++
		}
	}
	return n
}

// counter counts requests by "METHOD kind" (kind = last path element group) through a handler.
type counter struct {
	puts, gets atomic.Int64
}

func (c *counter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			c.puts.Add(1)
		} else {
			c.gets.Add(1)
		}
		h.ServeHTTP(w, r)
	})
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitEvent reads events until cond holds or the timeout passes.
func waitEvent(t testing.TB, y *Syncer, timeout time.Duration, what string, cond func(Event) bool) Event {
	t.Helper()
	if ev := y.Status(); cond(ev) {
		return ev
	}
	deadline := time.After(timeout)
	for {
		select {
		case ev := <-y.Events():
			if cond(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s; status %+v", what, y.Status())
		}
	}
}

// startServer runs the test server on servertest's small hand-written data set (two Ämter,
// known case ids and states) that these tests rely on; n = 0 means servertest.DefaultCases.
func startServer(t testing.TB, n int, opts ...servertest.Option) *servertest.Env {
	t.Helper()
	if n == 0 {
		n = servertest.DefaultCases
	}
	return servertest.Start(t, append([]servertest.Option{servertest.WithData(servertest.Tiny(n, time.Now()))}, opts...)...)
}
