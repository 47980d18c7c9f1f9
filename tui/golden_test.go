package tui

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/amt-mv/amt/tui/tuitest"
)

// step sends keys and then waits until the terminal output shows want.
type step struct {
	keys []string
	want string
}

// runApp starts the whole app in teatest at w x h, waits until the inbox has loaded every case
// (the output shows ready), runs the steps, quits and returns the final model and the raw bytes
// written to the terminal.
func runApp(t *testing.T, d Deps, w, h int, ready string, steps ...step) (Model, []byte) {
	t.Helper()
	m := New(d)
	t.Cleanup(m.Close)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	var out bytes.Buffer
	r := io.TeeReader(tm.Output(), &out)
	wait := func(want string) {
		t.Helper()
		mark := out.Len()
		teatest.WaitFor(t, r, func([]byte) bool {
			return bytes.Contains(out.Bytes()[mark:], []byte(want))
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	wait(ready)
	for _, s := range steps {
		for _, k := range s.keys {
			tm.Send(keyMsg(k))
		}
		if s.want != "" {
			wait(s.want)
		}
	}
	tm.Send(keyMsg("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	rest, _ := io.ReadAll(tm.FinalOutput(t))
	return fm, append(out.Bytes(), rest...)
}

// TestGoldenInbox pins the inbox at 80x24 and 140x40: tabs with counts, columns, deadline marks,
// a marked row, the preview (stacked on narrow, beside on wide) and the status bar.
// Update with: go test ./tui -run TestGoldenInbox -update
func TestGoldenInbox(t *testing.T) {
	for _, sz := range []struct {
		w, h int
		last string // the last thing to appear: the wide preview also shows the case's form
	}{{80, 24, "1 markiert"}, {140, 40, "Bäckerei Schröder"}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			d := newDeps(t, 40)
			fm, _ := runApp(t, d, sz.w, sz.h, "Vorgänge",
				step{[]string{"5"}, "30 Vorgänge"}, step{[]string{"j", " ", "j"}, sz.last})
			golden.RequireEqual(t, []byte(fm.View()))
		})
	}
}

// TestGoldenFilterEnglish pins a filtered inbox in English on a narrow screen.
func TestGoldenFilterEnglish(t *testing.T) {
	d := newDeps(t, 40)
	d.Lang = "en"
	fm, _ := runApp(t, d, 80, 24, "cases", step{[]string{"5"}, "30 cases"},
		step{[]string{"/", "s", "c", "h", "r", "ö", "enter"}, "9 of 30 cases"})
	golden.RequireEqual(t, []byte(fm.View()))
}

// TestHostileDemoCasesEndToEnd runs the real program over the hostile fixture cases: the bytes
// written to the terminal carry none of their escape sequences, C1 controls or bidi overrides.
func TestHostileDemoCasesEndToEnd(t *testing.T) {
	d := newDeps(t, 3, tuitest.Hostile()...)
	fm, out := runApp(t, d, 140, 40, "Vorgänge", step{[]string{"j", "j", "j"}, ""})
	assertClean(t, fm.View())
	for _, bad := range []string{"]52;", "[2J\x1b[H", "]8;;", "\x1bP", "\u009b", "\u009d", "\u202e", "\u2066", "\x07"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Fatalf("terminal output contains %q", bad)
		}
	}
	if !bytes.Contains(out, []byte("Max Mustermann")) {
		t.Fatalf("hostile case not shown at all:\n%s", fm.View())
	}
}
