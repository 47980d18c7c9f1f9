// Package signin owns a clerk's sign-in at the state's OpenID provider: discovering the
// provider the server names, the device flow with PKCE S256 (RFC 8628, RFC 7636), refreshing
// access tokens silently, and revoking the refresh token at logout (RFC 7009).
//
// A Session (the refresh token and the provider's endpoints) is what the app keeps, encrypted
// in its cache; a Source turns it into access tokens for the client package.
package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/sanitize"
)

// Session is a signed-in clerk at the provider: what is needed to get access tokens later,
// without discovery. It holds secrets: keep it encrypted (the cache's meta values are) and never
// log it.
type Session struct {
	Issuer        string    `json:"issuer"`
	ClientID      string    `json:"clientId"`
	Scopes        []string  `json:"scopes"`
	TokenURL      string    `json:"tokenUrl"`
	RevocationURL string    `json:"revocationUrl,omitempty"` // empty: the provider cannot revoke
	RefreshToken  string    `json:"refreshToken"`
	AccessToken   string    `json:"accessToken,omitempty"`
	Expiry        time.Time `json:"expiry,omitzero"`
}

// String never shows the tokens.
func (s Session) String() string {
	return fmt.Sprintf("signin.Session{Issuer:%q ClientID:%q}", s.Issuer, s.ClientID)
}

// GoString is String.
func (s Session) GoString() string { return s.String() }

// Provider is a discovered OpenID provider with the public client amt signs in with.
type Provider struct {
	issuer        string
	clientID      string
	scopes        []string
	deviceURL     string
	tokenURL      string
	revocationURL string
	hc            *http.Client
}

// CheckIssuer accepts an https issuer, or plain http on a loopback host (tests, the demo).
func CheckIssuer(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("signin: the sign-in provider %q is not a URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if ip := net.ParseIP(h); strings.EqualFold(h, "localhost") || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fmt.Errorf("signin: refusing the sign-in provider %s: it must use https (plain http only on this computer)", u.Redacted())
}

// Discover reads the provider's discovery document. hc nil = a client with a 15 s timeout.
func Discover(ctx context.Context, hc *http.Client, info api.OIDCInfo) (*Provider, error) {
	if err := CheckIssuer(info.Issuer); err != nil {
		return nil, err
	}
	if info.ClientID == "" {
		return nil, errors.New("signin: the server names no client id for the sign-in")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, hc), info.Issuer)
	if err != nil {
		return nil, fmt.Errorf("signin: the sign-in provider %s: %w (%w)", info.Issuer, err, client.ErrOffline)
	}
	var meta struct {
		Device     string `json:"device_authorization_endpoint"`
		Revocation string `json:"revocation_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("signin: discovery document: %w", err)
	}
	if meta.Device == "" {
		return nil, errors.New("signin: the sign-in provider offers no device flow (device_authorization_endpoint); ask the operator to enable it for the client")
	}
	for _, u := range []string{meta.Device, p.Endpoint().TokenURL, meta.Revocation} {
		if u != "" {
			if err := CheckIssuer(u); err != nil {
				return nil, err
			}
		}
	}
	scopes := info.Scopes
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess}
	}
	return &Provider{issuer: info.Issuer, clientID: info.ClientID, scopes: scopes, deviceURL: meta.Device,
		tokenURL: p.Endpoint().TokenURL, revocationURL: meta.Revocation, hc: hc}, nil
}

func (p *Provider) config() *oauth2.Config {
	return &oauth2.Config{ClientID: p.clientID, Scopes: p.scopes,
		Endpoint: oauth2.Endpoint{DeviceAuthURL: p.deviceURL, TokenURL: p.tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
}

// DeviceFlow is a started device authorisation: show VerificationURI and UserCode to the
// clerk, then Wait.
type DeviceFlow struct {
	p        *Provider
	resp     *oauth2.DeviceAuthResponse
	verifier string

	UserCode                string
	VerificationURI         string
	VerificationURIComplete string // the URI with the code in it (for a QR code), may be empty
	Expiry                  time.Time
}

// StartDeviceFlow asks the provider for a user code, with a fresh PKCE S256 challenge.
func (p *Provider) StartDeviceFlow(ctx context.Context) (*DeviceFlow, error) {
	verifier := oauth2.GenerateVerifier()
	resp, err := p.config().DeviceAuth(context.WithValue(ctx, oauth2.HTTPClient, p.hc), oauth2.S256ChallengeOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("signin: the sign-in provider refused to start the sign-in (%s %s)", safeWord(re.ErrorCode), sanitize.Line(truncate(re.ErrorDescription, 200)))
		}
		return nil, fmt.Errorf("signin: the sign-in provider is not reachable: %w", client.ErrOffline)
	}
	if resp.UserCode == "" || resp.VerificationURI == "" {
		return nil, errors.New("signin: the sign-in provider sent no code")
	}
	for _, u := range []string{resp.VerificationURI, resp.VerificationURIComplete} {
		if u != "" {
			if pu, err := url.Parse(u); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") {
				return nil, errors.New("signin: the sign-in provider sent an unusable address")
			}
		}
	}
	return &DeviceFlow{p: p, resp: resp, verifier: verifier, UserCode: resp.UserCode, VerificationURI: resp.VerificationURI,
		VerificationURIComplete: resp.VerificationURIComplete, Expiry: resp.Expiry}, nil
}

// ErrDenied: the clerk (or the provider) refused the sign-in.
var ErrDenied = errors.New("signin: the sign-in was refused at the provider")

// ErrCodeExpired: nobody confirmed the code in time.
var ErrCodeExpired = errors.New("signin: the code expired before it was confirmed")

// Session builds a Session from a token.
func (p *Provider) session(t *oauth2.Token) Session {
	return Session{Issuer: p.issuer, ClientID: p.clientID, Scopes: p.scopes, TokenURL: p.tokenURL,
		RevocationURL: p.revocationURL, RefreshToken: t.RefreshToken, AccessToken: t.AccessToken, Expiry: t.Expiry}
}

// Wait polls until the clerk confirmed the code (or ctx ends, the code expires, or the
// provider refuses), and returns the new session.
func (f *DeviceFlow) Wait(ctx context.Context) (Session, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, f.p.hc)
	t, err := f.p.config().DeviceAccessToken(ctx, f.resp, oauth2.VerifierOption(f.verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		switch {
		case errors.As(err, &re) && re.ErrorCode == "access_denied":
			return Session{}, ErrDenied
		case errors.As(err, &re) && re.ErrorCode == "expired_token":
			return Session{}, ErrCodeExpired
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
			return Session{}, ErrCodeExpired
		case ctx.Err() != nil:
			return Session{}, ctx.Err()
		}
		return Session{}, fmt.Errorf("signin: %w", err)
	}
	if t.RefreshToken == "" {
		return Session{}, errors.New("signin: the provider gave no refresh token; the client needs the offline_access scope")
	}
	return f.p.session(t), nil
}

// Revoke revokes the session's refresh token at the provider (RFC 7009). A provider without a
// revocation endpoint answers ErrNoRevocation; the caller forgets the token anyway.
func Revoke(ctx context.Context, hc *http.Client, s Session) error {
	if s.RevocationURL == "" {
		return ErrNoRevocation
	}
	if s.RefreshToken == "" {
		return nil
	}
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	form := url.Values{"token": {s.RefreshToken}, "token_type_hint": {"refresh_token"}, "client_id": {s.ClientID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.RevocationURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("signin: revoke: %w (%w)", err, client.ErrOffline)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &e)
		return fmt.Errorf("signin: revoke: the provider answered %d %s", resp.StatusCode, safeWord(e.Error))
	}
	return nil
}

// ErrNoRevocation: the provider has no revocation endpoint.
var ErrNoRevocation = errors.New("signin: the provider cannot revoke tokens")

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// safeWord keeps an OAuth error code if it is one (letters and underscores), else nothing.
func safeWord(s string) string {
	if len(s) > 64 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz_") != "" {
		return ""
	}
	return s
}

// Source supplies access tokens of a session to the client package, refreshing them before
// they expire and when the server refuses one; every new token set is handed to save (to keep
// the newest refresh token). It is safe for concurrent use: concurrent callers share one
// refresh.
type Source struct {
	mu   sync.Mutex
	sess Session
	save func(Session) error
	hc   *http.Client
	now  func() time.Time
}

// NewSource returns a Source for sess. save may be nil; hc nil = a client with a 15 s timeout.
func NewSource(sess Session, save func(Session) error, hc *http.Client) *Source {
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &Source{sess: sess, save: save, hc: hc, now: time.Now}
}

// refreshBefore is how long before its expiry an access token is refreshed.
const refreshBefore = 30 * time.Second

// Token returns the current access token, refreshing it first when it expires within 30 s.
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess.AccessToken != "" && (s.sess.Expiry.IsZero() || s.now().Add(refreshBefore).Before(s.sess.Expiry)) {
		return s.sess.AccessToken, nil
	}
	return s.refreshLocked(ctx)
}

// Refresh refreshes unless the token is no longer stale (another caller refreshed meanwhile).
func (s *Source) Refresh(ctx context.Context, stale string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess.AccessToken != "" && s.sess.AccessToken != stale {
		return s.sess.AccessToken, nil
	}
	return s.refreshLocked(ctx)
}

// Replace puts a new session in place (after a new sign-in) and saves it.
func (s *Source) Replace(sess Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sess = sess
	if s.save != nil {
		return s.save(sess)
	}
	return nil
}

// Session returns the current session (with the newest tokens).
func (s *Source) Session() Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sess
}

func (s *Source) refreshLocked(ctx context.Context) (string, error) {
	if s.sess.RefreshToken == "" {
		return "", fmt.Errorf("signin: no refresh token: %w: %w", client.ErrUnauthorized, client.ErrSessionEnded)
	}
	cfg := &oauth2.Config{ClientID: s.sess.ClientID, Scopes: s.sess.Scopes,
		Endpoint: oauth2.Endpoint{TokenURL: s.sess.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.hc)
	t, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: s.sess.RefreshToken}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && (re.ErrorCode == "invalid_grant" || re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client") {
			return "", fmt.Errorf("signin: the provider refused the refresh token (%s): %w: %w", safeWord(re.ErrorCode), client.ErrUnauthorized, client.ErrSessionEnded)
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("signin: refresh at the sign-in provider failed: %w", client.ErrOffline)
	}
	s.sess.AccessToken, s.sess.Expiry = t.AccessToken, t.Expiry
	if t.RefreshToken != "" {
		s.sess.RefreshToken = t.RefreshToken
	}
	if s.save != nil {
		if err := s.save(s.sess); err != nil {
			return "", fmt.Errorf("signin: keep the new sign-in: %w", err)
		}
	}
	return t.AccessToken, nil
}
