package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/internal/version"
	"github.com/amt-mv/amt/store"
)

// A damaged, locked or too new cache is reported by cacheFailed with what happened and the way out;
// the exit code tells scripts which it was (exitCorrupt, exitLocked, exitNewer).
//
// The way out of a damaged cache (and, on explicit request, of one from a newer amt) is
// `amt cache rescue`: it reads the undelivered actions from the old file, moves the file aside
// (it is kept, never deleted), starts a fresh cache, re-queues the actions with their original ids
// (the server answers a replayed id with the original result, so nothing is delivered twice) and
// syncs. `amt` without a command offers the same on an interactive terminal.

// cacheFailed reports why the cache in dir could not be opened or read and sets a.failCode.
func (a *app) cacheFailed(err error, dir string) int {
	code := exitErr
	switch {
	case errors.Is(err, store.ErrNoKey):
		a.errorf("%s", a.T("err.nokey"))
		code = exitLocked
	case errors.Is(err, store.ErrWrongPassphrase):
		a.errorf("%s", a.T("err.passphrase"))
		code = exitLocked
	case errors.Is(err, store.ErrAlreadyOpen):
		a.errorf("%s", a.T("err.already_open", dir))
	case errors.Is(err, store.ErrNewerSchema):
		a.errorf("%s", a.T("err.newer_schema", version.Version, a.commandLine("cache rescue")))
		code = exitNewer
	case errors.Is(err, store.ErrCorrupt):
		a.errorf("%s", a.T("err.corrupt", dir, a.commandLine("cache rescue"), sanitize.Line(err.Error())))
		code = exitCorrupt
	default:
		a.errorf("%s", a.T("err.open_store", dir, sanitize.Line(err.Error())))
	}
	a.failCode = code
	return code
}

// storeErr reports an error of an open store: damage gets the full explanation and way out.
func (a *app) storeErr(err error) int {
	if errors.Is(err, store.ErrCorrupt) || errors.Is(err, store.ErrNewerSchema) {
		dir, _ := a.dataDir()
		return a.cacheFailed(err, dir)
	}
	a.errorf("%s", a.T("err.store", sanitize.Line(err.Error())))
	return exitErr
}

// commandLine is the amt command to type for sub, with the global flags that chose this cache
// and language (so the hint works when pasted).
func (a *app) commandLine(sub string) string {
	parts := []string{"amt"}
	if a.g.data != "" {
		parts = append(parts, "--data", shellQuote(a.g.data))
	}
	if a.g.config != "" {
		parts = append(parts, "--config", shellQuote(a.g.config))
	}
	return strings.Join(append(parts, sub), " ")
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"$`\\;&|<>()*?[]{}!#~") {
		return s
	}
	if runtime.GOOS == "windows" {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isInteractive reports whether amt may ask the clerk a question: stdin and stderr are terminals.
// Tests replace it (TestMain: never, whoever runs the tests from a terminal).
var isInteractive = func() bool {
	return isTerminal(os.Stdin) && isTerminal(os.Stderr)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// confirm asks a yes/no question on stderr and reads one line from stdin; no is the default.
func (a *app) confirm(question string) bool {
	fmt.Fprint(a.stderr, question)
	line, _ := bufio.NewReader(stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "j", "ja", "y", "yes":
		return true
	}
	return false
}

// probeStore reads what the terminal app reads first (list window, outbox, sync state), so that
// a damaged index shows up here, with the way out, rather than as an error inside the app.
func probeStore(st *store.Store) error {
	if _, err := st.SummaryPage(0, 200); err != nil {
		return err
	}
	if _, err := st.Outbox(); err != nil {
		return err
	}
	_, err := st.SyncState()
	return err
}

func cmdCache(a *app, args []string) int {
	if len(args) == 0 {
		a.errorf("%s", a.T("usage.cache"))
		return exitUsage
	}
	switch args[0] {
	case "path":
		dir, err := a.dataDir()
		if err != nil {
			a.errorf("%s", a.T("err.datadir", err))
			return exitErr
		}
		a.printf("%s\n", filepath.Join(dir, store.DBFile))
		return exitOK
	case "rescue":
		fs := a.newFlags("cache rescue")
		force := fs.Bool("force", false, a.T("flag.rescue_force"))
		from := fs.String("from", "", a.T("flag.rescue_from"))
		noSync := fs.Bool("no-sync", false, a.T("flag.no_sync"))
		timeout := fs.Duration("timeout", 5*time.Minute, a.T("flag.timeout"))
		pos, err := parseFlags(fs, args[1:])
		if err != nil {
			return flagExit(err)
		}
		if len(pos) != 0 {
			a.errorf("%s", a.T("usage.cache"))
			return exitUsage
		}
		if *from != "" {
			return a.importOutbox(*from)
		}
		code := a.rescueCache(*force, true)
		if code != exitOK || *noSync {
			return code
		}
		return a.syncAfterRescue(*timeout)
	}
	a.errorf("%s", a.T("usage.cache"))
	return exitUsage
}

// rescueMeta are the store meta keys carried into the fresh cache when the old one can still be
// read (sign-in, who I am, the Amt's clerks).
var rescueMeta = []string{metaServer, metaToken, metaMe, metaClerks}

// rescueCache moves a damaged (or, with force, any) cache aside and carries its outbox into a
// fresh one. It never deletes the old file. exitOK also when there was nothing to do. lock makes
// sure no other amt process uses the file (the terminal app's own failed open may hold bbolt's
// lock in this process, and no other process can have the file open then, so it passes false).
func (a *app) rescueCache(force, lock bool) int {
	dir, err := a.dataDir()
	if err != nil {
		a.errorf("%s", a.T("err.datadir", err))
		return exitErr
	}
	path := filepath.Join(dir, store.DBFile)
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		a.printf("%s\n", a.T("rescue.none", path))
		return exitOK
	}
	opts := a.storeOptions(dir)
	if lock {
		unlock, err := lockCache(path, store.DefaultLockTimeout)
		if err != nil {
			return a.cacheFailed(err, dir)
		}
		defer unlock()
	}

	// The original is only ever renamed; everything is read from copies. A damaged file can leave
	// bbolt's mapping, and with it the file lock, behind in the process that opened it.
	tmp, err := os.MkdirTemp(dir, ".rescue-")
	if err != nil {
		a.errorf("%s", a.T("err.rescue_copy", sanitize.Line(err.Error())))
		return exitErr
	}
	defer os.RemoveAll(tmp)
	checkDir := filepath.Join(tmp, "check")
	if err := copyFile(path, filepath.Join(checkDir, store.DBFile)); err != nil {
		a.errorf("%s", a.T("err.rescue_copy", sanitize.Line(err.Error())))
		return exitErr
	}
	outboxFrom := filepath.Join(checkDir, store.DBFile)

	// Why is it being rescued? An intact cache is left alone unless forced; a locked one (wrong
	// passphrase, no key) cannot be rescued and is not moved.
	meta := map[string][]byte{}
	copyOpts := opts
	copyOpts.Dir = checkDir
	var st *store.Store
	if fi, serr := os.Stat(path); serr == nil && fi.Size() == 0 {
		// Empty: damaged (store refuses it in its own directory); the copy's directory has no
		// attachments to tell the store so.
		err = fmt.Errorf("%w (%s): the file is empty (0 bytes)", store.ErrCorrupt, path)
	} else {
		st, err = store.Open(copyOpts)
	}
	switch {
	case err == nil:
		cerr := st.Check()
		for _, k := range rescueMeta {
			if v, err := st.Meta(k); err == nil {
				meta[k] = v
			}
		}
		_ = st.Close()
		if cerr == nil && !force {
			a.printf("%s\n", a.T("rescue.intact", path))
			return exitOK
		}
		if cerr != nil && !errors.Is(cerr, store.ErrCorrupt) {
			return a.storeErr(cerr)
		}
	case errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrNewerSchema):
		// The failed open may have left the copy mapped and locked: read the outbox from another.
		outboxFrom = filepath.Join(tmp, "outbox.db")
		if err := copyFile(path, outboxFrom); err != nil {
			a.errorf("%s", a.T("err.rescue_copy", sanitize.Line(err.Error())))
			return exitErr
		}
	default:
		return a.cacheFailed(err, dir)
	}

	// Read the outbox before anything moves: if the keys do not fit, nothing is touched.
	acts, skipped, rerr := store.RescueOutbox(outboxFrom, opts)
	if rerr != nil && !errors.Is(rerr, store.ErrCorrupt) {
		return a.cacheFailed(rerr, dir)
	}
	old, err := store.MoveAside(dir, time.Now())
	if err != nil {
		a.errorf("%s", a.T("err.move_aside", sanitize.Line(err.Error())))
		return exitErr
	}
	a.printf("%s\n", a.T("rescue.moved", old))
	retry := a.commandLine("cache rescue --from " + shellQuote(old))

	fresh, err := store.Open(opts)
	if err != nil {
		a.cacheFailed(err, dir)
		a.errorf("%s", a.T("rescue.retry_from", retry))
		return a.fail()
	}
	defer fresh.Close()
	for k, v := range meta {
		if err := fresh.PutMeta(k, v); err != nil {
			a.storeErr(err)
			a.errorf("%s", a.T("rescue.retry_from", retry))
			return a.fail()
		}
	}
	n, failed := a.requeue(fresh, acts)
	a.printf("%s\n", a.T("rescue.actions", n))
	if skipped > 0 {
		a.errorf("%s", a.T("rescue.skipped", skipped))
	}
	if rerr != nil {
		a.errorf("%s", a.T("rescue.partial", sanitize.Line(rerr.Error())))
	}
	if failed > 0 {
		a.errorf("%s", a.T("rescue.retry_from", retry))
	}
	if _, ok := meta[metaToken]; !ok && os.Getenv("AMT_TOKEN") == "" {
		a.printf("%s\n", a.T("rescue.login"))
	}
	a.printf("%s\n", a.T("rescue.keep_hint", old))
	if failed > 0 {
		return exitErr
	}
	return exitOK
}

// requeue enqueues rescued actions with their ids, in their order; an action already queued with
// the same id is not doubled.
func (a *app) requeue(st *store.Store, acts []store.Action) (n, failed int) {
	for _, x := range acts {
		if _, err := st.Enqueue(store.Action{ID: x.ID, CaseID: x.CaseID, Kind: x.Kind, SubID: x.SubID,
			Body: x.Body, BaseVersion: x.BaseVersion, Actor: x.Actor}); err != nil {
			failed++
			a.errorf("%s", a.T("rescue.enqueue_failed", sanitize.Line(x.ID), sanitize.Line(err.Error())))
			continue
		}
		n++
	}
	return n, failed
}

// copyFile copies src to a new file dst (0600, parent directories 0700) and syncs it.
func copyFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// importOutbox re-queues the undelivered actions of a moved-aside cache file into the current
// cache (again, if an earlier rescue was interrupted: an action already queued is not doubled).
func (a *app) importOutbox(from string) int {
	if _, err := os.Stat(from); err != nil {
		a.errorf("%s", a.T("err.rescue_from", sanitize.Line(from), sanitize.Line(err.Error())))
		return exitErr
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer st.Close()
	if abs, err := filepath.Abs(from); err == nil && abs == st.Path() {
		a.errorf("%s", a.T("err.rescue_self"))
		return exitUsage
	}
	acts, skipped, rerr := store.RescueOutbox(from, a.storeOptions(st.Dir()))
	if rerr != nil && !errors.Is(rerr, store.ErrCorrupt) {
		return a.cacheFailed(rerr, from)
	}
	n, failed := a.requeue(st, acts)
	a.printf("%s\n", a.T("rescue.imported", n, from))
	if skipped > 0 {
		a.errorf("%s", a.T("rescue.skipped", skipped))
	}
	if rerr != nil {
		a.errorf("%s", a.T("rescue.partial", sanitize.Line(rerr.Error())))
	}
	if failed > 0 {
		return exitErr
	}
	return exitOK
}

// syncAfterRescue syncs the fresh cache when a sign-in is known; otherwise it says how to sign in.
func (a *app) syncAfterRescue(timeout time.Duration) int {
	s, ok := a.openSession(false)
	if !ok {
		return a.fail()
	}
	hasClient := s.c != nil
	s.close()
	if !hasClient {
		return exitOK
	}
	return a.syncNow(timeout)
}

// askRescue is the terminal app's way out of a damaged cache: explain (done by the caller), then
// on an interactive terminal ask whether to re-sync into a fresh cache. It returns true when the
// cache was rescued and may be opened again.
func (a *app) askRescue(code int, lock bool) bool {
	if code != exitCorrupt || !isInteractive() {
		return false
	}
	if !a.confirm(a.T("rescue.ask")) {
		return false
	}
	a.failCode = 0
	return a.rescueCache(false, lock) == exitOK
}
