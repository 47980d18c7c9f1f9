package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sync progress in words, shared by the status bar and `amt sync`, so both say the same.

func init() {
	add(map[string][2]string{
		"sync.progress.of":     {"%s von %s Vorgängen geladen", "%s of %s cases loaded"},
		"sync.progress.n":      {"%s Vorgänge geladen", "%s cases loaded"},
		"sync.progress.slow":   {"Leitung sehr langsam", "Very slow line"},
		"sync.progress.left":   {"noch etwa %s", "about %s left"},
		"sync.progress.broken": {"Leitung unterbrochen", "Line interrupted"},
		"sync.progress.rest":   {"der Rest folgt beim nächsten Abgleich", "the rest follows with the next sync"},
		"status.queue":         {"↓ %d {Anlage|Anlagen}", "↓ %d {file|files}"},
		"status.queue1":        {"↓ 1 Anlage", "↓ 1 file"},
		"status.queueWait":     {"wartet auf Verbindung", "waiting for the line"},
		"case.att.queued":      {"%s wird im Hintergrund geladen – Sie können weiterarbeiten", "%s is downloading in the background – carry on working"},
		"case.att.queuedAgain": {"%s ist schon in der Warteschlange oder geladen", "%s is queued or held already"},
	})
}

// SyncFacts is what a sync progress message talks about (syncer.Progress, without the import).
type SyncFacts struct {
	Loaded, Total int // Total < 0: unknown
	Bytes         int64
	Rate          float64 // bytes per second, 0 = not measured yet
	Left          time.Duration
	Slow          bool
}

func tl(l Lang, key string) string {
	v, ok := catalog[key]
	if !ok {
		return key
	}
	if l == EN && v[1] != "" {
		return v[1]
	}
	return v[0]
}

// Count formats n with thousands separators: 4.812 in German, 4,812 in English.
func Count(l Lang, n int) string {
	s := strconv.Itoa(max(n, 0))
	sep := "."
	if l == EN {
		sep = ","
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// decimal formats v with one decimal and the language's decimal mark.
func decimal(l Lang, v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if l == DE {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// ByteSize formats a byte count: 512 B, 3,9 KB, 1,2 MB (units of 1024).
func ByteSize(l Lang, n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(max(n, 0), 10) + " B"
	case n < 1<<20:
		return decimal(l, float64(n)/(1<<10)) + " KB"
	case n < 1<<30:
		return decimal(l, float64(n)/(1<<20)) + " MB"
	}
	return decimal(l, float64(n)/(1<<30)) + " GB"
}

// Rate formats a line rate: 3,9 KB/s.
func Rate(l Lang, bytesPerSec float64) string { return ByteSize(l, int64(bytesPerSec)) + "/s" }

// Span formats a remaining time coarsely: 45 s, 3 min, 1 h 20 min.
func Span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Round(time.Minute)/time.Minute)) + " min"
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Loaded says how many cases arrived: "1.240 von 4.812 Vorgängen geladen".
func Loaded(l Lang, f SyncFacts) string {
	if f.Total >= f.Loaded && f.Total > 0 {
		return fmt.Sprintf(tl(l, "sync.progress.of"), Count(l, f.Loaded), Count(l, f.Total))
	}
	return fmt.Sprintf(tl(l, "sync.progress.n"), Count(l, f.Loaded))
}

// SyncProgress is the one-line progress of a running sync: "Leitung sehr langsam – 1.240 von 4.812
// Vorgängen geladen · 3,9 KB/s · noch etwa 2 min" (the first part only on a slow line).
func SyncProgress(l Lang, f SyncFacts) string {
	parts := []string{Loaded(l, f)}
	if f.Rate > 0 {
		parts = append(parts, Rate(l, f.Rate))
	}
	if f.Left > 0 {
		parts = append(parts, fmt.Sprintf(tl(l, "sync.progress.left"), Span(f.Left)))
	}
	s := strings.Join(parts, " · ")
	if f.Slow {
		s = tl(l, "sync.progress.slow") + " – " + s
	}
	return s
}

// SyncCut says that a sync stopped after the line moved data: "Leitung sehr langsam – 1.240 von
// 4.812 Vorgängen geladen; der Rest folgt beim nächsten Abgleich" (or "Leitung unterbrochen – …" on
// a line that was not slow). This is not "server not reachable": the server answered.
func SyncCut(l Lang, f SyncFacts) string {
	head := tl(l, "sync.progress.broken")
	if f.Slow {
		head = tl(l, "sync.progress.slow")
	}
	return head + " – " + Loaded(l, f) + "; " + tl(l, "sync.progress.rest")
}
