package idp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Tokens is a token response.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// SignIn runs the whole device flow over HTTP for username with client clientID, as a client
// and the user's browser would, without waiting a poll interval: device authorisation with
// PKCE, approval, token request. For tests and tools that need a session quickly; the amt
// client itself uses oauth2's DeviceAccessToken.
func (p *Provider) SignIn(ctx context.Context, clientID, username string) (Tokens, error) {
	verifier := oauth2.GenerateVerifier()
	form := url.Values{"client_id": {clientID}, "scope": {"openid profile offline_access"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
	var da struct {
		DeviceCode string `json:"device_code"`
		UserCode   string `json:"user_code"`
	}
	if err := p.post(ctx, "/device_authorization", form, &da); err != nil {
		return Tokens{}, err
	}
	if err := p.Approve(da.UserCode, username); err != nil {
		return Tokens{}, err
	}
	var t Tokens
	err := p.post(ctx, "/oauth/token", url.Values{"client_id": {clientID}, "device_code": {da.DeviceCode},
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "code_verifier": {verifier}}, &t)
	return t, err
}

// Refresh exchanges a refresh token for new tokens.
func (p *Provider) Refresh(ctx context.Context, clientID, refreshToken string) (Tokens, error) {
	var t Tokens
	err := p.post(ctx, "/oauth/token", url.Values{"client_id": {clientID}, "grant_type": {"refresh_token"},
		"refresh_token": {refreshToken}}, &t)
	return t, err
}

func (p *Provider) post(ctx context.Context, path string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.issuer+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("idp: %s: %d %s", path, resp.StatusCode, body)
	}
	return json.Unmarshal(body, out)
}
