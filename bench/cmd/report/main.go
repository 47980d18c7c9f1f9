// Command report turns the output of amt's benchmarks (go test -bench lines and "metric" lines)
// into bench/run's one markdown table. It exits 1 when a figure is missing (did not run), 0
// otherwise, also when a target is missed (that shows as FAIL in the table).
//
//	report FILE...
package main

import (
	"fmt"
	"os"

	"github.com/amt-mv/amt/bench"
)

// RSSTarget is the chosen budget for the peak resident set of the TUI with 100,000 cases: a
// tenth of an old 4 GiB office laptop's memory, leaving room for browser and e-mail.
const RSSTarget = 300

func checks() []bench.Check {
	m := bench.Metric
	return append([]bench.Check{
		{Metric: "First frame, 100 cases (open cache + first rows)", Value: m("FirstFrame/cases=100", "frame-ms"), Format: bench.FmtMs},
		{Metric: "First frame, 10,000 cases", Value: m("FirstFrame/cases=10000", "frame-ms"), Format: bench.FmtMs},
		{Metric: "First frame, 100,000 cases", Value: m("FirstFrame/cases=100000", "frame-ms"), Format: bench.FmtMs},
		{Metric: "First frame ratio 100k / 100", Value: bench.Ratio(m("FirstFrame/cases=100000", "frame-ms"), m("FirstFrame/cases=100", "frame-ms")),
			Format: bench.FmtRatio, Target: "≤ 1.5", Pass: bench.AtMost(1.5)},
		{Metric: "  of it: open + unlock (argon2id) at 100k", Value: m("FirstFrame/cases=100000", "open-ms"), Format: bench.FmtMs},
		{Metric: "  of it: inbox until rows shown at 100k", Value: m("FirstFrame/cases=100000", "render-ms"), Format: bench.FmtMs},
		{Metric: "Filter keystroke over 100k, p50", Value: m("Filter", "p50-ms"), Format: bench.FmtMs},
		{Metric: "Filter keystroke over 100k, p99", Value: m("Filter", "p99-ms"), Format: bench.FmtMs, Target: "≤ 16 ms", Pass: bench.AtMost(16)},
		{Metric: "Filter: first key of a query (full scan), p50", Value: m("Filter", "first-key-p50-ms"), Format: bench.FmtMs},
		{Metric: "View() 200x60 after cursor move, p50", Value: m("View", "step-p50-ms"), Format: bench.FmtMs, Target: "≤ 2 ms", Pass: bench.AtMost(2)},
		{Metric: "View() 200x60 after page down (rows uncached), p50", Value: m("View", "page-p50-ms"), Format: bench.FmtMs, Target: "≤ 2 ms", Pass: bench.AtMost(2)},
		{Metric: "View() 200x60 after cursor move, p99", Value: m("View", "step-p99-ms"), Format: bench.FmtMs},
		{Metric: "View() 200x60 after page down, p99", Value: m("View", "page-p99-ms"), Format: bench.FmtMs},
		{Metric: "Peak RSS of amt (TUI, 100k cases, filter typed)", Value: m("RSS", "tui-mib"), Format: bench.FmtMiB,
			Target: fmt.Sprintf("≤ %d MiB", RSSTarget), Pass: bench.AtMost(RSSTarget)},
		{Metric: "  resident after load: file-backed (bbolt mmap, page cache)", Value: m("RSS", "tui-file-mib"), Format: bench.FmtMiB},
		{Metric: "  resident after load: anonymous (Go heap)", Value: m("RSS", "tui-anon-mib"), Format: bench.FmtMiB},
		{Metric: "  same, cache compacted first (store.Compact)", Value: m("RSS", "compacted-mib"), Format: bench.FmtMiB},
		{Metric: "Peak RSS of `amt list --json` (100k cases)", Value: m("RSS", "list-mib"), Format: bench.FmtMiB},
		{Metric: "Full sync of 10,000 cases: bytes on the wire (both ways)", Value: m("SyncBytes", "wire-B"), Format: bench.FmtBytes},
		{Metric: "  gzip (default level) of the same cases' JSON", Value: m("SyncBytes", "gzip-B"), Format: bench.FmtBytes},
		{Metric: "Full sync bytes / gzip size", Value: m("SyncBytes", "ratio"), Format: bench.FmtRatio, Target: "≤ 1.10", Pass: bench.AtMost(1.10)},
		{Metric: "  full sync: requests", Value: m("SyncBytes", "full-requests"), Format: bench.FmtCount},
		{Metric: "  full sync: time on loopback (unshaped)", Value: m("SyncBytes", "full-s"), Format: bench.FmtS},
		{Metric: "Sync with nothing new: requests", Value: m("SyncBytes", "noop-requests"), Format: bench.FmtCount, Target: "1", Pass: bench.Exactly(1)},
		{Metric: "Sync with nothing new: bytes both ways", Value: bench.Sum(m("SyncBytes", "noop-up-B"), m("SyncBytes", "noop-down-B")),
			Format: bench.FmtBytes, Target: "≤ 1024 B", Pass: bench.AtMost(1024)},
		{Metric: "Drain 1,000 queued notes on 1,000 cases, 200 ms RTT (HTTP/1.1)", Value: m("Drain/proto=http1", "drain-s"), Format: bench.FmtS, Target: "≤ 10 s", Pass: bench.AtMost(10)},
		{Metric: "Drain, same over TLS + HTTP/2 (production setup)", Value: m("Drain/proto=h2tls", "drain-s"), Format: bench.FmtS, Target: "≤ 10 s", Pass: bench.AtMost(10)},
		{Metric: "Drain: lost + duplicated notes (both runs)", Value: bench.Sum(m("Drain/proto=http1", "lost"), m("Drain/proto=http1", "dup"), m("Drain/proto=h2tls", "lost"), m("Drain/proto=h2tls", "dup")),
			Format: bench.FmtCount, Target: "0", Pass: bench.Exactly(0)},
		{Metric: "Drain: cases with actions out of order (50 × 4 actions, both runs)", Value: bench.Sum(m("Drain/proto=http1", "misordered"), m("Drain/proto=h2tls", "misordered")),
			Format: bench.FmtCount, Target: "0", Pass: bench.Exactly(0)},
		{Metric: "  TCP connections opened by the drain, HTTP/1.1", Value: m("Drain/proto=http1", "conns"), Format: bench.FmtCount},
		{Metric: "  TCP connections opened by the drain, TLS + HTTP/2", Value: m("Drain/proto=h2tls", "conns"), Format: bench.FmtCount},
	}, append(serverChecks(), append(ruralChecks(), intakeChecks()...)...)...)
}

// serverChecks are the rows of the central API: the same load on both stores, row by row side by
// side, then 2,000 long-polling clerks on PostgreSQL (issue #12).
func serverChecks() []bench.Check {
	m := bench.Metric
	const bolt, pg = "Server/store=bbolt", "Server/store=postgres"
	return []bench.Check{
		{Metric: "Server, 100 clerks, bbolt: throughput", Value: m(bolt, "req/s"), Format: bench.FmtRate},
		{Metric: "Server, 100 clerks, PostgreSQL: throughput", Value: m(pg, "req/s"), Format: bench.FmtRate},
		{Metric: "Server, bbolt: latency p50", Value: m(bolt, "p50-ms"), Format: bench.FmtMs},
		{Metric: "Server, PostgreSQL: latency p50", Value: m(pg, "p50-ms"), Format: bench.FmtMs},
		{Metric: "Server, bbolt: latency p99", Value: m(bolt, "p99-ms"), Format: bench.FmtMs},
		{Metric: "Server, PostgreSQL: latency p99", Value: m(pg, "p99-ms"), Format: bench.FmtMs},
		{Metric: "Server, bbolt: errors", Value: m(bolt, "errors"), Format: bench.FmtCount, Target: "0", Pass: bench.Exactly(0)},
		{Metric: "Server, PostgreSQL: errors", Value: m(pg, "errors"), Format: bench.FmtCount, Target: "0", Pass: bench.Exactly(0)},
		{Metric: "Server, bbolt: lost + duplicated notes", Value: bench.Sum(m(bolt, "lost"), m(bolt, "dup")), Format: bench.FmtCount, Target: "0", Pass: bench.Exactly(0)},
		{Metric: "Server, PostgreSQL: lost + duplicated notes", Value: bench.Sum(m(pg, "lost"), m(pg, "dup")), Format: bench.FmtCount, Target: "0", Pass: bench.Exactly(0)},
		{Metric: "2,000 clerks long-polling on PostgreSQL (2 instances): write → every clerk of the Amt woken, p99", Value: m("LongPoll", "wake-p99-ms"), Format: bench.FmtMs},
		{Metric: "  same, p50", Value: m("LongPoll", "wake-p50-ms"), Format: bench.FmtMs},
		{Metric: "  same, slowest clerk", Value: m("LongPoll", "wake-max-ms"), Format: bench.FmtMs},
		{Metric: "  long-poll errors + clerks woken by another Amt's change", Value: m("LongPoll", "errors"), Format: bench.FmtCount, Target: "0", Pass: bench.Exactly(0)},
	}
}

// intakeChecks are the rows of FIT-Connect intake (issue #10), informational.
func intakeChecks() []bench.Check {
	m := bench.Metric
	return []bench.Check{
		{Metric: "FIT-Connect intake: submit to accepted case (RSA-4096), 4 senders", Value: m("Intake", "subs/s"), Format: bench.FmtRate},
		{Metric: "  submit in the emulator to a waiting clerk's feed, p99", Value: m("Intake", "feed-p99-ms"), Format: bench.FmtMs},
		{Metric: "  same, p50", Value: m("Intake", "feed-p50-ms"), Format: bench.FmtMs},
	}
}

// ruralChecks are the rows of issue #18 (slow lines): BenchmarkRuralSync, BenchmarkNoteDelta and
// bubbles/list's filtering beside amt's (BenchmarkFilter).
func ruralChecks() []bench.Check {
	m := bench.Metric
	return []bench.Check{
		{Metric: "Rural line (4 KB/s, 300 ms RTT): cases in the first sync", Value: m("RuralSync", "cases"), Format: bench.FmtCount},
		{Metric: "  first sync: time", Value: m("RuralSync", "sync-s"), Format: bench.FmtS},
		{Metric: "  floor (gzip of the cases ÷ 4 KB/s + 2 round trips)", Value: m("RuralSync", "floor-s"), Format: bench.FmtS},
		{Metric: "First sync over the rural line / floor", Value: m("RuralSync", "time-ratio"), Format: bench.FmtRatio, Target: "≤ 1.15", Pass: bench.AtMost(1.15)},
		{Metric: "  first sync: requests", Value: m("RuralSync", "requests"), Format: bench.FmtCount},
		{Metric: "Same, line cut every 30 s: bytes / uncut bytes", Value: m("RuralSync", "cut-bytes-ratio"), Format: bench.FmtRatio, Target: "≤ 1.10", Pass: bench.AtMost(1.10)},
		{Metric: "  cut run: time, cuts", Value: m("RuralSync", "cut-sync-s"), Format: bench.FmtS},
		{Metric: "One note on a 100-event case, another clerk's sync: bytes both ways, median", Value: m("NoteDelta", "median-B"), Format: bench.FmtBytes, Target: "≤ 1024 B", Pass: bench.AtMost(1024)},
		{Metric: "  same case whole, gzip (what each change cost before deltas)", Value: m("NoteDelta", "whole-case-gzip-B"), Format: bench.FmtBytes},
		{Metric: "bubbles/list's own filter, same 100k rows: keystroke p99", Value: m("Filter", "list-p99-ms"), Format: bench.FmtMs},
		{Metric: "  bubbles/list keystroke p50", Value: m("Filter", "list-p50-ms"), Format: bench.FmtMs},
		{Metric: "amt filter p99 / bubbles/list filter p99", Value: bench.Ratio(m("Filter", "p99-ms"), m("Filter", "list-p99-ms")), Format: bench.FmtRatio},
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: report FILE...")
		os.Exit(2)
	}
	r := bench.Results{}
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
		err = r.ParseBench(f)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
	}
	rows := bench.Evaluate(r, checks())
	if err := bench.Markdown(os.Stdout, rows); err != nil {
		os.Exit(1)
	}
	for _, row := range rows {
		if row.Verdict == bench.Missing {
			os.Exit(1)
		}
	}
}
