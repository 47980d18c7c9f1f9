package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

// afClock is a clock the test moves by hand.
type afClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *afClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *afClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func afFrom(ip string) *http.Client    { return &http.Client{Transport: afTransport(ip)} }
func afTransport(ip string) *http.Transport {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Transport{DialContext: d.DialContext}
}

func afGet(t *testing.T, c *http.Client, url, token string, hdr map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), "GET", url+api.BasePath+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestFailedSignInsThrottledPerAddress repeats the token-guessing attack: many random tokens
// from one address. Only the first burst is looked at (401); the rest answer 429 with
// Retry-After; the log names the address and never a token, with a bounded number of lines;
// /metrics counts both. A clerk at another address is not affected, and the attacker's address
// regains tries as time passes.
func TestFailedSignInsThrottledPerAddress(t *testing.T) {
	clock := &afClock{t: time.Now()}
	var logs syncBuf
	env := servertest.Start(t, servertest.WithCases(4), servertest.WithNow(clock.now),
		servertest.WithConfig(func(c *server.Config) {
			c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			c.AuthFailBurst = 10
			c.AuthFailPerMinute = 30
		}))
	attacker := afFrom("127.0.0.1")
	const tries = 300
	var tokens []string
	codes := map[int]int{}
	for range tries {
		b := make([]byte, 16)
		rand.Read(b)
		tok := "amt_" + hex.EncodeToString(b)
		tokens = append(tokens, tok)
		resp := afGet(t, attacker, env.URL, tok, nil)
		codes[resp.StatusCode]++
		if resp.StatusCode == http.StatusTooManyRequests {
			ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err != nil || ra < 1 || ra > 3 {
				t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
			}
			if ct := resp.Header.Get("Content-Type"); ct != api.ContentTypeProblem {
				t.Fatalf("429 as %q", ct)
			}
		}
	}
	if codes[http.StatusUnauthorized] != 10 || codes[http.StatusTooManyRequests] != tries-10 {
		t.Fatalf("answers %v, want 10×401 and the rest 429", codes)
	}

	// A clerk signing in from another address is not throttled.
	clerk := env.Data.Clerks[0].ID
	if resp := afGet(t, afFrom("127.0.0.2"), env.URL, env.Token(clerk), nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("clerk at another address: %d", resp.StatusCode)
	}
	// Even a valid token is refused from the throttled address until it has regained a try.
	if resp := afGet(t, attacker, env.URL, env.Token(clerk), nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("valid token from the throttled address: %d", resp.StatusCode)
	}
	clock.add(2 * time.Second) // 30 a minute: one more try
	if resp := afGet(t, attacker, env.URL, env.Token(clerk), nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("after waiting: %d", resp.StatusCode)
	}

	out := logs.String()
	if n := strings.Count(out, `msg="sign-in failed"`); n != 10 {
		t.Fatalf("%d sign-in failure lines, want 10", n)
	}
	if !strings.Contains(out, `msg="sign-in failed" addr=127.0.0.1`) || !strings.Contains(out, "sign-ins throttled") {
		t.Fatalf("log lacks the address or the throttling:\n%s", out)
	}
	if n := strings.Count(out, "sign-ins throttled"); n > 2 {
		t.Fatalf("%d throttling lines for one address within a minute", n)
	}
	for _, tok := range tokens {
		if strings.Contains(out, tok) || strings.Contains(out, tok[4:]) {
			t.Fatal("the log contains a token")
		}
	}
	resp, err := http.Get(env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"amt_auth_failures_total 10\n", "amt_auth_throttled_total " + strconv.Itoa(tries-10+1) + "\n"} {
		if !strings.Contains(string(body), want) {
			t.Fatalf("metrics lack %q:\n%s", want, body)
		}
	}
}

// TestFailedSignInsBehindProxy: behind a trusted reverse proxy the client address comes from
// X-Forwarded-For, so one attacker does not lock out every clerk behind the same proxy; from an
// untrusted peer the header is ignored (an attacker cannot pick a fresh address per request).
func TestFailedSignInsBehindProxy(t *testing.T) {
	env := servertest.Start(t, servertest.WithCases(4), servertest.WithConfig(func(c *server.Config) {
		c.AuthFailBurst = 3
		c.AuthFailPerMinute = 30
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	}))
	proxy := afFrom("127.0.0.1")
	for i := range 5 {
		resp := afGet(t, proxy, env.URL, "amt_wrong", map[string]string{"X-Forwarded-For": "198.51.100.7"})
		if want := map[bool]int{true: 401, false: 429}[i < 3]; resp.StatusCode != want {
			t.Fatalf("try %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
	clerk := env.Data.Clerks[0].ID
	resp := afGet(t, proxy, env.URL, env.Token(clerk), map[string]string{"X-Forwarded-For": "198.51.100.8, 127.0.0.1"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("another client behind the proxy: %d", resp.StatusCode)
	}
	untrusted := afFrom("127.0.0.3")
	for i := range 5 {
		resp := afGet(t, untrusted, env.URL, "amt_wrong", map[string]string{"X-Forwarded-For": "203.0.113." + strconv.Itoa(i)})
		if want := map[bool]int{true: 401, false: 429}[i < 3]; resp.StatusCode != want {
			t.Fatalf("untrusted try %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
}
