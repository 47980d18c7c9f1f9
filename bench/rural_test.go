package bench_test

// Figures for rural lines (issue #18): a first sync over 4 KB/s with 300 ms round trips, the same
// with the line cut every 30 s, the bytes one note costs another clerk's sync, and bubbles/list's
// own filtering beside amt's (BenchmarkFilter calls listFilterLatency).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/bench"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/netsim"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
)

// The rural line of the issue: 4 KB/s each way, 150 ms one way (300 ms round trips).
var ruralLink = netsim.Link{Latency: 150 * time.Millisecond, Bandwidth: 4 << 10}

// ruralEnv is a seeded server behind a shaped proxy (with the simulated TCP handshake) and one
// clerk's fresh client, store and syncer talking through it.
type ruralEnv struct {
	env   *servertest.Env
	proxy *netsim.Proxy
	st    *store.Store
	y     *syncer.Syncer
	clerk string
}

func newRuralEnv(b *testing.B, env *servertest.Env, clerk string, link netsim.Link) *ruralEnv {
	u, err := url.Parse(env.URL)
	if err != nil {
		b.Fatal(err)
	}
	p, err := netsim.Start(netsim.Config{Target: u.Host, Up: link, Down: link, HTTP: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close() })
	c, err := client.New(client.Config{BaseURL: p.URL(), Token: env.Token(clerk), UserAgent: "amt-bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	st, err := store.Open(store.Options{Dir: b.TempDir(), Passphrase: bench.Passphrase, KDF: cheapKDF})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return &ruralEnv{env: env, proxy: p, st: st, y: syncer.New(c, st, syncer.Options{LongPoll: -1}), clerk: clerk}
}

// BenchmarkRuralSync: the first sync of a 1,000-case Amt (300 with --quick, never a faster line)
// over 4 KB/s and 300 ms round trips, against the floor (the gzip size of those cases' JSON at
// the line rate, plus two round trips: the TCP handshake and one request); then the same with
// the line cut every 30 s (every connection closed), whose bytes are compared with the uncut run.
func BenchmarkRuralSync(b *testing.B) {
	n := samples(1000, 300)
	data, err := bench.OneAmt(n)
	if err != nil {
		b.Fatal(err)
	}
	env := servertest.Start(b, servertest.WithData(data), servertest.WithNow(func() time.Time { return bench.Now }))
	clerk := data.Clerks[0].ID
	for range b.N {
		run := func(cutEvery time.Duration) (took time.Duration, st netsim.Stats, cuts int, e *ruralEnv) {
			e = newRuralEnv(b, env, clerk, ruralLink)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
			defer cancel()
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if cutEvery > 0 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					t := time.NewTicker(cutEvery)
					defer t.Stop()
					for {
						select {
						case <-stop:
							return
						case <-t.C:
							e.proxy.CloseConnections()
							cuts++
						}
					}
				}()
			}
			t0 := time.Now()
			// The clerk (or amt's Run loop) syncs again after a pull that gave up; count it in.
			for attempt := 0; ; attempt++ {
				err := e.y.SyncOnce(ctx)
				if err == nil {
					break
				}
				if attempt >= 20 || ctx.Err() != nil {
					b.Fatalf("sync over the rural line: %v", err)
				}
			}
			took = time.Since(t0)
			close(stop)
			wg.Wait()
			if got, err := e.st.Count(); err != nil || got != n {
				b.Fatalf("synced %d cases (%v), want %d", got, err, n)
			}
			return took, e.proxy.Stats(), cuts, e
		}
		took, st, _, e := run(0)
		cases := make([]api.Case, 0, n)
		for i := range data.N {
			c, err := e.st.ServerCase(data.Case(i).Case.ID)
			if err != nil {
				b.Fatal(err)
			}
			cases = append(cases, c)
		}
		_, gz := gzipSize(b, cases)
		floor := float64(gz)/float64(ruralLink.Bandwidth) + 2*(2*ruralLink.Latency).Seconds()
		ev := e.y.Status()
		b.Logf("uncut: %d cases in %v, %v; gzip %d B; floor %.1f s; progress %+v", n, took, st, gz, floor, ev.Progress)

		cutTook, cutSt, cuts, _ := run(30 * time.Second)
		b.Logf("cut every 30 s: %v, %v, %d cuts", cutTook, cutSt, cuts)

		b.ReportMetric(float64(n), "cases")
		b.ReportMetric(took.Seconds(), "sync-s")
		b.ReportMetric(floor, "floor-s")
		b.ReportMetric(took.Seconds()/floor, "time-ratio")
		b.ReportMetric(float64(st.Total()), "wire-B")
		b.ReportMetric(float64(gz), "gzip-B")
		b.ReportMetric(float64(st.Requests), "requests")
		b.ReportMetric(cutTook.Seconds(), "cut-sync-s")
		b.ReportMetric(float64(cutSt.Total()), "cut-wire-B")
		b.ReportMetric(float64(cutSt.Total())/float64(st.Total()), "cut-bytes-ratio")
		b.ReportMetric(float64(cuts), "cuts")
	}
}

// BenchmarkNoteDelta: clerk B adds one note to a case with 100 events; clerk A's next sync (push
// with nothing queued, then the change feed) is measured on the wire, both ways, headers
// included. 21 samples (7 with --quick); the median is the figure. For comparison, the gzip size
// of the whole case, which each such change cost before deltas.
func BenchmarkNoteDelta(b *testing.B) {
	data, err := bench.OneAmt(50)
	if err != nil {
		b.Fatal(err)
	}
	env := servertest.Start(b, servertest.WithData(data), servertest.WithNow(func() time.Time { return bench.Now }))
	clerks := env.ClerksOf(data.Amts[0].ID)
	if len(clerks) < 2 {
		b.Fatalf("need two clerks, have %d", len(clerks))
	}
	a := newRuralEnv(b, env, clerks[0].ID, netsim.Link{Latency: 150 * time.Millisecond})
	other, err := client.New(client.Config{BaseURL: env.URL, Token: env.Token(clerks[1].ID)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(other.Close)
	ctx := context.Background()
	var id string
	for i := range data.N {
		if c := data.Case(i).Case; c.Status.Open() {
			id = c.ID
			break
		}
	}
	note := func(i int) {
		body := mustMarshal(b, api.NoteRequest{Text: fmt.Sprintf("Rückruf %d: Unterlagen telefonisch angefordert, kommen per Post.", i)})
		if _, err := other.Send(ctx, client.Action{Kind: api.ActionNote, CaseID: id, ID: fmt.Sprintf("bench-note-%04d", i), Body: body}); err != nil {
			b.Fatalf("note %d: %v", i, err)
		}
	}
	if err := a.y.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	c, err := other.Case(ctx, id, "")
	if err != nil {
		b.Fatal(err)
	}
	for i := len(c.History); i < 100; i++ {
		note(i)
	}
	if err := a.y.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	var sizes []float64
	for range b.N {
		for i := range samples(21, 7) {
			note(1000 + i)
			a.proxy.Reset()
			if err := a.y.SyncOnce(ctx); err != nil {
				b.Fatal(err)
			}
			st := a.proxy.Reset()
			sizes = append(sizes, float64(st.Total()))
		}
	}
	got, err := a.st.ServerCase(id)
	if err != nil {
		b.Fatal(err)
	}
	want, err := other.Case(ctx, id, "")
	if err != nil {
		b.Fatal(err)
	}
	if string(mustMarshal(b, got)) != string(mustMarshal(b, want)) {
		b.Fatal("clerk A's cached case differs from the server's after the deltas")
	}
	_, whole := gzipSize(b, want)
	sort.Float64s(sizes)
	b.Logf("case %s with %d events; bytes per sync %v; whole case gzip %d B", id, len(want.History), sizes, whole)
	b.ReportMetric(sizes[len(sizes)/2], "median-B")
	b.ReportMetric(sizes[len(sizes)-1], "max-B")
	b.ReportMetric(float64(whole), "whole-case-gzip-B")
	b.ReportMetric(float64(len(want.History)), "events")
}

// listFilterLatency types the queries into bubbles/list's own filter (its default: fuzzy
// matching via sahilm/fuzzy, run as a command) over the same rows amt filters, and times each
// keystroke until its frame is rendered, as BenchmarkFilter does for amt.
func listFilterLatency(b *testing.B, rows []store.Summary, queries []string, rounds int) *bench.Samples {
	items := make([]list.Item, len(rows))
	for i, r := range rows {
		items[i] = listRow{r}
	}
	l := list.New(items, list.NewDefaultDelegate(), width, height)
	var lat bench.Samples
	apply := func(cmd tea.Cmd) {
		// Run the command chain as Bubble Tea would, feeding messages back, until the filter
		// result is applied.
		queue := []tea.Cmd{cmd}
		for len(queue) > 0 {
			c := queue[0]
			queue = queue[1:]
			if c == nil {
				continue
			}
			msg := c()
			switch msg := msg.(type) {
			case tea.BatchMsg:
				queue = append(queue, msg...)
			case list.FilterMatchesMsg:
				var next tea.Cmd
				l, next = l.Update(msg)
				queue = append(queue, next)
			}
		}
	}
	for range rounds {
		for _, q := range queries {
			var cmd tea.Cmd
			l, cmd = l.Update(key('/'))
			apply(cmd)
			for _, r := range q {
				t0 := time.Now()
				l, cmd = l.Update(key(r))
				apply(cmd)
				_ = l.View()
				lat.Add(time.Since(t0))
			}
			l.ResetFilter()
		}
	}
	return &lat
}

type listRow struct{ s store.Summary }

func (r listRow) FilterValue() string { return r.s.Search }
func (r listRow) Title() string       { return r.s.Reference + " " + r.s.ApplicantName }
func (r listRow) Description() string { return r.s.ServiceName }

func mustMarshal(b *testing.B, v any) []byte {
	b.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return js
}
