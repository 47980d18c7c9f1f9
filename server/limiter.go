package server

import (
	"sync"
	"time"
)

// limiter is a token bucket per key (the token hash).
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	now     func() time.Time
	buckets map[string]*tokenBucket
	sweep   time.Time
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*tokenBucket{}}
}

// allow takes one token for key; when none is left it reports how long until one is.
func (l *limiter) allow(key string) (bool, time.Duration) { return l.allowN(key, 1) }

// giveBack returns n tokens taken by allowN.
func (l *limiter) giveBack(key string, n float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		b.tokens = min(l.burst, b.tokens+n)
	}
}

// allowN takes n tokens for key (n above the burst counts as the burst); when fewer are left it
// takes none and reports how long until there are.
func (l *limiter) allowN(key string, n float64) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.sweep) > time.Minute {
		// Forget buckets that have been full for a while.
		for k, b := range l.buckets {
			if now.Sub(b.last) > time.Minute {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &tokenBucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(l.burst, b.tokens+el*l.rate)
		b.last = now
	}
	n = min(n, l.burst)
	if b.tokens >= n {
		b.tokens -= n
		return true, 0
	}
	need := (n - b.tokens) / l.rate
	return false, time.Duration(need * float64(time.Second))
}
