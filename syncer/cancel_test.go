package syncer

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

// The clerk takes back a queued note before the syncer runs: it never reaches the server, the
// next action of the same case still does (issue 15 item 3).
func TestCancelledActionNotSent(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	n1 := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "versehentlich"})
	n2 := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "bleibt"})
	if _, err := a.st.Cancel(n1.ID); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	sc := serverCase(t, env, clerkA, caseReview)
	if noteCount(sc, n1.ID) != 0 || noteCount(sc, n2.ID) != 1 {
		t.Fatalf("server notes: %+v", sc.Notes)
	}
}

// An action whose request is on its way cannot be taken back: the store refuses while the server
// holds the request, and the note arrives once.
func TestCancelRefusedInFlight(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				close(entered)
				<-release
			}
			h.ServeHTTP(w, r)
		})
	}
	env := startServer(t, 0, servertest.WithHandlerWrapper(wrap))
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	n := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "unterwegs"})
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- a.y.Push(ctx)
	}()
	select {
	case <-entered:
	case err := <-done:
		t.Fatalf("push ended before the request reached the server: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the request never reached the server")
	}
	if _, err := a.st.Cancel(n.ID); !errors.Is(err, store.ErrInFlight) {
		t.Errorf("Cancel while the request is at the server: %v, want ErrInFlight", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if noteCount(serverCase(t, env, clerkA, caseReview), n.ID) != 1 {
		t.Fatal("the note did not arrive once")
	}
	if _, err := a.st.Cancel(n.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Cancel after delivery: %v, want ErrNotFound", err)
	}
}

// A send that could not even connect never left the machine: the action stays cancellable.
func TestCancelAfterFailedConnect(t *testing.T) {
	env := startServer(t, 0)
	clk := newClock()
	a := newClerk(t, env, clerkA, clk, Options{}, nil)
	a.sync(t)
	n := a.enqueue(t, caseReview, api.ActionNote, api.NoteRequest{Text: "offline geschrieben"})
	// A port nobody listens on: take one and close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	y := New(newClient(t, dead, env.Token(clerkA), nil), a.st, Options{Now: clk.Now})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := y.Push(ctx); err == nil {
		t.Fatal("push to a closed port succeeded")
	}
	got, err := a.st.Action(n.ID)
	if err != nil || got.Attempts != 1 || got.InFlight {
		t.Fatalf("after a failed connect: %+v, %v", got, err)
	}
	if _, err := a.st.Cancel(n.ID); err != nil {
		t.Fatalf("Cancel after a failed connect: %v", err)
	}
}
