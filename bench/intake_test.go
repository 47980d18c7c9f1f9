package bench_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/bench"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/fitconnect/emulator"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/fcdemo"
	"github.com/amt-mv/amt/server/servertest"
)

// BenchmarkIntake measures FIT-Connect intake over loopback: submissions per second from submit
// in the emulator to accepted case (RSA-4096 decryption included), and the time from a submit to
// a waiting clerk's change feed (p99).
func BenchmarkIntake(b *testing.B) {
	n, m := 60, 30
	if os.Getenv("AMT_BENCH_QUICK") != "" {
		n, m = 20, 10
	}
	var amts []string
	for _, a := range demo.Generate(demo.Options{Cases: 1}).Amts {
		amts = append(amts, a.ID)
	}
	w, err := fcdemo.Start(amts, catalogue.Default(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	env := servertest.Start(b, servertest.WithCases(40), servertest.WithConfig(func(c *server.Config) {
		ic := w.IntakeConfig()
		ic.PollInterval = time.Hour
		c.Intake = ic
	}))
	w.SetCallbacks(env.URL)
	ctx := context.Background()
	wait := func(id string) {
		deadline := time.Now().Add(5 * time.Minute)
		for w.Emulator.State(id) != emulator.StateAccepted {
			if time.Now().After(deadline) {
				b.Fatalf("submission %s: %s", id, w.Emulator.State(id))
			}
			time.Sleep(time.Millisecond)
		}
	}
	for b.Loop() {
		// Throughput: n submissions sent by 4 senders at once.
		start := time.Now()
		ids := make(chan string, n)
		var wg sync.WaitGroup
		for s := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := s; i < n; i += 4 {
					sent, err := w.Submit(ctx, amts[i%len(amts)], "")
					if err != nil {
						b.Error(err)
						return
					}
					ids <- sent.SubmissionID
				}
			}()
		}
		wg.Wait()
		close(ids)
		for id := range ids {
			wait(id)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "subs/s")

		// Latency to a waiting clerk's feed.
		clerk := env.ClerksOf(amts[0])[0].ID
		tok := env.Token(clerk)
		cursor := ""
		feed := func(wait int) api.ChangePage {
			req, _ := http.NewRequest("GET", env.URL+api.BasePath+"/changes?limit=1000&wait="+strconv.Itoa(wait)+"&cursor="+cursor, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var p api.ChangePage
			if err := json.Unmarshal(raw, &p); err != nil {
				b.Fatal(err)
			}
			return p
		}
		for p := feed(0); ; p = feed(0) {
			cursor = p.NextCursor
			if !p.HasMore {
				break
			}
		}
		var lat bench.Samples
		for range m {
			got := make(chan time.Time, 1)
			go func() {
				p := feed(30)
				cursor = p.NextCursor
				got <- time.Now()
			}()
			time.Sleep(20 * time.Millisecond) // the long-poll is waiting
			t0 := time.Now()
			if _, err := w.Submit(ctx, amts[0], ""); err != nil {
				b.Fatal(err)
			}
			lat.Add((<-got).Sub(t0))
		}
		b.ReportMetric(bench.Ms(lat.Percentile(99)), "feed-p99-ms")
		b.ReportMetric(bench.Ms(lat.Median()), "feed-p50-ms")
	}
}
