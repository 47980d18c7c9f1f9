package client

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/amt-mv/amt/api"
)

// A 2xx to an action that is not the server's answer for that action (a middlebox's "{}", a
// stub, "null") must not count as delivered: the outbox would drop an action the server never saw.
func TestSendBogusSuccessIsNotDone(t *testing.T) {
	for _, body := range []string{`{}`, `null`, `{"status":"ok"}`, `{"actionId":"other","case":{"id":"x","version":3}}`} {
		t.Run(body, func(t *testing.T) {
			env := start(t, wrapPath("/notes/note-bogus-1", func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusOK)
				w.Write([]byte(body))
			}))
			c := newClient(t, env.URL, env.Token(clerk))
			_, err := c.Send(context.Background(), Action{Kind: api.ActionNote, CaseID: myCase, ID: "note-bogus-1",
				Body: []byte(`{"text":"x"}`)})
			if !errors.Is(err, ErrRetryLater) {
				t.Fatalf("Send = %v, want ErrRetryLater", err)
			}
		})
	}
	// The real answer still works, for every id form (path id, Idempotency-Key, approval).
	env := start(t)
	c := newClient(t, env.URL, env.Token(clerk))
	res, err := c.Send(context.Background(), Action{Kind: api.ActionNote, CaseID: myCase, ID: "note-real-1", Body: []byte(`{"text":"x"}`)})
	if err != nil || res.Case.ID != myCase {
		t.Fatalf("Send: %+v %v", res, err)
	}
}
