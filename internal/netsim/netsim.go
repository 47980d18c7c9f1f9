// Package netsim owns a traffic-shaping TCP proxy for benchmarks and tests: it forwards loopback
// connections to a target while adding one-way latency and a bandwidth limit per direction, and
// counts the bytes (and, optionally, the HTTP/1.x requests) that cross it.
package netsim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Link shapes one direction of the simulated line.
type Link struct {
	// Latency is the one-way delay added to every byte.
	Latency time.Duration
	// Bandwidth is the line rate in bytes per second, shared by all connections through the
	// proxy in this direction; 0 means unlimited.
	Bandwidth int64
}

// Config describes a proxy.
type Config struct {
	// Target is the upstream address ("host:port") every accepted connection is forwarded to.
	Target string
	// Listen is the address to listen on; "" means "127.0.0.1:0".
	Listen string
	// Up shapes client → target, Down shapes target → client.
	Up, Down Link
	// HTTP makes the proxy parse the client → target stream as HTTP/1.x and count requests.
	HTTP bool
	// NoHandshake skips the extra round trip a new connection pays before its first byte is
	// forwarded (the simulated TCP handshake).
	NoHandshake bool
}

// Stats are the proxy's counters. Bytes are TCP payload bytes (HTTP headers and bodies as sent),
// counted when delivered to the other side; TCP/IP framing is not included.
type Stats struct {
	Conns     int64 // connections accepted
	BytesUp   int64 // client → target
	BytesDown int64 // target → client
	Requests  int64 // HTTP requests seen (Config.HTTP only)
}

// Total is BytesUp + BytesDown.
func (s Stats) Total() int64 { return s.BytesUp + s.BytesDown }

// String formats the counters for logs.
func (s Stats) String() string {
	return fmt.Sprintf("conns=%d up=%dB down=%dB requests=%d", s.Conns, s.BytesUp, s.BytesDown, s.Requests)
}

// Proxy is a running traffic-shaping proxy. It is safe for concurrent use.
type Proxy struct {
	cfg  Config
	ln   net.Listener
	up   *direction
	down *direction

	conns     atomic.Int64
	bytesUp   atomic.Int64
	bytesDown atomic.Int64
	requests  atomic.Int64

	mu     sync.Mutex
	active map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// direction is the shared state of one direction of the line: the moment the line is free again.
type direction struct {
	mu   sync.Mutex
	link Link
	free time.Time
}

func (d *direction) get() Link {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.link
}

// transmit books n bytes on the line that are ready at now and returns when their last byte has
// left the sender (serialisation at the line rate, queued behind earlier bytes of any
// connection) and when it arrives at the other side.
func (d *direction) transmit(now time.Time, n int) (sent, arrives time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	sent = now
	if d.link.Bandwidth > 0 {
		if d.free.After(sent) {
			sent = d.free
		}
		sent = sent.Add(time.Duration(int64(n) * int64(time.Second) / d.link.Bandwidth))
		d.free = sent
	}
	return sent, sent.Add(d.link.Latency)
}

// chunkSize is how many bytes one read may take: at most 10 ms of line time when the bandwidth
// is limited, so that a slow line delivers smoothly rather than in big bursts.
func (d *direction) chunkSize() int {
	const max = 32 << 10
	bw := d.get().Bandwidth
	if bw <= 0 {
		return max
	}
	n := int(bw / 100)
	switch {
	case n < 512:
		return 512
	case n > max:
		return max
	}
	return n
}

// Start listens and serves until Close.
func Start(cfg Config) (*Proxy, error) {
	if cfg.Target == "" {
		return nil, errors.New("netsim: no target")
	}
	if cfg.Up.Latency < 0 || cfg.Down.Latency < 0 || cfg.Up.Bandwidth < 0 || cfg.Down.Bandwidth < 0 {
		return nil, errors.New("netsim: negative latency or bandwidth")
	}
	addr := cfg.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("netsim: %w", err)
	}
	p := &Proxy{
		cfg:    cfg,
		ln:     ln,
		up:     &direction{link: cfg.Up},
		down:   &direction{link: cfg.Down},
		active: map[net.Conn]struct{}{},
	}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is the proxy's listening address ("127.0.0.1:port").
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is "http://" + Addr(), for HTTP clients.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// Stats returns the current counters.
func (p *Proxy) Stats() Stats {
	return Stats{
		Conns:     p.conns.Load(),
		BytesUp:   p.bytesUp.Load(),
		BytesDown: p.bytesDown.Load(),
		Requests:  p.requests.Load(),
	}
}

// Reset sets the counters to zero and returns what they were.
func (p *Proxy) Reset() Stats {
	return Stats{
		Conns:     p.conns.Swap(0),
		BytesUp:   p.bytesUp.Swap(0),
		BytesDown: p.bytesDown.Swap(0),
		Requests:  p.requests.Swap(0),
	}
}

// SetLinks changes the shaping of both directions for bytes read from now on.
func (p *Proxy) SetLinks(up, down Link) {
	p.up.mu.Lock()
	p.up.link = up
	p.up.mu.Unlock()
	p.down.mu.Lock()
	p.down.link = down
	p.down.mu.Unlock()
}

// CloseConnections drops every open connection (both sides), like a line that went away.
func (p *Proxy) CloseConnections() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.active {
		_ = c.Close()
	}
}

// Close stops listening, drops every open connection and waits for the proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	err := p.ln.Close()
	for c := range p.active {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range cs {
			_ = c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.active[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		_ = c.Close()
		delete(p.active, c)
	}
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return
		}
		p.conns.Add(1)
		p.wg.Add(1)
		go p.handle(c)
	}
}

func (p *Proxy) handle(client net.Conn) {
	defer p.wg.Done()
	start := time.Now()
	server, err := net.DialTimeout("tcp", p.cfg.Target, 10*time.Second)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(client, server) {
		return
	}
	defer p.untrack(client, server)

	// A new connection pays one round trip (SYN, SYN-ACK) before its first byte can travel, so
	// that byte arrives a round trip plus the up latency after the client connected.
	var notBefore time.Time
	if !p.cfg.NoHandshake {
		upLat := p.up.get().Latency
		notBefore = start.Add(2*upLat + p.down.get().Latency)
	}
	var tap func([]byte)
	if p.cfg.HTTP {
		counter := newRequestCounter(&p.requests)
		defer counter.close()
		tap = counter.feed
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		p.shuttle(server, client, p.up, &p.bytesUp, notBefore, tap)
	}()
	go func() {
		defer wg.Done()
		p.shuttle(client, server, p.down, &p.bytesDown, time.Time{}, nil)
	}()
	wg.Wait()
}

// chunk is a piece of the byte stream in flight; data == nil marks the end of the stream.
type chunk struct {
	data    []byte
	arrives time.Time
}

// shuttle copies src to dst through the simulated line d. A reader books each piece on the line
// and waits until it has been sent (so the line rate throttles the sender); a writer delivers
// each piece once its latency has passed, so many pieces can be in flight at once.
func (p *Proxy) shuttle(dst, src net.Conn, d *direction, counter *atomic.Int64, notBefore time.Time, tap func([]byte)) {
	inflight := make(chan chunk, 4096)
	done := make(chan struct{})
	go func() {
		defer close(done)
		broken := false
		for c := range inflight {
			if broken {
				continue
			}
			if wait := time.Until(c.arrives); wait > 0 {
				time.Sleep(wait)
			}
			if c.data == nil {
				closeWrite(dst)
				continue
			}
			n, err := dst.Write(c.data)
			counter.Add(int64(n))
			if err != nil {
				broken = true
				// Stop the reader too: the peer is gone.
				_ = src.Close()
			}
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf[:d.chunkSize()])
		if n > 0 {
			data := make([]byte, n)
			copy(data, buf[:n])
			if tap != nil {
				tap(data)
			}
			sent, arrives := d.transmit(time.Now(), n)
			if arrives.Before(notBefore) {
				arrives = notBefore
			}
			inflight <- chunk{data: data, arrives: arrives}
			if wait := time.Until(sent); wait > 0 {
				time.Sleep(wait)
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				// Deliver the half-close after the bytes before it.
				_, arrives := d.transmit(time.Now(), 0)
				inflight <- chunk{arrives: arrives}
			} else {
				_ = dst.Close()
			}
			break
		}
	}
	close(inflight)
	<-done
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	_ = c.Close()
}

// requestCounter parses a copy of a client → server byte stream as HTTP/1.x and counts the
// requests in it. feed returns only once the parser has taken in everything it was given, so a
// request is counted before its bytes are forwarded. If the stream is not HTTP, counting stops.
type requestCounter struct {
	in   chan []byte
	want chan struct{} // the parser has used up its input and asks for more
	dead chan struct{} // the parser has stopped
	cur  []byte
}

func newRequestCounter(n *atomic.Int64) *requestCounter {
	rc := &requestCounter{in: make(chan []byte), want: make(chan struct{}), dead: make(chan struct{})}
	go func() {
		defer close(rc.dead)
		br := bufio.NewReader(rc)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			n.Add(1)
			_, err = io.Copy(io.Discard, req.Body)
			_ = req.Body.Close()
			if err != nil {
				return
			}
		}
	}()
	rc.wait()
	return rc
}

// Read is the parser's side: it hands out what feed gave it and asks for more when it is empty.
func (rc *requestCounter) Read(p []byte) (int, error) {
	if len(rc.cur) == 0 {
		rc.want <- struct{}{}
		b, ok := <-rc.in
		if !ok {
			return 0, io.EOF
		}
		rc.cur = b
	}
	n := copy(p, rc.cur)
	rc.cur = rc.cur[n:]
	return n, nil
}

func (rc *requestCounter) wait() {
	select {
	case <-rc.want:
	case <-rc.dead:
	}
}

func (rc *requestCounter) feed(b []byte) {
	select {
	case rc.in <- b:
		rc.wait()
	case <-rc.dead:
	}
}

func (rc *requestCounter) close() {
	select {
	case <-rc.dead:
	default:
		close(rc.in)
		<-rc.dead
	}
}
