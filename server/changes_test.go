package server_test

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

func (c *client) changes(cursor string, limit int, wait int) (api.ChangePage, int) {
	c.t.Helper()
	q := fmt.Sprintf("/changes?cursor=%s&limit=%d", cursor, limit)
	if wait > 0 {
		q += "&wait=" + strconv.Itoa(wait)
	}
	resp, out := c.do("GET", q, nil, nil)
	var p api.ChangePage
	if resp.StatusCode == 200 {
		mustJSON(c.t, out, &p)
	}
	return p, resp.StatusCode
}

// waitLongPolls waits until n long-polls of srv are waiting for a change; safe to call from any
// goroutine (it reports with t.Errorf and returns false when they do not come).
func waitLongPolls(t testing.TB, srv *server.Server, n int) bool {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); srv.LongPollsWaiting() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("%d long-polls waiting, want %d", srv.LongPollsWaiting(), n)
			return false
		}
	}
	return true
}

func TestChangesPaging(t *testing.T) {
	env := startFixed(t, servertest.WithCases(60))
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	want := 0
	for i := 0; i < env.Data.N; i++ {
		if cs := env.Data.Case(i).Case; cs.Amt == amt && cs.Status != api.StatusForwarded {
			want++
		}
	}
	seen := map[string]bool{}
	cursor := ""
	var last int64
	for pages := 0; ; pages++ {
		p, code := c.changes(cursor, 7, 0)
		if code != 200 {
			t.Fatal(code)
		}
		for _, it := range p.Items {
			if it.Seq <= last {
				t.Fatalf("seq %d after %d", it.Seq, last)
			}
			last = it.Seq
			if seen[it.CaseID] || (it.Kind == api.ChangeUpsert) != (it.Case != nil) || (it.Case != nil && it.Case.ID != it.CaseID) {
				t.Fatalf("bad item %+v", it)
			}
			seen[it.CaseID] = true
		}
		cursor = p.NextCursor
		if !p.HasMore {
			break
		}
	}
	if len(seen) != want {
		t.Fatalf("saw %d cases, want %d", len(seen), want)
	}
	// Nothing new: an empty page with the same cursor.
	p, _ := c.changes(cursor, 7, 0)
	if len(p.Items) != 0 || p.HasMore || p.NextCursor != cursor {
		t.Fatalf("idle page %+v", p)
	}
	for _, tt := range []struct{ q string }{{"cursor=abc"}, {"cursor=-1"}, {"limit=0"}, {"limit=x"}, {"wait=-2"}, {"cursor=99999999999999999999999"}} {
		resp, out := c.do("GET", "/changes?"+tt.q, nil, nil)
		wantProblem(t, resp, out, 400, api.ProblemBadRequest)
	}
	// A cursor from the future (e.g. after the server's data was reset) must resync: 410 with its
	// own documented type, not "too old" (issue #16 item 6).
	resp, out := c.do("GET", "/changes?cursor=100000", nil, nil)
	wantProblem(t, resp, out, 410, api.ProblemCursorUnknown)
	// limit is capped.
	p, _ = c.changes("", 5000, 0)
	if len(p.Items) != want {
		t.Fatalf("capped page has %d", len(p.Items))
	}
}

// TestChangesUnderConcurrentWrites pages through the feed while writers add notes; after the
// reader catches up, every note is visible in its final case and no version was delivered twice.
func TestChangesUnderConcurrentWrites(t *testing.T) {
	env := startFixed(t, servertest.WithCases(80))
	amt := env.Data.Amts[0].ID
	reader := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	var ids []string
	for i := 0; i < env.Data.N; i++ {
		if cs := env.Data.Case(i).Case; cs.Amt == amt && cs.Status.Open() {
			ids = append(ids, cs.ID)
		}
	}
	const writers, perWriter = 4, 25
	var wg sync.WaitGroup
	var done atomic.Bool
	notes := make(chan [2]string, writers*perWriter)
	for w := 0; w < writers; w++ {
		wc := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				id := ids[(w*perWriter+i*7)%len(ids)]
				nid := fmt.Sprintf("w%d-%d", w, i)
				resp, _ := wc.act(api.ActionNote, id, nid, "", api.NoteRequest{Text: nid}, 0)
				if resp.StatusCode != 200 {
					t.Errorf("note %s: %d", nid, resp.StatusCode)
				}
				notes <- [2]string{id, nid}
			}
		}()
	}
	go func() { wg.Wait(); done.Store(true) }()

	latest := map[string]api.Case{}
	delivered := map[string]bool{} // caseID@version
	cursor := ""
	read := func() {
		for {
			p, code := reader.changes(cursor, 5, 0)
			if code != 200 {
				t.Fatalf("changes: %d", code)
			}
			for _, it := range p.Items {
				if it.Kind == api.ChangeDelete {
					continue // seeded forwarded cases
				}
				key := fmt.Sprintf("%s@%d", it.CaseID, it.Case.Version)
				if delivered[key] {
					t.Fatalf("duplicate delivery %s", key)
				}
				delivered[key] = true
				if old, ok := latest[it.CaseID]; ok && old.Version >= it.Case.Version {
					t.Fatalf("case %s went back from %d to %d", it.CaseID, old.Version, it.Case.Version)
				}
				latest[it.CaseID] = *it.Case
			}
			cursor = p.NextCursor
			if !p.HasMore {
				return
			}
		}
	}
	for !done.Load() {
		read()
	}
	read() // catch up after the last write
	close(notes)
	for n := range notes {
		cs := latest[n[0]]
		found := false
		for _, note := range cs.Notes {
			found = found || note.ID == n[1]
		}
		if !found {
			t.Fatalf("note %s on %s lost from the feed", n[1], n[0])
		}
	}
	for id, cs := range latest {
		if cur := reader.getCase(id); cur.Version != cs.Version {
			t.Fatalf("case %s: feed has version %d, server %d", id, cs.Version, cur.Version)
		}
	}
}

func TestLongPoll(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	other := newClient(t, env, clerkOf(t, env, env.Data.Amts[1].ID, api.RoleClerk))
	p, _ := c.changes("", 1000, 0)
	cursor := p.NextCursor
	cs := findCase(t, env, amt, func(c api.Case) bool { return c.Status.Open() })
	othercs := findCase(t, env, env.Data.Amts[1].ID, func(c api.Case) bool { return c.Status.Open() })

	type res struct {
		p    api.ChangePage
		code int
		took time.Duration
	}
	got := make(chan res, 1)
	started := make(chan struct{})
	go func() {
		close(started)
		start := time.Now()
		p, code := c.changes(cursor, 100, api.MaxWaitSeconds)
		got <- res{p, code, time.Since(start)}
	}()
	<-started
	// A change in another Amt does not wake it; one in its own Amt does. The poll may start
	// after the first write: it is of the other Amt, so it is never delivered either way.
	other.mustAct(api.ActionNote, othercs.ID, "lp-other", "", api.NoteRequest{Text: "x"}, 0)
	c.mustAct(api.ActionNote, cs.ID, "lp-1", "", api.NoteRequest{Text: "x"}, 0)
	r := <-got
	if r.code != 200 || len(r.p.Items) != 1 || r.p.Items[0].CaseID != cs.ID {
		t.Fatalf("long-poll: %d %+v", r.code, r.p.Items)
	}
	if r.took > 20*time.Second {
		t.Fatalf("long-poll took %v", r.took)
	}
	// Shutdown ends a waiting long-poll with an empty page.
	go func() {
		p, code := c.changes(r.p.NextCursor, 100, api.MaxWaitSeconds)
		got <- res{p, code, 0}
	}()
	if !waitLongPolls(t, env.Server, 1) {
		t.FailNow()
	}
	env.Server.Drain()
	r = <-got
	if r.code != 200 || len(r.p.Items) != 0 {
		t.Fatalf("after drain: %d %+v", r.code, r.p)
	}
}

func TestTombstonePruning(t *testing.T) {
	var now atomic.Int64
	now.Store(fixedNow.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	env := servertest.Start(t, servertest.WithNow(clock), servertest.WithCases(testCases), servertest.WithConfig(func(c *server.Config) {
		c.TombstoneRetention = 24 * time.Hour
	}))
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	p, _ := c.changes("", 1000, 0)
	oldCursor := p.NextCursor
	nw := findCase(t, env, amt, func(c api.Case) bool { return c.Status == api.StatusNew && !c.Service.FourEyes })
	c.mustAct(api.ActionDecision, nw.ID, "fwd", "", api.DecisionRequest{Outcome: api.OutcomeForwarded, Reasoning: "Landkreis"}, nw.Version)
	p, _ = c.changes(oldCursor, 1000, 0)
	if len(p.Items) != 1 || p.Items[0].Kind != api.ChangeDelete {
		t.Fatalf("tombstone %+v", p.Items)
	}
	newCursor := p.NextCursor
	if n, err := env.Server.PruneTombstones(); err != nil || n != 0 {
		t.Fatalf("early prune: %d %v", n, err)
	}
	now.Add(int64(48 * time.Hour))
	if n, err := env.Server.PruneTombstones(); err != nil || n != 1 {
		t.Fatalf("prune: %d %v", n, err)
	}
	resp, out := c.do("GET", "/changes?cursor="+oldCursor, nil, nil)
	wantProblem(t, resp, out, 410, api.ProblemGone)
	if _, code := c.changes(newCursor, 10, 0); code != 200 {
		t.Fatalf("cursor past the horizon: %d", code)
	}
	// A full resync from the beginning works and no longer carries the tombstone.
	p, code := c.changes("", 1000, 0)
	if code != 200 {
		t.Fatal(code)
	}
	for _, it := range p.Items {
		if it.CaseID == nw.ID {
			t.Fatal("pruned tombstone still delivered")
		}
	}
}
