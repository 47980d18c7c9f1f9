package server

import (
	"net"
	"sync"
)

// Listener wraps ln so that at most Config.MaxConns accepted connections are open at once: when
// the limit is reached, Accept waits for one of them to close before it takes the next from the
// kernel's backlog. A flood of idle connections so cannot exhaust the process's file
// descriptors; the server's timeouts (ReadHeaderTimeout, IdleTimeout) free the slots of clients
// that say nothing. The open connections are reported in /metrics. Serve the returned listener
// (with TLS, wrap it; the limit counts TCP connections).
func (s *Server) Listener(ln net.Listener) net.Listener {
	s.metrics.connMax.Store(int64(max(s.cfg.MaxConns, 0)))
	if s.cfg.MaxConns < 0 {
		return &limitListener{Listener: ln, m: s.metrics, done: make(chan struct{})}
	}
	return &limitListener{Listener: ln, m: s.metrics, sem: make(chan struct{}, s.cfg.MaxConns), done: make(chan struct{})}
}

// limitListener counts and, with a semaphore (sem; nil = no limit), limits open connections.
type limitListener struct {
	net.Listener
	m         *metrics
	sem       chan struct{}
	done      chan struct{} // closed by Close: a waiting Accept returns
	closeOnce sync.Once
	waiting   func() // test hook: called when Accept starts to wait for a free slot
}

func (l *limitListener) Accept() (net.Conn, error) {
	if l.sem != nil {
		select {
		case l.sem <- struct{}{}:
		default:
			l.m.connWaits.Add(1)
			if l.waiting != nil {
				l.waiting()
			}
			select {
			case l.sem <- struct{}{}:
			case <-l.done:
				return nil, net.ErrClosed
			}
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		l.release()
		return nil, err
	}
	l.m.connOpen.Add(1)
	return &limitConn{Conn: c, l: l}, nil
}

func (l *limitListener) release() {
	if l.sem != nil {
		<-l.sem
	}
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
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.m.connOpen.Add(-1)
		c.l.release()
	})
	return err
}
