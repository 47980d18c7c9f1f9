package bench_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/bench"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/netsim"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
)

// cheapKDF keeps the throw-away caches of the network figures fast to create; the KDF plays no
// part in what they measure.
var cheapKDF = &store.KDFParams{Time: 1, Memory: 64, Threads: 1}

// netEnv is a seeded reference server behind a netsim proxy and one clerk's client, store and
// syncer talking through the proxy.
type netEnv struct {
	env   *servertest.Env
	proxy *netsim.Proxy
	me    demo.Clerk
	c     *client.Client
	st    *store.Store
	y     *syncer.Syncer
	data  *demo.Data
}

// newNetEnv starts the server and the clerk's side. With useTLS the clerk talks HTTPS (HTTP/2,
// as in production) to a TLS listener in front of the same server handler; otherwise plain
// HTTP/1.1 (loopback demo mode), where netsim can also count requests.
func newNetEnv(b *testing.B, data *demo.Data, useTLS bool) *netEnv {
	env := servertest.Start(b, servertest.WithData(data), servertest.WithNow(func() time.Time { return bench.Now }))
	target, scheme, caFile := env.URL, "http", ""
	if useTLS {
		ts := httptest.NewUnstartedServer(env.Server.Handler())
		ts.EnableHTTP2 = true
		ts.StartTLS()
		b.Cleanup(ts.Close)
		target, scheme = ts.URL, "https"
		caFile = filepath.Join(b.TempDir(), "ca.pem")
		cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
		if err := os.WriteFile(caFile, cert, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	u, err := url.Parse(target)
	if err != nil {
		b.Fatal(err)
	}
	p, err := netsim.Start(netsim.Config{Target: u.Host, HTTP: !useTLS, NoHandshake: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close() })
	var me demo.Clerk
	for _, c := range data.Clerks {
		if c.Amt == data.Amts[0].ID {
			me = c
			break
		}
	}
	c, err := client.New(client.Config{BaseURL: scheme + "://" + p.Addr(), Token: env.Token(me.ID), UserAgent: "amt-bench", CAFile: caFile})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	st, err := store.Open(store.Options{Dir: b.TempDir(), Passphrase: bench.Passphrase, KDF: cheapKDF})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	y := syncer.New(c, st, syncer.Options{LongPoll: -1})
	return &netEnv{env: env, proxy: p, me: me, c: c, st: st, y: y, data: data}
}

// gzipSize is the gzip-compressed (default level) size of v's JSON.
func gzipSize(b *testing.B, v any) (raw, compressed int) {
	js, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if _, err := zw.Write(js); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return len(js), buf.Len()
}

// BenchmarkSyncBytes counts the bytes of a full initial sync of 10,000 cases (one clerk's Amt)
// through the proxy and compares them with the gzip-compressed JSON of the same cases; then a
// sync with nothing new: its requests and bytes both ways.
func BenchmarkSyncBytes(b *testing.B) {
	const n = 10_000
	data, err := bench.OneAmt(n)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		e := newNetEnv(b, data, false)
		ctx := context.Background()
		t0 := time.Now()
		if err := e.y.SyncOnce(ctx); err != nil {
			b.Fatalf("full sync: %v", err)
		}
		took := time.Since(t0)
		full := e.proxy.Reset()
		if got, err := e.st.Count(); err != nil || got != n {
			b.Fatalf("synced %d cases (%v), want %d", got, err, n)
		}
		// The same cases as the server sent them (the store keeps the server's case as base), in
		// the order of the change feed (the order they were seeded in).
		cases := make([]api.Case, 0, n)
		for i := range data.N {
			c, err := e.st.ServerCase(data.Case(i).Case.ID)
			if err != nil {
				b.Fatal(err)
			}
			cases = append(cases, c)
		}
		raw, gz := gzipSize(b, cases)

		if err := e.y.SyncOnce(ctx); err != nil {
			b.Fatalf("second sync: %v", err)
		}
		noop := e.proxy.Reset()

		b.Logf("full sync: %v in %v; cases JSON %d B, gzip %d B", full, took, raw, gz)
		b.Logf("sync with nothing new: %v", noop)
		b.ReportMetric(float64(full.Total()), "wire-B")
		b.ReportMetric(float64(full.BytesUp), "wire-up-B")
		b.ReportMetric(float64(gz), "gzip-B")
		b.ReportMetric(float64(raw), "json-B")
		b.ReportMetric(float64(full.Total())/float64(gz), "ratio")
		b.ReportMetric(float64(full.Requests), "full-requests")
		b.ReportMetric(took.Seconds(), "full-s")
		b.ReportMetric(float64(noop.Requests), "noop-requests")
		b.ReportMetric(float64(noop.BytesUp), "noop-up-B")
		b.ReportMetric(float64(noop.BytesDown), "noop-down-B")
	}
}

// openCaseIDs returns the ids of open cases in data, in order.
func openCaseIDs(data *demo.Data) []string {
	var ids []string
	for i := range data.N {
		if c := data.Case(i).Case; c.Status.Open() {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// BenchmarkDrain queues 1,000 notes on 1,000 cases while offline and times the syncer pushing
// them through a 200 ms round-trip line (100 ms each way, new connections pay a handshake round
// trip). A second part queues note, assignment, note, note on each of 50 other cases and checks
// that the server applied them in that order. It runs over plain HTTP/1.1 (loopback demo mode)
// and over TLS with HTTP/2, as in production.
func BenchmarkDrain(b *testing.B) {
	data, err := bench.OneAmt(1700)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("proto=http1", func(b *testing.B) { benchDrain(b, data, false) })
	b.Run("proto=h2tls", func(b *testing.B) { benchDrain(b, data, true) })
}

func benchDrain(b *testing.B, data *demo.Data, useTLS bool) {
	const n, orderCases = 1000, 50
	open := openCaseIDs(data)
	if len(open) < n+orderCases {
		b.Fatalf("only %d open cases", len(open))
	}
	for range b.N {
		e := newNetEnv(b, data, useTLS)
		ctx := context.Background()
		if err := e.y.SyncOnce(ctx); err != nil {
			b.Fatalf("initial sync: %v", err)
		}
		// A colleague to assign to.
		var other string
		for _, c := range data.Clerks {
			if c.ID != e.me.ID && c.Amt == e.me.Amt {
				other = c.ID
				break
			}
		}
		// Reconnect through the slow line: close the fast connections, then shape.
		e.c.Close()
		e.proxy.CloseConnections()
		link := netsim.Link{Latency: 100 * time.Millisecond}
		e.proxy.SetLinks(link, link)
		e.proxy.Reset()

		want := map[string]string{} // case → note text
		for i, id := range open[:n] {
			text := fmt.Sprintf("bench-drain %d", i)
			body, _ := json.Marshal(api.NoteRequest{Text: text})
			if _, err := e.st.Enqueue(store.Action{CaseID: id, Kind: api.ActionNote, Body: body}); err != nil {
				b.Fatal(err)
			}
			want[id] = text
		}
		t0 := time.Now()
		pushes, err := drain(ctx, e, 2*time.Minute)
		took := time.Since(t0)
		if err != nil {
			b.Fatalf("drain: %v", err)
		}
		stats := e.proxy.Stats()
		b.Logf("drained %d notes in %v with %d push rounds: %v", n, took, pushes, stats)

		// Order: four actions per case, the assignment needs the version after the first note.
		e.proxy.Reset()
		for i, id := range open[n : n+orderCases] {
			sum, err := e.st.Summary(id)
			if err != nil {
				b.Fatal(err)
			}
			note := func(k int) {
				body, _ := json.Marshal(api.NoteRequest{Text: fmt.Sprintf("bench-order %d/%d", i, k)})
				if _, err := e.st.Enqueue(store.Action{CaseID: id, Kind: api.ActionNote, Body: body}); err != nil {
					b.Fatal(err)
				}
			}
			note(1)
			body, _ := json.Marshal(api.AssignmentRequest{Assignee: other})
			if _, err := e.st.Enqueue(store.Action{CaseID: id, Kind: api.ActionAssignment, Body: body, BaseVersion: sum.Version}); err != nil {
				b.Fatal(err)
			}
			note(2)
			note(3)
		}
		t1 := time.Now()
		if _, err := drain(ctx, e, 2*time.Minute); err != nil {
			b.Fatalf("order drain: %v", err)
		}
		orderTook := time.Since(t1)

		// Check on the server, directly (plain HTTP, not through the slow line).
		direct, err := client.New(client.Config{BaseURL: e.env.URL, Token: e.env.Token(e.me.ID)})
		if err != nil {
			b.Fatal(err)
		}
		lost, dup := 0, 0
		for id, text := range want {
			c, err := direct.Case(ctx, id, "")
			if err != nil {
				b.Fatal(err)
			}
			k := 0
			for _, note := range c.Notes {
				if note.Text == text {
					k++
				}
			}
			switch {
			case k == 0:
				lost++
			case k > 1:
				dup++
			}
		}
		misordered := 0
		for i, id := range open[n : n+orderCases] {
			evs, err := direct.Events(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			var got []string
			for _, ev := range evs {
				// The demo history has older actions of the same clerk: start at the first
				// benchmark note.
				if ev.Actor != e.me.ID || (len(got) == 0 && !strings.HasPrefix(ev.Summary, "bench-order")) {
					continue
				}
				switch ev.Kind {
				case api.EventNote:
					got = append(got, ev.Summary)
				case api.EventAssigned:
					got = append(got, "assigned "+ev.Summary)
				}
			}
			exp := []string{fmt.Sprintf("bench-order %d/1", i), "assigned " + other,
				fmt.Sprintf("bench-order %d/2", i), fmt.Sprintf("bench-order %d/3", i)}
			if strings.Join(got, "|") != strings.Join(exp, "|") {
				misordered++
				if misordered <= 3 {
					b.Logf("case %s: events %q, want %q", id, got, exp)
				}
			}
		}
		direct.Close()
		b.Logf("order part: %d actions on %d cases in %v; lost %d, duplicated %d, misordered cases %d",
			4*orderCases, orderCases, orderTook, lost, dup, misordered)
		b.ReportMetric(took.Seconds(), "drain-s")
		if !useTLS {
			b.ReportMetric(float64(stats.Requests), "requests")
		}
		b.ReportMetric(float64(stats.Conns), "conns")
		b.ReportMetric(float64(lost), "lost")
		b.ReportMetric(float64(dup), "dup")
		b.ReportMetric(float64(misordered), "misordered")
		b.ReportMetric(orderTook.Seconds(), "order-s")
	}
}

// drain pushes until the outbox is empty, failing on conflicts or rejections.
func drain(ctx context.Context, e *netEnv, limit time.Duration) (rounds int, err error) {
	deadline := time.Now().Add(limit)
	for {
		out, err := e.st.Outbox()
		if err != nil {
			return rounds, err
		}
		if len(out) == 0 {
			return rounds, nil
		}
		for _, a := range out {
			if a.State != store.StatePending || a.LastError != "" {
				return rounds, fmt.Errorf("action %s on %s is %s after %d attempts: %s", a.Kind, a.CaseID, a.State, a.Attempts, a.LastError)
			}
		}
		if time.Now().After(deadline) {
			return rounds, fmt.Errorf("%d actions left after %v", len(out), limit)
		}
		rounds++
		if err := e.y.Push(ctx); err != nil {
			return rounds, err
		}
	}
}
