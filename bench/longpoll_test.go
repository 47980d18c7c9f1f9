package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/bench"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
)

// BenchmarkLongPoll: 2,000 clerks long-poll the change feed at once (wait=30) on two amt-server
// instances sharing one PostgreSQL database, 1,000 on each. Each round waits until every clerk's
// poll is parked (the instances' LongPollsWaiting, the amt_changes_waiting gauge, add up to
// 2,000), then one note is written to a case of one Amt, through the two instances in turn, so
// half of the woken clerks learn of it through LISTEN/NOTIFY from the other instance. Reported: the time from sending the
// write to each waiting clerk of that Amt holding the page with the change (p50, p99, max over
// every clerk of every round); 30 rounds (10 with --quick). No clerk of another Amt may receive
// a change, and every clerk of the Amt must get it.
func BenchmarkLongPoll(b *testing.B) {
	const clerks = 2000
	rounds := samples(30, 10)
	data := demo.Generate(demo.Options{Cases: 400, Now: bench.Now, Seed: bench.Seed})
	for range b.N {
		db := pgDatabase(b)
		envs := []*servertest.Env{
			servertest.Start(b, servertest.WithData(data), servertest.WithDatabase(db)),
			servertest.Start(b, servertest.WithData(data), servertest.WithDatabase(db)),
		}
		tr := &http.Transport{MaxIdleConns: 2 * clerks, MaxIdleConnsPerHost: 2 * clerks}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr, Timeout: time.Minute}
		get := func(ctx context.Context, base, token, path string) (int, []byte, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
			if err != nil {
				return 0, nil, err
			}
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := hc.Do(req)
			if err != nil {
				return 0, nil, err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			return resp.StatusCode, body, err
		}

		// Per Amt: the end of its feed (every clerk starts there, as after a sync) and an open
		// case to write to.
		type amtInfo struct {
			id, clerk, cursor, caseID string
			sims                      int
		}
		amts := map[string]*amtInfo{}
		var order []*amtInfo
		for _, c := range data.Clerks {
			if amts[c.Amt] != nil {
				continue
			}
			a := &amtInfo{id: c.Amt, clerk: c.ID}
			for {
				st, body, err := get(context.Background(), envs[0].URL, envs[0].Token(c.ID), api.BasePath+"/changes?limit="+
					strconv.Itoa(api.MaxChangePageSize)+"&cursor="+url.QueryEscape(a.cursor))
				if err != nil || st != http.StatusOK {
					b.Fatalf("initial feed of %s: %d %v", c.Amt, st, err)
				}
				var p api.ChangePage
				if err := json.Unmarshal(body, &p); err != nil {
					b.Fatal(err)
				}
				for _, ch := range p.Items {
					if a.caseID == "" && ch.Kind == api.ChangeUpsert && ch.Case.Status.Open() {
						a.caseID = ch.CaseID
					}
				}
				if p.NextCursor != "" {
					a.cursor = p.NextCursor
				}
				if !p.HasMore {
					break
				}
			}
			if a.caseID == "" {
				b.Fatalf("no open case in %s", c.Amt)
			}
			amts[c.Amt] = a
			order = append(order, a)
		}

		type wake struct {
			amt string
			at  time.Time
		}
		wakes := make(chan wake, clerks)
		var errs atomic.Int64
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range clerks {
			dc := data.Clerks[i%len(data.Clerks)]
			env := envs[(i/len(data.Clerks))%2]
			a := amts[dc.Amt]
			a.sims++
			wg.Go(func() {
				token, cursor := env.Token(dc.ID), a.cursor
				for ctx.Err() == nil {
					st, body, err := get(ctx, env.URL, token, api.BasePath+"/changes?wait="+strconv.Itoa(api.MaxWaitSeconds)+
						"&limit=200&cursor="+url.QueryEscape(cursor))
					at := time.Now()
					if ctx.Err() != nil {
						return
					}
					var p api.ChangePage
					if err == nil && st == http.StatusOK {
						err = json.Unmarshal(body, &p)
					} else if err == nil {
						err = fmt.Errorf("status %d", st)
					}
					if err != nil {
						errs.Add(1)
						time.Sleep(100 * time.Millisecond) // not a tight loop against a failing server
						continue
					}
					if p.NextCursor != "" {
						cursor = p.NextCursor
					}
					if len(p.Items) > 0 {
						select {
						case wakes <- wake{amt: dc.Amt, at: at}:
						case <-ctx.Done():
							return
						}
					}
				}
			})
		}

		waiting := func() int {
			total := 0
			for _, e := range envs {
				total += e.Server.LongPollsWaiting()
			}
			return total
		}
		var lat, writes bench.Samples
		spurious := 0
		for r := range rounds {
			deadline := time.Now().Add(2 * time.Minute)
			for waiting() != clerks {
				if time.Now().After(deadline) {
					b.Fatalf("round %d: only %d of %d clerks waiting", r, waiting(), clerks)
				}
				time.Sleep(5 * time.Millisecond)
			}
			a := order[r%len(order)]
			e := envs[r%2]
			path, _ := api.ActionPath(api.ActionNote, a.caseID, fmt.Sprintf("bench-longpoll-%03d", r), "")
			body, _ := json.Marshal(api.NoteRequest{Text: "Lasttest lange Abfrage"})
			req, _ := http.NewRequest("PUT", e.URL+path, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+e.Token(a.clerk))
			req.Header.Set("Content-Type", "application/json")
			sent := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatalf("round %d: write: %v", r, err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("round %d: write: %d", r, resp.StatusCode)
			}
			writes.Add(time.Since(sent))
			timeout := time.After(2 * time.Minute)
			for got := 0; got < a.sims; {
				select {
				case w := <-wakes:
					if w.amt != a.id {
						spurious++
						continue
					}
					got++
					lat.Add(w.at.Sub(sent))
				case <-timeout:
					b.Fatalf("round %d: %d of %d clerks of %s woken", r, got, a.sims, a.id)
				}
			}
		}
		cancel()
		for _, e := range envs {
			e.Server.Drain()
		}
		wg.Wait()
		b.Logf("%d clerks on 2 instances, %d rounds: wake p50 %.1f ms, p99 %.1f ms, max %.1f ms; write p50 %.1f ms; %d errors, %d woken by another Amt's change",
			clerks, rounds, bench.Ms(lat.Median()), bench.Ms(lat.Percentile(99)), bench.Ms(lat.Max()), bench.Ms(writes.Median()), errs.Load(), spurious)
		b.ReportMetric(bench.Ms(lat.Percentile(99)), "wake-p99-ms")
		b.ReportMetric(bench.Ms(lat.Median()), "wake-p50-ms")
		b.ReportMetric(bench.Ms(lat.Max()), "wake-max-ms")
		b.ReportMetric(float64(lat.Len()), "wakes")
		b.ReportMetric(float64(clerks), "clerks")
		b.ReportMetric(float64(errs.Load()+int64(spurious)), "errors")
	}
}
