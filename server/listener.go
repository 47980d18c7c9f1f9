package server

import (
	"container/list"
	"context"
	"net"
	"net/http"
	"net/netip"
	"sync"
)

// Listener wraps ln so that at most Config.MaxConns accepted connections are open at once: a
// flood of connections cannot exhaust the process's file descriptors. A connection taken from the
// kernel while every slot is in use gets the slot of the connection that has been idle longest —
// a keep-alive connection between requests, HTTP/1.1 or HTTP/2, as reported by an http.Server
// from HTTPServer through ConnState — which is closed: HTTP lets either side close an idle
// connection at any time, and clients open a new one when they need it.
//
// Against slow or silent clients (issue #16 item 4): a connection is "unproven" until a request
// on it has signed in (see proveConn). Unproven connections may hold at most three quarters of
// the slots — the rest is kept for connections of signed-in clerks — and when a new connection
// finds no free slot and none idle, the oldest unproven one that is not inside a handler (one
// still sending its headers, or silent) is closed for it. One client address may hold at most
// Config.MaxConnsPerAddr connections (trusted proxies excepted); further ones are closed at once.
// Only when every slot is busy with signed-in or running requests does a new connection wait,
// until one closes or goes idle. Header reading is bounded by ReadHeaderTimeout. The open and
// idle connections, those closed for a new one, refused per address and those that had to wait
// are reported in /metrics. Serve the returned listener (with TLS, wrap it; the limit counts TCP
// connections).
func (s *Server) Listener(ln net.Listener) net.Listener {
	s.metrics.connMax.Store(int64(max(s.cfg.MaxConns, 0)))
	m := max(s.cfg.MaxConns, 0)
	return &limitListener{Listener: ln, m: s.metrics, max: m, unprovenMax: m - m/4,
		perAddrMax: max(s.cfg.MaxConnsPerAddr, 0), perAddr: map[string]int{}, exempt: s.trustedProxy,
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
	// unprovenMax is how many slots connections without a signed-in request may hold.
	unprovenMax int
	perAddrMax  int                   // connections per client address; 0 = no limit
	exempt      func(netip.Addr) bool // addresses without a per-address limit (trusted proxies)

	mu       sync.Mutex
	open     int            // connections holding a slot (counted only with a limit)
	idle     list.List      // *limitConn, longest idle first
	unproven list.List      // *limitConn without a signed-in request, oldest first
	perAddr  map[string]int // open or waiting connections per client address

	closeOnce sync.Once
	waiting   func() // test hook: called when Accept starts to wait for a free slot
	idled     func() // test hook: called when a connection has gone idle
}

// Accept takes the next connection from the kernel and then a slot for it (see acquire); the
// connection that waits for a slot is held, so at most one more than max is ever open.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := ""
		if l.perAddrMax > 0 {
			ip := peerIP(c.RemoteAddr().String())
			if !ip.IsValid() || l.exempt == nil || !l.exempt(ip) {
				addr = addrKey(ip, "unknown")
				l.mu.Lock()
				full := l.perAddr[addr] >= l.perAddrMax
				if !full {
					l.perAddr[addr]++
				}
				l.mu.Unlock()
				if full {
					l.m.connRefusedPerAddr.Add(1)
					c.Close()
					continue
				}
			}
		}
		if err := l.acquire(); err != nil {
			l.forgetAddr(addr)
			c.Close()
			return nil, err
		}
		lc := &limitConn{Conn: c, l: l, addr: addr}
		l.mu.Lock()
		if lc.closed {
			l.mu.Unlock()
		} else {
			lc.unprovenAt = l.unproven.PushBack(lc)
			l.mu.Unlock()
		}
		l.m.connOpen.Add(1)
		return lc, nil
	}
}

// forgetAddr takes back the per-address count of a connection of addr.
func (l *limitListener) forgetAddr(addr string) {
	if addr == "" {
		return
	}
	l.mu.Lock()
	if l.perAddr[addr]--; l.perAddr[addr] <= 0 {
		delete(l.perAddr, addr)
	}
	l.mu.Unlock()
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
		full := l.open >= l.max
		if !full && l.unproven.Len() < l.unprovenMax {
			l.open++
			l.mu.Unlock()
			return nil
		}
		// At the limit any idle connection makes room; below it, the unproven connections hold
		// their share already, so one of them does.
		victim := l.takeIdleLocked(!full)
		idle := victim != nil
		if victim == nil {
			victim = l.takeUnprovenLocked()
		}
		if victim == nil && !full {
			l.open++ // no unproven connection can be closed: take a free slot all the same
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		if victim != nil {
			if idle {
				l.m.connIdleClosed.Add(1)
			} else {
				l.m.connUnprovenClosed.Add(1)
			}
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

// takeIdleLocked detaches the longest idle connection (only among unproven ones if
// unprovenOnly) and marks it closed, so that it is not chosen again before its Close has run;
// nil if none is idle.
func (l *limitListener) takeIdleLocked(unprovenOnly bool) *limitConn {
	for e := l.idle.Front(); e != nil; e = e.Next() {
		c := e.Value.(*limitConn)
		if unprovenOnly && c.unprovenAt == nil {
			continue
		}
		l.detachLocked(c)
		return c
	}
	return nil
}

// takeUnprovenLocked picks the oldest connection without a signed-in request that is not inside
// a handler (still sending its headers, or silent), detaches it and marks it closed; nil if none.
func (l *limitListener) takeUnprovenLocked() *limitConn {
	for e := l.unproven.Front(); e != nil; e = e.Next() {
		c := e.Value.(*limitConn)
		if c.inHandler > 0 {
			continue
		}
		l.detachLocked(c)
		return c
	}
	return nil
}

// detachLocked takes c off the idle and unproven lists and marks it closed, so that it is not
// chosen again before its Close has run.
func (l *limitListener) detachLocked(c *limitConn) {
	if c.idleAt != nil {
		l.idle.Remove(c.idleAt)
		c.idleAt = nil
		l.m.connIdle.Add(-1)
	}
	if c.unprovenAt != nil {
		l.unproven.Remove(c.unprovenAt)
		c.unprovenAt = nil
	}
	c.closed = true
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
	l.detachLocked(c)
	if l.max > 0 {
		l.open--
	}
	if c.addr != "" {
		if l.perAddr[c.addr]--; l.perAddr[c.addr] <= 0 {
			delete(l.perAddr, c.addr)
		}
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
	addr string // client address counted in l.perAddr; "" = not counted
	// Guarded by l.mu:
	idleAt     *list.Element // its element in l.idle while idle
	unprovenAt *list.Element // its element in l.unproven until a request signs in
	inHandler  int           // requests of it inside a handler
	closed     bool          // closed, or chosen to be closed for a new connection
}

// enter and leave bracket a request of c inside the handler: a connection whose request is being
// answered is not closed for another.
func (l *limitListener) enter(c *limitConn) {
	l.mu.Lock()
	c.inHandler++
	l.mu.Unlock()
}

func (l *limitListener) leave(c *limitConn) {
	l.mu.Lock()
	c.inHandler--
	l.mu.Unlock()
}

// prove records that a request on c signed in: c keeps its slot like any signed-in clerk's.
func (l *limitListener) prove(c *limitConn) {
	l.mu.Lock()
	if c.unprovenAt != nil {
		l.unproven.Remove(c.unprovenAt)
		c.unprovenAt = nil
	}
	l.mu.Unlock()
}

// trackConns brackets every request with enter and leave on its connection's slot.
func trackConns(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lc := connOf(r); lc != nil {
			lc.l.enter(lc)
			defer lc.l.leave(lc)
		}
		h.ServeHTTP(w, r)
	})
}

type connCtxKey struct{}

// connContext is the http.Server.ConnContext of HTTPServer: it lets handlers find their
// connection's slot.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if lc := asLimitConn(c); lc != nil {
		return context.WithValue(ctx, connCtxKey{}, lc)
	}
	return ctx
}

// connOf returns the limited connection r arrived on, or nil.
func connOf(r *http.Request) *limitConn {
	lc, _ := r.Context().Value(connCtxKey{}).(*limitConn)
	return lc
}

// Write answers net/http's own error responses as problem+json (see rewriteNetHTTPError); under
// TLS the bytes here are encrypted and pass unchanged (TLSListener rewrites above TLS).
func (c *limitConn) Write(b []byte) (int, error) { return problemConn{c.Conn}.Write(b) }

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
