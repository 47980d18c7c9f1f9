package syncer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// drain syncs with a fake clock until the outbox is empty, jumping the clock to the next due
// action between rounds (no real waiting for backoffs). It returns the number of rounds.
func drain(t *testing.T, ce *clerkEnv, clk *clock, maxRounds int) int {
	t.Helper()
	for round := 1; round <= maxRounds; round++ {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		err := ce.y.SyncOnce(ctx)
		cancel()
		out := ce.outbox(t)
		if err == nil && len(out) == 0 {
			return round
		}
		next := time.Time{}
		for _, a := range out {
			if a.State == store.StatePending && a.NextAttempt.After(clk.Now()) && (next.IsZero() || a.NextAttempt.Before(next)) {
				next = a.NextAttempt
			}
		}
		if d := next.Sub(clk.Now()); d > 0 {
			clk.Advance(d)
		} else {
			clk.Advance(time.Second)
		}
	}
	t.Fatalf("not drained after %d rounds: %+v", maxRounds, ce.outbox(t))
	return 0
}

func TestBadNetworkExactlyOnce(t *testing.T) {
	type tc struct {
		name    string
		latency time.Duration
		policy  func(n int, r *http.Request, rng *rand.Rand) fault
	}
	always := func(f fault, p float64) func(int, *http.Request, *rand.Rand) fault {
		return func(_ int, _ *http.Request, rng *rand.Rand) fault {
			if rng.Float64() < p {
				return f
			}
			return fNone
		}
	}
	tests := []tc{
		{"reset", 0, always(fReset, 0.3)},
		{"cut-after-commit", 0, func(_ int, r *http.Request, rng *rand.Rand) fault {
			if isAction(r) && rng.Float64() < 0.5 {
				return fCutAfterCommit
			}
			return fNone
		}},
		{"slow", 0, always(fSlow, 1)},
		{"latency", 30 * time.Millisecond, always(fNone, 0)},
		// A storm of 503 + Retry-After on the outbox (GETs are retried inside the client, with
		// real waits, so they get a short storm only).
		{"503-storm", 0, func(n int, r *http.Request, _ *rand.Rand) fault {
			if isAction(r) && n < 60 || n >= 2 && n < 4 {
				return f503
			}
			return fNone
		}},
		{"500-half", 0, func(_ int, _ *http.Request, rng *rand.Rand) fault {
			if rng.Float64() < 0.5 {
				if rng.IntN(2) == 0 {
					return f500Before
				}
				return f500After
			}
			return fNone
		}},
		{"mixed", 10 * time.Millisecond, func(_ int, r *http.Request, rng *rand.Rand) fault {
			f := []fault{fNone, fNone, fNone, fReset, fCutAfterCommit, f500Before, f500After, f503, fSlow}[rng.IntN(9)]
			if f == f503 && !isAction(r) {
				f = f500Before // keep the client's in-call GET retries from sleeping a second
			}
			return f
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := startServer(t, 0)
			proxy := newFaultProxy(t, env.URL, uint64(i+1), tt.policy)
			proxy.latency = tt.latency
			clk := newClock()
			ce := newClerk(t, env, clerkA, clk, Options{PageSize: 5, Rand: rand.New(rand.NewPCG(uint64(i), 1))}, nil)
			ce.c = newClient(t, proxy.URL(), env.Token(clerkA), nil)
			ce.y = New(ce.c, ce.st, Options{Now: clk.Now, PageSize: 5, Rand: rand.New(rand.NewPCG(uint64(i), 1))})
			// The first pull goes through the faults too.
			drain(t, ce, clk, 40)

			var notes []store.Action
			for j := 0; j < 12; j++ {
				notes = append(notes, ce.enqueue(t, crashCases[j%len(crashCases)], api.ActionNote, api.NoteRequest{Text: fmt.Sprintf("Notiz %d", j)}))
			}
			ce.enqueue(t, caseReview, api.ActionAssignment, api.AssignmentRequest{Assignee: clerkB})
			ce.enqueue(t, caseReview, api.ActionAssignment, api.AssignmentRequest{Assignee: clerkA})
			rounds := drain(t, ce, clk, 60)

			seen := map[string]int{}
			for _, id := range crashCases {
				for _, n := range serverCase(t, env, clerkA, id).Notes {
					seen[n.ID]++
				}
			}
			for _, a := range notes {
				if seen[a.ID] != 1 {
					t.Errorf("note %s on the server %d times", a.ID, seen[a.ID])
				}
			}
			if sc := serverCase(t, env, clerkA, caseReview); sc.Assignee != clerkA {
				t.Errorf("assignee = %q, want the last queued (%s)", sc.Assignee, clerkA)
			}
			// Bounded work: no tight retry loop.
			proxy.mu.Lock()
			defer proxy.mu.Unlock()
			// Half of all sends may be cut after the server committed, and Go's transport itself
			// resends an idempotent PUT (it carries Idempotency-Key) once when a reused connection
			// dies before the answer: up to two sends per syncer attempt. 24 still proves the
			// absence of a tight loop (hundreds of sends within these rounds).
			for key, n := range proxy.putsBy {
				if n > 24 {
					t.Errorf("action %s sent %d times", key, n)
				}
			}
			if proxy.n > 400 {
				t.Errorf("%d requests for 14 actions", proxy.n)
			}
			t.Logf("%d requests, %d rounds, faults %v", proxy.n, rounds, proxy.faults)
		})
	}
}
