package idp

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func start(t *testing.T) *Provider {
	t.Helper()
	p, err := Start(Options{PollInterval: time.Second, Users: []User{{Username: "anna", Name: "Anna <b>", Amt: "amt-a", Roles: []string{RoleLead}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func postForm(t *testing.T, u string, v url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPKCERequired(t *testing.T) {
	p := start(t)
	code, body := postForm(t, p.Issuer()+"/device_authorization", url.Values{"client_id": {"amt"}, "scope": {"openid offline_access"}})
	if code != 400 || !strings.Contains(body, "code_challenge") {
		t.Fatalf("without PKCE: %d %s", code, body)
	}
	code, body = postForm(t, p.Issuer()+"/device_authorization", url.Values{"client_id": {"amt"}, "code_challenge": {"abc"}, "code_challenge_method": {"plain"}})
	if code != 400 || !strings.Contains(body, "S256") {
		t.Fatalf("plain PKCE: %d %s", code, body)
	}

	oc := &oauth2.Config{ClientID: "amt", Scopes: []string{"openid", "offline_access"},
		Endpoint: oauth2.Endpoint{DeviceAuthURL: p.Issuer() + "/device_authorization", TokenURL: p.Issuer() + "/oauth/token"}}
	verifier := oauth2.GenerateVerifier()
	da, err := oc.DeviceAuth(context.Background(), oauth2.S256ChallengeOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Approve(strings.ToLower(strings.ReplaceAll(da.UserCode, "-", "")), "anna"); err != nil {
		t.Fatal(err) // typed in lower case without the dash
	}
	code, body = postForm(t, p.Issuer()+"/oauth/token", url.Values{"client_id": {"amt"}, "grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {da.DeviceCode}, "code_verifier": {oauth2.GenerateVerifier()}})
	if code != 400 || !strings.Contains(body, "invalid_grant") {
		t.Fatalf("wrong verifier: %d %s", code, body)
	}
	tok, err := oc.DeviceAccessToken(context.Background(), da, oauth2.VerifierOption(verifier))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("token: %v %+v", err, tok)
	}
	// The device code is spent.
	if _, err := oc.DeviceAccessToken(context.Background(), da, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("device code used twice")
	}
}

func TestRevocationEndsSession(t *testing.T) {
	p := start(t)
	ctx := context.Background()
	tok, err := p.SignIn(ctx, "amt", "anna")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Refresh(ctx, "amt", tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
	code, body := postForm(t, p.Issuer()+"/revoke", url.Values{"client_id": {"amt"}, "token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}})
	if code != 200 {
		t.Fatalf("revoke: %d %s", code, body)
	}
	if _, err := p.Refresh(ctx, "amt", tok.RefreshToken); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("refresh after revocation: %v", err)
	}
	if p.Sessions("anna") != 0 {
		t.Fatal("session survived")
	}
	tok, _ = p.SignIn(ctx, "amt", "anna")
	if n := p.EndSessions("anna"); n != 1 {
		t.Fatalf("ended %d sessions", n)
	}
	if _, err := p.Refresh(ctx, "amt", tok.RefreshToken); err == nil {
		t.Fatal("refresh after the sessions ended")
	}
}

func TestDevicePage(t *testing.T) {
	p := start(t)
	resp, err := http.Get(p.Issuer() + DevicePath + "?user_code=%3Cscript%3E")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), "<script>") || strings.Contains(string(b), "Anna <b>") || !strings.Contains(string(b), "&lt;script&gt;") {
		t.Fatalf("page does not escape: %s", b)
	}
	code, body := postForm(t, p.Issuer()+DevicePath, url.Values{"user_code": {"BCDF-GHJK"}, "username": {"anna"}})
	if code != 200 || !strings.Contains(body, "unbekannt") {
		t.Fatalf("unknown code: %d %s", code, body)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	if _, err := Start(Options{Addr: "0.0.0.0:0"}); err == nil {
		t.Fatal("listened on all interfaces")
	}
}
