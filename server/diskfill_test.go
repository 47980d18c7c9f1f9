package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
)

// TestOneClerkCannotFillTheDisk repeats the attack of issue #16 item 1: one clerk token writes
// 200 notes of 10,000 emoji to one case, under the default rate limit and write quota, then
// hundreds of short notes. Before, every action stored the whole case in its idempotency record
// and a case had no bound, so the database grew with the square of the actions (1.3 GB). Now
// the case stops at its bounds with 409 case-full, the token at its write quota with 429, and
// the database and the case stay small.
func TestOneClerkCannotFillTheDisk(t *testing.T) {
	t.Parallel()
	if testDB != nil {
		t.Skip("measures the bbolt file; runs in the bbolt pass (the quota is the server's, the same on PostgreSQL)")
	}
	dir := t.TempDir()
	// The attacker paces itself under the default rate limit (50/s): the server's clock moves
	// 25 ms before each action, so what stops it is the write quota, not the rate limiter — on a
	// fast machine and a loaded one alike.
	var clock struct {
		sync.Mutex
		t time.Time
	}
	clock.t = time.Now()
	now := func() time.Time { clock.Lock(); defer clock.Unlock(); return clock.t }
	tick := func() { clock.Lock(); clock.t = clock.t.Add(25 * time.Millisecond); clock.Unlock() }
	env := servertest.Start(t, servertest.WithCases(40), servertest.WithConfig(func(c *server.Config) {
		c.DataDir = dir
		c.Now = now
		onBolt(c)       // it measures the bbolt file; the quota it tests is the same on PostgreSQL
		c.RateLimit = 0 // the defaults: rate limit and write quota
		c.WriteQuotaPerHour = 0
		c.WriteBytesPerHour = 0
	}))
	amt := env.Data.Amts[0].ID
	clerk := clerkOf(t, env, amt, api.RoleClerk)
	c := newClient(t, env, clerk)
	cs := reviewable(t, env, c, amt, false, nil)
	dbSize := func() int64 {
		fi, err := os.Stat(filepath.Join(dir, server.DBFile))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	start := dbSize()

	big, _ := json.Marshal(api.NoteRequest{Text: strings.Repeat("😀", api.MaxNoteRunes)})
	codes := map[string]int{}
	for i := range 200 {
		tick()
		resp, out := c.act(api.ActionNote, cs.ID, "big-"+strconv.Itoa(i), "", string(big), 0)
		key := strconv.Itoa(resp.StatusCode)
		if resp.StatusCode != 200 {
			var p api.Problem
			mustJSON(t, out, &p)
			key += " " + p.Type
		}
		codes[key]++
	}
	if codes["200"] == 0 || codes["409 "+api.ProblemCaseFull] == 0 {
		t.Fatalf("answers %v: want some notes, then case-full", codes)
	}
	got := c.getCase(cs.ID)
	raw, _ := json.Marshal(got)
	if len(raw) > api.MaxCaseBytes+64<<10 {
		t.Fatalf("the case grew to %d bytes", len(raw))
	}
	// A replay of an accepted note still answers as before while the case is unchanged: the
	// last accepted one.
	last := -1
	for i := range 200 {
		for _, n := range got.Notes {
			if n.ID == "big-"+strconv.Itoa(i) {
				last = i
			}
		}
	}
	resp, _ := c.act(api.ActionNote, cs.ID, "big-"+strconv.Itoa(last), "", string(big), 0)
	if resp.StatusCode != 200 || resp.Header.Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatalf("replay of the last note: %d", resp.StatusCode)
	}

	// Ordinary short notes on other cases: the quota stops the token, each case stops at its
	// note bound.
	codes = map[string]int{}
	taken := map[string]bool{cs.ID: true}
	var others []string
	for range 2 {
		o := reviewable(t, env, c, amt, false, taken)
		taken[o.ID] = true
		others = append(others, o.ID)
	}
	for i := range 1500 {
		id := others[i%len(others)]
		tick()
		resp, out := c.act(api.ActionNote, id, "short-"+strconv.Itoa(i), "", `{"text":"Rückruf vereinbart"}`, 0)
		key := strconv.Itoa(resp.StatusCode)
		if resp.StatusCode != 200 {
			var p api.Problem
			mustJSON(t, out, &p)
			key += " " + p.Type
		}
		codes[key]++
	}
	if codes["429 "+api.ProblemWriteQuota] == 0 {
		t.Fatalf("answers %v: the write quota never stopped the token", codes)
	}
	if codes["200"] > 600 {
		t.Fatalf("%d short notes accepted at once, quota 600", codes["200"])
	}
	grew := dbSize() - start
	t.Logf("database %d → %d bytes; answers %v", start, dbSize(), codes)
	if grew > 32<<20 {
		t.Fatalf("the database grew by %d bytes", grew)
	}
}

// TestCaseBoundsNotes: a case takes at most api.MaxNotesPerCase notes; the next answers 409
// case-full with a clear detail (no quota in the way). The case is seeded one note short of the
// bound (its notes and their history events, as the actions would have left them): writing the
// first 499 through the API, each rewriting the growing case, took minutes under -race and
// proved nothing the last two do not.
func TestCaseBoundsNotes(t *testing.T) {
	t.Parallel()
	data := demo.Generate(demo.Options{Cases: 40, Now: time.Now()})
	amt := data.Amts[0].ID
	target := ""
	for i := range data.N {
		sc := data.Case(i).Case
		if sc.Amt == amt && !sc.Service.FourEyes &&
			(sc.Status == api.StatusInReview || sc.Status == api.StatusNew || sc.Status == api.StatusAwaitingDocuments) {
			target = sc.ID
			break
		}
	}
	seeded := *data
	seeded.Case = func(i int) demo.SeedCase {
		sc := data.Case(i)
		if sc.Case.ID != target {
			return sc
		}
		sc.Case.Notes = slices.Clone(sc.Case.Notes)
		sc.Events = slices.Clone(sc.Events)
		at := sc.Case.UpdatedAt
		for i := len(sc.Case.Notes); i < api.MaxNotesPerCase-1; i++ {
			sc.Case.Notes = append(sc.Case.Notes, api.Note{ID: "seed-" + strconv.Itoa(i), Text: "kurz", Actor: "system", CreatedAt: at})
			sc.Events = append(sc.Events, api.Event{Kind: api.EventNote, Actor: "system", At: at, Summary: "kurz"})
		}
		return sc
	}
	env := servertest.Start(t, servertest.WithData(&seeded))
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	cs := reviewable(t, env, c, amt, false, nil)
	if cs.ID != target || len(c.getCase(cs.ID).Notes) != api.MaxNotesPerCase-1 {
		t.Fatalf("case %s (want %s) has %d notes, want %d", cs.ID, target, len(c.getCase(cs.ID).Notes), api.MaxNotesPerCase-1)
	}
	c.mustAct(api.ActionNote, cs.ID, "n-last", "", api.NoteRequest{Text: "kurz"}, 0)
	if n := len(c.getCase(cs.ID).Notes); n != api.MaxNotesPerCase {
		t.Fatalf("%d notes after the last one that fits", n)
	}
	resp, out := c.act(api.ActionNote, cs.ID, "n-over", "", api.NoteRequest{Text: "kurz"}, 0)
	p := wantProblem(t, resp, out, http.StatusConflict, api.ProblemCaseFull)
	if !strings.Contains(p.Detail, strconv.Itoa(api.MaxNotesPerCase)) {
		t.Fatalf("detail %q", p.Detail)
	}
}
