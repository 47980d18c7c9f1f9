package server

// Write quota per token (issue #16 item 1): besides the request rate limit, every action takes
// one unit from its token's action bucket and its body size from its byte bucket. A token that
// has used up either gets 429 write-quota with Retry-After (the amt client retries later, nothing
// is lost); what one token can make the server store is so bounded per hour. The buckets live in
// memory, per server process.

import (
	"fmt"
	"net/http"
	"time"

	"github.com/amt-mv/amt/api"
)

// Defaults of Config.WriteQuotaPerHour and Config.WriteBytesPerHour.
const (
	DefaultWriteQuotaPerHour = 1200
	DefaultWriteBytesPerHour = 16 << 20
)

// writeQuota holds the action and byte buckets of every token.
type writeQuota struct {
	actions *limiter
	bytes   *limiter
}

func newWriteQuota(actionsPerHour int, bytesPerHour int64, now func() time.Time) *writeQuota {
	q := &writeQuota{}
	if actionsPerHour > 0 {
		// A day offline can queue a few hundred actions: half an hour's worth may come at once.
		q.actions = newLimiter(float64(actionsPerHour)/3600, max(100, actionsPerHour/2), now)
	}
	if bytesPerHour > 0 {
		q.bytes = newLimiter(float64(bytesPerHour)/3600, int(max(api.MaxBodyBytes, bytesPerHour/2)), now)
	}
	return q
}

// takeWriteQuota takes one action of n body bytes from p's quota, or answers 429 write-quota
// with Retry-After.
func (s *Server) takeWriteQuota(w http.ResponseWriter, p *principal, n int) *apiError {
	if s.quota == nil {
		return nil
	}
	var wait time.Duration
	if s.quota.actions != nil {
		if ok, d := s.quota.actions.allowN(p.key, 1); !ok {
			wait = d
		}
	}
	if wait == 0 && s.quota.bytes != nil {
		if ok, d := s.quota.bytes.allowN(p.key, float64(n)); !ok {
			if s.quota.actions != nil {
				s.quota.actions.giveBack(p.key, 1)
			}
			wait = d
		}
	}
	if wait == 0 {
		return nil
	}
	s.metrics.writeQuota.Add(1)
	w.Header().Set("Retry-After", fmt.Sprint(max(1, int((wait+time.Second-1)/time.Second))))
	return problem(http.StatusTooManyRequests, api.ProblemWriteQuota, "Write quota used up",
		"this token has written too much in the last hour; the action is kept and can be sent again after Retry-After seconds")
}
