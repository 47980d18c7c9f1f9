package netsim

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// echoServer answers every connection by echoing what it reads until EOF, then closing.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func start(t *testing.T, cfg Config) *Proxy {
	t.Helper()
	p, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// roundTrip sends payload through the proxy, half-closes, and reads the whole echo.
func roundTrip(t *testing.T, addr string, payload []byte) ([]byte, time.Duration) {
	t.Helper()
	// The clock starts before Dial: the proxy counts its simulated handshake from the moment
	// it accepts, which can come before Dial returns here.
	begin := time.Now()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(payload)
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		errc <- err
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return got, time.Since(begin)
}

func TestForwardAndCount(t *testing.T) {
	tests := []struct {
		name string
		size int
		cfg  Config
	}{
		{"unshaped small", 5, Config{NoHandshake: true}},
		{"unshaped 1MiB", 1 << 20, Config{NoHandshake: true}},
		{"latency 1MiB", 1 << 20, Config{Up: Link{Latency: 5 * time.Millisecond}, Down: Link{Latency: 5 * time.Millisecond}}},
		{"bandwidth", 100 << 10, Config{Up: Link{Bandwidth: 8 << 20}, Down: Link{Bandwidth: 8 << 20}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Target = echoServer(t)
			p := start(t, cfg)
			payload := bytes.Repeat([]byte("0123456789abcdef"), tt.size/16+1)[:tt.size]
			got, _ := roundTrip(t, p.Addr(), payload)
			if !bytes.Equal(got, payload) {
				t.Fatalf("echo differs: got %d bytes, want %d", len(got), len(payload))
			}
			st := p.Stats()
			want := Stats{Conns: 1, BytesUp: int64(tt.size), BytesDown: int64(tt.size)}
			if st != want {
				t.Fatalf("stats = %v, want %v", st, want)
			}
			if st.Total() != 2*int64(tt.size) {
				t.Fatalf("total = %d", st.Total())
			}
			if old := p.Reset(); old != want {
				t.Fatalf("reset returned %v", old)
			}
			if st := p.Stats(); st != (Stats{}) {
				t.Fatalf("after reset: %v", st)
			}
		})
	}
}

func TestLatencyAddsUpPerDirection(t *testing.T) {
	tests := []struct {
		name      string
		up, down  time.Duration
		handshake bool
		want      time.Duration
	}{
		{"symmetric", 30 * time.Millisecond, 30 * time.Millisecond, false, 60 * time.Millisecond},
		{"asymmetric", 10 * time.Millisecond, 50 * time.Millisecond, false, 60 * time.Millisecond},
		{"with handshake", 20 * time.Millisecond, 20 * time.Millisecond, true, 80 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, Config{Target: echoServer(t), Up: Link{Latency: tt.up}, Down: Link{Latency: tt.down}, NoHandshake: !tt.handshake})
			_, took := roundTrip(t, p.Addr(), []byte("ping"))
			if took < tt.want {
				t.Fatalf("round trip took %v, want at least %v", took, tt.want)
			}
			if took > tt.want+2*time.Second {
				t.Fatalf("round trip took %v, far more than %v", took, tt.want)
			}
		})
	}
}

// Latency must pipeline: many pieces in flight at once, not one round trip per piece.
func TestLatencyPipelines(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// The server writes 20 pieces with pauses, so each becomes its own chunk in the proxy.
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		for i := range 20 {
			_, _ = fmt.Fprintf(c, "piece %02d\n", i)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	p := start(t, Config{Target: ln.Addr().String(), Down: Link{Latency: 100 * time.Millisecond}, NoHandshake: true})
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	begin := time.Now()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(begin)
	if strings.Count(string(got), "piece") != 20 {
		t.Fatalf("got %q", got)
	}
	if took < 100*time.Millisecond || took > 1500*time.Millisecond {
		t.Fatalf("took %v; want about 100ms + 40ms of sending, not 20 × 100ms", took)
	}
}

func TestBandwidthLimits(t *testing.T) {
	const rate = 256 << 10 // bytes per second
	const size = 64 << 10  // a quarter of a second each way
	p := start(t, Config{Target: echoServer(t), Up: Link{Bandwidth: rate}, Down: Link{Bandwidth: rate}, NoHandshake: true})
	payload := bytes.Repeat([]byte{'x'}, size)
	got, took := roundTrip(t, p.Addr(), payload)
	if len(got) != size {
		t.Fatalf("got %d bytes", len(got))
	}
	// Up and down overlap (the echo starts as soon as the first piece arrives), so the total is
	// a little over one transfer time.
	min := time.Duration(size) * time.Second / rate
	if took < min-20*time.Millisecond {
		t.Fatalf("64 KiB at 256 KiB/s took %v, want at least %v", took, min)
	}
	if took > 5*min {
		t.Fatalf("took %v, far more than %v", took, min)
	}
}

// The line rate is shared by all connections in one direction.
func TestBandwidthShared(t *testing.T) {
	const rate = 512 << 10
	const size = 64 << 10
	p := start(t, Config{Target: echoServer(t), Up: Link{Bandwidth: rate}, NoHandshake: true})
	payload := bytes.Repeat([]byte{'y'}, size)
	begin := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, _ := roundTrip(t, p.Addr(), payload)
			if len(got) != size {
				t.Errorf("got %d bytes", len(got))
			}
		})
	}
	wg.Wait()
	took := time.Since(begin)
	min := time.Duration(4*size) * time.Second / rate // 0.5 s
	if took < min-20*time.Millisecond {
		t.Fatalf("4 × 64 KiB over a shared 512 KiB/s took %v, want at least %v", took, min)
	}
	if st := p.Stats(); st.BytesUp != 4*size || st.BytesDown != 4*size || st.Conns != 4 {
		t.Fatalf("stats %v", st)
	}
}

func TestHTTPRequestCounting(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = fmt.Fprintf(w, "%s %d", r.Method, len(b))
	}))
	defer srv.Close()
	p := start(t, Config{Target: strings.TrimPrefix(srv.URL, "http://"), HTTP: true, NoHandshake: true})
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}

	bodies := []struct {
		method string
		body   io.Reader
		want   string
	}{
		{"GET", nil, "GET 0"},
		{"PUT", strings.NewReader(`{"text":"Unterlagen angefordert"}`), "PUT 33"},
		// No length: sent chunked.
		{"POST", io.MultiReader(strings.NewReader("a"), strings.NewReader(strings.Repeat("b", 70000))), "POST 70001"},
		{"GET", nil, "GET 0"},
	}
	for i, b := range bodies {
		req, err := http.NewRequest(b.method, p.URL()+"/x", b.body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if string(got) != b.want {
			t.Fatalf("%d: got %q want %q", i, got, b.want)
		}
		if st := p.Stats(); st.Requests != int64(i+1) {
			t.Fatalf("after request %d: %v", i+1, st)
		}
	}
	if st := p.Stats(); st.Conns != 1 {
		t.Fatalf("keep-alive expected one connection: %v", st)
	}
}

func TestNotHTTPStillForwards(t *testing.T) {
	p := start(t, Config{Target: echoServer(t), HTTP: true, NoHandshake: true})
	got, _ := roundTrip(t, p.Addr(), []byte("\x00\x01 not http at all\r\n\r\n"))
	if string(got) != "\x00\x01 not http at all\r\n\r\n" {
		t.Fatalf("got %q", got)
	}
	if st := p.Stats(); st.Requests != 0 {
		t.Fatalf("stats %v", st)
	}
}

func TestCloseDropsConnections(t *testing.T) {
	p, err := Start(Config{Target: echoServer(t), NoHandshake: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(buf); err == nil {
		t.Fatal("read after Close succeeded")
	}
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Fatal("dial after Close succeeded")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Target: "127.0.0.1:1", Up: Link{Latency: -1}},
		{Target: "127.0.0.1:1", Down: Link{Bandwidth: -1}},
		{Target: "127.0.0.1:1", Listen: "256.0.0.1:0"},
	} {
		if p, err := Start(cfg); err == nil {
			_ = p.Close()
			t.Errorf("Start(%+v) succeeded", cfg)
		}
	}
}

func TestUnreachableTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	p := start(t, Config{Target: addr, NoHandshake: true})
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read from a connection to nowhere succeeded")
	}
}
