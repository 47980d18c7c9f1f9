package server

// Sign-in through the state's OpenID provider: amt-server accepts JWT access tokens of one
// configured issuer next to (or instead of) its static tokens. The provider is found by OpenID
// discovery (go-oidc); its keys are fetched again when a token names a key not seen before (key
// rotation, jwksKeySet). Amt, role and clerk come from claims on every request, so
// a role taken away at the provider is gone with the next access token.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/amt-mv/amt/api"
)

// OIDCConfig configures sign-in with access tokens of an OpenID provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL, e.g. https://login.example.de/realms/amt. It must be
	// https; plain http is accepted only on loopback (tests, the demo).
	Issuer string
	// Audience must be in a token's aud claim (the API's client or audience mapper in Keycloak).
	Audience string
	// ClientID is the public client the amt app signs in with (device flow); it is announced
	// to clients by GET /api/v1/sign-in.
	ClientID string
	// AmtClaim names the claim holding the Amt id; "" = "amt".
	AmtClaim string
	// RolesClaim names the claim holding the roles (a list, or one string); dots walk into
	// objects, e.g. "realm_access.roles". "" = "roles".
	RolesClaim string
	// ClerkClaim names the claim holding the clerk id; "" = "preferred_username". The display
	// name comes from "name".
	ClerkClaim string
	// HTTPClient reaches the provider; nil = one with a 10 s timeout.
	HTTPClient *http.Client
}

// Provider role names mapped to amt roles; any other signed-in member of an Amt is a clerk.
const (
	OIDCRoleLead   = "amt-lead"
	OIDCRoleDeputy = "amt-deputy"
)

// Defaults of OIDCConfig.
const (
	DefaultAmtClaim   = "amt"
	DefaultRolesClaim = "roles"
	DefaultClerkClaim = "preferred_username"
)

// maxJWTLen bounds an access token: Keycloak's are 1–3 KB; the header limit is 32 KiB.
const maxJWTLen = 16 << 10

// CheckIssuerURL accepts an https issuer URL, or plain http on a loopback host.
func CheckIssuerURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("oidc issuer %q is not a URL like https://login.example.de/realms/amt", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("oidc issuer %q must not carry credentials, a query or a fragment", u.Redacted())
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if ip := net.ParseIP(h); strings.EqualFold(h, "localhost") || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return fmt.Errorf("oidc issuer %s: plain http is allowed only on loopback; use https", u.Redacted())
	}
	return fmt.Errorf("oidc issuer %s: scheme must be https", u.Redacted())
}

func (c *OIDCConfig) validate() error {
	if err := CheckIssuerURL(c.Issuer); err != nil {
		return err
	}
	if c.Audience == "" {
		return errors.New("oidc audience is required (the value a token's aud claim must hold)")
	}
	if c.ClientID == "" {
		return errors.New("oidc client_id is required (the public client amt signs in with)")
	}
	if c.AmtClaim == "" {
		c.AmtClaim = DefaultAmtClaim
	}
	if c.RolesClaim == "" {
		c.RolesClaim = DefaultRolesClaim
	}
	if c.ClerkClaim == "" {
		c.ClerkClaim = DefaultClerkClaim
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return nil
}

// oidcAuth verifies access tokens of the configured provider. Discovery runs at the first
// token (and again after a failure, at most every discoveryRetry), so amt-server starts while
// the provider is down and static tokens keep working meanwhile.
type oidcAuth struct {
	cfg OIDCConfig
	now func() time.Time

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	lastTry  time.Time
	lastErr  error

	clerks sync.Map // clerkSeen → struct{}: clerk records known to be current
}

// discoveryRetry is the least time between two failed discoveries.
const discoveryRetry = 10 * time.Second

type clerkSeen struct{ id, amt, name string }

func (a *oidcAuth) getVerifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.verifier != nil {
		return a.verifier, nil
	}
	if a.lastErr != nil && time.Since(a.lastTry) < discoveryRetry {
		return nil, a.lastErr
	}
	a.lastTry = time.Now()
	// The provider's key set lives as long as the server; it refetches on an unknown key id.
	pctx := oidc.ClientContext(context.WithoutCancel(ctx), a.cfg.HTTPClient)
	dctx, cancel := context.WithTimeout(pctx, 15*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, a.cfg.Issuer)
	if err != nil {
		a.lastErr = err
		return nil, err
	}
	// Discovery names the key set; jwksKeySet fetches it on the requests that need it.
	var meta struct {
		JWKSURL string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" {
		a.lastErr = errors.New("oidc: the provider's discovery document has no jwks_uri")
		return nil, a.lastErr
	}
	algs := meta.Algs
	if len(algs) == 0 {
		algs = []string{oidc.RS256}
	}
	keys := newJWKSKeySet(meta.JWKSURL, a.cfg.HTTPClient, algs)
	a.verifier = oidc.NewVerifier(a.cfg.Issuer, keys, &oidc.Config{ClientID: a.cfg.Audience, Now: a.now,
		SupportedSigningAlgs: algs})
	a.lastErr = nil
	return a.verifier, nil
}

// looksLikeJWT tells a JWT (three base64url parts) from a static token (hex).
func looksLikeJWT(tok string) bool { return strings.Count(tok, ".") == 2 }

// authenticateOIDC checks a JWT access token and maps its claims to a principal.
func (s *Server) authenticateOIDC(r *http.Request, tok string) (*principal, *apiError) {
	a := s.oidc
	unauth := func(d string) *apiError {
		return problem(http.StatusUnauthorized, api.ProblemUnauthorized, "Unauthorized", d)
	}
	forbidden := func(d string) *apiError {
		return problem(http.StatusForbidden, api.ProblemForbidden, "Forbidden", d)
	}
	if len(tok) > maxJWTLen {
		return nil, unauth("invalid token")
	}
	v, err := a.getVerifier(r.Context())
	if err != nil {
		s.log.Error("oidc discovery failed", "issuer", a.cfg.Issuer, "err", err)
		pe := problem(http.StatusServiceUnavailable, api.ProblemUnavailable, "Sign-in provider unreachable",
			"the server cannot reach its OpenID provider to check the token; try again later")
		return nil, pe
	}
	idt, err := v.Verify(r.Context(), tok)
	if err != nil {
		var exp *oidc.TokenExpiredError
		if errors.As(err, &exp) {
			return nil, unauth("the access token has expired; refresh it")
		}
		// The reason (audience, issuer, signature) is logged without the token; the client hears
		// only that the token was not accepted.
		s.log.Info("oidc token refused", "reason", verifyReason(err))
		return nil, unauth("invalid token")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, unauth("invalid token")
	}
	// An ID token is for the app, not for the API (OIDC Core §2; Keycloak marks it typ "ID").
	if _, ok := claims["at_hash"]; ok || claims["typ"] == "ID" {
		return nil, unauth("an ID token is not an access token")
	}
	clerk, _ := claims[a.cfg.ClerkClaim].(string)
	if !validID(clerk) {
		return nil, forbidden(fmt.Sprintf("the token carries no usable clerk id in claim %q; ask your administrator", a.cfg.ClerkClaim))
	}
	amt, _ := claims[a.cfg.AmtClaim].(string)
	if amt == "" {
		return nil, forbidden(fmt.Sprintf("the token names no Amt (claim %q); ask your administrator to assign you to your Amt at the sign-in provider", a.cfg.AmtClaim))
	}
	name, _ := claims["name"].(string)
	if name == "" {
		name = clerk
	}
	role := api.RoleClerk
	roles := claimStrings(claims, a.cfg.RolesClaim)
	switch {
	case slices.Contains(roles, OIDCRoleLead):
		role = api.RoleLead
	case slices.Contains(roles, OIDCRoleDeputy):
		role = api.RoleDeputy
	}
	if e := s.ensureOIDCClerk(clerk, amt, name, role); e != nil {
		return nil, e
	}
	return &principal{Clerk: clerk, Amt: amt, Role: role, key: "oidc:" + amt + "/" + clerk}, nil
}

// ensureOIDCClerk adds a clerk signing in for the first time to the Amt's clerk list and keeps
// name and role current there; a write only happens when something changed. An unknown Amt,
// or a clerk id that belongs to another Amt, is refused.
func (s *Server) ensureOIDCClerk(clerk, amt, name string, role api.Role) *apiError {
	seen := clerkSeen{clerk, amt, name + "\x00" + string(role)}
	if _, ok := s.oidc.clerks.Load(seen); ok {
		return nil
	}
	ctx := context.Background()
	forbidden := func(d string) *apiError { return problem(http.StatusForbidden, api.ProblemForbidden, "Forbidden", d) }
	if _, ok, err := s.store.Amt(ctx, amt); err != nil {
		s.log.Error("read amt", "err", err)
		return problem(http.StatusInternalServerError, api.ProblemInternal, "Internal error", "")
	} else if !ok {
		return forbidden("the Amt named by your sign-in is not served here; ask your administrator")
	}
	c, ok, err := s.store.Clerk(ctx, amt, clerk)
	if err != nil {
		s.log.Error("read clerk", "err", err)
		return problem(http.StatusInternalServerError, api.ProblemInternal, "Internal error", "")
	}
	if !ok || c.Name != name || c.Role != role {
		// Store.PutClerk never moves a clerk to another Amt: the id is taken there.
		if err := s.store.PutClerk(ctx, clerkRec{ID: clerk, Name: name, Amt: amt, Role: role}); err != nil {
			if !ok && strings.Contains(err.Error(), "another amt") {
				return forbidden("this clerk id belongs to another Amt; ask your administrator")
			}
			s.log.Error("record clerk", "err", err)
			return problem(http.StatusInternalServerError, api.ProblemInternal, "Internal error", "")
		}
	}
	s.oidc.clerks.Store(seen, struct{}{})
	return nil
}

// claimStrings reads a claim that is a list of strings or one string; dots in name walk into
// nested objects (realm_access.roles).
func claimStrings(claims map[string]any, name string) []string {
	var v any = claims
	if _, ok := claims[name]; ok {
		v = claims[name]
	} else {
		for part := range strings.SplitSeq(name, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[part]
		}
	}
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// verifyReason names why go-oidc refused a token, in words without the token.
func verifyReason(err error) string {
	msg := err.Error()
	for _, k := range []string{"audience", "issuer", "signature", "malformed", "algorithm", "before"} {
		if strings.Contains(msg, k) {
			return k
		}
	}
	return "invalid"
}

// getSignIn tells clients how to sign in (GET /api/v1/sign-in, no authentication).
func (s *Server) getSignIn(w http.ResponseWriter, r *http.Request) {
	info := api.SignInInfo{StaticTokens: !s.cfg.DisableStaticTokens}
	if s.oidc != nil {
		info.OIDC = &api.OIDCInfo{Issuer: s.oidc.cfg.Issuer, ClientID: s.oidc.cfg.ClientID,
			Scopes: []string{"openid", "profile", "offline_access"}}
	}
	w.Header().Set("Cache-Control", "max-age=300")
	writeJSON(w, r, http.StatusOK, info)
}
