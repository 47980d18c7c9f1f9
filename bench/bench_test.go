package bench

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) *Samples {
		s := &Samples{}
		for _, x := range v {
			s.Add(time.Duration(x) * time.Millisecond)
		}
		return s
	}
	tests := []struct {
		name string
		s    *Samples
		p    float64
		want time.Duration
	}{
		{"empty", ms(), 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median odd", ms(5, 1, 3), 50, 3 * time.Millisecond},
		{"median even takes the lower", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"p99 of 100 is the 99th", ms(seq(100)...), 99, 99 * time.Millisecond},
		{"p99 of 10 is the max", ms(seq(10)...), 99, 10 * time.Millisecond},
		{"max", ms(3, 9, 1), 100, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Percentile(tt.p); got != tt.want {
				t.Fatalf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = n - i // reversed, to exercise sorting
	}
	return out
}

const sampleOutput = `goos: linux
BenchmarkFirstFrame/cases=100-2         	       1	 623820255 ns/op	        44.14 frame-ms	        43.02 open-ms
BenchmarkFirstFrame/cases=100000-2      	       1	35489764473 ns/op	       322.7 frame-ms
BenchmarkSyncBytes-2   	       1	4980643435 ns/op	         1.000 noop-requests	       247.0 noop-up-B	 213 noop-down-B	 1.192 ratio
--- BENCH: BenchmarkSyncBytes-2
    net_test.go:130: full sync: conns=1 requests=50
metric RSS tui-mib 305.6
PASS
`

func TestReport(t *testing.T) {
	r := Results{}
	if err := r.ParseBench(strings.NewReader(sampleOutput)); err != nil {
		t.Fatal(err)
	}
	if v, ok := r.Get("FirstFrame/cases=100", "open-ms"); !ok || v != 43.02 {
		t.Fatalf("open-ms = %v %v", v, ok)
	}
	m := Metric
	checks := []Check{
		{Metric: "ratio", Value: Ratio(m("FirstFrame/cases=100000", "frame-ms"), m("FirstFrame/cases=100", "frame-ms")), Format: FmtRatio, Target: "≤ 1.5", Pass: AtMost(1.5)},
		{Metric: "noop bytes", Value: Sum(m("SyncBytes", "noop-up-B"), m("SyncBytes", "noop-down-B")), Format: FmtBytes, Target: "≤ 1024 B", Pass: AtMost(1024)},
		{Metric: "requests", Value: m("SyncBytes", "noop-requests"), Format: FmtCount, Target: "1", Pass: Exactly(1)},
		{Metric: "rss", Value: m("RSS", "tui-mib"), Format: FmtMiB},
		{Metric: "not run", Value: m("Server", "errors"), Format: FmtCount, Target: "0", Pass: Exactly(0)},
		{Metric: "a|b", Value: m("SyncBytes", "ratio"), Format: FmtRatio, Target: "≤ 1.10", Pass: AtMost(1.10)},
	}
	rows := Evaluate(r, checks)
	want := []Row{
		{"ratio", "7.311", "≤ 1.5", Fail},
		{"noop bytes", "460 B", "≤ 1024 B", Pass},
		{"requests", "1", "1", Pass},
		{"rss", "306 MiB", "—", Info},
		{"not run", "—", "0", Missing},
		{"a|b", "1.192", "≤ 1.10", Fail},
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
	var b strings.Builder
	if err := Markdown(&b, rows); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"| Metric | Measured | Target | Result |", "| ratio | 7.311 | ≤ 1.5 | **FAIL** |", `| a\|b |`, "**ERROR (not measured)**"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("markdown lacks %q:\n%s", s, b.String())
		}
	}
}

func TestReportBadMetricLine(t *testing.T) {
	if err := (Results{}).ParseBench(strings.NewReader("metric RSS tui-mib lots\n")); err == nil {
		t.Fatal("bad metric line accepted")
	}
}

// counter is a toy model: "add" starts n commands that each send "inc" (in one batch).
type counter struct{ n int }

type addMsg int
type incMsg struct{}

func (c *counter) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case addMsg:
		cmds := make([]tea.Cmd, int(msg))
		for i := range cmds {
			cmds[i] = func() tea.Msg { time.Sleep(time.Millisecond); return incMsg{} }
		}
		return tea.Batch(cmds...)
	case incMsg:
		c.n++
	}
	return nil
}

func TestDriver(t *testing.T) {
	c := &counter{}
	d := NewDriver(c.update)
	d.Send(addMsg(5))
	if err := d.Until(func() bool { return c.n >= 2 }, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := d.Settle(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if c.n != 5 {
		t.Fatalf("n = %d after Settle, want 5", c.n)
	}
	// Drain waits for running commands and drops their messages.
	d.Send(addMsg(3))
	d.Drain()
	if c.n != 5 {
		t.Fatalf("n = %d after Drain, want 5 (messages dropped)", c.n)
	}
	if err := d.Settle(time.Second); err != nil {
		t.Fatal(err)
	}
	var never atomic.Bool
	if err := d.Until(never.Load, 20*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Until = %v, want ErrTimeout", err)
	}
	d.Exec(func() tea.Msg { time.Sleep(time.Second); return nil })
	if err := d.Settle(20 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Settle = %v, want ErrTimeout", err)
	}
	d.Drain()
}

func TestSeedCache(t *testing.T) {
	root := t.TempDir()
	const n = 30
	if Seeded(root, n) {
		t.Fatal("seeded before seeding")
	}
	st, err := OpenCache(root, n)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.Count(); err != nil || got != n {
		t.Fatalf("Count = %d, %v", got, err)
	}
	me, err := Me(st)
	if err != nil || me.Clerk == "" || me.Amt == "" {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if !Seeded(root, n) {
		t.Fatal("not marked seeded")
	}
	// A second call reuses the cache.
	if err := SeedCache(root, n); err != nil {
		t.Fatal(err)
	}
}

func TestOneAmt(t *testing.T) {
	d, err := OneAmt(40)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 40 || len(d.Amts) != 1 {
		t.Fatalf("N=%d Amts=%v", d.N, d.Amts)
	}
	for _, c := range d.Clerks {
		if c.Amt != d.Amts[0].ID {
			t.Fatalf("clerk %s of %s", c.ID, c.Amt)
		}
	}
	seen := map[string]bool{}
	for i := range d.N {
		c := d.Case(i).Case
		if c.Amt != d.Amts[0].ID || c.Status == api.StatusForwarded || seen[c.ID] {
			t.Fatalf("case %d: %s of %s (%s), seen %v", i, c.ID, c.Amt, c.Status, seen[c.ID])
		}
		seen[c.ID] = true
	}
	if _, err := OneAmt(0); err == nil {
		t.Fatal("OneAmt(0) succeeded")
	}
}
