package bench

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Results are benchmark metrics by benchmark name (without "Benchmark" and the -GOMAXPROCS
// suffix, e.g. "FirstFrame/cases=100") and unit (e.g. "frame-ms").
type Results map[string]map[string]float64

var procSuffix = regexp.MustCompile(`-\d+$`)

// ParseBench reads `go test -bench` output and adds every reported metric to r. Lines of the
// form "metric NAME UNIT VALUE" (written by bench/run for figures measured outside go test) are
// read too.
func (r Results) ParseBench(rd io.Reader) error {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 4 && f[0] == "metric":
			v, err := strconv.ParseFloat(f[3], 64)
			if err != nil {
				return fmt.Errorf("bench: bad metric line %q", sc.Text())
			}
			r.Set(f[1], f[2], v)
		case len(f) >= 4 && strings.HasPrefix(f[0], "Benchmark") && len(f)%2 == 0:
			if _, err := strconv.Atoi(f[1]); err != nil {
				continue
			}
			name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					continue
				}
				r.Set(name, f[i+1], v)
			}
		}
	}
	return sc.Err()
}

// Set records one metric.
func (r Results) Set(name, unit string, v float64) {
	if r[name] == nil {
		r[name] = map[string]float64{}
	}
	r[name][unit] = v
}

// Get returns a metric and whether it was reported.
func (r Results) Get(name, unit string) (float64, bool) {
	v, ok := r[name][unit]
	return v, ok
}

// Verdict of one table row.
type Verdict string

// Verdicts.
const (
	Pass    Verdict = "PASS"
	Fail    Verdict = "FAIL"
	Info    Verdict = "info"
	Missing Verdict = "ERROR (not measured)"
)

// Row is one line of the report.
type Row struct {
	Metric   string
	Measured string
	Target   string
	Verdict  Verdict
}

// Check describes how one row is computed from Results.
type Check struct {
	Metric string
	// Value computes the figure; ok is false when an input is missing.
	Value  func(r Results) (v float64, ok bool)
	Format func(v float64) string
	Target string
	// Pass decides the verdict; nil makes the row informational.
	Pass func(v float64) bool
}

// Metric reads one reported metric.
func Metric(name, unit string) func(Results) (float64, bool) {
	return func(r Results) (float64, bool) { return r.Get(name, unit) }
}

// Ratio divides two reported metrics.
func Ratio(a, b func(Results) (float64, bool)) func(Results) (float64, bool) {
	return func(r Results) (float64, bool) {
		x, ok1 := a(r)
		y, ok2 := b(r)
		if !ok1 || !ok2 || y == 0 {
			return 0, false
		}
		return x / y, true
	}
}

// Sum adds reported metrics.
func Sum(fs ...func(Results) (float64, bool)) func(Results) (float64, bool) {
	return func(r Results) (float64, bool) {
		total := 0.0
		for _, f := range fs {
			v, ok := f(r)
			if !ok {
				return 0, false
			}
			total += v
		}
		return total, true
	}
}

// Evaluate turns checks into rows.
func Evaluate(r Results, checks []Check) []Row {
	rows := make([]Row, 0, len(checks))
	for _, c := range checks {
		row := Row{Metric: c.Metric, Target: c.Target, Verdict: Info}
		if row.Target == "" {
			row.Target = "—"
		}
		v, ok := c.Value(r)
		switch {
		case !ok || math.IsNaN(v):
			row.Measured, row.Verdict = "—", Missing
		default:
			row.Measured = c.Format(v)
			if c.Pass != nil {
				row.Verdict = Fail
				if c.Pass(v) {
					row.Verdict = Pass
				}
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// Markdown writes rows as one markdown table.
func Markdown(w io.Writer, rows []Row) error {
	var b strings.Builder
	b.WriteString("| Metric | Measured | Target | Result |\n|---|---:|---:|---|\n")
	for _, r := range rows {
		verdict := string(r.Verdict)
		if r.Verdict == Fail || r.Verdict == Missing {
			verdict = "**" + verdict + "**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", esc(r.Metric), esc(r.Measured), esc(r.Target), verdict)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func esc(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Formatters for Check.Format.
var (
	FmtMs    = func(v float64) string { return fmtNum(v, 2) + " ms" }
	FmtS     = func(v float64) string { return fmtNum(v, 2) + " s" }
	FmtRatio = func(v float64) string { return fmtNum(v, 3) }
	FmtMiB   = func(v float64) string { return fmtNum(v, 1) + " MiB" }
	FmtBytes = func(v float64) string {
		if v >= 1<<20 {
			return fmtNum(v/(1<<20), 2) + " MiB"
		}
		return strconv.FormatFloat(v, 'f', 0, 64) + " B"
	}
	FmtCount = func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
	FmtRate  = func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + " req/s" }
)

func fmtNum(v float64, prec int) string {
	if v >= 100 {
		prec = 0
	} else if v >= 10 && prec > 1 {
		prec = 1
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// AtMost and Exactly build Pass functions.
func AtMost(limit float64) func(float64) bool { return func(v float64) bool { return v <= limit } }

// Exactly passes only v == want.
func Exactly(want float64) func(float64) bool { return func(v float64) bool { return v == want } }
