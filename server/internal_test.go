package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

func TestRecovererAnswersProblem(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil)), metrics: newMetrics()}
	h := s.observe(s.recoverer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("secret applicant data")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || rec.Header().Get("Content-Type") != api.ContentTypeProblem {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if strings.Contains(logs.String(), "secret") {
		t.Fatal("panic value logged")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(2, 2, func() time.Time { return now })
	for i := 0; i < 2; i++ {
		if ok, _ := l.allow("a"); !ok {
			t.Fatal("burst refused")
		}
	}
	ok, wait := l.allow("a")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("third: %v %v", ok, wait)
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("not refilled")
	}
}

func TestAcceptsGzip(t *testing.T) {
	for ae, want := range map[string]bool{"": false, "gzip": true, "GZIP": true, "deflate, gzip;q=0.5": true,
		"gzip;q=0": false, "gzip; q=0.0": false, "x-gzip": false, "br": false} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", ae)
		if got := acceptsGzip(r); got != want {
			t.Errorf("%q: %v", ae, got)
		}
	}
}

func TestEtagMatches(t *testing.T) {
	for h, want := range map[string]bool{`"3"`: true, `3`: true, `W/"3"`: true, `"1", "3"`: true, `*`: true,
		`"33"`: false, `""`: false, `"3`: true, `x`: false} {
		if got := etagMatches(h, 3, true); got != want {
			t.Errorf("%q: %v", h, got)
		}
	}
	if etagMatches("*", 3, false) {
		t.Error("If-Match: * accepted")
	}
}

// TestIfMatchCurrent: If-Match compares strongly (RFC 9110), W/"3" and a bare 3 do not pass for
// version 3 (issue #16 item 6 saw both accepted), and "*" is the documented 428.
func TestIfMatchCurrent(t *testing.T) {
	tests := []struct {
		header string
		match  bool
		status int // of the problem, 0 = none
	}{
		{`"3"`, true, 0},
		{`"1", "3"`, true, 0},
		{` "3" `, true, 0},
		{`"33"`, false, 0},
		{`"4"`, false, 0},
		{`W/"3"`, false, 0},
		{`W/"3", "4"`, false, 0},
		{`3`, false, 400},
		{`"3`, false, 400},
		{`""3""`, false, 400},
		{`*`, false, 428},
		{`"3", *`, false, 428},
	}
	for _, tt := range tests {
		got, e := ifMatchCurrent(tt.header, 3)
		status := 0
		if e != nil {
			status = e.Status
		}
		if got != tt.match || status != tt.status {
			t.Errorf("If-Match %s: match %v, problem %d; want %v, %d", tt.header, got, status, tt.match, tt.status)
		}
	}
}
