package syncer

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// feedRecorder keeps the decompressed bodies of GET /changes answers.
type feedRecorder struct {
	mu     sync.Mutex
	bodies []string
}

func (f *feedRecorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/changes") {
			h.ServeHTTP(w, r)
			return
		}
		r.Header.Del("Accept-Encoding") // plain, so the test can read it
		rec := &bodyTee{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		f.mu.Lock()
		f.bodies = append(f.bodies, rec.buf.String())
		f.mu.Unlock()
	})
}

func (f *feedRecorder) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bodies) == 0 {
		return ""
	}
	return f.bodies[len(f.bodies)-1]
}

type bodyTee struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (b *bodyTee) Write(p []byte) (int, error) {
	b.buf.Write(p)
	return b.ResponseWriter.Write(p)
}

// TestPullAppliesDeltas: after the first sync, another clerk's note reaches clerk A as a delta
// (not the whole case), and A's cache then holds exactly the server's case.
func TestPullAppliesDeltas(t *testing.T) {
	rec := &feedRecorder{}
	env := startServer(t, 0, servertest.WithHandlerWrapper(rec.wrap))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	b := newClerk(t, env, clerkB, clk, Options{}, nil)
	a.sync(t)
	b.sync(t)
	if strings.Contains(rec.last(), `"delta"`) {
		t.Fatalf("a first sync got deltas: %s", rec.last())
	}
	b.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "Rückruf erledigt"})
	b.sync(t)
	a.sync(t)
	body := rec.last()
	if !strings.Contains(body, `"delta"`) || strings.Contains(body, `"case":`) {
		t.Fatalf("the note did not come as a delta: %s", body)
	}
	want := serverCase(t, env, clerkA, caseReview)
	got, err := a.st.ServerCase(caseReview)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustJSON(t, got), mustJSON(t, want)) {
		t.Fatalf("cached case after the delta differs from the server's:\n got  %s\n want %s", mustJSON(t, got), mustJSON(t, want))
	}
}

// TestPullDeltaFallsBackToWholeCase: a cache whose copy is not the delta's base fetches the whole
// case and still ends equal to the server.
func TestPullDeltaFallsBackToWholeCase(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	b := newClerk(t, env, clerkB, clk, Options{}, nil)
	a.sync(t)
	b.sync(t)
	// Damage A's copy behind its back: same version, other content.
	sc, err := a.st.ServerCase(caseReview)
	if err != nil {
		t.Fatal(err)
	}
	sc.Reference = "XXX-0000-000000"
	// ApplyChanges keeps only newer versions: drop the case, then put the damaged copy.
	if err := a.st.ApplyChanges([]api.Change{{Kind: api.ChangeDelete, CaseID: caseReview}}, ""); err != nil {
		t.Fatal(err)
	}
	if err := a.st.ApplyChanges([]api.Change{{Kind: api.ChangeUpsert, CaseID: caseReview, Case: &sc}}, ""); err != nil {
		t.Fatal(err)
	}
	b.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "zweiter Vermerk"})
	b.sync(t)
	a.sync(t)
	want := serverCase(t, env, clerkA, caseReview)
	got, err := a.st.ServerCase(caseReview)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustJSON(t, got), mustJSON(t, want)) {
		t.Fatalf("cached case differs from the server's:\n got  %s\n want %s", mustJSON(t, got), mustJSON(t, want))
	}
}

func TestPagerFollowsTheLine(t *testing.T) {
	tests := []struct {
		name  string
		max   int
		pages []struct {
			items int
			took  time.Duration
		}
		want int
	}{
		{"starts at 100", 1000, nil, 100},
		{"small max", 4, nil, 4},
		{"slow line shrinks", 1000, []struct {
			items int
			took  time.Duration
		}{{100, 40 * time.Second}}, 25},
		{"never below 20", 1000, []struct {
			items int
			took  time.Duration
		}{{100, 10 * time.Minute}}, 20},
		{"fast line doubles per page", 1000, []struct {
			items int
			took  time.Duration
		}{{100, time.Second}, {200, time.Second}}, 400},
		{"capped by max", 1000, []struct {
			items int
			took  time.Duration
		}{{100, time.Second}, {200, time.Second}, {400, time.Second}, {800, time.Second}}, 1000},
		{"grows again after a bad patch", 1000, []struct {
			items int
			took  time.Duration
		}{{100, 50 * time.Second}, {20, time.Second}, {40, time.Second}}, 80},
		{"a short last page says nothing", 1000, []struct {
			items int
			took  time.Duration
		}{{7, time.Minute}}, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPager(tc.max, 10*time.Second)
			for _, pg := range tc.pages {
				p.observe(pg.items, pg.took)
			}
			if p.size != tc.want {
				t.Errorf("size = %d, want %d", p.size, tc.want)
			}
		})
	}
}
