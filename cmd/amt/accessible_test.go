package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sentenceStart matches the first line of an inbox row's sentence (it starts with the reference).
var sentenceStart = regexp.MustCompile(`^[A-Z]{2,5}-\d{4}-\d+, `)

// tmuxTerm is a real terminal (tmux) running this test binary as amt.
type tmuxTerm struct {
	t    *testing.T
	sock string
}

func (x tmuxTerm) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", x.sock}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// cursor returns the terminal's cursor line and cell and the screen.
func (x tmuxTerm) cursor() (int, int, []string) {
	x.t.Helper()
	xy := strings.Split(strings.TrimSpace(x.run("display", "-p", "-t", "a11y", "#{cursor_x},#{cursor_y}")), ",")
	col, _ := strconv.Atoi(xy[0])
	row, _ := strconv.Atoi(xy[1])
	return row, col, strings.Split(x.run("capture-pane", "-p", "-t", "a11y"), "\n")
}

// waitCursorOn waits until the cursor's line contains want (the program draws asynchronously),
// failing after a generous time: a hang detector, not a speed assertion.
func (x tmuxTerm) waitCursorOn(key, want string) {
	x.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		row, col, lines := x.cursor()
		// A row's sentence may wrap: the cursor stands on its first line, the place may be on
		// the next.
		here := ""
		if row < len(lines) {
			here = lines[row]
			for i := row + 1; i < len(lines)-2 && !sentenceStart.MatchString(lines[i]); i++ {
				here += " " + lines[i]
			}
		}
		if strings.Contains(here, want) && col == 0 {
			return
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("after %s: cursor at line %d cell %d, want it on the line with %q; screen:\n%s", key, row, col, want, strings.Join(lines, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAccessibleCursorInTerminal runs amt --demo --accessible in a real terminal (tmux, 80x24)
// and reads the terminal's own cursor after every navigation key: it stands on the selected case,
// which the screen names with its place ("3 von 29"). This is what a screen reader or braille
// display follows.
func TestAccessibleCursorInTerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	x := tmuxTerm{t: t, sock: filepath.Join(dir, "tmux.sock")}
	cmd := "env AMT_TEST_AS_AMT=1 HOME=" + dir + " XDG_CONFIG_HOME=" + dir + " XDG_DATA_HOME=" + dir + " TERM=xterm-256color " +
		os.Args[0] + " --demo --accessible"
	x.run("new-session", "-d", "-s", "a11y", "-x", "80", "-y", "24", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", x.sock, "kill-server").Run() })

	// The demo's first sync applies its cases in batches; a key pressed while rows still arrive
	// keeps its case, whose place then moves ("2 von 12" becomes "7 von 29"). Start once all 29
	// are listed.
	x.waitCursorOn("start", "1 von 29")
	steps := []struct{ key, want string }{
		{"j", "2 von "}, {"j", "3 von "}, {"Down", "4 von "}, {"k", "3 von "}, {"Up", "2 von "},
		{"NPage", "von "}, {"End", "29 von 29"}, {"Home", "1 von "}, {"G", "29 von 29"}, {"g", "1 von "},
	}
	for _, s := range steps {
		x.run("send-keys", "-t", "a11y", s.key)
		x.waitCursorOn(s.key, s.want)
	}
	// Into the case and its decision dialog: the cursor stands on the tab's first line, then on
	// the focused field, field by field.
	x.run("send-keys", "-t", "a11y", "Enter")
	x.waitCursorOn("Enter", "Antragsteller")
	x.run("send-keys", "-t", "a11y", "D")
	x.waitCursorOn("D", "Feld 1 von ") // the count depends on the service's decision fields
	x.run("send-keys", "-t", "a11y", "Tab")
	x.waitCursorOn("Tab", "Feld 2 von ")
	x.run("send-keys", "-t", "a11y", "Escape")
	x.waitCursorOn("Escape", "Antragsteller")
}
