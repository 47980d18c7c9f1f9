package server

import (
	"container/list"
	"net"
	"net/http"
	"sync"
)

// Listener wraps ln so that at most Config.MaxConns accepted connections are open at once: a
// flood of connections cannot exhaust the process's file descriptors. A connection taken from the
// kernel while every slot is in use gets the slot of the connection that has been idle longest —
// a keep-alive connection between requests, HTTP/1.1 or HTTP/2, as reported by an http.Server
// from HTTPServer through ConnState — which is closed: HTTP lets either side close an idle
// connection at any time, and clients open a new one when they need it. Only when none is idle
// does the new connection wait, until one closes or goes idle. A connection that has not yet sent
// a request is never closed for another; a flood of silent ones is bounded by ReadHeaderTimeout
// (and belongs to a proxy or firewall in front that limits connections per address). The open
// and idle connections, those closed for a new one and those that had to wait are reported in
// /metrics. Serve the returned listener (with TLS, wrap it; the limit counts TCP connections).
func (s *Server) Listener(ln net.Listener) net.Listener {
	s.metrics.connMax.Store(int64(max(s.cfg.MaxConns, 0)))
	return &limitListener{Listener: ln, m: s.metrics, max: max(s.cfg.MaxConns, 0),
		wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// limitListener counts open connections, keeps the idle ones in the order they went idle and,
// when max > 0, limits how many are open.
type limitListener struct {
	net.Listener
	m    *metrics
	max  int           // 0 = no limit
	wake chan struct{} // (capacity 1) a slot was freed or a connection went idle: look again
	done chan struct{} // closed by Close: a waiting Accept returns

	mu   sync.Mutex
	open int       // connections holding a slot (counted only with a limit)
	idle list.List // *limitConn, longest idle first

	closeOnce sync.Once
	waiting   func() // test hook: called when Accept starts to wait for a free slot
	idled     func() // test hook: called when a connection has gone idle
}

// Accept takes the next connection from the kernel and then a slot for it (see acquire); the
// connection that waits for a slot is held, so at most one more than max is ever open.
func (l *limitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if err := l.acquire(); err != nil {
		c.Close()
		return nil, err
	}
	l.m.connOpen.Add(1)
	return &limitConn{Conn: c, l: l}, nil
}

// acquire takes a slot: a free one, else that of the longest idle connection, which it closes,
// else the first one that is freed or whose connection goes idle.
func (l *limitListener) acquire() error {
	if l.max == 0 {
		return nil
	}
	waited := false
	for {
		l.mu.Lock()
		if l.open < l.max {
			l.open++
			l.mu.Unlock()
			return nil
		}
		victim := l.takeIdleLocked()
		l.mu.Unlock()
		if victim != nil {
			l.m.connIdleClosed.Add(1)
			victim.Close() // gives its slot back
			continue
		}
		if !waited {
			waited = true
			l.m.connWaits.Add(1)
		}
		if l.waiting != nil {
			l.waiting()
		}
		select {
		case <-l.wake:
		case <-l.done:
			return net.ErrClosed
		}
	}
}

// takeIdleLocked removes the longest idle connection from the idle list and marks it closed, so
// that it is not listed again before its Close has run; nil if none is idle.
func (l *limitListener) takeIdleLocked() *limitConn {
	e := l.idle.Front()
	if e == nil {
		return nil
	}
	c := l.idle.Remove(e).(*limitConn)
	c.idleAt, c.closed = nil, true
	l.m.connIdle.Add(-1)
	return c
}

// signal wakes a waiting Accept (or the next one to wait) to look again.
func (l *limitListener) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// setIdle records whether c is between requests.
func (l *limitListener) setIdle(c *limitConn, idle bool) {
	l.mu.Lock()
	switch {
	case idle && c.idleAt == nil && !c.closed:
		c.idleAt = l.idle.PushBack(c)
		l.m.connIdle.Add(1)
	case !idle && c.idleAt != nil:
		l.idle.Remove(c.idleAt)
		c.idleAt = nil
		l.m.connIdle.Add(-1)
		l.mu.Unlock()
		return
	default:
		l.mu.Unlock()
		return
	}
	l.mu.Unlock()
	l.signal()
	if l.idled != nil {
		l.idled()
	}
}

// release gives the slot of a closed connection back.
func (l *limitListener) release(c *limitConn) {
	l.mu.Lock()
	c.closed = true
	if c.idleAt != nil {
		l.idle.Remove(c.idleAt)
		c.idleAt = nil
		l.m.connIdle.Add(-1)
	}
	if l.max > 0 {
		l.open--
	}
	l.mu.Unlock()
	l.m.connOpen.Add(-1)
	l.signal()
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back when closed, once.
type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
	// Guarded by l.mu:
	idleAt *list.Element // its element in l.idle while idle
	closed bool          // closed, or chosen to be closed for a new connection
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c) })
	return err
}

// connState is the http.Server.ConnState of HTTPServer: it tells a limitListener which of its
// connections are idle (HTTP/1.1 between requests, HTTP/2 without open streams), also under TLS.
func connState(c net.Conn, st http.ConnState) {
	if lc := asLimitConn(c); lc != nil {
		lc.l.setIdle(lc, st == http.StateIdle)
	}
}

// asLimitConn finds the limitConn under c (a *tls.Conn wraps it), or nil.
func asLimitConn(c net.Conn) *limitConn {
	for range 4 {
		switch v := c.(type) {
		case *limitConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
	return nil
}
