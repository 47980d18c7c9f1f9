package signin

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/idp"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	idp   *idp.Provider
	srv   *servertest.Env
	clock *clock
	amt   string
}

func start(t *testing.T) *env {
	t.Helper()
	clk := &clock{t: time.Now()}
	p, err := idp.Start(idp.Options{Now: clk.Now, PollInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	srv := servertest.Start(t, servertest.WithCases(8), servertest.WithNow(clk.Now), servertest.WithConfig(func(c *server.Config) {
		c.OIDC = &server.OIDCConfig{Issuer: p.Issuer(), Audience: "amt-api", ClientID: "amt"}
	}))
	amt := srv.Data.Amts[0].ID
	p.SetUser(idp.User{Username: "anna", Name: "Anna Amt", Amt: amt, Roles: []string{idp.RoleLead}})
	return &env{idp: p, srv: srv, clock: clk, amt: amt}
}

// signIn runs the device flow as the app does; the test plays the browser.
func (e *env) signIn(t *testing.T) Session {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(client.Config{BaseURL: e.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.SignInInfo(ctx)
	if err != nil || info.OIDC == nil {
		t.Fatalf("sign-in info %+v %v", info, err)
	}
	p, err := Discover(ctx, nil, *info.OIDC)
	if err != nil {
		t.Fatal(err)
	}
	flow, err := p.StartDeviceFlow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(flow.VerificationURI, e.idp.Issuer()) || !strings.Contains(flow.VerificationURIComplete, "user_code=") || flow.Expiry.IsZero() {
		t.Fatalf("flow %+v", flow)
	}
	if err := e.idp.Approve(flow.UserCode, "anna"); err != nil {
		t.Fatal(err)
	}
	sess, err := flow.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sess.RefreshToken == "" || sess.AccessToken == "" || sess.RevocationURL == "" || sess.TokenURL == "" {
		t.Fatalf("session %#v lacks parts", sess)
	}
	if strings.Contains(sess.String(), sess.RefreshToken) || strings.Contains(sess.String(), sess.AccessToken) {
		t.Fatal("Session.String shows a token")
	}
	return sess
}

func (e *env) client(t *testing.T, src *Source) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{BaseURL: e.srv.URL, Tokens: src})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDeviceFlowSignInAndSilentRefresh(t *testing.T) {
	e := start(t)
	sess := e.signIn(t)
	var saved []Session
	src := NewSource(sess, func(s Session) error { saved = append(saved, s); return nil }, nil)
	src.now = e.clock.Now
	c := e.client(t, src)
	ctx := context.Background()
	me, err := c.Me(ctx)
	if err != nil || me.Clerk != "anna" || me.Role != api.RoleLead {
		t.Fatalf("me %+v %v", me, err)
	}
	refreshes := e.idp.Stats().Refreshes

	// Close to its expiry the token is refreshed before the request, silently.
	e.clock.Add(4*time.Minute + 45*time.Second)
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.idp.Stats().Refreshes; got != refreshes+1 || len(saved) != 1 || saved[0].AccessToken == sess.AccessToken {
		t.Fatalf("refreshes %d→%d, saved %d", refreshes, got, len(saved))
	}
}

// TestExpiredTokenRefreshedOn401: the client's clock says the token is fresh, the server's that
// it expired: the server answers 401, the client refreshes once and the request goes through.
func TestExpiredTokenRefreshedOn401(t *testing.T) {
	e := start(t)
	sess := e.signIn(t)
	src := NewSource(sess, nil, nil) // real clock: the token looks fresh
	c := e.client(t, src)
	ctx := context.Background()
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(10 * time.Minute) // server and provider: expired
	before := e.idp.Stats().Refreshes
	me, err := c.Me(ctx)
	if err != nil || me.Clerk != "anna" {
		t.Fatalf("after expiry: %+v %v", me, err)
	}
	if e.idp.Stats().Refreshes != before+1 {
		t.Fatal("no refresh after 401")
	}
}

func TestRevokedRefreshTokenEndsSession(t *testing.T) {
	e := start(t)
	src := NewSource(e.signIn(t), nil, nil)
	src.now = e.clock.Now
	c := e.client(t, src)
	ctx := context.Background()
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
	e.idp.EndSessions("anna")
	e.clock.Add(10 * time.Minute)
	_, err := c.Me(ctx)
	if !errors.Is(err, client.ErrSessionEnded) || !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("err %v, want a session-ended unauthorised error", err)
	}
}

func TestProviderDownIsOffline(t *testing.T) {
	e := start(t)
	src := NewSource(e.signIn(t), nil, nil)
	src.now = e.clock.Now
	e.idp.Close()
	e.clock.Add(10 * time.Minute)
	_, err := e.client(t, src).Me(context.Background())
	if !errors.Is(err, client.ErrOffline) || errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("err %v, want offline", err)
	}
}

func TestConcurrentRequestsShareOneRefresh(t *testing.T) {
	e := start(t)
	src := NewSource(e.signIn(t), nil, nil)
	src.now = e.clock.Now
	c := e.client(t, src)
	e.clock.Add(10 * time.Minute)
	before := e.idp.Stats().Refreshes
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Me(context.Background())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := e.idp.Stats().Refreshes - before; got != 1 {
		t.Fatalf("%d refreshes for 8 concurrent requests", got)
	}
}

func TestRevoke(t *testing.T) {
	e := start(t)
	sess := e.signIn(t)
	if err := Revoke(context.Background(), nil, sess); err != nil {
		t.Fatal(err)
	}
	if e.idp.Sessions("anna") != 0 {
		t.Fatal("session alive after revocation")
	}
	src := NewSource(sess, nil, nil)
	if _, err := src.Refresh(context.Background(), sess.AccessToken); !errors.Is(err, client.ErrSessionEnded) {
		t.Fatalf("refresh after revoke: %v", err)
	}
	sess.RevocationURL = ""
	if err := Revoke(context.Background(), nil, sess); !errors.Is(err, ErrNoRevocation) {
		t.Fatalf("no endpoint: %v", err)
	}
}

func TestDeniedAndInsecure(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	p, err := Discover(ctx, nil, api.OIDCInfo{Issuer: e.idp.Issuer(), ClientID: "amt"})
	if err != nil {
		t.Fatal(err)
	}
	flow, err := p.StartDeviceFlow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.idp.Deny(flow.UserCode); err != nil {
		t.Fatal(err)
	}
	if _, err := flow.Wait(ctx); !errors.Is(err, ErrDenied) {
		t.Fatalf("denied: %v", err)
	}
	for _, bad := range []string{"http://login.example.de/realms/amt", "ftp://x", "::"} {
		if _, err := Discover(ctx, nil, api.OIDCInfo{Issuer: bad, ClientID: "amt"}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
