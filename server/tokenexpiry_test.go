package server_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

// TestStaticTokensExpireAndRotate (issue #16 item 10: tokens never expired): a token is accepted
// until its expiry, /me tells the client when that is, and afterwards it answers 401
// token-expired; a rotated token replaces the old one for the same clerk.
func TestStaticTokensExpireAndRotate(t *testing.T) {
	var now atomic.Int64
	now.Store(fixedNow.UnixNano())
	env := servertest.Start(t, servertest.WithNow(func() time.Time { return time.Unix(0, now.Load()).UTC() }), servertest.WithCases(20))
	amt := env.Data.Amts[0].ID
	clerk := clerkOf(t, env, amt, api.RoleClerk)
	tok, err := env.Server.CreateTokenValidFor(amt, clerk, api.RoleClerk, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, env, "")
	c.token = tok
	resp, out := c.do("GET", "/me", nil, nil)
	var me api.Me
	if resp.StatusCode != 200 {
		t.Fatalf("/me: %d %s", resp.StatusCode, out)
	}
	mustJSON(t, out, &me)
	want := fixedNow.Add(30 * 24 * time.Hour)
	if me.TokenExpires == nil || !me.TokenExpires.Equal(want) {
		t.Fatalf("tokenExpires = %v, want %v", me.TokenExpires, want)
	}

	now.Store(want.Add(-time.Second).UnixNano())
	if resp, _ := c.do("GET", "/me", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("a second before expiry: %d", resp.StatusCode)
	}
	now.Store(want.UnixNano())
	for _, path := range []string{"/me", "/changes"} {
		resp, out = c.do("GET", path, nil, nil)
		p := wantProblem(t, resp, out, 401, api.ProblemTokenExpired)
		if p.Detail == "" || resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("%s: expired token: %+v %v", path, p, resp.Header)
		}
	}

	// Rotation: a new token for the same clerk, the old one gone.
	infos, err := env.Server.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, ti := range infos {
		if ti.Clerk == clerk && ti.Expires.Equal(want) {
			id = ti.ID
		}
	}
	if id == "" {
		t.Fatalf("token not listed with its expiry: %+v", infos)
	}
	fresh, old, err := env.Server.RotateToken(id, 0)
	if err != nil || old.Clerk != clerk || old.ID != id {
		t.Fatalf("rotate: %+v %v", old, err)
	}
	c.token = fresh
	resp, out = c.do("GET", "/me", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("rotated token: %d %s", resp.StatusCode, out)
	}
	mustJSON(t, out, &me)
	if me.Clerk != clerk || me.TokenExpires == nil || !me.TokenExpires.Equal(want.Add(server.DefaultTokenValidity)) {
		t.Fatalf("rotated token: %+v, expires %v", me, me.TokenExpires)
	}
	c.token = tok
	resp, out = c.do("GET", "/me", nil, nil)
	wantProblem(t, resp, out, 401, api.ProblemUnauthorized)
}
