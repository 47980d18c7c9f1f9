package syncer

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

// answerLoss makes the server apply chosen actions but lose their answers once, as a reverse
// proxy that gives up waiting does (504 after the server committed).
type answerLoss struct {
	mu   sync.Mutex
	lose map[string]bool // action id → its answer is still to be lost
}

func (l *answerLoss) loseNext(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lose == nil {
		l.lose = map[string]bool{}
	}
	l.lose[id] = true
}

func (l *answerLoss) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		var hit string
		for id := range l.lose {
			if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/"+id) {
				hit = id
			}
		}
		delete(l.lose, hit)
		l.mu.Unlock()
		if hit == "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			panic("answerLoss: the action was not applied: " + rec.Body.String())
		}
		w.Header().Set("Content-Type", api.ContentTypeProblem)
		w.WriteHeader(http.StatusGatewayTimeout)
		w.Write([]byte(`{"type":"about:blank","title":"Gateway Timeout","status":504}`))
	})
}

// TestResendAfterRetentionIsDone: an action whose answer was lost and that is resent only after
// the server's idempotency retention (and a prune pass) is settled as delivered — the outbox
// empties, nothing is rejected or in conflict, and the server applied it once. A colleague's
// Wiedervorlage set meanwhile stays beside the clerk's own (one per clerk), and the case is unchanged.
func TestResendAfterRetentionIsDone(t *testing.T) {
	srvClock := newClock()
	var loss answerLoss
	env := startServer(t, 0, servertest.WithNow(srvClock.Now), servertest.WithHandlerWrapper(loss.wrap))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	b := newClerk(t, env, clerkB, clk, Options{}, nil)
	a.sync(t)
	b.sync(t)

	// Clerk A: a note and a Wiedervorlage; both applied, both answers lost (retried later).
	note := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "Rückruf vereinbart"})
	wvA := a.enqueue(t, caseReview2, api.ActionResubmission, api.ResubmissionRequest{Date: "2027-06-30", Reason: "Nachweis prüfen"})
	loss.loseNext(note.ID)
	loss.loseNext(wvA.ID)
	a.sync(t)
	if out := a.outbox(t); len(out) != 2 || out[0].State != store.StatePending || out[1].State != store.StatePending {
		t.Fatalf("outbox after the lost answers: %+v", out)
	}
	// Clerk B sets a Wiedervorlage of her own on the same case.
	wvB := b.enqueue(t, caseReview2, api.ActionResubmission, api.ResubmissionRequest{Date: "2027-07-15"})
	b.sync(t)
	if out := b.outbox(t); len(out) != 0 {
		t.Fatalf("B's outbox: %+v", out)
	}
	noteCase := serverCase(t, env, clerkA, caseReview)
	wvCase := serverCase(t, env, clerkA, caseReview2)
	checkBoth := func(where string, c api.Case) {
		t.Helper()
		ra, okA := casework.ResubmissionOf(c, clerkA)
		rb, okB := casework.ResubmissionOf(c, clerkB)
		if !okA || ra.ID != wvA.ID || !okB || rb.ID != wvB.ID || len(casework.Resubmissions(c)) != 2 {
			t.Fatalf("%s: Wiedervorlagen %+v, want A's %s and B's %s", where, casework.Resubmissions(c), wvA.ID, wvB.ID)
		}
	}
	checkBoth("server", wvCase)

	// A's laptop stays away past the retention; the server ages its records meanwhile.
	srvClock.Advance(server.DefaultIdempotencyRetention + time.Hour)
	if n, err := env.Server.PruneIdempotency(); err != nil || n == 0 {
		t.Fatalf("PruneIdempotency: %d %v", n, err)
	}
	clk.Advance(server.DefaultIdempotencyRetention + time.Hour)
	a.sync(t)

	if out := a.outbox(t); len(out) != 0 {
		t.Fatalf("outbox after the late resend: %+v", out)
	}
	if ev := a.y.Status(); ev.Pending != 0 || ev.Conflicts != 0 || ev.Rejected != 0 || ev.Err != "" {
		t.Fatalf("status after the late resend: %+v", ev)
	}
	if sc := serverCase(t, env, clerkA, caseReview); sc.Version != noteCase.Version || noteCount(sc, note.ID) != 1 {
		t.Fatalf("note case: v%d → v%d, note %d times", noteCase.Version, sc.Version, noteCount(sc, note.ID))
	}
	sc := serverCase(t, env, clerkA, caseReview2)
	if sc.Version != wvCase.Version {
		t.Fatalf("the late resend changed the case: v%d → v%d", wvCase.Version, sc.Version)
	}
	checkBoth("server after the late resend", sc)
	// A's cache shows the server's state: the note once, both Wiedervorlagen.
	cached, err := a.st.ServerCase(caseReview2)
	if err != nil {
		t.Fatal(err)
	}
	checkBoth("A's cache", cached)
	if cached, err := a.st.ServerCase(caseReview); err != nil || noteCount(cached, note.ID) != 1 {
		t.Fatalf("A's cached case has the note %d times (%v)", noteCount(cached, note.ID), err)
	}
}
