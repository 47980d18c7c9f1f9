package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amt-mv/amt/api"
)

// metrics counts requests by route pattern and status and keeps a latency histogram per route.
// It holds no personal data: routes are patterns, never paths.
type metrics struct {
	mu       sync.Mutex
	requests map[reqKey]uint64
	latency  map[string]*histogram

	connOpen       atomic.Int64  // connections open on a Listener
	connIdle       atomic.Int64  // of them idle between requests (reported through ConnState)
	connMax        atomic.Int64  // its limit; 0 = none (or no Listener)
	connIdleClosed atomic.Uint64 // idle connections closed to give a new one a slot
	connWaits      atomic.Uint64 // connections that found no slot and no idle one to close
	// connUnprovenClosed counts connections without a signed-in request closed for a new one.
	connUnprovenClosed atomic.Uint64
	connRefusedPerAddr atomic.Uint64 // connections closed at once: their address had MaxConnsPerAddr
	idemPruned         atomic.Uint64 // idempotency records aged by PruneIdempotency
	pruneSkipped       atomic.Uint64 // background pruning passes skipped on a clock that jumped
	authFailures       atomic.Uint64 // failed sign-ins (answers 401)
	writeQuota         atomic.Uint64 // actions refused because their token's write quota was used up
	authThrottled      atomic.Uint64 // requests refused (429) because their address failed too often
	longPolls          atomic.Int64  // GET /changes requests waiting for a change (long-polls)
}

type reqKey struct {
	method, route string
	code          int
}

var latencyBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[reqKey]uint64{}, latency: map[string]*histogram{}}
}

func (m *metrics) observe(method, route string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch, http.MethodOptions:
	default:
		method = "OTHER" // bound the label set: clients choose the method
	}
	m.requests[reqKey{method, route, code}]++
	h, ok := m.latency[route]
	if !ok {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.latency[route] = h
	}
	sec := d.Seconds()
	for i, b := range latencyBuckets {
		if sec <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.n++
}

func promLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	m := s.metrics
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b reqKey) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		if c := strings.Compare(a.method, b.method); c != 0 {
			return c
		}
		return a.code - b.code
	})
	b.WriteString("# HELP amt_http_requests_total HTTP requests by route pattern and status.\n# TYPE amt_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "amt_http_requests_total{method=\"%s\",route=\"%s\",code=\"%d\"} %d\n",
			promLabel(k.method), promLabel(k.route), k.code, m.requests[k])
	}
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	b.WriteString("# HELP amt_http_request_duration_seconds HTTP request latency by route pattern.\n# TYPE amt_http_request_duration_seconds histogram\n")
	for _, rt := range routes {
		h := m.latency[rt]
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "amt_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %d\n", promLabel(rt), le, cum)
		}
		fmt.Fprintf(&b, "amt_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %d\n", promLabel(rt), h.n)
		fmt.Fprintf(&b, "amt_http_request_duration_seconds_sum{route=\"%s\"} %g\n", promLabel(rt), h.sum)
		fmt.Fprintf(&b, "amt_http_request_duration_seconds_count{route=\"%s\"} %d\n", promLabel(rt), h.n)
	}
	m.mu.Unlock()

	counts, _ := s.store.StatusCounts(r.Context())
	b.WriteString("# HELP amt_cases Cases by status.\n# TYPE amt_cases gauge\n")
	for _, st := range api.Statuses {
		fmt.Fprintf(&b, "amt_cases{status=\"%s\"} %d\n", st, counts[st])
	}
	fmt.Fprintf(&b, "# HELP amt_http_connections Open client connections.\n# TYPE amt_http_connections gauge\namt_http_connections %d\n",
		m.connOpen.Load())
	if n := m.connMax.Load(); n > 0 {
		fmt.Fprintf(&b, "# HELP amt_http_connections_max The limit of open client connections (max_conns).\n# TYPE amt_http_connections_max gauge\namt_http_connections_max %d\n", n)
	}
	fmt.Fprintf(&b, "# HELP amt_changes_waiting Long-polls of the change feed waiting for a change.\n# TYPE amt_changes_waiting gauge\namt_changes_waiting %d\n",
		m.longPolls.Load())
	fmt.Fprintf(&b, "# HELP amt_http_connections_idle Open client connections idle between requests.\n# TYPE amt_http_connections_idle gauge\namt_http_connections_idle %d\n",
		m.connIdle.Load())
	fmt.Fprintf(&b, "# HELP amt_http_idle_connections_closed_total Idle keep-alive connections closed to give a new connection a slot at max_conns.\n# TYPE amt_http_idle_connections_closed_total counter\namt_http_idle_connections_closed_total %d\n",
		m.connIdleClosed.Load())
	fmt.Fprintf(&b, "# HELP amt_http_connection_waits_total Accepted connections that had to wait for a slot: max_conns were open and none of them idle.\n# TYPE amt_http_connection_waits_total counter\namt_http_connection_waits_total %d\n",
		m.connWaits.Load())
	fmt.Fprintf(&b, "# HELP amt_http_unproven_connections_closed_total Connections without a signed-in request (slow or silent) closed to give a new connection a slot.\n# TYPE amt_http_unproven_connections_closed_total counter\namt_http_unproven_connections_closed_total %d\n",
		m.connUnprovenClosed.Load())
	fmt.Fprintf(&b, "# HELP amt_http_connections_refused_per_addr_total Connections closed at once because their client address already held max_conns_per_addr.\n# TYPE amt_http_connections_refused_per_addr_total counter\namt_http_connections_refused_per_addr_total %d\n",
		m.connRefusedPerAddr.Load())
	fmt.Fprintf(&b, "# HELP amt_idempotency_records_pruned_total Idempotency records past their retention whose stored answer was dropped (a fingerprint stays while the case is with its Amt).\n# TYPE amt_idempotency_records_pruned_total counter\namt_idempotency_records_pruned_total %d\n",
		m.idemPruned.Load())
	fmt.Fprintf(&b, "# HELP amt_prune_passes_skipped_total Background pruning passes skipped because the clock had jumped ahead of the schedule.\n# TYPE amt_prune_passes_skipped_total counter\namt_prune_passes_skipped_total %d\n",
		m.pruneSkipped.Load())
	fmt.Fprintf(&b, "# HELP amt_write_quota_refused_total Actions refused with 429 because their token had used up its write quota.\n# TYPE amt_write_quota_refused_total counter\namt_write_quota_refused_total %d\n",
		m.writeQuota.Load())
	fmt.Fprintf(&b, "# HELP amt_auth_failures_total Failed sign-ins (answers 401: missing, unknown or expired token).\n# TYPE amt_auth_failures_total counter\namt_auth_failures_total %d\n",
		m.authFailures.Load())
	fmt.Fprintf(&b, "# HELP amt_auth_throttled_total Requests refused with 429 because their client address had too many failed sign-ins.\n# TYPE amt_auth_throttled_total counter\namt_auth_throttled_total %d\n",
		m.authThrottled.Load())
	if s.intake != nil {
		s.intake.writeMetrics(&b, s.now())
	}
	writeBody(w, r, http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", []byte(b.String()))
}
