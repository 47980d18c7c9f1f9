package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	amtclient "github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/delivery"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
)

// countingTransport records the requests a client sends.
type countingTransport struct {
	mu   sync.Mutex
	reqs []string
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, r.Method+" "+r.URL.RequestURI())
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (c *countingTransport) changes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.reqs {
		if strings.Contains(r, api.BasePath+"/changes") {
			out = append(out, r)
		}
	}
	return out
}

// moveCases is the size of the bbolt deployment TestMoveBboltToPostgres moves: a few hundred
// cases in go test, AMT_MOVE_CASES=100000 for the full seed.
func moveCases(t *testing.T) int {
	if v := os.Getenv("AMT_MOVE_CASES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("AMT_MOVE_CASES: %q", v)
		}
		return n
	}
	return 300
}

// TestMoveBboltToPostgres: a bbolt deployment with demo data, actions (idempotency records, a
// fingerprint, a forwarded case's tombstone) and a clerk's synced cache moves to PostgreSQL with
// MoveBboltToPostgres; the copy is verified; the clerk's token still works, every feed reads
// byte for byte the same, a resend of an earlier action answers its original result, and the
// cache catches up with one request from the cursor it holds, without a full resync.
func TestMoveBboltToPostgres(t *testing.T) {
	db := pgOnly(t)
	t.Parallel() // its own bbolt directory and schema; most of its time is rendering the seeded letters
	ctx := context.Background()
	dir := t.TempDir()
	env := servertest.Start(t, servertest.WithDocuments(),
		// Applicants with an e-mail address chose e-mail: their Bescheide wait in the delivery queue.
		servertest.WithData(demo.WithReplyByEmail(demo.Generate(demo.Options{Cases: moveCases(t), Now: time.Now()}))),
		servertest.WithConfig(func(c *server.Config) {
			c.DataDir = dir
			onBolt(c)
			// Nothing is sent here (tests deliver by hand): the relay only has to be configured.
			m, err := delivery.NewMailer(delivery.MailerConfig{Addr: "127.0.0.1:1", Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			c.Documents.Mail = &server.MailConfig{Mailer: m, From: "bescheide@amt.example"}
		}))
	amt := env.Data.Amts[0].ID
	clerks := env.ClerksOf(amt)
	if len(clerks) < 2 {
		t.Fatal("need two clerks")
	}
	clerk, other := clerks[0].ID, clerks[1].ID
	c := newClient(t, env, clerk)
	var open []api.Change
	for _, ch := range feedFrom(t, env.URL, env.Token(clerk)) {
		if ch.Kind == api.ChangeUpsert && ch.Case.Status.Open() {
			open = append(open, ch)
		}
	}
	if len(open) < 3 {
		t.Fatalf("only %d open cases", len(open))
	}
	noteCase := open[0].CaseID
	c.mustAct(api.ActionNote, noteCase, "before-move", "", api.NoteRequest{Text: "vor dem Umzug"}, 0)
	fwd := open[1].Case
	if fwd.Status == api.StatusNew || fwd.Status == api.StatusInReview || fwd.Status == api.StatusAwaitingDocuments {
		c.mustAct(api.ActionDecision, fwd.ID, "fwd-1", "", api.DecisionRequest{Outcome: api.OutcomeForwarded}, fwd.Version)
	}

	// The clerk's laptop: a real cache, synced before the move.
	st, err := store.Open(store.Options{Dir: t.TempDir(), Passphrase: "pw", KDF: &store.KDFParams{Time: 1, Memory: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cl, err := amtclient.New(amtclient.Config{BaseURL: env.URL, Token: env.Token(clerk)})
	if err != nil {
		t.Fatal(err)
	}
	if err := syncer.New(cl, st, syncer.Options{}).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	cursor, err := st.Cursor()
	if err != nil || cursor == "" {
		t.Fatalf("cursor after the first sync: %q %v", cursor, err)
	}

	// The feeds as bbolt serves them, to compare byte for byte.
	before := map[string][]byte{}
	for _, a := range env.Data.Amts {
		cs := env.ClerksOf(a.ID)
		if len(cs) == 0 {
			continue
		}
		_, body, err := call(http.DefaultClient, env.URL, env.Token(cs[0].ID), "GET", "/changes?limit=1000", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		before[cs[0].ID] = body
	}
	// Stop the bbolt server (Close is idempotent; the test's cleanup calls it again).
	env.Server.Drain()
	env.HTTP.Close()
	if err := env.Server.Close(); err != nil {
		t.Fatal(err)
	}

	url := db.Schema(t)
	start := time.Now()
	rep, err := server.MoveBboltToPostgres(ctx, dir, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("moved %d cases in %v", moveCases(t), time.Since(start).Round(time.Millisecond))
	rows := map[string]int{}
	for _, tb := range rep.Tables {
		rows[tb.Name] = tb.Rows
		if len(tb.Checksum) != 64 {
			t.Fatalf("table %s without checksum", tb.Name)
		}
	}
	if rows["cases"] != env.Data.N || rows["events"] == 0 || rows["idem"] < 1 || rows["changes"] == 0 || rows["tokens"] != len(env.Data.Clerks) ||
		rows["files"] == 0 || rows["feeds"] == 0 {
		t.Fatalf("moved rows: %v", rows)
	}
	if len(rep.Skipped) != 0 {
		t.Fatalf("skipped: %v", rep.Skipped)
	}
	// A second move into the same database is refused and changes nothing.
	if _, err := server.MoveBboltToPostgres(ctx, dir, url); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Fatalf("second move: %v", err)
	}

	pg := servertest.Start(t, servertest.WithDatabase(url), servertest.WithData(env.Data))
	// Generated documents moved with their bytes, queued deliveries with them.
	queued, docs := 0, 0
	for cid := range before {
		for _, ch := range feedFrom(t, pg.URL, env.Token(cid)) {
			if ch.Kind != api.ChangeUpsert {
				continue
			}
			for _, d := range ch.Case.Documents {
				if d.Delivery.State == api.DeliveryPending && d.Delivery.Channel != api.ChannelLetter {
					queued++
				}
				if docs < 3 {
					docs++
					st, body, err := call(http.DefaultClient, pg.URL, env.Token(cid), "GET", "/cases/"+ch.CaseID+"/documents/"+d.ID, nil, nil)
					if sum := sha256.Sum256(body); err != nil || st != 200 || hex.EncodeToString(sum[:]) != d.SHA256 {
						t.Fatalf("document %s of %s after the move: %d %v", d.ID, ch.CaseID, st, err)
					}
				}
			}
		}
	}
	if docs == 0 || queued == 0 || rows["deliveries"] != queued {
		t.Fatalf("documents after the move: %d checked, %d queued for delivery, %d delivery rows moved", docs, queued, rows["deliveries"])
	}
	for cid, want := range before {
		_, got, err := call(http.DefaultClient, pg.URL, env.Token(cid), "GET", "/changes?limit=1000", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("feed of %s differs after the move:\nbbolt %s\npg    %s", cid, truncate(want), truncate(got))
		}
	}
	// A resend of an action applied before the move answers its original result.
	path, _ := api.ActionPath(api.ActionNote, noteCase, "before-move", "")
	req, _ := http.NewRequest("PUT", pg.URL+path, strings.NewReader(`{"text":"vor dem Umzug"}`))
	req.Header.Set("Authorization", "Bearer "+env.Token(clerk))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatalf("resend after the move: %d replay=%q", resp.StatusCode, resp.Header.Get(api.HeaderIdempotentReplay))
	}

	// A colleague writes on the new store; the laptop syncs with one request from its cursor.
	newClient(t, pg, other).mustAct(api.ActionNote, open[2].CaseID, "after-move", "", api.NoteRequest{Text: "nach dem Umzug"}, 0)
	tr := &countingTransport{}
	cl2, err := amtclient.New(amtclient.Config{BaseURL: pg.URL, Token: env.Token(clerk), Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	defer cl2.Close()
	if err := syncer.New(cl2, st, syncer.Options{}).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	reqs := tr.changes()
	if len(reqs) != 1 || !strings.Contains(reqs[0], "cursor="+cursor) {
		t.Fatalf("sync after the move: %v (want one request from cursor %s)", reqs, cursor)
	}
	sc, err := st.ServerCase(open[2].CaseID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range sc.Notes {
		found = found || n.ID == "after-move"
	}
	if !found {
		t.Fatal("the cache did not get the change made after the move")
	}
}
