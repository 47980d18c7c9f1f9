package syncer

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

// Network modes of the model test's handler wrapper.
const (
	netOK      = iota
	netDown    // connections die without an answer
	netCut     // actions are processed, then the connection dies
	netBusy    // 503 + Retry-After
	numNetMode //
)

// model is what the test expects of clerk A's work, independent of the syncer.
type model struct {
	notes       map[string][]string // case → A's note ids in queue order (minus discarded)
	assignments map[string]int      // case → A's assignments that must take effect exactly once
	colleague   map[string]int      // case → B's direct assignments
	kinds       map[string]api.ActionKind
	cases       map[string]string // action id → case
}

// TestRandomizedAgainstModel drives clerk A (offline queue, syncer) and colleague B (direct on the
// server) with random actions, network faults, restarts and conflict resolutions from fixed seeds,
// then drains and compares the server with the model: every note exactly once and in queue order
// per case, every non-discarded assignment applied exactly once, the cache equal to the server.
func TestRandomizedAgainstModel(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			runModel(t, seed, 60)
		})
	}
}

func runModel(t *testing.T, seed uint64, steps int) {
	var mode atomic.Int32
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Colleague") != "" {
				h.ServeHTTP(w, r)
				return
			}
			switch mode.Load() {
			case netDown:
				resetConn(w)
				return
			case netBusy:
				if r.Method == http.MethodPut {
					writeProblem(w, http.StatusServiceUnavailable, api.ProblemUnavailable, "2")
					return
				}
			case netCut:
				if r.Method == http.MethodPut {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, r)
					resetConn(w)
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	rng := rand.New(rand.NewPCG(seed, 42))
	clk := newClock()
	dir := t.TempDir()
	var (
		st *store.Store
		y  *Syncer
	)
	ca := newClient(t, env.URL, env.Token(clerkA), nil)
	open := func() {
		st = openStore(t, dir, clk.Now)
		y = New(ca, st, Options{Now: clk.Now, PageSize: 4, Rand: rand.New(rand.NewPCG(seed, 1))})
	}
	open()
	defer func() { st.Close() }()
	cb := newClient(t, env.URL, env.Token(clerkB), colleagueTransport{})

	m := model{notes: map[string][]string{}, assignments: map[string]int{}, colleague: map[string]int{},
		kinds: map[string]api.ActionKind{}, cases: map[string]string{}}
	ctx := context.Background()
	syncA := func() {
		_ = y.SyncOnce(ctx) // errors are the point here
		clk.Advance(time.Duration(rng.IntN(5)) * time.Second)
	}
	mode.Store(netOK)
	syncA()
	enqueue := func(caseID string, kind api.ActionKind, body any) store.Action {
		b, _ := json.Marshal(body)
		a, err := st.Enqueue(store.Action{CaseID: caseID, Kind: kind, Body: b})
		if err != nil {
			t.Fatalf("enqueue: %v", err)
		}
		m.kinds[a.ID], m.cases[a.ID] = kind, caseID
		return a
	}
	who := []string{clerkA, clerkB, lead, ""}
	for step := 0; step < steps; step++ {
		caseID := crashCases[rng.IntN(len(crashCases))]
		switch op := rng.IntN(10); op {
		case 0, 1, 2:
			a := enqueue(caseID, api.ActionNote, api.NoteRequest{Text: fmt.Sprintf("Schritt %d", step)})
			m.notes[caseID] = append(m.notes[caseID], a.ID)
		case 3:
			enqueue(caseID, api.ActionAssignment, api.AssignmentRequest{Assignee: who[rng.IntN(len(who))]})
			m.assignments[caseID]++
		case 4: // the colleague changes the case on the server
			sc, err := cb.Case(ctx, caseID, "")
			if err != nil {
				t.Fatalf("colleague read: %v", err)
			}
			_, err = cb.Send(ctx, client.Action{Kind: api.ActionAssignment, CaseID: caseID, ID: store.NewActionID(),
				Body: mustJSON(t, api.AssignmentRequest{Assignee: clerkB}), IfMatch: sc.Version})
			if err != nil {
				t.Fatalf("colleague assign: %v", err)
			}
			m.colleague[caseID]++
		case 5:
			mode.Store(int32(rng.IntN(numNetMode)))
		case 6, 7:
			syncA()
		case 8: // restart
			st.Close()
			open()
		case 9:
			resolveAll(t, st, rng, &m)
		}
	}
	// Drain: network back, resolve what conflicts, until nothing is left.
	mode.Store(netOK)
	for i := 0; ; i++ {
		clk.Advance(10 * time.Minute)
		if err := y.SyncOnce(ctx); err != nil {
			t.Fatalf("drain sync: %v", err)
		}
		out, _ := st.Outbox()
		if len(out) == 0 {
			break
		}
		if i > 20 {
			t.Fatalf("does not drain: %+v", out)
		}
		resolveAll(t, st, rng, &m)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}

	for _, caseID := range crashCases {
		sc := serverCase(t, env, clerkA, caseID)
		var got []string
		count := map[string]int{}
		for _, n := range sc.Notes {
			count[n.ID]++
			if _, ours := m.cases[n.ID]; ours {
				got = append(got, n.ID)
			}
		}
		for id, n := range count {
			if n > 1 {
				t.Errorf("%s: note %s %d times", caseID, id, n)
			}
		}
		if !slices.Equal(got, m.notes[caseID]) {
			t.Errorf("%s: notes on server %v, model %v", caseID, got, m.notes[caseID])
		}
		evs, err := ca.Events(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		byA, byB := 0, 0
		for _, e := range evs {
			if e.Kind == api.EventAssigned {
				switch e.Actor {
				case clerkA:
					byA++
				case clerkB:
					byB++
				}
			}
		}
		if byA != m.assignments[caseID] || byB != m.colleague[caseID] {
			t.Errorf("%s: assignments by A %d (model %d), by B %d (model %d)", caseID, byA, m.assignments[caseID], byB, m.colleague[caseID])
		}
		cc, err := st.ServerCase(caseID)
		if err != nil || cc.Version != sc.Version || cc.Assignee != sc.Assignee {
			t.Errorf("%s: cache v%d %q, server v%d %q (%v)", caseID, cc.Version, cc.Assignee, sc.Version, sc.Assignee, err)
		}
	}
}

// resolveAll settles every conflict at random and updates the model.
func resolveAll(t *testing.T, st *store.Store, rng *rand.Rand, m *model) {
	out, err := st.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out {
		if a.State == store.StateRejected {
			t.Fatalf("unexpected rejection of %s: %s", a.Kind, a.LastError)
		}
		if a.State != store.StateConflict {
			continue
		}
		r := []Resolution{Reapply, AsNote, Discard}[rng.IntN(3)]
		noteID, err := Resolve(st, a.ID, r)
		if err != nil {
			t.Fatal(err)
		}
		if r == Reapply {
			continue
		}
		if a.Kind == api.ActionAssignment {
			m.assignments[a.CaseID]--
		}
		if r == AsNote {
			m.notes[a.CaseID] = append(m.notes[a.CaseID], noteID)
			m.kinds[noteID], m.cases[noteID] = api.ActionNote, a.CaseID
		}
	}
}

// colleagueTransport marks the colleague's requests so the fault wrapper lets them through.
type colleagueTransport struct{}

func (colleagueTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Colleague", "1")
	return http.DefaultTransport.RoundTrip(r)
}
