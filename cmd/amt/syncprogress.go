package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/i18n"
)

// syncReporter shows the progress of `amt sync` on stderr while it runs: a bar redrawn in place
// on a terminal (cases, bytes, rate, time left), plain lines every plainEvery otherwise (logs,
// pipes), and nothing for a sync that ends within quietFor.
type syncReporter struct {
	w        io.Writer
	lang     i18n.Lang
	terminal bool
	width    int

	stop chan struct{}
	done sync.WaitGroup
	// drawn is set once a bar line is on the screen (it is cleared before the final message).
	drawn bool
}

const (
	quietFor   = time.Second // a quick sync prints no progress at all
	barEvery   = 250 * time.Millisecond
	plainEvery = 10 * time.Second // a log gets a line this often, not a flood
	barWidth   = 20
)

// writerIsTerminal reports whether w is a terminal (isTerminal of cache.go on an *os.File).
func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// startSyncReporter follows the syncer's events until stop is called.
func startSyncReporter(w io.Writer, lang string, events <-chan syncer.Event, terminal bool) *syncReporter {
	r := &syncReporter{w: w, lang: i18n.Parse(lang), terminal: terminal, width: 100, stop: make(chan struct{})}
	r.done.Add(1)
	go r.run(events)
	return r
}

func (r *syncReporter) run(events <-chan syncer.Event) {
	defer r.done.Done()
	start := time.Now()
	every := plainEvery
	if r.terminal {
		every = barEvery
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	var last syncer.Event
	have := false
	for {
		select {
		case <-r.stop:
			return
		case e := <-events:
			last, have = e, true
			continue
		case <-tick.C:
		}
		if !have || time.Since(start) < quietFor || last.Progress.Loaded == 0 && last.Progress.Bytes == 0 {
			continue
		}
		r.show(last.Progress)
	}
}

// show prints one progress report.
func (r *syncReporter) show(p syncer.Progress) {
	f := factsOf(p)
	line := i18n.SyncProgress(r.lang, f) + " · " + i18n.ByteSize(r.lang, p.Bytes)
	if !r.terminal {
		fmt.Fprintln(r.w, "amt: "+line)
		return
	}
	bar := ""
	if p.Total > 0 {
		n := min(barWidth, barWidth*p.Loaded/p.Total)
		bar = "[" + strings.Repeat("█", n) + strings.Repeat("░", barWidth-n) + "] "
	}
	// \r and erase-line redraw in place; the text is ours (numbers and catalogue words only).
	fmt.Fprint(r.w, "\r\x1b[2K"+bar+line)
	r.drawn = true
}

// finish stops reporting and clears the bar line.
func (r *syncReporter) finish() {
	close(r.stop)
	r.done.Wait()
	if r.drawn {
		fmt.Fprint(r.w, "\r\x1b[2K")
	}
}

func factsOf(p syncer.Progress) i18n.SyncFacts {
	return i18n.SyncFacts{Loaded: p.Loaded, Total: p.Total, Bytes: p.Bytes, Rate: p.Rate, Left: p.Left, Slow: p.SlowLine}
}
