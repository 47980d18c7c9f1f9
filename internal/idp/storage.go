package idp

import (
	"context"
	"errors"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage is the op.Storage of a Provider: everything in the Provider's maps under its mutex.
// Only the grants amt uses are implemented (device code, refresh token); the authorisation code
// flow answers "not supported".
type storage struct{ p *Provider }

var errNotSupported = errors.New("idp: only the device flow is supported")

func (s *storage) CreateAuthRequest(context.Context, *oidc.AuthRequest, string) (op.AuthRequest, error) {
	return nil, errNotSupported
}
func (s *storage) AuthRequestByID(context.Context, string) (op.AuthRequest, error) {
	return nil, errNotSupported
}
func (s *storage) AuthRequestByCode(context.Context, string) (op.AuthRequest, error) {
	return nil, errNotSupported
}
func (s *storage) SaveAuthCode(context.Context, string, string) error { return errNotSupported }
func (s *storage) DeleteAuthRequest(context.Context, string) error    { return nil }

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.TokensIssued++
	return randomToken(), p.opts.Now().Add(p.opts.AccessTokenLifetime), nil
}

// CreateAccessAndRefreshTokens starts a session (device flow) or continues one (refresh). A
// refresh hands out a new refresh token; the old one stays valid while its session lives, as
// with Keycloak's default (no refresh-token reuse detection), so a client that crashed before
// saving the new one is not locked out.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.opts.Now()
	var sess *session
	switch r := req.(type) {
	case *refreshRequest:
		sess = p.sessions[r.sessionID]
		if sess == nil || now.After(sess.expires) {
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("session ended")
		}
		p.stats.Refreshes++
	case *op.DeviceAuthorizationState:
		sess = &session{id: randomToken(), clientID: r.ClientID, subject: r.Subject, scopes: slices.Clone(r.Scopes),
			audience: slices.Clone(r.GetAudience()), authTime: r.AuthTime, expires: now.Add(p.opts.SessionLifetime)}
		p.sessions[sess.id] = sess
	default:
		return "", "", time.Time{}, errNotSupported
	}
	rt := randomToken()
	p.refresh[rt] = sess.id
	p.stats.TokensIssued++
	return randomToken(), rt, now.Add(p.opts.AccessTokenLifetime), nil
}

// refreshRequest is the op.RefreshTokenRequest of a session.
type refreshRequest struct {
	sessionID string
	clientID  string
	subject   string
	scopes    []string
	audience  []string
	authTime  time.Time
}

func (r *refreshRequest) GetAMR() []string                 { return []string{"pwd"} }
func (r *refreshRequest) GetAudience() []string            { return r.audience }
func (r *refreshRequest) GetAuthTime() time.Time           { return r.authTime }
func (r *refreshRequest) GetClientID() string              { return r.clientID }
func (r *refreshRequest) GetScopes() []string              { return r.scopes }
func (r *refreshRequest) GetSubject() string               { return r.subject }
func (r *refreshRequest) SetCurrentScopes(scopes []string) { r.scopes = scopes }

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, rt string) (op.RefreshTokenRequest, error) {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	sess := p.sessions[p.refresh[rt]]
	if sess == nil || p.opts.Now().After(sess.expires) {
		return nil, errors.New("idp: refresh token unknown, revoked or expired")
	}
	return &refreshRequest{sessionID: sess.id, clientID: sess.clientID, subject: sess.subject,
		scopes: slices.Clone(sess.scopes), audience: slices.Clone(sess.audience), authTime: sess.authTime}, nil
}

func (s *storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	s.p.EndSessions(userID)
	return nil
}

// RevokeToken ends the session of a refresh token (RFC 7009). Access tokens are JWTs that the
// resource server checks by itself; revoking one is accepted and changes nothing, as at Keycloak
// without introspection.
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Revocations++
	id, ok := p.refresh[tokenOrID]
	if !ok {
		return nil // RFC 7009 §2.2: an invalid token is not an error
	}
	if sess := p.sessions[id]; sess != nil && sess.clientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was issued to another client")
	}
	delete(p.sessions, id)
	for tok, sid := range p.refresh {
		if sid == id {
			delete(p.refresh, tok)
		}
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	sess := p.sessions[p.refresh[token]]
	if sess == nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	return sess.subject, token, nil
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	return s.p.keys[0], nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	out := make([]op.Key, len(s.p.keys))
	for i, k := range s.p.keys {
		out[i] = publicKey{k}
	}
	return out, nil
}

func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	c, ok := s.p.clients[id]
	if !ok {
		return nil, errors.New("idp: unknown client")
	}
	return &client{id: c.ID, loginURL: s.p.issuer + DevicePath}, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	return errors.New("idp: public clients have no secret")
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	s.userinfo(info, req.GetSubject())
	return nil
}

func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	s.userinfo(info, subject)
	return nil
}

func (s *storage) userinfo(info *oidc.UserInfo, subject string) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	info.Subject = subject
	if u := s.p.users[subject]; u != nil {
		info.PreferredUsername = u.Username
		info.Name = u.Name
	}
}

func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	return errNotSupported
}

func (s *storage) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	return s.claims(userID), nil
}

// GetPrivateClaimsFromRequest puts the user's current Amt, roles and names into the access
// token: in `amt` and `roles`, and the roles also where Keycloak puts realm roles
// (`realm_access.roles`).
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, scopes []string) (map[string]any, error) {
	return s.claims(req.GetSubject()), nil
}

func (s *storage) claims(subject string) map[string]any {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	u := s.p.users[subject]
	if u == nil {
		return nil
	}
	roles := slices.Clone(u.Roles)
	if roles == nil {
		roles = []string{}
	}
	c := map[string]any{
		"preferred_username": u.Username,
		"name":               u.Name,
		ClaimRoles:           roles,
		"realm_access":       map[string]any{"roles": roles},
	}
	if u.Amt != "" {
		c[ClaimAmt] = u.Amt
	}
	return c
}

func (s *storage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	return nil, errNotSupported
}

func (s *storage) ValidateJWTProfileScopes(ctx context.Context, userID string, scopes []string) ([]string, error) {
	return nil, errNotSupported
}

func (s *storage) Health(context.Context) error { return nil }

// StoreDeviceAuthorization keeps a new device authorisation with the PKCE challenge that the
// pkce middleware put into the context.
func (s *storage) StoreDeviceAuthorization(ctx context.Context, clientID, deviceCode, userCode string, expires time.Time, scopes []string) error {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.userCodes[userCode]; dup {
		return op.ErrDuplicateUserCode
	}
	now := p.opts.Now()
	for uc, dc := range p.userCodes { // purge expired ones
		if d := p.devices[dc]; d == nil || now.After(d.expires.Add(time.Hour)) {
			delete(p.userCodes, uc)
			delete(p.devices, dc)
		}
	}
	ch, _ := ctx.Value(challengeKey{}).(string)
	p.devices[deviceCode] = &device{clientID: clientID, userCode: userCode, scopes: slices.Clone(scopes), challenge: ch,
		expires: now.Add(p.opts.DeviceCodeLifetime)}
	p.userCodes[userCode] = deviceCode
	p.stats.DeviceAuthorizations++
	return nil
}

func (s *storage) GetDeviceAuthorizatonState(ctx context.Context, clientID, deviceCode string) (*op.DeviceAuthorizationState, error) {
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.devices[deviceCode]
	if d == nil || d.clientID != clientID {
		return nil, errors.New("idp: unknown device code")
	}
	st := &op.DeviceAuthorizationState{ClientID: d.clientID, Scopes: slices.Clone(d.scopes), Expires: d.expires,
		Done: d.done, Denied: d.denied, Subject: d.subject, AMR: []string{"pwd"}, AuthTime: d.authTime}
	if c := p.clients[clientID]; c != nil {
		st.Audience = slices.Clone(c.Audience)
	}
	if p.opts.Now().After(d.expires) {
		st.Expires = time.Now().Add(-time.Second) // op compares with the wall clock
	} else {
		st.Expires = time.Now().Add(d.expires.Sub(p.opts.Now()))
	}
	if d.done {
		// A device code is exchanged once.
		delete(p.devices, deviceCode)
		delete(p.userCodes, d.userCode)
	}
	return st, nil
}

// client is an op.Client: public, device and refresh grants, JWT access tokens.
type client struct {
	id       string
	loginURL string
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return nil }
func (c *client) PostLogoutRedirectURIs() []string    { return nil }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeNative }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodNone }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) LoginURL(id string) string            { return c.loginURL }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(scope string) bool     { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeDeviceCode, oidc.GrantTypeRefreshToken}
}
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
