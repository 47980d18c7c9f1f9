package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// TestSlowConnectionsDoNotStarveClerks repeats the slow-header attack (issue #16 item 4):
// thousands of connections that send half a header and then nothing, from many loopback
// addresses and a flood from one. The header timeout is set to an hour so that only the
// listener's policy can help. While they are all held, the number of open connections stays at
// most MaxConns, no address holds more than MaxConnsPerAddr, and a clerk — on a kept-alive
// signed-in connection and on a new one — is answered within a second.
func TestSlowConnectionsDoNotStarveClerks(t *testing.T) {
	if testing.Short() {
		t.Skip("holds thousands of connections")
	}
	const (
		maxConns = 400
		perAddr  = 40
		addrs    = 60 // × perAddr slow connections each
		flood    = 600
	)
	s, err := New(Config{DataDir: t.TempDir(), MaxConns: maxConns, MaxConnsPerAddr: perAddr, PruneInterval: -1, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateAmt("amt-a", "Amt A"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClerk("amt-a", "clerk-a", "Clerk A", api.RoleClerk); err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateToken("amt-a", "clerk-a", api.RoleClerk)
	if err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counted := &countingListener{Listener: inner}
	ln := s.Listener(counted).(*limitListener)
	hs := s.HTTPServer(nil)
	hs.ReadHeaderTimeout = time.Hour
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()

	clerkGet := func(tr *http.Transport) (time.Duration, error) {
		c := &http.Client{Transport: tr, Timeout: 20 * time.Second} // a stop for a broken implementation
		req, _ := http.NewRequestWithContext(context.Background(), "GET", "http://"+addr+api.BasePath+"/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, &net.AddrError{Err: resp.Status}
		}
		return time.Since(start), nil
	}
	kept := &http.Transport{}
	t.Cleanup(kept.CloseIdleConnections)
	if _, err := clerkGet(kept); err != nil {
		t.Fatal(err)
	}

	// The attack: half-sent headers, held open.
	var mu sync.Mutex
	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range held {
			c.Close()
		}
	})
	slow := func(src string) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			return
		}
		io.WriteString(c, "GET "+api.BasePath+"/me HTTP/1.1\r\nHost: amt\r\nX-Slow: ")
		mu.Lock()
		held = append(held, c)
		mu.Unlock()
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for src := range jobs {
				slow(src)
			}
		}()
	}
	for i := range addrs * perAddr {
		jobs <- "127.0.1." + strconv.Itoa(10+i%addrs)
	}
	for range flood {
		jobs <- "127.0.2.1"
	}
	close(jobs)
	wg.Wait()
	if len(held) < 2000 {
		t.Fatalf("only %d slow connections could be opened", len(held))
	}
	// A dial completes in the kernel's queue; wait until the server has taken every one.
	for deadline := time.Now().Add(hangAfter); counted.n.Load() < int32(len(held))+1; {
		if time.Now().After(deadline) {
			t.Fatalf("the server took %d of %d connections", counted.n.Load(), len(held)+1)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Bounded in count: at most maxConns open (and one waiting for a slot), none per address above
	// perAddr, and the flood from one address refused beyond it (its connections closed for
	// others free its count again, so not all of the excess is refused).
	if n := s.metrics.connOpen.Load(); n > maxConns+1 {
		t.Fatalf("%d connections open, limit %d", n, maxConns)
	}
	ln.mu.Lock()
	for a, n := range ln.perAddr {
		if n > perAddr {
			t.Errorf("address %s holds %d connections, limit %d", a, n, perAddr)
		}
	}
	ln.mu.Unlock()
	if s.metrics.connRefusedPerAddr.Load() == 0 {
		t.Fatal("the flood from one address was never refused")
	}
	if s.metrics.connUnprovenClosed.Load() == 0 {
		t.Fatal("no slow connection was closed for another")
	}

	// A clerk is answered within a second, on the signed-in connection and on a new one. A
	// loaded machine gets three tries before the test calls it slow.
	for _, tc := range []struct {
		name string
		tr   func() *http.Transport
	}{
		{"kept-alive connection", func() *http.Transport { return kept }},
		{"new connection", func() *http.Transport { return &http.Transport{DisableKeepAlives: true} }},
	} {
		var took []time.Duration
		for range 3 {
			d, err := clerkGet(tc.tr())
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			took = append(took, d)
			if d < time.Second {
				break
			}
		}
		if last := took[len(took)-1]; last >= time.Second {
			t.Fatalf("%s: the clerk waited %v", tc.name, took)
		}
	}
}
