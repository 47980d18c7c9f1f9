package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/server/servertest"
)

// A comment the server applied but whose answer never came (the server stalls after applying it)
// is reported as unconfirmed, not "vorgemerkt (offline)", and the next sync settles it without
// applying it twice — issue #16 item 8.
func TestLostAnswerIsUnconfirmedThenSettled(t *testing.T) {
	setupEnv(t)
	old := pushTimeout
	pushTimeout = 2 * time.Second
	t.Cleanup(func() { pushTimeout = old })
	var stall atomic.Bool
	stall.Store(true)
	env := startServer(t, 0, servertest.WithHandlerWrapper(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/notes/") || !stall.Load() {
				next.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(httptest.NewRecorder(), r) // applied …
			<-r.Context().Done()                      // … and the answer never leaves
		})
	}))
	c := loggedIn(t, env, clerkA)
	out := c.must(exitOffline, "comment", caseReview, "Rückruf erledigt")
	if !strings.Contains(out, "unbestätigt, wird geprüft") || strings.Contains(out, "offline") {
		t.Fatalf("comment with a lost answer: %s", out)
	}
	acts := outbox(t, c)
	if len(acts) != 1 {
		t.Fatalf("outbox: %+v", acts)
	}
	if out := c.must(0, "outbox"); !strings.Contains(out, "unbestätigt") {
		t.Fatalf("outbox: %s", out)
	}
	if n := noteCount(t, env, caseReview, acts[0].ID); n != 1 {
		t.Fatalf("note on the server %d times before the sync", n)
	}
	stall.Store(false)
	c.must(0, "sync")
	if got := outbox(t, c); len(got) != 0 {
		t.Fatalf("outbox after sync: %+v", got)
	}
	if n := noteCount(t, env, caseReview, acts[0].ID); n != 1 {
		t.Fatalf("note on the server %d times after the sync", n)
	}
}
