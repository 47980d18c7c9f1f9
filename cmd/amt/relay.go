package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The command line beside a running terminal app.
//
// The terminal app holds the cache (bbolt takes an exclusive lock for the whole run; a second
// process cannot even open it read-only, and reading the file without the lock could see pages
// the app is rewriting). So the running app serves a local socket, Dir/amt.sock (the cache
// directory is 0700, the socket 0600: only the clerk's own processes reach it), and a command
// that finds it passes its arguments there: the app runs the command on its open store, with its
// client and syncer, and sends back the output and exit code. Reads see exactly what the app
// shows; an action is queued in the app's outbox and delivered by the app's syncer (once, like
// every action). Commands that need the cache to themselves (login, purge, cache rescue, doctor)
// are not relayed and say to quit the app first.

// relayCommands are the commands a running terminal app runs on a command line's behalf.
var relayCommands = map[string]bool{
	"list": true, "show": true, "outbox": true, "conflicts": true, "sync": true,
	"comment": true, "assign": true, "decide": true, "approve": true, "resubmit": true,
	"request-docs": true, "status": true, "check-evidence": true, "__complete": true,
}

// relaySocket is the socket's name in the cache directory.
const relaySocket = "amt.sock"

// maxRelayRequest bounds a request (arguments plus standard input for `comment ID -`).
const maxRelayRequest = 4 << 20

type relayRequest struct {
	Args  []string `json:"args"`
	Lang  string   `json:"lang,omitempty"` // --lang of the calling command line
	Env   string   `json:"env,omitempty"`  // its LANG
	Stdin []byte   `json:"stdin,omitempty"`
}

type relayResponse struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int    `json:"code"`
}

// serveRelay serves the running app's socket until ctx ends; the returned function stops it and
// waits for commands under way. Without a socket (path too long, no support) the app runs as
// before and command lines get the "already open" message.
func (a *app) serveRelay(ctx context.Context, s *session) func() {
	path := filepath.Join(s.st.Dir(), relaySocket)
	// This process holds the cache's lock: a socket file left there belongs to an app that died.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		_ = os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return func() {}
	}
	_ = os.Chmod(path, 0o600)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		_ = ln.Close() // removes the socket file
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				a.serveRelayConn(ctx, s, conn)
			}()
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

func (a *app) serveRelayConn(ctx context.Context, s *session, conn net.Conn) {
	var req relayRequest
	if err := json.NewDecoder(io.LimitReader(conn, maxRelayRequest)).Decode(&req); err != nil {
		return
	}
	var out, errb bytes.Buffer
	code := a.runRelayed(ctx, s, req, &out, &errb)
	_ = json.NewEncoder(conn).Encode(relayResponse{Stdout: out.String(), Stderr: errb.String(), Code: code})
}

// runRelayed runs one command line's command on the running app's session.
func (a *app) runRelayed(ctx context.Context, s *session, req relayRequest, stdout, stderr io.Writer) (code int) {
	b := &app{ctx: ctx, stdout: stdout, stderr: stderr, g: globals{lang: req.Lang, data: a.g.data, config: a.g.config},
		cfg: a.cfg, cfgPath: a.cfgPath, lang: pickLang(req.Lang, a.cfg.Lang, req.Env),
		shared: s, in: bytes.NewReader(req.Stdin)}
	if len(req.Args) == 0 || !relayCommands[req.Args[0]] {
		b.errorf("%s", b.T("err.relay_refused"))
		return exitUsage
	}
	defer func() {
		// A fault in one command must not take the clerk's open app down with it.
		if r := recover(); r != nil {
			b.errorf("%s", b.T("err.relay_failed", fmt.Sprint(r)))
			code = exitErr
		}
	}()
	return b.dispatch(req.Args)
}

// tryRelay passes the command to a terminal app running on the same cache, if there is one.
// ok is false when none answers (the command then runs here).
func (a *app) tryRelay(args []string) (code int, ok bool) {
	dir, err := a.dataDir()
	if err != nil {
		return 0, false
	}
	conn, err := net.DialTimeout("unix", filepath.Join(dir, relaySocket), time.Second)
	if err != nil {
		return 0, false // no app running (or a socket left by one that died)
	}
	defer conn.Close()
	req := relayRequest{Args: args, Lang: a.g.lang, Env: os.Getenv("LANG")}
	for _, x := range args[1:] {
		if x == "-" { // comment ID -: the text comes from this process's standard input
			if req.Stdin, err = io.ReadAll(io.LimitReader(a.input(), maxRelayRequest/2)); err != nil {
				a.errorf("%v", err)
				return exitErr, true
			}
			break
		}
	}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		a.errorf("%s", a.T("err.relay_lost"))
		return exitErr, true
	}
	var resp relayResponse
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		// The app quit (or died) while running the command: an action may or may not be queued.
		a.errorf("%s", a.T("err.relay_lost"))
		return exitErr, true
	}
	fmt.Fprint(a.stdout, resp.Stdout)
	fmt.Fprint(a.stderr, resp.Stderr)
	return resp.Code, true
}
