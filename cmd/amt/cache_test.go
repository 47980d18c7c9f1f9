package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

const caseOther = "case-000008" // a second case of clerk A's Amt

// queuedCache is a clerk's cache with one note delivered and three actions queued offline: two
// notes and an assignment. It returns the queued actions.
func queuedCache(t *testing.T, env *servertest.Env) (*cli, []actionJSON) {
	t.Helper()
	c := loggedIn(t, env, clerkA)
	c.must(0, "comment", caseReview, "schon übermittelt")
	c.must(exitOffline, "--server", deadServer, "comment", caseReview, "Rückruf vereinbart")
	c.must(exitOffline, "--server", deadServer, "comment", caseOther, "Unterlagen angefordert")
	c.must(exitOffline, "--server", deadServer, "assign", caseReview, "--me")
	acts := outbox(t, c)
	if len(acts) != 3 {
		t.Fatalf("outbox: %+v", acts)
	}
	return c, acts
}

func (c *cli) dbPath() string { return filepath.Join(c.data, store.DBFile) }

// movedAside returns the files the rescue moved aside.
func movedAside(t *testing.T, c *cli) []string {
	t.Helper()
	m, err := filepath.Glob(c.dbPath() + ".broken-*")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// noteCount counts the server's notes on a case with the given id (= the action id).
func noteCount(t *testing.T, env *servertest.Env, caseID, id string) int {
	t.Helper()
	n := 0
	for _, x := range serverCase(t, env, caseID).Notes {
		if x.ID == id {
			n++
		}
	}
	return n
}

// assertClear checks a failure's output: the message, the exit code, never a Go panic.
func assertClear(t *testing.T, what string, code, want int, out string, needles ...string) {
	t.Helper()
	if code != want {
		t.Errorf("%s: exit %d, want %d\n%s", what, code, want, out)
	}
	for _, bad := range []string{"panic", "goroutine ", "runtime/debug"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s: output contains %q:\n%s", what, bad, out)
		}
	}
	for _, n := range needles {
		if !strings.Contains(out, n) {
			t.Errorf("%s: output lacks %q:\n%s", what, n, out)
		}
	}
}

// flipRecords flips a byte in the middle of the encrypted values of bucket (at most max of them)
// where they lie in the file.
func flipRecords(t *testing.T, path, bucket string, max int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var vals [][]byte
	err = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucket)).ForEach(func(_, v []byte) error {
			if len(vals) < max {
				vals = append(vals, bytes.Clone(v))
			}
			return nil
		})
	})
	db.Close()
	if err != nil || len(vals) == 0 {
		t.Fatalf("bucket %s: %d values, %v", bucket, len(vals), err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vals {
		i := bytes.Index(raw, v)
		if i < 0 {
			t.Fatalf("value of %s not found in the file", bucket)
		}
		raw[i+len(v)/2] ^= 0x5a
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A bit-flipped cache: list and doctor explain and point to `amt cache rescue`; the rescue keeps
// the old file, carries the outbox over with its ids and syncs; every action reaches the server
// exactly once — also one the server already had but the damaged cache still listed as pending.
func TestCorruptCacheBitFlipRescue(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c, acts := queuedCache(t, env)

	// The first note is delivered, but the cache is put back to before (as after a crash
	// between the server's commit and the local one): it is still pending locally.
	snap, err := os.ReadFile(c.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	c.must(0, "sync")
	if n := noteCount(t, env, caseReview, acts[0].ID); n != 1 {
		t.Fatalf("note delivered %d times", n)
	}
	if err := os.WriteFile(c.dbPath(), snap, 0o600); err != nil {
		t.Fatal(err)
	}

	// Damage list rows: the inbox cannot be shown (sync would heal them by rewriting the rows).
	flipRecords(t, c.dbPath(), "index", 3)
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"--server", deadServer, "list", "--mine"}} {
		code, out, errs := c.run(args...)
		assertClear(t, "amt "+strings.Join(args, " "), code, exitCorrupt, out+errs,
			"beschädigt", "amt --data "+c.data+" cache rescue", "alten Datei retten")
	}
	code, out, errs := c.run("--lang", "en", "list")
	assertClear(t, "amt --lang en list", code, exitCorrupt, out+errs, "is damaged", "Way out: amt --data")
	code, out, errs = c.run("doctor")
	assertClear(t, "amt doctor", code, exitErr, out+errs, "✗ Lokaler Cache", "beschädigt", "→ amt --data "+c.data+" cache rescue")
	if m := movedAside(t, c); len(m) != 0 {
		t.Fatalf("moved aside without being asked: %v", m)
	}

	out = c.must(0, "cache", "rescue")
	for _, want := range []string{"beiseitegelegt", "3 ausstehende Aktionen", "Abgeglichen: 20 Vorgänge, 0 ausstehend"} {
		if !strings.Contains(out, want) {
			t.Errorf("rescue output lacks %q:\n%s", want, out)
		}
	}
	old := movedAside(t, c)
	if len(old) != 1 || !strings.Contains(out, old[0]) {
		t.Fatalf("old file: %v\n%s", old, out)
	}
	if fi, err := os.Stat(old[0]); err != nil || fi.Size() != int64(len(snap)) || fi.Mode().Perm() != 0o600 {
		t.Fatalf("old file kept: %v %v", fi, err)
	}
	if m, _ := filepath.Glob(filepath.Join(c.data, ".rescue-*")); len(m) != 0 {
		t.Fatalf("rescue left temporary copies: %v", m)
	}

	// The fresh cache works and the outbox is empty; a second sync sends nothing again.
	c.must(0, "sync")
	c.must(0, "list")
	if o := outbox(t, c); len(o) != 0 {
		t.Fatalf("outbox after rescue and sync: %+v", o)
	}
	if n := noteCount(t, env, caseReview, acts[0].ID); n != 1 {
		t.Errorf("note %s on the server %d times", acts[0].ID, n)
	}
	if n := noteCount(t, env, caseOther, acts[1].ID); n != 1 {
		t.Errorf("note %s on the server %d times", acts[1].ID, n)
	}
	if sc := serverCase(t, env, caseReview); sc.Assignee != clerkA || len(sc.Notes) != 2 {
		t.Errorf("server case: assignee %q, %d notes", sc.Assignee, len(sc.Notes))
	}
	// An intact cache is left alone.
	if out := c.must(0, "cache", "rescue"); !strings.Contains(out, "unversehrt") {
		t.Fatalf("rescue of an intact cache: %s", out)
	}
	if m := movedAside(t, c); len(m) != 1 {
		t.Fatalf("intact cache moved: %v", m)
	}
	// Importing from the old file again doubles nothing: the ids are known to the server.
	c.must(0, "--server", deadServer, "cache", "rescue", "--from", old[0])
	c.must(0, "sync")
	if n := noteCount(t, env, caseOther, acts[1].ID); n != 1 {
		t.Errorf("after a second import: note on the server %d times", n)
	}
}

// A truncated cache (only the first pages left, as after a failed copy or a full disk): a clear
// message, no panic; the rescue keeps the old file and says honestly that its outbox and sign-in
// could not be read; after signing in again the fresh cache works. Every command runs as a process
// of its own, as it would for a clerk. A file cut to 0 bytes is the same damage (issue #16 item
// 8 saw it silently reset to an empty cache).
func TestCorruptCacheTruncated(t *testing.T) {
	for _, keep := range []int{3 * 4096, 0} {
		t.Run(fmt.Sprintf("%d bytes", keep), func(t *testing.T) { testCorruptCacheTruncated(t, keep) })
	}
}

func testCorruptCacheTruncated(t *testing.T, keep int) {
	setupEnv(t)
	env := startServer(t, 0)
	c, _ := queuedCache(t, env)
	raw, err := os.ReadFile(c.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	cut := raw[:keep]
	if err := os.WriteFile(c.dbPath(), cut, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"list"}, {"outbox"}, {"comment", caseReview, "x"}, {"--lang", "en", "show", caseReview}} {
		code, out, errs := c.proc("", args...)
		assertClear(t, "amt "+strings.Join(args, " "), code, exitCorrupt, out+errs, "cache rescue")
	}
	code, out, errs := c.proc("", "doctor")
	assertClear(t, "amt doctor", code, exitErr, out+errs, "beschädigt", "→ amt --data "+c.data+" cache rescue")

	code, out, errs = c.proc("", "cache", "rescue")
	assertClear(t, "amt cache rescue", code, exitOK, out+errs, "beiseitegelegt", "0 ausstehende Aktionen",
		"nicht vollständig lesbar", "bitte neu anmelden")
	old := movedAside(t, c)
	if len(old) != 1 {
		t.Fatalf("old file: %v", old)
	}
	if b, err := os.ReadFile(old[0]); err != nil || !bytes.Equal(b, cut) {
		t.Fatalf("old file changed: %v", err)
	}
	c.must(0, "login", "--server", env.URL, "--token", env.Token(clerkA))
	if out := c.must(0, "sync"); !strings.Contains(out, "Abgeglichen: 20 Vorgänge") {
		t.Fatalf("sync into the fresh cache: %s", out)
	}
	c.must(0, "show", caseReview)
}

// bumpSchema marks the cache as written by a newer amt.
func bumpSchema(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		v := binary.BigEndian.AppendUint64(nil, store.SchemaVersion()+1)
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), v)
	}); err != nil {
		t.Fatal(err)
	}
}

// A cache from a newer amt: "update amt"; the terminal app does not offer to move it; the explicit
// rescue moves it aside unchanged and carries the outbox over.
func TestNewerSchemaCache(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c, acts := queuedCache(t, env)
	bumpSchema(t, c.dbPath())
	before, _ := os.ReadFile(c.dbPath())

	code, out, errs := c.run("list")
	assertClear(t, "amt list", code, exitNewer, out+errs, "stammt von einer neueren amt-Version — bitte amt aktualisieren", "cache rescue")
	code, out, errs = c.run("--lang", "en", "outbox")
	assertClear(t, "amt --lang en outbox", code, exitNewer, out+errs, "newer version of amt — please update amt")
	code, out, errs = c.run("doctor")
	assertClear(t, "amt doctor", code, exitErr, out+errs, "neueren amt-Version", "amt aktualisieren")

	// The terminal app on an interactive terminal: no question, nothing moved.
	restore := interactive(t, "j\n")
	code, out, errs = c.run()
	restore()
	assertClear(t, "amt", code, exitNewer, out+errs, "bitte amt aktualisieren")
	if strings.Contains(errs, "[j/N]") {
		t.Errorf("asked to re-sync a newer cache:\n%s", errs)
	}
	if m := movedAside(t, c); len(m) != 0 {
		t.Fatalf("newer cache moved without an explicit command: %v", m)
	}

	out = c.must(0, "cache", "rescue")
	if !strings.Contains(out, "3 ausstehende Aktionen") || !strings.Contains(out, "bitte neu anmelden") {
		t.Fatalf("rescue: %s", out)
	}
	old := movedAside(t, c)
	if len(old) != 1 {
		t.Fatalf("old file: %v", old)
	}
	if b, _ := os.ReadFile(old[0]); !bytes.Equal(b, before) {
		t.Fatal("the newer cache was changed")
	}
	c.must(0, "login", "--server", env.URL, "--token", env.Token(clerkA))
	c.must(0, "sync")
	if o := outbox(t, c); len(o) != 0 {
		t.Fatalf("outbox after sync: %+v", o)
	}
	for i, id := range []string{caseReview, caseOther} {
		if n := noteCount(t, env, id, acts[i].ID); n != 1 {
			t.Errorf("note %s on the server %d times", acts[i].ID, n)
		}
	}
	if sc := serverCase(t, env, caseReview); sc.Assignee != clerkA {
		t.Errorf("assignment not delivered: %q", sc.Assignee)
	}
}

// A wrong passphrase: the data is intact, so no rescue is offered and none happens.
func TestWrongPassphraseCache(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c, _ := queuedCache(t, env)
	t.Setenv("AMT_PASSPHRASE", "falsch")
	code, out, errs := c.run("list")
	assertClear(t, "amt list", code, exitLocked, out+errs, "Falsches Passwort", "AMT_PASSPHRASE", "unversehrt")
	if strings.Contains(errs, "rescue") {
		t.Errorf("rescue offered for a wrong passphrase:\n%s", errs)
	}
	code, out, errs = c.run("--lang", "en", "list")
	assertClear(t, "amt --lang en list", code, exitLocked, out+errs, "wrong passphrase", "intact")
	restore := interactive(t, "j\n")
	code, _, errs = c.run()
	restore()
	if code != exitLocked || strings.Contains(errs, "[j/N]") {
		t.Errorf("terminal app with a wrong passphrase: exit %d\n%s", code, errs)
	}
	code, out, errs = c.run("cache", "rescue")
	assertClear(t, "amt cache rescue", code, exitLocked, out+errs, "Falsches Passwort")
	code, out, _ = c.run("doctor")
	assertClear(t, "amt doctor", code, exitErr, out, "nicht entsperrbar", "AMT_PASSPHRASE")
	if m := movedAside(t, c); len(m) != 0 {
		t.Fatalf("moved aside: %v", m)
	}
	t.Setenv("AMT_PASSPHRASE", "geheim")
	if o := outbox(t, c); len(o) != 3 {
		t.Fatalf("outbox after the wrong passphrase: %d", len(o))
	}
}

// interactive makes amt believe it runs on a terminal where the clerk types answer.
func interactive(t *testing.T, answer string) func() {
	t.Helper()
	old := isInteractive
	isInteractive = func() bool { return true }
	stdin = strings.NewReader(answer)
	return func() {
		isInteractive = old
		stdin = os.Stdin
	}
}

// The terminal app on a damaged cache, each run a process of its own: without a terminal it prints
// the command; asked, "n" leaves everything alone and "j" rescues and starts the app on the fresh
// cache.
func TestTUIOffersRescue(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c, acts := queuedCache(t, env)
	flipRecords(t, c.dbPath(), "index", 3)

	code, out, errs := c.proc("") // stderr is a pipe: not interactive
	assertClear(t, "amt (not a terminal)", code, exitCorrupt, out+errs, "Ausweg: amt --data "+c.data+" cache rescue")
	if strings.Contains(errs, "[j/N]") {
		t.Fatalf("asked without a terminal:\n%s", errs)
	}
	code, _, errs = c.proc("n\n", "AMT_TEST_INTERACTIVE=1")
	if code != exitCorrupt || !strings.Contains(errs, "Neu synchronisieren? [j/N]") || len(movedAside(t, c)) != 0 {
		t.Fatalf("answer n: exit %d, moved %v\n%s", code, movedAside(t, c), errs)
	}
	code, _, errs = c.proc("", "AMT_TEST_INTERACTIVE=1", "--lang", "en")
	if code != exitCorrupt || !strings.Contains(errs, "Re-sync? [y/N]") || len(movedAside(t, c)) != 0 {
		t.Fatalf("no answer: exit %d, moved %v\n%s", code, movedAside(t, c), errs)
	}

	code, out, errs = c.proc("j\n", "AMT_TEST_INTERACTIVE=1", "AMT_TEST_TUI_QUIT=1")
	if code != exitOK || !strings.Contains(out, "3 ausstehende Aktionen") || len(movedAside(t, c)) != 1 {
		t.Fatalf("answer j: exit %d, moved %v\n%s%s", code, movedAside(t, c), out, errs)
	}
	c.must(0, "sync")
	if o := outbox(t, c); len(o) != 0 {
		t.Fatalf("outbox: %+v", o)
	}
	for i, id := range []string{caseReview, caseOther} {
		if n := noteCount(t, env, id, acts[i].ID); n != 1 {
			t.Errorf("note %s on the server %d times", acts[i].ID, n)
		}
	}
}

// Damage anywhere in the file, and truncation at any page: every command answers with the data,
// or with exit code 4 and the way out; never a panic, never another error.
func TestDamageAnywhereNeverPanics(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c, _ := queuedCache(t, env)
	raw, err := os.ReadFile(c.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	var files [][]byte
	for off := 2 * 4096; off < len(raw); off += len(raw) / 10 {
		bad := bytes.Clone(raw)
		for i := off; i < off+64 && i < len(bad); i++ {
			bad[i] ^= 0xa5
		}
		files = append(files, bad, raw[:off])
	}
	detected := 0
	for i, bad := range files {
		for _, args := range [][]string{{"list"}, {"outbox", "--json"}, {"show", caseReview}} {
			// A fresh copy per command: a failed open may leave the file locked in this process.
			d := newCLI(t)
			if err := os.WriteFile(d.dbPath(), bad, 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errs := d.run(append([]string{"--server", deadServer}, args...)...)
			what := "file " + strconv.Itoa(i) + ": amt " + strings.Join(args, " ")
			assertClear(t, what, code, code, out+errs)
			switch code {
			case exitOK:
			case exitCorrupt:
				detected++
				if !strings.Contains(errs, "cache rescue") {
					t.Errorf("%s: no way out:\n%s", what, errs)
				}
			default:
				t.Errorf("%s: exit %d:\n%s", what, code, errs)
			}
		}
	}
	t.Logf("%d of %d commands on %d damaged files reported the damage", detected, 3*len(files), len(files))
	if detected < len(files)/4 {
		t.Fatalf("damage went unnoticed: %d of %d", detected, 3*len(files))
	}
}

// TestMain lets the test binary act as amt in a child process (cli.proc).
func TestMain(m *testing.M) {
	if os.Getenv("AMT_TEST_AS_AMT") == "1" {
		if os.Getenv("AMT_TEST_INTERACTIVE") == "1" {
			isInteractive = func() bool { return true }
		}
		if os.Getenv("AMT_TEST_TUI_QUIT") == "1" {
			tuiProgramOptions = []tea.ProgramOption{tea.WithInput(strings.NewReader("q")), tea.WithOutput(io.Discard)}
		}
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	// In this process amt never asks: the tests do not depend on a terminal of whoever runs them
	// (a child process above keeps the real check, on its pipes).
	isInteractive = func() bool { return false }
	os.Exit(m.Run())
}

// proc runs amt as a separate process, as a clerk would (a damaged file can leave bbolt's lock
// behind in a process that failed to open it; the next amt process does not inherit it). input is
// its stdin; leading NAME=value arguments are added to its environment (AMT_TEST_INTERACTIVE=1:
// behave as on a terminal; AMT_TEST_TUI_QUIT=1: the terminal app quits at once).
func (c *cli) proc(input string, args ...string) (int, string, string) {
	c.t.Helper()
	env := append(os.Environ(), "AMT_TEST_AS_AMT=1")
	for len(args) > 0 && strings.HasPrefix(args[0], "AMT_TEST_") {
		env, args = append(env, args[0]), args[1:]
	}
	cmd := exec.Command(os.Args[0], append([]string{"--data", c.data}, args...)...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(input)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// A rescue never moves a cache another amt uses; --force moves an intact one and keeps sign-in and
// outbox.
func TestRescueForceAndAlreadyOpen(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c, acts := queuedCache(t, env)

	st, err := store.Open(store.Options{Dir: c.data, Passphrase: "geheim"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, out, errs := c.run("cache", "rescue", "--force")
	st.Close()
	assertClear(t, "rescue of an open cache", code, exitErr, out+errs, "bereits geöffnet")
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("took %s", d)
	}
	if m := movedAside(t, c); len(m) != 0 {
		t.Fatalf("moved an open cache: %v", m)
	}

	out = c.must(0, "cache", "rescue", "--force", "--no-sync")
	if !strings.Contains(out, "3 ausstehende Aktionen") || strings.Contains(out, "neu anmelden") {
		t.Fatalf("forced rescue: %s", out)
	}
	if o := outbox(t, c); len(o) != 3 || o[0].ID != acts[0].ID || o[2].ID != acts[2].ID {
		t.Fatalf("outbox after the forced rescue: %+v", o)
	}
	if out := c.must(0, "sync"); !strings.Contains(out, "Abgeglichen: 20 Vorgänge, 0 ausstehend") {
		t.Fatalf("sync: %s", out)
	}
	if n := noteCount(t, env, caseOther, acts[1].ID); n != 1 {
		t.Errorf("note on the server %d times", n)
	}
	if out := c.must(0, "cache", "path"); strings.TrimSpace(out) != c.dbPath() {
		t.Errorf("cache path: %q", out)
	}
	if code, _, errs := c.run("cache", "rescue", "--from", c.dbPath()); code != exitUsage || !strings.Contains(errs, "aktuellen Cache") {
		t.Errorf("--from the current cache: %d %s", code, errs)
	}
	if code, _, _ := c.run("cache"); code != exitUsage {
		t.Errorf("cache without subcommand: %d", code)
	}
}
