package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

// TestDecodeAlreadyApplied: only a 409 of type already-applied is ErrAlreadyApplied, and it is
// no rejection; any other 409 stays one.
func TestDecodeAlreadyApplied(t *testing.T) {
	problem := func(status int, typ string) []byte {
		p, _ := json.Marshal(api.Problem{Type: typ, Title: "x", Status: status})
		return p
	}
	tests := []struct {
		name    string
		status  int
		body    []byte
		applied bool
	}{
		{"already applied", 409, problem(409, api.ProblemAlreadyApplied), true},
		{"invalid transition", 409, problem(409, api.ProblemConflict), false},
		{"409 without a problem", 409, []byte("<html>conflict</html>"), false},
		{"already-applied type on another status", 422, problem(422, api.ProblemAlreadyApplied), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{"Content-Type": {api.ContentTypeProblem}}
			err := decodeResponse("PUT /x", true, tt.status, hdr, tt.body, nil, time.Now(), "")
			var re *RejectedError
			if got := errors.Is(err, ErrAlreadyApplied); got != tt.applied {
				t.Fatalf("errors.Is(%v, ErrAlreadyApplied) = %v, want %v", err, got, tt.applied)
			}
			if rejected := errors.Is(err, ErrRejected) || errors.As(err, &re); rejected == tt.applied {
				t.Fatalf("%v: rejected = %v", err, rejected)
			}
			if errors.Is(err, ErrConflict) || errors.Is(err, ErrRetryLater) || errors.Is(err, ErrOffline) {
				t.Fatalf("%v looks like a conflict, retry or offline", err)
			}
		})
	}
}

// TestSendAlreadyApplied: against the reference server, the resend of a note whose record aged
// past the retention answers ErrAlreadyApplied (not a rejection); the same id with another body
// is still rejected.
func TestSendAlreadyApplied(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	env := start(t, servertest.WithNow(clock))
	c := newClient(t, env.URL, env.Token(clerk))
	ctx := context.Background()
	note := Action{Kind: api.ActionNote, CaseID: myCase, ID: "note-late", Body: []byte(`{"text":"Unterlagen vollständig"}`)}
	if _, err := c.Send(ctx, note); err != nil {
		t.Fatalf("Send: %v", err)
	}
	mu.Lock()
	now = now.Add(server.DefaultIdempotencyRetention + time.Hour)
	mu.Unlock()
	if _, err := env.Server.PruneIdempotency(); err != nil {
		t.Fatal(err)
	}
	_, err := c.Send(ctx, note)
	if !errors.Is(err, ErrAlreadyApplied) || errors.Is(err, ErrRejected) {
		t.Fatalf("late resend: %v, want ErrAlreadyApplied only", err)
	}
	other := note
	other.Body = []byte(`{"text":"anders"}`)
	if _, err := c.Send(ctx, other); !errors.Is(err, ErrRejected) || errors.Is(err, ErrAlreadyApplied) {
		t.Fatalf("same id, other body: %v, want ErrRejected", err)
	}
}
