package inbox

import (
	"fmt"
	"slices"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/tui/tuitest"
)

// synthetic returns a fully loaded inbox over n synthetic summaries (no store), on tab Alle.
func synthetic(b *testing.B, n, w, h int) Model {
	b.Helper()
	m := New(newCtx(nil, w, h))
	rows := tuitest.Summaries(n)
	m, _ = drain(b, m, func() tea.Msg {
		e := newEnv(m.ctx)
		return loadedMsg{gen: m.loadGen, rows: rows, counts: countViews(rows, m.views, &e), corp: buildCorpus(rows)}
	})
	m = press(b, m, "5")
	if len(m.Rows()) == 0 {
		b.Fatal("no rows")
	}
	return m
}

// BenchmarkInboxView measures one frame at 200x60 while the cursor moves (rows come from the
// cache except the two whose cursor state changed).
func BenchmarkInboxView(b *testing.B) {
	m := synthetic(b, 100_000, 200, 59)
	_ = m.View()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			m.move(1)
		} else {
			m.move(-1)
		}
		i++
		_ = m.View()
	}
}

// BenchmarkFilter100k measures a filter keystroke over 100,000 summaries: Update, the filter
// command (run synchronously here; in the app it runs off the UI goroutine) and applying its
// result. It alternates typing a letter and deleting it, so every keystroke scans all rows (the
// worst case: no narrowing). It reports the 99th percentile; the budget is 16 ms.
func BenchmarkFilter100k(b *testing.B) {
	for _, tc := range []struct {
		name string
		keys []string
	}{
		{"worst", []string{"e", "backspace"}},
		{"typing", []string{"m", "ü", "l", "l", "e", "r", "esc", "/"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m := synthetic(b, 100_000, 200, 59)
			m = press(b, m, "/")
			var lat []time.Duration
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := keyMsg(tc.keys[i%len(tc.keys)])
				i++
				start := time.Now()
				m, _ = send(b, m, k)
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			q := func(p int) float64 { return float64(lat[min(len(lat)-1, len(lat)*p/100)].Microseconds()) / 1000 }
			b.ReportMetric(q(50), "p50-ms")
			b.ReportMetric(q(99), "p99-ms")
		})
	}
}

// BenchmarkFirstFrame measures opening the inbox up to its first frame over a real store: Count,
// the first page, its filter and View. The full load runs afterwards in its own command and is
// not part of the first frame. 100,000 cases must cost no more than 100.
func BenchmarkFirstFrame(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			st := tuitest.OpenStore(b)
			for lo := 0; lo < n; lo += 5000 {
				tuitest.Fill(b, st, tuitest.CasesRange(lo, min(lo+5000, n)))
			}
			ctx := newCtx(st, 200, 59)
			b.ReportAllocs()
			for b.Loop() {
				m := New(ctx)
				first := m.Init()().(firstPageMsg)
				m, cmd := m.Update(first)
				for _, c := range cmd().(tea.BatchMsg) {
					if fm, ok := c().(filterMsg); ok { // skip the full load: not part of the first frame
						m, _ = m.Update(fm)
						break
					}
				}
				if len(m.Rows()) == 0 {
					b.Fatal("empty first frame")
				}
				_ = m.View()
			}
		})
	}
}
