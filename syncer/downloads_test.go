package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// TestDownloadQueueOutlastsABrokenLine: attachments queued while the line drops every request
// are all fetched once it is back, sealed in the store with the right bytes; a queued or already
// held attachment is not queued twice.
func TestDownloadQueueOutlastsABrokenLine(t *testing.T) {
	var broken atomic.Int64
	broken.Store(5) // the first five attachment requests die without an answer
	env := startServer(t, 0, servertest.WithHandlerWrapper(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/attachments/") && broken.Add(-1) >= 0 {
				panic(http.ErrAbortHandler) // the connection drops
			}
			h.ServeHTTP(w, r)
		})
	}))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	q := NewDownloadQueue(a.c, a.st, nil)
	q.after = func(time.Duration) <-chan time.Time { // no real waiting between attempts
		ch := make(chan time.Time, 1)
		ch <- time.Time{}
		return ch
	}
	var want []struct {
		caseID string
		att    api.Attachment
	}
	for _, id := range []string{caseReview, caseNew} {
		c, err := a.st.ServerCase(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, att := range c.Attachments {
			if !q.Add(id, att) {
				t.Fatalf("%s/%s not queued", id, att.ID)
			}
			want = append(want, struct {
				caseID string
				att    api.Attachment
			}{id, att})
		}
	}
	if q.Add(want[0].caseID, want[0].att) {
		t.Fatal("the same attachment was queued twice")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	deadline := time.After(60 * time.Second)
	for q.Status().Done+q.Status().Failed < len(want) {
		select {
		case <-q.Events():
		case <-deadline:
			t.Fatalf("queue stuck: %+v", q.Status())
		}
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run ended with %v", err)
	}
	if st := q.Status(); st.Done != len(want) || st.Failed != 0 || st.Queued != 0 {
		t.Fatalf("status %+v, want %d done", st, len(want))
	}
	if broken.Load() >= 0 {
		t.Fatal("the line never broke: the test proves nothing")
	}
	for _, w := range want {
		r, err := a.st.OpenAttachment(w.caseID, w.att)
		if err != nil {
			t.Fatalf("%s/%s: %v", w.caseID, w.att.ID, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil || hex.EncodeToString(h.Sum(nil)) != w.att.SHA256 {
			t.Fatalf("%s/%s: wrong bytes (%v)", w.caseID, w.att.ID, err)
		}
		if q.Add(w.caseID, w.att) {
			t.Errorf("%s/%s queued again although held complete", w.caseID, w.att.ID)
		}
	}
}
