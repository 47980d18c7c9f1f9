package main

import (
	"strings"
	"testing"
)

// Issue 15 item 3: a comment queued offline is taken back with `amt outbox cancel ID` and never
// reaches the server; an unknown id says it is not in the outbox.
func TestOutboxCancel(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	c.must(exitOffline, "--server", deadServer, "comment", caseReview, "aus Versehen")
	acts := outbox(t, c)
	if len(acts) != 1 {
		t.Fatalf("outbox: %+v", acts)
	}
	if code, _, _ := c.run("outbox", "cancel"); code != exitUsage {
		t.Fatalf("cancel without an id: exit %d", code)
	}
	out := c.must(0, "outbox", "cancel", acts[0].ID)
	if !strings.Contains(out, "zurückgenommen") {
		t.Fatalf("cancel output: %s", out)
	}
	if acts := outbox(t, c); len(acts) != 0 {
		t.Fatalf("outbox after cancel: %+v", acts)
	}
	c.must(0, "sync")
	if sc := serverCase(t, env, caseReview); len(sc.Notes) != 0 {
		t.Fatalf("the cancelled note reached the server: %+v", sc.Notes)
	}
	if out := c.must(exitErr, "outbox", "cancel", acts[0].ID); !strings.Contains(out, "nicht im Postausgang") {
		t.Fatalf("second cancel: %s", out)
	}
}
