package syncer

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

// BenchmarkDrain1000Over200ms drains 1,000 queued notes spread over 200 cases through a link
// that adds 200 ms to every request (one round trip), with the default concurrency. Budget: ≤10 s
// per drain (reported as s/drain).
func BenchmarkDrain1000Over200ms(b *testing.B) {
	rtt := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(benchRTT)
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(b, 400, servertest.WithHandlerWrapper(rtt))
	clk := newClock()
	ce := newClerk(b, env, clerkA, clk, Options{PageSize: api.MaxChangePageSize}, nil)
	ce.sync(b)
	rows, err := ce.st.AllSummaries()
	if err != nil || len(rows) < 200 {
		b.Fatalf("%d cases, %v", len(rows), err)
	}
	var open []store.Summary
	for _, r := range rows {
		if r.Status.Open() {
			open = append(open, r)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for j := 0; j < 1000; j++ {
			ce.enqueue(b, open[j%len(open)].ID, api.ActionNote, api.NoteRequest{Text: fmt.Sprintf("Notiz %d/%d", i, j)})
		}
		b.StartTimer()
		start := time.Now()
		if err := ce.y.Push(context.Background()); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		b.ReportMetric(d.Seconds(), "s/drain")
		if out := ce.outbox(b); len(out) != 0 {
			b.Fatalf("%d left", len(out))
		}
	}
}

var benchRTT = 200 * time.Millisecond
