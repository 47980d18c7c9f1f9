package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
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

// TestListenerLimit: with max_conns 2 and two idle keep-alive connections open, a third
// connection is not even taken from the kernel; its request is answered only after the first
// connection closes. Shutdown does not hang on the waiting Accept.
func TestListenerLimit(t *testing.T) {
	s, err := New(Config{DataDir: t.TempDir(), MaxConns: 2, PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counted := &countingListener{Listener: inner}
	ln := s.Listener(counted).(*limitListener)
	waiting := make(chan struct{}, 8)
	ln.waiting = func() { waiting <- struct{}{} }
	hs := s.HTTPServer(nil)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	addr := inner.Addr().String()

	c1, c2 := dialRaw(t, addr), dialRaw(t, addr)
	c1.get("/healthz")
	c2.get("/healthz")
	select { // Accept now waits for a free slot
	case <-waiting:
	case <-time.After(hangAfter):
		t.Fatal("Accept does not wait at the limit")
	}

	c3 := dialRaw(t, addr)
	c3.send("/healthz")
	answered := make(chan error, 1)
	go func() {
		code, _, err := c3.read()
		if err == nil && code != 200 {
			err = errors.New(http.StatusText(code))
		}
		answered <- err
	}()
	// The waiting Accept cannot take the third connection: only two were ever accepted, and
	// the open ones are still served.
	m := c2.get("/metrics")
	if n := counted.n.Load(); n != 2 {
		t.Fatalf("%d connections accepted at the limit of 2", n)
	}
	select {
	case err := <-answered:
		t.Fatalf("third connection answered while two were open (%v)", err)
	default:
	}
	wantMetricLine(t, m, "amt_http_connections 2")
	wantMetricLine(t, m, "amt_http_connections_max 2")
	if strings.Contains(m, "amt_http_connection_waits_total 0\n") {
		t.Fatal("waits not counted")
	}

	// Closing the first connection frees its slot for the third.
	c1.c.Close()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("third connection: %v", err)
		}
	case <-time.After(hangAfter):
		t.Fatal("third connection never served after the first closed")
	}
	if n := counted.n.Load(); n != 3 {
		t.Fatalf("%d connections accepted, want 3", n)
	}
	wantMetricLine(t, c3.get("/metrics"), "amt_http_connections 2")

	// At the limit again, Accept waits; closing the server ends it.
	select {
	case <-waiting:
	case <-time.After(hangAfter):
		t.Fatal("Accept does not wait at the limit")
	}
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
