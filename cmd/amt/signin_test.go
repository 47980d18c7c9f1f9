package main

import (
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/internal/idp"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

// oidcServer runs a test server that accepts tokens of a real provider whose users are the
// seeded clerks (as after a migration from static tokens).
func oidcServer(t *testing.T) (*servertest.Env, *idp.Provider) {
	t.Helper()
	p, err := idp.Start(idp.Options{PollInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	env := startServer(t, 0, servertest.WithConfig(func(c *server.Config) {
		c.OIDC = &server.OIDCConfig{Issuer: p.Issuer(), Audience: "amt-api", ClientID: "amt"}
	}))
	for _, c := range env.Data.Clerks {
		u := idp.User{Username: c.ID, Name: c.Name, Amt: c.Amt}
		if c.Role == "lead" {
			u.Roles = []string{idp.RoleLead}
		}
		p.SetUser(u)
	}
	return env, p
}

// browser plays the clerk's browser: it approves the code in the URL amt opens as username.
func browser(t *testing.T, p *idp.Provider, username string) {
	t.Helper()
	old := openBrowser
	openBrowser = func(raw string) error {
		u, err := url.Parse(raw)
		if err != nil {
			return err
		}
		return p.Approve(u.Query().Get("user_code"), username)
	}
	t.Cleanup(func() { openBrowser = old })
}

func withTerminal(t *testing.T, cols, rows int) {
	old := terminalSize
	terminalSize = func(io.Writer) (int, int, bool) { return cols, rows, cols > 0 }
	t.Cleanup(func() { terminalSize = old })
}

func TestLoginDeviceFlow(t *testing.T) {
	setupEnv(t)
	env, p := oidcServer(t)
	browser(t, p, clerkA)
	withTerminal(t, 0, 0) // not a terminal: no QR code, no countdown line
	c := newCLI(t)
	out := c.must(0, "login", "--server", env.URL)
	for _, want := range []string{"Anmeldung über den Anmeldedienst", p.Issuer() + idp.DevicePath, "Der Browser wurde geöffnet", "Warte auf Bestätigung", "Angemeldet als"} {
		if !strings.Contains(out, want) {
			t.Errorf("login output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "QR") {
		t.Errorf("QR code without a terminal:\n%s", out)
	}
	st := openTestStore(t, c)
	sess, ok := loadSignIn(st)
	_, tokErr := st.Meta(metaToken)
	st.Close()
	if !ok || sess.RefreshToken == "" || tokErr == nil {
		t.Fatalf("stored: session %v, static token err %v", ok, tokErr)
	}
	out = c.must(0, "sync")
	if !strings.Contains(out, "Abgeglichen") {
		t.Fatalf("sync: %s", out)
	}
	c.must(0, "comment", caseReview, "über OIDC angemeldet")
	if acts := outbox(t, c); len(acts) != 0 {
		t.Fatalf("outbox after comment: %+v", acts)
	}
	c.must(0, "doctor")
}

func TestLoginDeviceFlowQRCode(t *testing.T) {
	setupEnv(t)
	env, p := oidcServer(t)
	browser(t, p, clerkA)
	withTerminal(t, 120, 50)
	out := newCLI(t).must(0, "login", "--server", env.URL)
	if !strings.Contains(out, "QR-Code") || !strings.Contains(out, "█") || !strings.Contains(out, "noch ") {
		t.Fatalf("no QR code or countdown on a large terminal:\n%s", out)
	}

	// A small terminal gets the address and code only.
	withTerminal(t, 60, 20)
	out = newCLI(t).must(0, "login", "--server", env.URL)
	if strings.Contains(out, "QR-Code") {
		t.Fatalf("QR code on a 60×20 terminal:\n%s", out)
	}
}

func TestLoginDeviceFlowDenied(t *testing.T) {
	setupEnv(t)
	env, p := oidcServer(t)
	withTerminal(t, 0, 0)
	old := openBrowser
	openBrowser = func(raw string) error {
		u, _ := url.Parse(raw)
		return p.Deny(u.Query().Get("user_code"))
	}
	t.Cleanup(func() { openBrowser = old })
	c := newCLI(t)
	code, _, errs := c.run("login", "--server", env.URL)
	if code != exitErr || !strings.Contains(errs, "abgelehnt") {
		t.Fatalf("denied: %d %s", code, errs)
	}
}

// TestRevokedSignInKeepsOutbox: the provider ends the session; amt says to sign in again, the
// queued comment stays, and after a new sign-in it is delivered once.
func TestRevokedSignInKeepsOutbox(t *testing.T) {
	setupEnv(t)
	env, p := oidcServer(t)
	browser(t, p, clerkA)
	withTerminal(t, 0, 0)
	c := newCLI(t)
	c.must(0, "login", "--server", env.URL)
	c.must(0, "sync")

	p.EndSessions(clerkA)
	expireAccessToken(t, c)
	code, _, errs := c.run("comment", caseReview, "nach Widerruf")
	if code == exitOK || !strings.Contains(errs, "neu anmelden") {
		t.Fatalf("comment after revocation: %d %s", code, errs)
	}
	if acts := outbox(t, c); len(acts) != 1 {
		t.Fatalf("outbox: %+v", acts)
	}
	code, _, errs = c.run("sync")
	if code == exitOK || !strings.Contains(errs, "abgelaufen oder wurde widerrufen") {
		t.Fatalf("sync after revocation: %d %s", code, errs)
	}
	c.must(0, "login", "--server", env.URL)
	c.must(0, "sync")
	if acts := outbox(t, c); len(acts) != 0 {
		t.Fatalf("outbox after new sign-in: %+v", acts)
	}
	n := 0
	for _, note := range serverCase(t, env, caseReview).Notes {
		if note.Text == "nach Widerruf" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("note delivered %d times", n)
	}
}

func TestLogoutRevokes(t *testing.T) {
	setupEnv(t)
	env, p := oidcServer(t)
	browser(t, p, clerkA)
	withTerminal(t, 0, 0)
	c := newCLI(t)
	c.must(0, "login", "--server", env.URL)
	c.must(0, "sync")
	out := c.must(0, "logout")
	if !strings.Contains(out, "widerrufen") || p.Sessions(clerkA) != 0 {
		t.Fatalf("logout: %s (sessions %d)", out, p.Sessions(clerkA))
	}
	st := openTestStore(t, c)
	_, ok := loadSignIn(st)
	n, _ := st.Count()
	st.Close()
	if ok || n == 0 {
		t.Fatalf("after logout: session kept %v, cached cases %d", ok, n)
	}
	if code, _, errs := c.run("sync"); code == exitOK || !strings.Contains(errs, "login") {
		t.Fatalf("sync after logout: %d %s", code, errs)
	}
	if out := c.must(0, "logout"); !strings.Contains(out, "Nicht angemeldet") {
		t.Fatalf("second logout: %s", out)
	}
}

// expireAccessToken makes the stored access token look expired, so the next request refreshes.
func expireAccessToken(t *testing.T, c *cli) {
	t.Helper()
	st := openTestStore(t, c)
	defer st.Close()
	sess, ok := loadSignIn(st)
	if !ok {
		t.Fatal("no session")
	}
	sess.Expiry = time.Now().Add(-time.Minute)
	if err := saveSignIn(st, sess); err != nil {
		t.Fatal(err)
	}
}

func openTestStore(t *testing.T, c *cli) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: c.data, Passphrase: "geheim", KDF: storeKDF})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
