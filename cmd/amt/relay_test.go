package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// startTUIProc runs the terminal app in this process on c's cache (keys come from the returned
// writer) and waits until its socket answers. The returned channel gets the app's exit code.
func startTUIProc(t *testing.T, c *cli, args ...string) (io.WriteCloser, <-chan int) {
	return startTUIProcOut(t, c, io.Discard, args...)
}

// startTUIProcOut is startTUIProc with the app's standard error (read it after the exit code).
func startTUIProcOut(t *testing.T, c *cli, stderr io.Writer, args ...string) (io.WriteCloser, <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	old := tuiProgramOptions
	tuiProgramOptions = []tea.ProgramOption{tea.WithInput(pr), tea.WithOutput(io.Discard)}
	t.Cleanup(func() { tuiProgramOptions = old })
	done := make(chan int, 1)
	go func() { done <- run(append([]string{"--data", c.data}, args...), io.Discard, stderr) }()
	sock := filepath.Join(c.data, relaySocket)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if conn, err := net.Dial("unix", sock); err == nil {
			_ = conn.Close()
			return pw, done
		}
		if time.Now().After(deadline) {
			t.Fatal("the terminal app never served its socket")
		}
		select {
		case code := <-done:
			t.Fatalf("the terminal app ended with %d before serving", code)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Issue 15 item 12: with the terminal app open, a second process's `amt list`, `show`, `outbox`
// work (they failed with "bereits geöffnet"), an action from the command line is queued in the
// app and reaches the server once, and a command that needs the cache to itself says what to do.
func TestCLIBesideRunningTUI(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	keys, done := startTUIProc(t, c)

	code, out, errs := c.proc("", "list")
	if code != exitOK || !strings.Contains(out, "GEW-2026-000004") {
		t.Fatalf("list beside the app: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = c.proc("", "show", caseReview, "--lang", "en")
	if code != exitOK || !strings.Contains(out, "GEW-2026-000004") || !strings.Contains(out, "Status") {
		t.Fatalf("show beside the app: %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs = c.proc("", "outbox", "--json"); code != exitOK || strings.TrimSpace(out) != "[]" {
		t.Fatalf("outbox beside the app: %d %q %q", code, out, errs)
	}
	code, out, errs = c.proc("Rückruf aus dem Skript\n", "comment", caseReview, "-")
	if code != exitOK || !strings.Contains(out, "übermittelt") {
		t.Fatalf("comment beside the app: %d\n%s\n%s", code, out, errs)
	}
	notes := 0
	for _, n := range serverCase(t, env, caseReview).Notes {
		if n.Text == "Rückruf aus dem Skript" {
			notes++
		}
	}
	if notes != 1 {
		t.Fatalf("the note reached the server %d times", notes)
	}
	// The cache to itself: refused with the way out.
	code, _, errs = c.proc("", "purge")
	if code != exitErr || !strings.Contains(errs, "bereits geöffnet") || !strings.Contains(errs, "mit q beenden") {
		t.Fatalf("purge beside the app: %d %q", code, errs)
	}

	if _, err := keys.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != exitOK {
		t.Fatalf("app exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(c.data, relaySocket)); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
	// The app is gone: the command opens the cache itself and sees the note it queued there.
	if out := c.must(exitOK, "show", caseReview); !strings.Contains(out, "Rückruf aus dem Skript") {
		t.Fatalf("show after the app: %s", out)
	}
}

// A socket left by an app that died (SIGKILL) is not mistaken for a running app.
func TestRelayStaleSocket(t *testing.T) {
	setupEnv(t)
	c := newCLI(t)
	c.must(exitOK, "outbox") // creates the cache
	ln, err := net.Listen("unix", filepath.Join(c.data, relaySocket))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	_ = ln.Close()
	var out bytes.Buffer
	if code := run([]string{"--data", c.data, "outbox"}, &out, io.Discard); code != exitOK {
		t.Fatalf("outbox with a stale socket: %d", code)
	}
}

// Quitting the app with actions still queued says how many stay queued and how they go out
// (it said nothing).
func TestQuitSaysWhatStaysQueued(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	var errb bytes.Buffer
	keys, done := startTUIProcOut(t, c, &errb, "--server", deadServer)
	if code, out, errs := c.proc("", "comment", caseReview, "unterwegs"); code != exitOffline {
		t.Fatalf("comment beside the offline app: %d %s %s", code, out, errs)
	}
	if _, err := keys.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != exitOK {
		t.Fatalf("app exit %d", code)
	}
	if s := errb.String(); !strings.Contains(s, "1 Aktion ist noch nicht beim Server und bleibt vorgemerkt") || !strings.Contains(s, " sync«") {
		t.Fatalf("on quit: %q", s)
	}
}
