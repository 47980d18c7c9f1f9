package bench_test

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/amt-mv/amt/bench"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/inbox"
)

// A clerk's terminal has colours: render them, as the real program does.
func init() { lipgloss.SetColorProfile(termenv.TrueColor) }

// Inbox size in the benchmarks (the brief: 200x60).
const (
	width  = 200
	height = 60
)

// quick is set by bench/run --quick: fewer samples, shorter runs.
var quick = os.Getenv("AMT_BENCH_QUICK") != ""

// root is where seeded caches live: $AMT_BENCH_DIR, or a directory shared by this test binary.
func root(b *testing.B) string {
	if r := bench.Root(""); r != "" {
		return r
	}
	r := sharedTemp
	if r == "" {
		d, err := os.MkdirTemp("", "amt-bench-")
		if err != nil {
			b.Fatal(err)
		}
		sharedTemp = d
		r = d
	}
	return r
}

var sharedTemp string

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedTemp != "" {
		_ = os.RemoveAll(sharedTemp)
	}
	os.Exit(code)
}

func samples(full, short int) int {
	if quick {
		return short
	}
	return full
}

// newInbox builds the inbox as the TUI does for the signed-in clerk of st.
func newInbox(b *testing.B, st *store.Store) (*inbox.Model, *bench.Driver) {
	me, err := bench.Me(st)
	if err != nil {
		b.Fatalf("me: %v", err)
	}
	ctx := common.NewCtx(st, me, func() time.Time { return bench.Now })
	ctx.ScreenWidth, ctx.ScreenHeight = width, height
	ctx.Width, ctx.Height = width, height
	m := inbox.New(ctx)
	d := bench.NewDriver(func(msg tea.Msg) tea.Cmd {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		return cmd
	})
	return &m, d
}

// BenchmarkFirstFrame times opening the cache (bbolt open, argon2id unlock, schema check) and
// rendering the first inbox frame that lists the signed-in clerk's cases (default tab "Meine
// Fälle"), with 100, 10,000 and 100,000 cached cases. The inbox's commands run as in the real
// program: the first-page read, its filter and the full load concurrently; the frame is taken as
// soon as rows are visible, whichever load delivered them. Each sample starts after a GC, like a
// fresh process.
func BenchmarkFirstFrame(b *testing.B) {
	for _, n := range []int{100, 10_000, 100_000} {
		b.Run("cases="+strconv.Itoa(n), func(b *testing.B) {
			r := root(b)
			if err := bench.SeedCache(r, n); err != nil {
				b.Fatal(err)
			}
			dir := bench.CacheDir(r, n)
			var total, open, render bench.Samples
			k := samples(11, 5)
			for range b.N {
				for range k {
					runtime.GC()
					t0 := time.Now()
					st, err := bench.OpenStore(dir)
					if err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					m, d := newInbox(b, st)
					d.Exec(m.Init())
					if err := d.Until(func() bool { return len(m.Rows()) > 0 }, 60*time.Second); err != nil {
						b.Fatalf("no rows in the first frame: %v", err)
					}
					frame := m.View()
					t2 := time.Now()
					if frame == "" {
						b.Fatal("empty frame")
					}
					total.Add(t2.Sub(t0))
					open.Add(t1.Sub(t0))
					render.Add(t2.Sub(t1))
					d.Drain()
					if err := st.Close(); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(bench.Ms(total.Median()), "frame-ms")
			b.ReportMetric(bench.Ms(open.Median()), "open-ms")
			b.ReportMetric(bench.Ms(render.Median()), "render-ms")
		})
	}
}

// loadedInbox opens the 100,000-case cache and waits until the inbox has loaded every summary,
// counted the tabs and applied the filter of tab (index into the saved views).
func loadedInbox(b *testing.B, tab int) (*inbox.Model, *bench.Driver, *store.Store) {
	const n = 100_000
	st, err := bench.OpenCache(root(b), n)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	m, d := newInbox(b, st)
	d.Exec(m.Init())
	if err := d.Until(func() bool { return m.Loaded() }, 120*time.Second); err != nil {
		b.Fatalf("full load: %v", err)
	}
	if err := d.Settle(60 * time.Second); err != nil {
		b.Fatal(err)
	}
	if len(m.Summaries()) != n {
		b.Fatalf("loaded %d summaries, want %d", len(m.Summaries()), n)
	}
	d.Send(inbox.SelectViewMsg{Index: tab})
	if err := d.Settle(60 * time.Second); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(d.Drain)
	return m, d, st
}

// tabAllOpen is the index of the built-in tab "Alle offen" (status:open), the widest list.
func tabAllOpen(m *inbox.Model) int {
	for i, v := range m.SavedViews() {
		if v.NameKey == "tab.all" {
			return i
		}
	}
	return 0
}

func key(r rune) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}} }

// BenchmarkFilter types realistic queries letter by letter into the filter of "Alle offen" over
// 100,000 cases and times each keystroke until its frame is rendered (filter run off the UI
// goroutine, result applied, View).
func BenchmarkFilter(b *testing.B) {
	m, d, _ := loadedInbox(b, 0)
	d.Send(inbox.SelectViewMsg{Index: tabAllOpen(m)})
	if err := d.Settle(60 * time.Second); err != nil {
		b.Fatal(err)
	}
	// An Aktenzeichen from the middle of the data set.
	ref := demo.Generate(demo.Options{Cases: 100_000, Now: bench.Now, Seed: bench.Seed}).Case(50_000).Case.Reference
	queries := []string{"hund", "müller", ref, "crivitz gewerbe"}
	var lat, first bench.Samples
	matches := map[string]int{}
	rounds := samples(8, 2)
	for range b.N {
		for range rounds {
			for _, q := range queries {
				d.Send(inbox.FocusFilterMsg{})
				if err := d.Settle(10 * time.Second); err != nil {
					b.Fatal(err)
				}
				for i, r := range []rune(q) {
					t0 := time.Now()
					d.Send(key(r))
					if err := d.Settle(10 * time.Second); err != nil {
						b.Fatal(err)
					}
					_ = m.View()
					took := time.Since(t0)
					lat.Add(took)
					if i == 0 {
						first.Add(took)
					}
					if os.Getenv("AMT_BENCH_VERBOSE") != "" {
						fmt.Fprintf(os.Stderr, "%q key %d: %v rows %d\n", q, i, took, len(m.Rows()))
					}
				}
				if m.Query() != q {
					b.Fatalf("query is %q, typed %q", m.Query(), q)
				}
				matches[q] = len(m.Rows())
				d.Send(inbox.ClearFilterMsg{})
				if err := d.Settle(10 * time.Second); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	for _, q := range queries {
		b.Logf("query %q (%d keys): %d matches", q, utf8.RuneCountInString(q), matches[q])
	}
	b.ReportMetric(bench.Ms(lat.Median()), "p50-ms")
	b.ReportMetric(bench.Ms(lat.Percentile(99)), "p99-ms")
	b.ReportMetric(bench.Ms(lat.Max()), "max-ms")
	b.ReportMetric(bench.Ms(first.Median()), "first-key-p50-ms")
	b.ReportMetric(float64(lat.Len()), "keys")
	// bubbles/list's own filtering over the same rows, in the same run (rural_test.go).
	d.Send(inbox.ClearFilterMsg{})
	if err := d.Settle(10 * time.Second); err != nil {
		b.Fatal(err)
	}
	ll := listFilterLatency(b, m.Rows(), queries, 1)
	b.ReportMetric(bench.Ms(ll.Median()), "list-p50-ms")
	b.ReportMetric(bench.Ms(ll.Percentile(99)), "list-p99-ms")
	b.ReportMetric(float64(len(m.Rows())), "rows")
}

// BenchmarkView times View() of the inbox at 200x60 with 100,000 cases loaded: after moving the
// cursor by one row (the common frame: two rows and the preview change) and after a page down
// (every row new to the row cache).
func BenchmarkView(b *testing.B) {
	m, d, _ := loadedInbox(b, 0)
	d.Send(inbox.SelectViewMsg{Index: tabAllOpen(m)})
	if err := d.Settle(60 * time.Second); err != nil {
		b.Fatal(err)
	}
	if len(m.Rows()) < 1000 {
		b.Fatalf("only %d rows", len(m.Rows()))
	}
	_ = m.View()
	k := samples(400, 150)
	var step, page, same bench.Samples
	measure := func(s *bench.Samples, msg tea.Msg) {
		if msg != nil {
			d.Send(msg)
		}
		t0 := time.Now()
		v := m.View()
		s.Add(time.Since(t0))
		if v == "" {
			b.Fatal("empty view")
		}
	}
	for range b.N {
		for i := range k {
			measure(&step, tea.KeyMsg{Type: tea.KeyDown})
			measure(&same, nil)
			if i%4 == 0 {
				measure(&page, tea.KeyMsg{Type: tea.KeyPgDown})
			}
		}
	}
	if got := lipgloss.Height(m.View()); got != height {
		b.Fatalf("view is %d lines high, want %d", got, height)
	}
	b.ReportMetric(bench.Ms(step.Median()), "step-p50-ms")
	b.ReportMetric(bench.Ms(step.Percentile(99)), "step-p99-ms")
	b.ReportMetric(bench.Ms(page.Median()), "page-p50-ms")
	b.ReportMetric(bench.Ms(page.Percentile(99)), "page-p99-ms")
	b.ReportMetric(bench.Ms(same.Median()), "same-p50-ms")
}
