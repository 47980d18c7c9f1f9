package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener counts the connections taken from the kernel.
type countingListener struct {
	net.Listener
	n atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// rawConn is one client connection speaking HTTP/1.1 by hand, so the test knows which
// connection each request uses.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

func (r *rawConn) send(path string) {
	r.t.Helper()
	if _, err := io.WriteString(r.c, "GET "+path+" HTTP/1.1\r\nHost: amt.test\r\n\r\n"); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawConn) read() (int, string, error) {
	resp, err := http.ReadResponse(r.br, nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func (r *rawConn) get(path string) string {
	r.t.Helper()
	r.send(path)
	code, body, err := r.read()
	if err != nil || code != 200 {
		r.t.Fatalf("GET %s: %d %v", path, code, err)
	}
	return body
}

func wantMetricLine(t *testing.T, metrics, line string) {
	t.Helper()
	for l := range strings.SplitSeq(metrics, "\n") {
		if l == line {
			return
		}
	}
	t.Fatalf("metrics lack %q", line)
}

// hangAfter guards a wait that must end; it is no timing assertion, only a stop for a broken
// implementation.
const hangAfter = time.Minute

// limitedServer returns a server limited to maxConns, its loopback listener as taken from the
// kernel (counted) and as limited by s.Listener, and the http.Server from s.HTTPServer. The
// caller sets the listener's hooks before it serves.
func limitedServer(t *testing.T, maxConns int) (*Server, *countingListener, *limitListener, *http.Server) {
	t.Helper()
	s, err := New(Config{DataDir: t.TempDir(), MaxConns: maxConns, PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counted := &countingListener{Listener: inner}
	ln := s.Listener(counted).(*limitListener)
	return s, counted, ln, s.HTTPServer(nil)
}

// signals returns a channel and a hook that sends to it without ever blocking the server.
func signals() (chan struct{}, func()) {
	ch := make(chan struct{}, 64)
	return ch, func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func await(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(hangAfter):
		t.Fatal(what)
	}
}

// answer reads the response to a request already sent on r, in the background.
func (r *rawConn) answer() <-chan error {
	done := make(chan error, 1)
	go func() {
		code, _, err := r.read()
		if err == nil && code != 200 {
			err = errors.New(http.StatusText(code))
		}
		done <- err
	}()
	return done
}

// wantClosedByServer checks that the server closed r: reading ends (EOF or reset), no answer.
func (r *rawConn) wantClosedByServer() {
	r.t.Helper()
	r.c.SetReadDeadline(time.Now().Add(hangAfter)) // a stop for a broken implementation only
	var b [1]byte
	n, err := r.br.Read(b[:])
	if ne, ok := err.(net.Error); err == nil || ok && ne.Timeout() {
		r.t.Fatalf("connection not closed by the server: read %d bytes (%v)", n, err)
	}
}

// TestListenerClosesIdleForNew: with max_conns 2 and two idle keep-alive clients, a third client
// is served at once — the server closes the longest idle connection for it; the first two never
// close by themselves. Nothing waits.
func TestListenerClosesIdleForNew(t *testing.T) {
	_, counted, ln, hs := limitedServer(t, 2)
	idled, hook := signals()
	ln.idled = hook
	ln.waiting = func() { t.Error("Accept waited although a connection was idle") }
	go hs.Serve(ln)
	defer hs.Close()
	addr := ln.Addr().String()

	c1 := dialRaw(t, addr)
	c1.get("/healthz")
	await(t, idled, "the first connection never went idle")
	c2 := dialRaw(t, addr)
	c2.get("/healthz")
	await(t, idled, "the second connection never went idle")

	c3 := dialRaw(t, addr)
	c3.get("/healthz")
	c1.wantClosedByServer() // the longest idle one made room
	m := c2.get("/metrics") // the other is still served
	if n := counted.n.Load(); n != 3 {
		t.Fatalf("%d connections accepted, want 3", n)
	}
	wantMetricLine(t, m, "amt_http_connections 2")
	wantMetricLine(t, m, "amt_http_connections_max 2")
	wantMetricLine(t, m, "amt_http_idle_connections_closed_total 1")
	wantMetricLine(t, m, "amt_http_connection_waits_total 0")
	c3.get("/healthz")
}

// TestListenerClosesSilentForNew: connections that have sent no complete request (silent, or
// still dripping their headers) hold no claim to their slot: with both slots held by such
// connections a third is served at once, the oldest silent one closed for it. A connection whose
// request is being answered is not closed, so with both busy a new one waits (counted once), and
// Shutdown does not hang on a waiting Accept.
func TestListenerClosesSilentForNew(t *testing.T) {
	s, counted, ln, hs := limitedServer(t, 2)
	waiting, hook := signals()
	ln.waiting = hook
	entered := make(chan struct{}, 2)
	release := make(chan struct{})
	hs.Handler = trackConns(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			entered <- struct{}{}
			<-release
		}
		io.WriteString(w, "ok")
	}))
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	addr := ln.Addr().String()

	s1 := dialRaw(t, addr)
	io.WriteString(s1.c, "GET /healthz HTTP/1.1\r\nHost: amt") // half a header, then nothing
	s2 := dialRaw(t, addr)
	c3 := dialRaw(t, addr)
	c3.get("/healthz")
	s1.wantClosedByServer() // the oldest silent one made room
	if n := s.metrics.connUnprovenClosed.Load(); n != 1 {
		t.Fatalf("unproven connections closed = %d, want 1", n)
	}
	if n := s.metrics.connWaits.Load(); n != 0 {
		t.Fatalf("waits = %d, want 0", n)
	}

	// Two busy connections: a new one waits until the server is closed.
	c3.send("/block")
	await(t, entered, "request never reached the handler")
	c4 := dialRaw(t, addr)
	c4.send("/block")
	s2.wantClosedByServer() // the other silent one made room for c4
	await(t, entered, "request never reached the handler")
	c5 := dialRaw(t, addr)
	c5.send("/healthz")
	await(t, waiting, "Accept does not wait with both connections busy")
	if n := counted.n.Load(); n != 5 {
		t.Fatalf("%d connections taken from the kernel, want 5", n)
	}
	close(release)
	if err := hs.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-served:
		if !errors.Is(err, http.ErrServerClosed) {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(hangAfter):
		t.Fatal("Serve does not return after Close while Accept waits")
	}
}

// TestListenerWaitsForIdle: with both slots busy with requests, a new connection waits; when one
// request ends its connection goes idle and is closed for the new one (after its answer).
func TestListenerWaitsForIdle(t *testing.T) {
	_, _, ln, hs := limitedServer(t, 2)
	waiting, hook := signals()
	ln.waiting = hook
	entered := make(chan struct{}, 2)
	release := make(chan struct{})
	hs.Handler = trackConns(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			entered <- struct{}{}
			<-release
		}
		io.WriteString(w, "ok")
	}))
	go hs.Serve(ln)
	defer hs.Close()
	addr := ln.Addr().String()

	busy := []*rawConn{dialRaw(t, addr), dialRaw(t, addr)}
	var answers []<-chan error
	for _, c := range busy {
		c.send("/block")
		answers = append(answers, c.answer())
		await(t, entered, "request never reached the handler")
	}
	c3 := dialRaw(t, addr)
	c3.send("/x")
	answered := c3.answer()
	await(t, waiting, "Accept does not wait with both connections busy")

	release <- struct{}{} // one request ends: its connection goes idle and makes room
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("third connection: %v", err)
		}
	case <-time.After(hangAfter):
		t.Fatal("third connection never served after a connection went idle")
	}
	close(release)
	for i, a := range answers {
		if err := <-a; err != nil { // both blocked requests were answered in full
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

// TestListenerHTTP2: HTTP/2 connections report idle too (no open stream): with max_conns 2 and
// two clients each holding an idle HTTP/2 connection, a third client is served.
func TestListenerHTTP2(t *testing.T) {
	s, _, ln, hs := limitedServer(t, 2)
	idled, hook := signals()
	ln.idled = hook
	ln.waiting = func() { t.Error("Accept waited although a connection was idle") }
	ts := &httptest.Server{Listener: ln, Config: hs, EnableHTTP2: true}
	ts.StartTLS()
	defer ts.Close()
	get := func(name string) {
		t.Helper()
		tr := ts.Client().Transport.(*http.Transport).Clone() // a connection of its own
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get(ts.URL + "/healthz")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
			t.Fatalf("%s: %d over %s", name, resp.StatusCode, resp.Proto)
		}
	}
	keep := func(name string) *http.Transport {
		t.Helper()
		tr := ts.Client().Transport.(*http.Transport).Clone()
		t.Cleanup(tr.CloseIdleConnections)
		resp, err := (&http.Client{Transport: tr}).Get(ts.URL + "/healthz")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 {
			t.Fatalf("%s: %s, want HTTP/2", name, resp.Proto)
		}
		await(t, idled, name+": connection never reported idle")
		return tr
	}
	keep("first clerk")
	keep("second clerk")
	get("third clerk")
	if n := s.metrics.connIdleClosed.Load(); n != 1 {
		t.Fatalf("idle connections closed = %d, want 1", n)
	}
}

// TestListenerNoLimit: MaxConns < 0 counts connections but never waits.
func TestListenerNoLimit(t *testing.T) {
	s, err := New(Config{DataDir: t.TempDir(), MaxConns: -1, PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := s.Listener(inner).(*limitListener)
	ln.waiting = func() { t.Error("waited without a limit") }
	hs := s.HTTPServer(nil)
	go hs.Serve(ln)
	defer hs.Close()
	var conns []*rawConn
	for range 5 {
		c := dialRaw(t, inner.Addr().String())
		c.get("/healthz")
		conns = append(conns, c)
	}
	m := conns[0].get("/metrics")
	wantMetricLine(t, m, "amt_http_connections 5")
	if strings.Contains(m, "amt_http_connections_max") {
		t.Fatal("a limit reported without one")
	}
}
