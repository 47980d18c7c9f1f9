package main

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// Issue #16 item 10 end to end: a clerk whose token runs out in ten days is warned by login, sync
// and doctor; once it has expired, sync says so (not just "refused") and keeps the queued work;
// the administrator rotates the token, the clerk signs in with the new one, and the queued
// action is delivered from the same cache.
func TestTokenExpiryWarnExpireRotate(t *testing.T) {
	setupEnv(t)
	var offset atomic.Int64 // the server's clock runs ahead by this much
	env := startServer(t, 0, servertest.WithNow(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }))
	tok, err := env.Server.CreateTokenValidFor(env.Data.Amts[0].ID, clerkA, api.RoleClerk, 10*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	out := c.must(0, "login", "--server", env.URL, "--token", tok)
	if !strings.Contains(out, "Zugangsschlüssel läuft am") {
		t.Fatalf("login without a warning: %s", out)
	}
	if out := c.must(0, "sync"); !strings.Contains(out, "Zugangsschlüssel läuft am") {
		t.Fatalf("sync without a warning: %s", out)
	}
	code, out, errs := c.run("doctor")
	if code != exitOK || !strings.Contains(out+errs, "läuft am") || !strings.Contains(out+errs, "amt login --token") {
		t.Fatalf("doctor: exit %d\n%s%s", code, out, errs)
	}

	offset.Store(int64(11 * 24 * time.Hour))
	c.must(exitOffline, "--server", deadServer, "comment", caseReview, "nach Ablauf notiert")
	code, out, errs = c.run("sync")
	if code != exitErr || !strings.Contains(errs, "Zugangsschlüssel ist abgelaufen") || !strings.Contains(errs, "vorgemerkte Aktionen bleiben") {
		t.Fatalf("sync with an expired token: exit %d\n%s%s", code, out, errs)
	}
	if acts := outbox(t, c); len(acts) != 1 {
		t.Fatalf("outbox after the refusal: %+v", acts)
	}
	code, out, errs = c.run("doctor")
	if code != exitErr || !strings.Contains(out+errs, "abgelaufen") {
		t.Fatalf("doctor with an expired token: exit %d\n%s%s", code, out, errs)
	}

	infos, err := env.Server.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, ti := range infos {
		if ti.Clerk == clerkA && !ti.Expires.IsZero() && ti.Expires.Sub(ti.Created) < 11*24*time.Hour {
			id = ti.ID
		}
	}
	fresh, _, err := env.Server.RotateToken(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	acts := outbox(t, c)
	c.must(0, "login", "--server", env.URL, "--token", fresh)
	if got := outbox(t, c); len(got) != 1 || got[0].ID != acts[0].ID {
		t.Fatalf("outbox after signing in with the new token: %+v", got)
	}
	c.must(0, "sync")
	if got := outbox(t, c); len(got) != 0 {
		t.Fatalf("outbox after sync: %+v", got)
	}
	if n := noteCount(t, env, caseReview, acts[0].ID); n != 1 {
		t.Fatalf("note on the server %d times", n)
	}
}
