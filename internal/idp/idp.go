// Package idp runs a real OpenID provider on loopback for tests and the `amt-server --demo --oidc`
// mode: zitadel/oidc's certified op package with in-memory users, the device flow (PKCE S256
// required, as recent Keycloak does), refresh tokens, revocation and key rotation.
//
// It is not a production identity provider: users have no passwords, and the approval page
// trusts whoever opens it. Production deployments use the state's provider (Keycloak).
package idp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Claim names the provider puts into access tokens, the defaults amt-server reads.
const (
	ClaimAmt   = "amt"
	ClaimRoles = "roles"
)

// Provider role names that amt-server maps to its own roles.
const (
	RoleLead   = "amt-lead"
	RoleDeputy = "amt-deputy"
)

// User is an account at the provider.
type User struct {
	Username string   // preferred_username, amt's clerk id
	Name     string   // display name
	Amt      string   // value of the amt claim; empty = none
	Roles    []string // e.g. RoleLead
}

// Client is a registered OAuth client: public (no secret), device and refresh grants.
type Client struct {
	ID       string
	Audience []string // added to the aud of its access tokens besides its own id
}

// Options configure Start.
type Options struct {
	// Addr to listen on; empty = "127.0.0.1:0". Only loopback addresses are accepted.
	Addr string
	// Clients registered; nil = one client "amt" with audience "amt-api".
	Clients []Client
	// Users seeded.
	Users []User
	// AccessTokenLifetime; 0 = 5 minutes (Keycloak's default).
	AccessTokenLifetime time.Duration
	// SessionLifetime is how long a refresh token stays usable; 0 = 10 hours (a working day).
	SessionLifetime time.Duration
	// DeviceCodeLifetime; 0 = 10 minutes.
	DeviceCodeLifetime time.Duration
	// PollInterval the client is told to wait between polls; 0 = 5 s. Tests set it to 1 s
	// (the smallest RFC 8628 allows in whole seconds is 1).
	PollInterval time.Duration
	// AllowNoPKCE accepts device authorisations without a code_challenge (default: refused).
	AllowNoPKCE bool
	// Now is the clock for token and session expiry; nil = time.Now.
	Now func() time.Time
	// Logger for the provider's own messages; nil = discarded.
	Logger *slog.Logger
}

// Provider is a running OpenID provider.
type Provider struct {
	opts   Options
	issuer string
	srv    *http.Server
	ln     net.Listener
	op     *op.Provider

	mu        sync.Mutex
	users     map[string]*User   // username → user
	clients   map[string]*Client // id → client
	devices   map[string]*device // device code → state
	userCodes map[string]string  // user code → device code
	sessions  map[string]*session
	refresh   map[string]string // refresh token → session id
	keys      []*signingKey     // keys[0] signs; all are published
	stats     Stats
}

// Stats counts what the provider handed out, for tests.
type Stats struct {
	DeviceAuthorizations int
	TokensIssued         int // access tokens
	Refreshes            int
	Revocations          int
}

type device struct {
	clientID  string
	userCode  string
	expires   time.Time
	scopes    []string
	challenge string
	done      bool
	denied    bool
	subject   string
	authTime  time.Time
}

type session struct {
	id       string
	clientID string
	subject  string
	scopes   []string
	audience []string
	authTime time.Time
	expires  time.Time
}

// Start listens on loopback and serves the provider until Close.
func Start(opts Options) (*Provider, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("idp: address %q: %w", opts.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("idp: the test provider listens on loopback only, not %s", host)
	}
	if opts.Clients == nil {
		opts.Clients = []Client{{ID: "amt", Audience: []string{"amt-api"}}}
	}
	if opts.AccessTokenLifetime <= 0 {
		opts.AccessTokenLifetime = 5 * time.Minute
	}
	if opts.SessionLifetime <= 0 {
		opts.SessionLifetime = 10 * time.Hour
	}
	if opts.DeviceCodeLifetime <= 0 {
		opts.DeviceCodeLifetime = 10 * time.Minute
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p := &Provider{
		opts:      opts,
		users:     map[string]*User{},
		clients:   map[string]*Client{},
		devices:   map[string]*device{},
		userCodes: map[string]string{},
		sessions:  map[string]*session{},
		refresh:   map[string]string{},
	}
	for _, c := range opts.Clients {
		c := c
		p.clients[c.ID] = &c
	}
	for _, u := range opts.Users {
		p.SetUser(u)
	}
	if err := p.RotateKey(false); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("idp: %w", err)
	}
	p.ln = ln
	p.issuer = "http://" + ln.Addr().String()
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		ln.Close()
		return nil, err
	}
	cfg := &op.Config{
		CryptoKey:             cryptoKey,
		CodeMethodS256:        true,
		GrantTypeRefreshToken: true,
		DeviceAuthorization: op.DeviceAuthorizationConfig{
			Lifetime:     opts.DeviceCodeLifetime,
			PollInterval: opts.PollInterval,
			UserFormPath: DevicePath,
			UserCode:     op.UserCodeBase20,
		},
	}
	prov, err := op.NewProvider(cfg, &storage{p}, op.StaticIssuer(p.issuer), op.WithAllowInsecure(), op.WithLogger(opts.Logger))
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("idp: %w", err)
	}
	p.op = prov
	mux := http.NewServeMux()
	mux.HandleFunc(DevicePath, p.devicePage)
	mux.Handle("/", p.pkce(prov))
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)}
	go p.srv.Serve(ln)
	return p, nil
}

// DevicePath is where the user enters the code (the verification URI).
const DevicePath = "/device"

// Issuer is the provider's issuer URL (http://127.0.0.1:port).
func (p *Provider) Issuer() string { return p.issuer }

// Close stops the provider.
func (p *Provider) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.srv.Shutdown(ctx)
}

// SetUser adds or replaces a user. Tokens issued from now on carry the new claims (a role
// removed here is gone from the next access token, as at a real provider).
func (p *Provider) SetUser(u User) {
	u.Roles = slices.Clone(u.Roles)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[u.Username] = &u
}

// SetRoles replaces a user's roles.
func (p *Provider) SetRoles(username string, roles ...string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.users[username]
	if !ok {
		return fmt.Errorf("idp: no user %q", username)
	}
	u.Roles = slices.Clone(roles)
	return nil
}

// Users lists the users by username.
func (p *Provider) Users() []User {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]User, 0, len(p.users))
	for _, u := range p.users {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}

// Approve does what the user does in the browser: signs in as username and approves the device
// authorisation with the given user code.
func (p *Provider) Approve(userCode, username string) error {
	return p.decide(userCode, username, true)
}

// Deny refuses the device authorisation with the given user code.
func (p *Provider) Deny(userCode string) error { return p.decide(userCode, "", false) }

func (p *Provider) decide(userCode, username string, approve bool) error {
	userCode = normalizeUserCode(userCode)
	p.mu.Lock()
	defer p.mu.Unlock()
	dc, ok := p.userCodes[userCode]
	d := p.devices[dc]
	if !ok || d == nil || p.opts.Now().After(d.expires) {
		return errors.New("idp: unknown or expired code")
	}
	if d.done || d.denied {
		return errors.New("idp: this code was already used")
	}
	if !approve {
		d.denied = true
		return nil
	}
	if _, ok := p.users[username]; !ok {
		return fmt.Errorf("idp: no user %q", username)
	}
	d.done = true
	d.subject = username
	d.authTime = p.opts.Now()
	return nil
}

// normalizeUserCode accepts codes typed in lower case or without the dash.
func normalizeUserCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.NewReplacer("-", "", " ", "").Replace(s)
	if len(s) == 8 {
		s = s[:4] + "-" + s[4:]
	}
	return s
}

// PendingUserCodes lists the user codes waiting for approval (for tests that play the browser).
func (p *Provider) PendingUserCodes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	now := p.opts.Now()
	for _, d := range p.devices {
		if !d.done && !d.denied && !now.After(d.expires) {
			out = append(out, d.userCode)
		}
	}
	sort.Strings(out)
	return out
}

// EndSessions ends every session of username (an admin's "log out everywhere" or a disabled
// account): its refresh tokens stop working. It reports how many sessions ended.
func (p *Provider) EndSessions(username string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for id, s := range p.sessions {
		if s.subject == username {
			delete(p.sessions, id)
			n++
		}
	}
	for tok, id := range p.refresh {
		if _, ok := p.sessions[id]; !ok {
			delete(p.refresh, tok)
		}
	}
	return n
}

// Sessions reports how many sessions username has.
func (p *Provider) Sessions(username string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.sessions {
		if s.subject == username {
			n++
		}
	}
	return n
}

// Stats returns the counters.
func (p *Provider) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// RotateKey makes a new signing key. With keepOld the previous key stays published (tokens it
// signed still verify, as during a Keycloak key rollover); without, it is dropped at once.
func (p *Provider) RotateKey(keepOld bool) error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("idp: %w", err)
	}
	id := make([]byte, 8)
	rand.Read(id)
	sk := &signingKey{id: hex.EncodeToString(id), key: k}
	p.mu.Lock()
	defer p.mu.Unlock()
	if keepOld && len(p.keys) > 0 {
		p.keys = []*signingKey{sk, p.keys[0]}
	} else {
		p.keys = []*signingKey{sk}
	}
	return nil
}

// SigningKeyID is the kid of the current signing key.
func (p *Provider) SigningKeyID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[0].id
}

// pkce enforces RFC 7636 S256 on the device flow, as Keycloak's "PKCE required" does: the
// device authorisation must carry a code_challenge, and the device-code token request the
// matching code_verifier. zitadel's op does not check PKCE on this grant itself.
func (p *Provider) pkce(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		switch r.URL.Path {
		case "/device_authorization":
			if err := r.ParseForm(); err != nil {
				oauthError(w, "invalid_request", "cannot parse form")
				return
			}
			ch, m := r.PostForm.Get("code_challenge"), r.PostForm.Get("code_challenge_method")
			if ch == "" && !p.opts.AllowNoPKCE {
				oauthError(w, "invalid_request", "Missing parameter: code_challenge (PKCE is required)")
				return
			}
			if ch != "" && m != "S256" {
				oauthError(w, "invalid_request", "Invalid parameter: code_challenge_method (S256 only)")
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), challengeKey{}, ch))
		case "/oauth/token":
			if err := r.ParseForm(); err != nil {
				oauthError(w, "invalid_request", "cannot parse form")
				return
			}
			if r.PostForm.Get("grant_type") == string(oidc.GrantTypeDeviceCode) {
				p.mu.Lock()
				d := p.devices[r.PostForm.Get("device_code")]
				ch := ""
				if d != nil {
					ch = d.challenge
				}
				p.mu.Unlock()
				if ch != "" {
					sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
					if base64.RawURLEncoding.EncodeToString(sum[:]) != ch {
						oauthError(w, "invalid_grant", "PKCE verification failed: code_verifier does not match")
						return
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

type challengeKey struct{}

func oauthError(w http.ResponseWriter, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"error":%q,"error_description":%q}`, code, desc)
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct{ *signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.key.PublicKey }
