package syncer

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// fault is what the proxy does to one request.
type fault int

const (
	fNone           fault = iota
	fReset                // TCP reset before the request reaches the server
	fCutAfterCommit       // the server processes the request; the response is cut half-way
	f500Before            // 500 without reaching the server
	f500After             // the server processes the request; the client gets a 500
	f503                  // 503 with Retry-After: 1
	fSlow                 // the response trickles at the proxy's bandwidth
)

// faultProxy is a real HTTP reverse proxy on loopback that injects network and server faults
// between the client and the test server. policy picks the fault of request n (0-based).
type faultProxy struct {
	target    *url.URL
	tr        *http.Transport
	latency   time.Duration // added to every request, ± half of it
	bandwidth int           // bytes/second for fSlow
	policy    func(n int, r *http.Request, rng *rand.Rand) fault

	mu     sync.Mutex
	rng    *rand.Rand
	n      int
	putsBy map[string]int // PUT requests per Idempotency-Key
	faults map[fault]int
	srv    *httptest.Server
}

func newFaultProxy(t *testing.T, target string, seed uint64, policy func(int, *http.Request, *rand.Rand) fault) *faultProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{
		target: u, tr: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
		bandwidth: 20 << 10, policy: policy,
		rng: rand.New(rand.NewPCG(seed, 99)), putsBy: map[string]int{}, faults: map[fault]int{},
	}
	p.srv = httptest.NewServer(p)
	t.Cleanup(func() {
		p.srv.CloseClientConnections()
		p.srv.Close()
		p.tr.CloseIdleConnections()
	})
	return p
}

func (p *faultProxy) URL() string { return p.srv.URL }

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	n := p.n
	p.n++
	f := p.policy(n, r, p.rng)
	p.faults[f]++
	if r.Method == http.MethodPut {
		p.putsBy[r.Header.Get(api.HeaderIdempotencyKey)]++
	}
	var delay time.Duration
	if p.latency > 0 {
		delay = p.latency/2 + time.Duration(p.rng.Int64N(int64(p.latency)))
	}
	p.mu.Unlock()

	switch f {
	case fReset:
		resetConn(w)
		return
	case f503:
		writeProblem(w, http.StatusServiceUnavailable, api.ProblemUnavailable, "1")
		return
	case f500Before:
		writeProblem(w, http.StatusInternalServerError, api.ProblemInternal, "")
		return
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host, out.Host, out.RequestURI = p.target.Scheme, p.target.Host, p.target.Host, ""
	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		writeProblem(w, http.StatusBadGateway, api.ProblemUnavailable, "")
		return
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		writeProblem(w, http.StatusBadGateway, api.ProblemUnavailable, "")
		return
	}
	switch f {
	case f500After:
		writeProblem(w, http.StatusInternalServerError, api.ProblemInternal, "")
		return
	case fCutAfterCommit:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler)
		}
		conn, bw, err := hj.Hijack()
		if err != nil {
			return
		}
		fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", resp.StatusCode,
			http.StatusText(resp.StatusCode), resp.Header.Get("Content-Type"), len(body))
		bw.Write(body[:len(body)/2])
		bw.Flush()
		conn.Close()
		return
	}
	for k, vs := range resp.Header {
		if k == "Connection" || k == "Keep-Alive" || k == "Transfer-Encoding" {
			continue
		}
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	if f != fSlow {
		w.Write(body)
		return
	}
	const chunk = 512
	fl, _ := w.(http.Flusher)
	for len(body) > 0 {
		k := min(chunk, len(body))
		if _, err := w.Write(body[:k]); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		body = body[k:]
		time.Sleep(time.Duration(k) * time.Second / time.Duration(p.bandwidth))
	}
}

func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // RST instead of FIN
	}
	conn.Close()
}

func writeProblem(w http.ResponseWriter, status int, typ, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", api.ContentTypeProblem)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"type":%q,"title":%q,"status":%d}`, typ, http.StatusText(status), status)
}

// isAction reports whether the request is an action PUT.
func isAction(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, api.BasePath+"/cases/")
}
