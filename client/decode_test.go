package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

func TestDecodeResponse(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	caseProblem := `{"type":"` + api.ProblemPrecondition + `","title":"Case has changed","status":412,"case":{"id":"c1","version":7}}`
	tests := []struct {
		name       string
		action     bool
		status     int
		retryAfter string
		body       string
		want       error
		not        []error
		check      func(t *testing.T, err error)
	}{
		{name: "200", status: 200, body: `{"clerk":"a"}`},
		{name: "200 trailing garbage", status: 200, body: `{"clerk":"a"} {}`, want: ErrRetryLater},
		{name: "200 empty", status: 200, body: ``, want: ErrRetryLater},
		{name: "200 trailing bracket", status: 200, body: `{"clerk":"a"}]`, want: ErrRetryLater},
		{name: "200 trailing space", status: 200, body: "{\"clerk\":\"a\"}\n \t"},
		{name: "200 wrong type", status: 200, body: `{"clerk":42}`, want: ErrRetryLater},
		{name: "304", status: 304, want: ErrNotModified},
		{name: "302", status: 302, want: ErrOffline},
		{name: "401", status: 401, want: ErrUnauthorized, not: []error{ErrRejected}},
		{name: "403 read", status: 403, want: ErrUnauthorized},
		{name: "403 action", action: true, status: 403, body: `{"title":"Forbidden","detail":"only a lead may approve"}`,
			want: ErrRejected, not: []error{ErrUnauthorized},
			check: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), "only a lead may approve") {
					t.Errorf("detail missing: %v", err)
				}
			}},
		{name: "404 read", status: 404, want: ErrNotFound, not: []error{ErrRejected}},
		{name: "404 action", action: true, status: 404, want: ErrRejected, not: []error{ErrUnauthorized},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrNotFound) {
					t.Error("404 rejection does not match ErrNotFound")
				}
			}},
		{name: "409", action: true, status: 409, want: ErrRejected},
		{name: "410", status: 410, want: ErrCursorExpired},
		{name: "412 with case", action: true, status: 412, body: caseProblem, want: ErrConflict,
			check: func(t *testing.T, err error) {
				var ce *ConflictError
				if !errors.As(err, &ce) || ce.Case.ID != "c1" || ce.Case.Version != 7 {
					t.Errorf("conflict = %+v", ce)
				}
			}},
		{name: "412 without body", action: true, status: 412, want: ErrConflict},
		{name: "413", action: true, status: 413, want: ErrRejected},
		{name: "422", action: true, status: 422, body: `{"type":"` + api.ProblemUnprocessable + `","title":"x","status":422}`, want: ErrRejected,
			check: func(t *testing.T, err error) {
				var re *RejectedError
				if !errors.As(err, &re) || re.Status != 422 || re.Problem.Type != api.ProblemUnprocessable {
					t.Errorf("rejection = %+v", re)
				}
			}},
		{name: "428", action: true, status: 428, want: ErrRejected},
		{name: "429 seconds", status: 429, retryAfter: "7", want: ErrRetryLater,
			check: wantAfter(7 * time.Second)},
		{name: "503 date", status: 503, retryAfter: now.Add(90 * time.Second).Format(http.TimeFormat), want: ErrRetryLater,
			check: wantAfter(90 * time.Second)},
		{name: "503 past date", status: 503, retryAfter: now.Add(-time.Hour).Format(http.TimeFormat), want: ErrRetryLater,
			check: wantAfter(0)},
		{name: "503 garbage header", status: 503, retryAfter: "soon", want: ErrRetryLater, check: wantAfter(0)},
		{name: "503 huge header", status: 503, retryAfter: "999999999999999999999999", want: ErrRetryLater, check: wantAfter(maxRetryHint)},
		{name: "500 problem with escapes", status: 500, body: `{"title":"\u001b[2J\u001b]0;pwned\u0007boom"}`, want: ErrRetryLater},
		{name: "400 escapes are stripped", status: 400, body: `{"title":"\u001b[31mred\u202e"}`, want: ErrRejected,
			check: func(t *testing.T, err error) {
				if strings.ContainsAny(err.Error(), "\x1b\u202e") {
					t.Errorf("unsafe error text %q", err.Error())
				}
			}},
		{name: "600", status: 600, want: ErrRetryLater},
		{name: "100", status: 100, want: ErrRetryLater},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.retryAfter != "" {
				h.Set("Retry-After", tt.retryAfter)
			}
			var me api.Me
			err := decodeResponse("GET /x", tt.action, tt.status, h, []byte(tt.body), &me, now, "")
			if tt.want == nil {
				if err != nil || me.Clerk != "a" {
					t.Fatalf("= %v, %+v", err, me)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("= %v, want %v", err, tt.want)
			}
			for _, n := range tt.not {
				if errors.Is(err, n) {
					t.Errorf("= %v, must not match %v", err, n)
				}
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

func wantAfter(d time.Duration) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var re *RetryError
		if !errors.As(err, &re) || re.After != d {
			t.Errorf("RetryError = %+v, want After %v", re, d)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in           string
		start, total int64
		ok           bool
	}{
		{"bytes 100-199/200", 100, 200, true},
		{"bytes 0-0/*", 0, -1, true},
		{"bytes 100-199/150", 0, 0, false},
		{"bytes 200-100/300", 0, 0, false},
		{"bytes -1-5/10", 0, 0, false},
		{"items 1-2/3", 0, 0, false},
		{"bytes 1-2", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		s, tot, ok := parseContentRange(tt.in)
		if ok != tt.ok || ok && (s != tt.start || tot != tt.total) {
			t.Errorf("parseContentRange(%q) = %d, %d, %v", tt.in, s, tot, ok)
		}
	}
}

// FuzzDecodeResponse feeds arbitrary bytes, statuses and Retry-After values through the decode
// path of every response type the syncer relies on: it must return a value or an error, never
// panic, and never put control characters into an error string.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(uint16(200), uint8(0), "", []byte(`{"items":[{"seq":1,"kind":"upsert","caseId":"c","case":{"id":"c","version":1}}],"nextCursor":"1","hasMore":false}`))
	f.Add(uint16(200), uint8(1), "", []byte(`{"id":"c","sections":[{"title":"t","fields":[{"label":"l","value":"v"}]}],"attachments":[{"id":"a","size":-1}]}`))
	f.Add(uint16(412), uint8(2), "", []byte(`{"type":"x","title":"t","status":412,"case":{"id":"c","version":9}}`))
	f.Add(uint16(429), uint8(0), "Wed, 21 Oct 2015 07:28:00 GMT", []byte(`{}`))
	f.Add(uint16(503), uint8(3), "99999999999999999999", []byte("\x1b[2J"))
	f.Add(uint16(200), uint8(1), "", []byte(`{"submittedAt":"not a time"}`))
	f.Add(uint16(200), uint8(0), "", []byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`))
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status uint16, kind uint8, retryAfter string, body []byte) {
		h := http.Header{"Retry-After": {retryAfter}}
		var out any
		switch kind % 4 {
		case 0:
			out = new(api.ChangePage)
		case 1:
			out = new(api.Case)
		case 2:
			out = new(api.Problem)
		case 3:
			out = new(api.ActionResult)
		}
		err := decodeResponse("GET /x", kind&4 != 0, int(status), h, body, out, now, retryAfter)
		if status >= 200 && status <= 299 && err == nil {
			return
		}
		if err == nil {
			t.Fatalf("status %d gave no error", status)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\x1b\x00\u202e\u009b") {
			t.Fatalf("unsafe error text %q", msg)
		}
		var re *RetryError
		if errors.As(err, &re) && (re.After < 0 || re.After > maxRetryHint) {
			t.Fatalf("After = %v out of range", re.After)
		}
		p := parseProblem(int(status), body)
		if p.Status == 0 && status != 0 || p.Title == "" && http.StatusText(int(status)) != "" {
			t.Fatalf("problem without status/title: %+v", p)
		}
	})
}
