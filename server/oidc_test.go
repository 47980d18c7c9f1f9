package server_test

// Sign-in with access tokens of a real OpenID provider (internal/idp, zitadel's certified op
// package) over loopback: audience, expiry, tenancy, claims → Amt/role/clerk, first sign-in,
// key rotation, roles read on every request.

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/idp"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

// clock is a settable clock shared by the provider and the server.
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

type oidcEnv struct {
	*servertest.Env
	idp   *idp.Provider
	clock *clock
	amtA  string
	amtB  string
}

// startOIDC runs a seeded server that accepts tokens of a provider with two Ämter: a lead, a
// deputy and two clerks in A, a clerk in B, and accounts without or with an unknown Amt.
func startOIDC(t *testing.T, mutate ...func(*server.Config)) *oidcEnv {
	t.Helper()
	clk := &clock{t: time.Now()}
	p, err := idp.Start(idp.Options{Now: clk.Now, AccessTokenLifetime: 5 * time.Minute,
		Clients: []idp.Client{{ID: "amt", Audience: []string{"amt-api"}}, {ID: "other-app"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	opts := []servertest.Option{servertest.WithNow(clk.Now), servertest.WithCases(testCases),
		servertest.WithConfig(func(c *server.Config) {
			c.OIDC = &server.OIDCConfig{Issuer: p.Issuer(), Audience: "amt-api", ClientID: "amt"}
			for _, m := range mutate {
				m(c)
			}
		})}
	env := servertest.Start(t, opts...)
	a, b := env.Data.Amts[0].ID, env.Data.Amts[1].ID
	for _, u := range []idp.User{
		{Username: "a.lead", Name: "Lena Lead", Amt: a, Roles: []string{idp.RoleLead}},
		{Username: "a.deputy", Name: "Dirk Deputy", Amt: a, Roles: []string{idp.RoleDeputy}},
		{Username: "a.clerk", Name: "Clara Clerk", Amt: a},
		{Username: "a.clerk2", Name: "Carl Clerk", Amt: a, Roles: []string{"offline_access"}},
		{Username: "b.clerk", Name: "Berta B", Amt: b},
		{Username: "nobody", Name: "No Amt"},
		{Username: "stranger", Name: "Elsewhere", Amt: "amt-atlantis"},
		{Username: env.ClerksOf(b)[0].ID, Name: "Name clash", Amt: a},
	} {
		p.SetUser(u)
	}
	return &oidcEnv{Env: env, idp: p, clock: clk, amtA: a, amtB: b}
}

func (e *oidcEnv) signIn(t *testing.T, user string) idp.Tokens {
	t.Helper()
	tok, err := e.idp.SignIn(context.Background(), "amt", user)
	if err != nil {
		t.Fatalf("sign in %s: %v", user, err)
	}
	return tok
}

func (e *oidcEnv) client(t *testing.T, accessToken string) *client {
	return &client{t: t, env: e.Env, token: accessToken, hc: &http.Client{}}
}

func (e *oidcEnv) as(t *testing.T, user string) *client {
	return e.client(t, e.signIn(t, user).AccessToken)
}

func me(t *testing.T, c *client) api.Me {
	t.Helper()
	resp, body := c.do("GET", "/me", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /me: %d %s", resp.StatusCode, body)
	}
	var m api.Me
	mustJSON(t, body, &m)
	return m
}

func TestOIDCSignInDiscovery(t *testing.T) {
	e := startOIDC(t)
	anon := e.client(t, "")
	resp, body := anon.do("GET", e.URL+api.BasePath+"/sign-in", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, body)
	}
	var info api.SignInInfo
	mustJSON(t, body, &info)
	if info.OIDC == nil || info.OIDC.Issuer != e.idp.Issuer() || info.OIDC.ClientID != "amt" || !info.StaticTokens ||
		!slices.Contains(info.OIDC.Scopes, "offline_access") {
		t.Fatalf("sign-in info %s", body)
	}

	static := servertest.Start(t, servertest.WithCases(4))
	resp, body = (&client{t: t, env: static, hc: &http.Client{}}).do("GET", static.URL+api.BasePath+"/sign-in", nil, nil)
	if resp.StatusCode != 200 || strings.Contains(string(body), "oidc") || !strings.Contains(string(body), `"staticTokens":true`) {
		t.Fatalf("static-only sign-in info: %d %s", resp.StatusCode, body)
	}
}

func TestOIDCClaimsMapToClerkAmtAndRole(t *testing.T) {
	e := startOIDC(t)
	tests := []struct {
		user string
		role api.Role
	}{
		{"a.lead", api.RoleLead},
		{"a.deputy", api.RoleDeputy},
		{"a.clerk", api.RoleClerk},
		{"a.clerk2", api.RoleClerk},
	}
	for _, tc := range tests {
		m := me(t, e.as(t, tc.user))
		if m.Clerk != tc.user || m.Amt != e.amtA || m.Role != tc.role || m.Name == "" || m.AmtName == "" {
			t.Errorf("%s: me = %+v, want role %s in %s", tc.user, m, tc.role, e.amtA)
		}
	}
	// First sign-in put them on the Amt's clerk list, so they can be assigned.
	lead := e.as(t, "a.lead")
	resp, body := lead.do("GET", "/clerks", nil, nil)
	var list api.ClerkList
	mustJSON(t, body, &list)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	var ids []string
	for _, c := range list.Clerks {
		ids = append(ids, c.ID)
		if c.ID == "a.deputy" && (c.Name != "Dirk Deputy" || c.Role != api.RoleDeputy) {
			t.Errorf("clerk list entry %+v", c)
		}
	}
	for _, want := range []string{"a.lead", "a.deputy", "a.clerk", "a.clerk2"} {
		if !slices.Contains(ids, want) {
			t.Errorf("clerk list %v lacks %s", ids, want)
		}
	}
	if slices.Contains(ids, "b.clerk") {
		t.Errorf("clerk list %v shows a clerk of another Amt", ids)
	}
	cs := findCase(t, e.Env, e.amtA, func(c api.Case) bool { return c.Status == api.StatusNew })
	cs = lead.mustAct(api.ActionAssignment, cs.ID, "assign-oidc", "", api.AssignmentRequest{Assignee: "a.clerk"}, cs.Version)
	if cs.Assignee != "a.clerk" {
		t.Fatalf("assignee %q", cs.Assignee)
	}
}

func TestOIDCRefusals(t *testing.T) {
	e := startOIDC(t)
	other, err := e.idp.SignIn(context.Background(), "other-app", "a.clerk")
	if err != nil {
		t.Fatal(err)
	}
	good := e.signIn(t, "a.clerk").AccessToken
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]
	tests := []struct {
		name, token string
		status      int
		detail      string
	}{
		{"wrong audience", other.AccessToken, 401, "invalid token"},
		{"tampered", tampered, 401, "invalid token"},
		{"id token instead of access token", e.signIn(t, "a.clerk").IDToken, 401, "not an access token"},
		{"no amt", e.signIn(t, "nobody").AccessToken, 403, "names no Amt"},
		{"unknown amt", e.signIn(t, "stranger").AccessToken, 403, "not served here"},
		{"clerk id of another Amt", e.signIn(t, e.ClerksOf(e.amtB)[0].ID).AccessToken, 403, "another Amt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.client(t, tc.token).do("GET", "/me", nil, nil)
			typ := api.ProblemUnauthorized
			if tc.status == 403 {
				typ = api.ProblemForbidden
			}
			p := wantProblem(t, resp, body, tc.status, typ)
			if !strings.Contains(p.Detail, tc.detail) {
				t.Errorf("detail %q, want it to say %q", p.Detail, tc.detail)
			}
			if tc.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	// The same clerk with the right client is fine.
	if m := me(t, e.client(t, good)); m.Clerk != "a.clerk" {
		t.Fatal(m)
	}
}

func TestOIDCExpiredTokenThenRefresh(t *testing.T) {
	e := startOIDC(t)
	tok := e.signIn(t, "a.clerk")
	c := e.client(t, tok.AccessToken)
	me(t, c)
	e.clock.Add(6 * time.Minute) // past the 5-minute access token
	resp, body := c.do("GET", "/me", nil, nil)
	p := wantProblem(t, resp, body, 401, api.ProblemUnauthorized)
	if !strings.Contains(p.Detail, "expired") {
		t.Errorf("detail %q should say the token expired", p.Detail)
	}
	fresh, err := e.idp.Refresh(context.Background(), "amt", tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if m := me(t, e.client(t, fresh.AccessToken)); m.Clerk != "a.clerk" {
		t.Fatal(m)
	}
}

func TestOIDCTenancy(t *testing.T) {
	e := startOIDC(t)
	b := e.as(t, "b.clerk")
	a := e.as(t, "a.clerk")
	cs := findCase(t, e.Env, e.amtA, func(api.Case) bool { return true })
	a.getCase(cs.ID)
	resp, body := b.do("GET", "/cases/"+cs.ID, nil, nil)
	wantProblem(t, resp, body, 404, api.ProblemNotFound)
	resp, body = b.do("GET", "/cases/"+cs.ID+"/events", nil, nil)
	wantProblem(t, resp, body, 404, api.ProblemNotFound)
	resp, body = b.act(api.ActionNote, cs.ID, "note-b", "", api.NoteRequest{Text: "fremd"}, 0)
	wantProblem(t, resp, body, 404, api.ProblemNotFound)
}

func TestOIDCKeyRotation(t *testing.T) {
	e := startOIDC(t)
	tok := e.signIn(t, "a.clerk")
	me(t, e.client(t, tok.AccessToken))

	// A rollover keeps the old key published: the old token still verifies, new ones too.
	if err := e.idp.RotateKey(true); err != nil {
		t.Fatal(err)
	}
	me(t, e.client(t, tok.AccessToken))
	fresh, err := e.idp.Refresh(context.Background(), "amt", tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if kid := jwtKid(t, fresh.AccessToken); kid != e.idp.SigningKeyID() {
		t.Fatalf("new token signed with %s, want %s", kid, e.idp.SigningKeyID())
	}
	me(t, e.client(t, fresh.AccessToken))

	// The old key removed: a token of the new key makes the server fetch the key set again;
	// from then on tokens of the removed key are refused.
	if err := e.idp.RotateKey(false); err != nil {
		t.Fatal(err)
	}
	fresh2, err := e.idp.Refresh(context.Background(), "amt", tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	me(t, e.client(t, fresh2.AccessToken))
	resp, body := e.client(t, fresh.AccessToken).do("GET", "/me", nil, nil)
	wantProblem(t, resp, body, 401, api.ProblemUnauthorized)
}

func jwtKid(t *testing.T, jwt string) string {
	t.Helper()
	var h struct {
		Kid string `json:"kid"`
	}
	raw, err := decodeSegment(strings.Split(jwt, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	mustJSON(t, raw, &h)
	return h.Kid
}

// TestOIDCRolesPerRequest: a lead demoted at the provider between a proposal and its approval
// cannot approve with the next access token; a deputy can; roles are read on every request.
func TestOIDCRolesPerRequest(t *testing.T) {
	e := startOIDC(t)
	ctx := context.Background()
	clerk := e.as(t, "a.clerk")
	leadTok := e.signIn(t, "a.lead")
	taken := map[string]bool{}

	cs := reviewable(t, e.Env, clerk, e.amtA, true, taken)
	cs = clerk.mustAct(api.ActionDecision, cs.ID, "prop-demote", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "geprüft"}, cs.Version)
	if err := e.idp.SetRoles("a.lead"); err != nil {
		t.Fatal(err)
	}
	fresh, err := e.idp.Refresh(ctx, "amt", leadTok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	demoted := e.client(t, fresh.AccessToken)
	if m := me(t, demoted); m.Role != api.RoleClerk {
		t.Fatalf("demoted lead has role %s", m.Role)
	}
	resp, body := demoted.act(api.ActionApproval, cs.ID, "prop-demote", "prop-demote", api.ApprovalRequest{Approve: true}, cs.Version)
	wantProblem(t, resp, body, 403, api.ProblemForbidden)

	// The clerk list follows the role too.
	resp, body = demoted.do("GET", "/clerks", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `{"id":"a.lead","name":"Lena Lead","role":"clerk"}`) {
		t.Errorf("clerk list after demotion: %s", body)
	}

	deputy := e.as(t, "a.deputy")
	cs = deputy.mustAct(api.ActionApproval, cs.ID, "prop-demote", "prop-demote", api.ApprovalRequest{Approve: true}, cs.Version)
	if cs.Status != api.StatusDecided || cs.Decision.ApprovedBy != "a.deputy" {
		t.Fatalf("deputy approval: %s %+v", cs.Status, cs.Decision)
	}
}

func TestOIDCWithStaticTokens(t *testing.T) {
	e := startOIDC(t)
	staticClerk := e.ClerksOf(e.amtA)[0].ID
	if m := me(t, newClient(t, e.Env, staticClerk)); m.Clerk != staticClerk {
		t.Fatal(m)
	}
	me(t, e.as(t, "a.clerk"))

	off := startOIDC(t, func(c *server.Config) { c.DisableStaticTokens = true })
	resp, body := newClient(t, off.Env, staticClerk).do("GET", "/me", nil, nil)
	wantProblem(t, resp, body, 401, api.ProblemUnauthorized)
	me(t, off.as(t, "a.clerk"))
	_, body = off.client(t, "").do("GET", off.URL+api.BasePath+"/sign-in", nil, nil)
	if !strings.Contains(string(body), `"staticTokens":false`) {
		t.Errorf("sign-in info %s", body)
	}
}

func TestOIDCConfigRefused(t *testing.T) {
	tests := []struct {
		name string
		cfg  server.OIDCConfig
		want string
	}{
		{"plain http elsewhere", server.OIDCConfig{Issuer: "http://login.example.de/realms/amt", Audience: "a", ClientID: "c"}, "only on loopback"},
		{"ftp", server.OIDCConfig{Issuer: "ftp://login.example.de", Audience: "a", ClientID: "c"}, "https"},
		{"not a url", server.OIDCConfig{Issuer: "login", Audience: "a", ClientID: "c"}, "not a URL"},
		{"no audience", server.OIDCConfig{Issuer: "https://login.example.de/realms/amt", ClientID: "c"}, "audience"},
		{"no client", server.OIDCConfig{Issuer: "https://login.example.de/realms/amt", Audience: "a"}, "client_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			_, err := server.New(server.Config{DataDir: t.TempDir(), OIDC: &cfg, PruneInterval: -1})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	for _, ok := range []string{"http://127.0.0.1:8081/realms/amt", "http://[::1]:9/x", "http://localhost:1", "https://login.example.de/realms/amt"} {
		if err := server.CheckIssuerURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if _, err := server.New(server.Config{DataDir: t.TempDir(), DisableStaticTokens: true, PruneInterval: -1}); err == nil {
		t.Error("no sign-in method at all was accepted")
	}
}

// TestOIDCProviderDown: with the provider unreachable, JWTs answer 503 (retry later, not "sign
// in again") and static tokens keep working.
func TestOIDCProviderDown(t *testing.T) {
	e := startOIDC(t)
	tok := e.signIn(t, "a.clerk").AccessToken
	e.idp.Close()
	resp, body := e.client(t, tok).do("GET", "/me", nil, nil)
	wantProblem(t, resp, body, 503, api.ProblemUnavailable)
	me(t, newClient(t, e.Env, e.ClerksOf(e.amtA)[0].ID))
}

func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
