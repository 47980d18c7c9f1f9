package server

// Throttling of failed sign-ins per client address (issue #16 item 3). Every answer 401 of an
// authenticated route — a missing, malformed, unknown or expired token, from any kind of token
// check — takes one unit from the client address's bucket; an address whose bucket is empty gets
// 429 with Retry-After before its token is even looked at, so guessing tokens costs time. A
// successful sign-in takes nothing. The address is logged with each failure (never the token);
// failures and throttled requests are counted in /metrics.

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Defaults of Config.AuthFailBurst and Config.AuthFailPerMinute.
const (
	DefaultAuthFailBurst     = 20
	DefaultAuthFailPerMinute = 30
	// authFailMaxAddrs bounds the addresses remembered; beyond it, those whose bucket has
	// refilled are forgotten first, and if none has, new addresses share one bucket.
	authFailMaxAddrs = 100_000
)

// authFailures is a token bucket of allowed sign-in failures per client address.
type authFailures struct {
	mu      sync.Mutex
	rate    float64 // failures per second that refill
	burst   float64
	now     func() time.Time
	buckets map[string]*failBucket
	sweep   time.Time
}

type failBucket struct {
	tokens    float64
	last      time.Time
	throttled uint64    // requests refused since lastLog
	lastLog   time.Time // when a throttled request of this address was last logged
}

func newAuthFailures(perMinute, burst int, now func() time.Time) *authFailures {
	return &authFailures{rate: float64(perMinute) / 60, burst: float64(burst), now: now, buckets: map[string]*failBucket{}}
}

// refillLocked brings b up to now.
func (a *authFailures) refillLocked(b *failBucket, now time.Time) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(a.burst, b.tokens+el*a.rate)
		b.last = now
	}
}

// blocked reports whether addr has no failure left, and if so how long until it has one. It also
// reports, once a minute per address, how many requests were refused since the last report
// (logN > 0), so that a flood costs a few log lines, not one per request.
func (a *authFailures) blocked(addr string) (wait time.Duration, logN uint64, blocked bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.buckets[addr]
	if !ok {
		return 0, 0, false
	}
	now := a.now()
	a.refillLocked(b, now)
	if b.tokens >= 1 {
		return 0, 0, false
	}
	b.throttled++
	if now.Sub(b.lastLog) >= time.Minute {
		logN, b.throttled, b.lastLog = b.throttled, 0, now
	}
	return time.Duration((1 - b.tokens) / a.rate * float64(time.Second)), logN, true
}

// fail takes one failure from addr's bucket.
func (a *authFailures) fail(addr string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	b, ok := a.buckets[addr]
	if !ok {
		if len(a.buckets) >= authFailMaxAddrs || now.Sub(a.sweep) > time.Minute {
			a.sweepLocked(now)
		}
		if len(a.buckets) >= authFailMaxAddrs {
			addr = "overflow"
			b = a.buckets[addr]
		}
		if b == nil {
			b = &failBucket{tokens: a.burst, last: now}
			a.buckets[addr] = b
		}
	}
	a.refillLocked(b, now)
	b.tokens = max(b.tokens-1, 0)
}

// sweepLocked forgets addresses whose bucket has refilled.
func (a *authFailures) sweepLocked(now time.Time) {
	for k, b := range a.buckets {
		a.refillLocked(b, now)
		if b.tokens >= a.burst {
			delete(a.buckets, k)
		}
	}
	a.sweep = now
}

// clientAddr is the address a request is attributed to: the peer's IP address (an IPv6 address
// by its /64, which one host usually holds whole), or — when the peer is one of
// Config.TrustedProxies — the last address in X-Forwarded-For that is not a trusted proxy.
func (s *Server) clientAddr(r *http.Request) string {
	ip := peerIP(r.RemoteAddr)
	if ip.IsValid() && s.trustedProxy(ip) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			h = h.Unmap()
			ip = h
			if !s.trustedProxy(h) {
				break
			}
		}
	}
	return addrKey(ip, r.RemoteAddr)
}

func (s *Server) trustedProxy(ip netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// peerIP parses the IP address of a RemoteAddr ("host:port"); invalid if it is none.
func peerIP(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// addrKey is the key of ip for per-address limits: an IPv4 address itself, an IPv6 address by
// its /64; fallback when ip is invalid.
func addrKey(ip netip.Addr, fallback string) string {
	if !ip.IsValid() {
		return fallback
	}
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}
