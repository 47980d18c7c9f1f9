package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// feedBody is a change page of n upserts after seq 0, remaining first, as the reference server
// writes it.
func feedBody(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"remaining":%d,"items":[`, n)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"seq":%d,"kind":"upsert","caseId":"case-%d","case":{"id":"case-%d","version":1}}`, i, i, i)
	}
	fmt.Fprintf(&b, `],"nextCursor":"%d","hasMore":false}`, n)
	return b.String()
}

// TestChangesStreamSlowLineDoesNotTimeOut: a page that takes much longer than the attempt
// timeout, but keeps moving bytes, arrives whole: the timeout measures progress.
func TestChangesStreamSlowLineDoesNotTimeOut(t *testing.T) {
	body := feedBody(20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fl := w.(http.Flusher)
		// 12 chunks, 150 ms apart: about 1.8 s in all, against an attempt timeout of 1 s.
		step := (len(body) + 11) / 12
		for i := 0; i < len(body); i += step {
			w.Write([]byte(body[i:min(i+step, len(body))]))
			fl.Flush()
			time.Sleep(150 * time.Millisecond)
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, "tok", func(c *Config) { c.AttemptTimeout = time.Second })
	var got []api.Change
	var wire int64
	head, err := c.ChangesStream(context.Background(), FeedRequest{Progress: func(n, _ int64) { wire += n }},
		nil, func(it api.Change) error { got = append(got, it); return nil })
	if err != nil {
		t.Fatalf("slow but moving page failed: %v", err)
	}
	if len(got) != 20 || head.Items != 20 || head.NextCursor != "20" || head.HasMore || head.Remaining != 20 {
		t.Fatalf("head %+v, %d items", head, len(got))
	}
	if wire != int64(len(body)) || head.WireBytes != wire {
		t.Errorf("progress counted %d bytes (head %d), body has %d", wire, head.WireBytes, len(body))
	}
}

// TestChangesStreamKeepsItemsBeforeAStall: a page that stops moving hands over the items that
// arrived, then fails as a stalled line (ErrOffline, ErrStalled), not as a server error.
func TestChangesStreamKeepsItemsBeforeAStall(t *testing.T) {
	body := feedBody(10)
	cut := strings.Index(body, `{"seq":6`)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body[:cut+10]))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newClient(t, srv.URL, "tok", func(c *Config) { c.AttemptTimeout = 200 * time.Millisecond })
	var remaining int
	var got []api.Change
	head, err := c.ChangesStream(context.Background(), FeedRequest{}, func(n int) { remaining = n },
		func(it api.Change) error { got = append(got, it); return nil })
	if !errors.Is(err, ErrOffline) || !errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want ErrOffline and ErrStalled", err)
	}
	if len(got) != 5 || head.Items != 5 || got[4].Seq != 5 || remaining != 10 {
		t.Fatalf("kept %d items (head %+v), remaining %d; want 5 and 10", len(got), head, remaining)
	}
}

func TestChangesStreamAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		check  func(error) bool
	}{
		{"cursor expired", http.StatusGone, `{"type":"` + api.ProblemGone + `","status":410}`, func(err error) bool { return errors.Is(err, ErrCursorExpired) }},
		{"token refused", http.StatusUnauthorized, `{"status":401}`, func(err error) bool { return errors.Is(err, ErrUnauthorized) }},
		{"busy", http.StatusServiceUnavailable, `{"status":503}`, func(err error) bool { return errors.Is(err, ErrRetryLater) }},
		{"not a page", http.StatusOK, `[1,2,3]`, func(err error) bool { return errors.Is(err, ErrRetryLater) }},
		{"no items", http.StatusOK, `{"nextCursor":"1","hasMore":false}`, func(err error) bool { return errors.Is(err, ErrRetryLater) }},
		{"trailing data", http.StatusOK, `{"items":[],"nextCursor":"1","hasMore":false} {}`, func(err error) bool { return errors.Is(err, ErrRetryLater) }},
		{"empty page", http.StatusOK, `{"items":[],"nextCursor":"1","hasMore":false}`, func(err error) bool { return err == nil }},
		{"cut body", http.StatusOK, `{"items":[{"seq":1`, func(err error) bool { return errors.Is(err, ErrOffline) && !errors.Is(err, ErrStalled) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := newClient(t, srv.URL, "tok")
			_, err := c.ChangesStream(context.Background(), FeedRequest{Cursor: "5", Limit: 10, Deltas: true}, nil,
				func(api.Change) error { return nil })
			if !tc.check(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
}
