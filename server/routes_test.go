package server_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// fill replaces the wildcards of a route pattern.
func fill(pattern, caseID, aid string) string {
	r := strings.NewReplacer("{id}", caseID, "{aid}", aid, "{noteID}", "n-1", "{decisionID}", "d-1",
		"{resubmissionID}", "r-1", "{requestID}", "q-1", "{docID}", "doc-1", "{evidenceID}", "ev-1")
	return r.Replace(pattern)
}

func isPublic(rt api.Route) bool {
	return !strings.HasPrefix(rt.Pattern, api.BasePath) || rt.Pattern == api.BasePath+"/sign-in"
}

func TestEveryRouteIsServed(t *testing.T) {
	// Parallel: most of its time is rendering the seeded cases' letters (CPU), which overlaps
	// with the other parallel tests' waiting.
	t.Parallel()
	// 60 cases hold every case kind it needs; each case with a letter costs a PDF rendering
	// (about a second under -race), and 200 cases had over a hundred.
	env := startFixed(t, servertest.WithDocuments(), servertest.WithCases(60))
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	cs := findCase(t, env, amt, func(c api.Case) bool { return c.Status == api.StatusInReview && len(c.Attachments) > 0 })
	decided := findCase(t, env, amt, func(c api.Case) bool {
		return c.Status == api.StatusDecided && c.Decision.Outcome == api.OutcomeApproved
	})
	for _, rt := range api.Routes {
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			path := env.URL + fill(rt.Pattern, cs.ID, cs.Attachments[0].ID)
			if strings.Contains(rt.Pattern, "{docID}") {
				cur := c.getCase(decided.ID)
				if len(cur.Documents) == 0 {
					t.Fatal("a seeded approved case has no Bescheid")
				}
				path = env.URL + strings.NewReplacer("{id}", decided.ID, "{docID}", cur.Documents[0].ID).Replace(rt.Pattern)
			}
			var body any
			if rt.Method == "PUT" {
				body = "" // empty body: the handler must answer 400, not the mux 404/405
			}
			resp, out := c.do(rt.Method, path, body, hdr{api.HeaderIdempotencyKey: "k-1"})
			switch {
			case rt.Method == "GET" && resp.StatusCode != 200:
				t.Fatalf("status %d: %s", resp.StatusCode, truncate(out))
			case rt.Method == "PUT":
				wantProblem(t, resp, out, 400, api.ProblemBadRequest)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	env := startFixed(t)
	cs := env.Data.Case(0).Case
	noTok := newClient(t, env, "")
	badTok := newClient(t, env, "")
	badTok.token = "amt_not-a-real-token"
	for _, rt := range api.Routes {
		if isPublic(rt) {
			continue
		}
		for name, c := range map[string]*client{"none": noTok, "bad": badTok} {
			t.Run(name+" "+rt.Method+" "+rt.Pattern, func(t *testing.T) {
				resp, out := c.do(rt.Method, env.URL+fill(rt.Pattern, cs.ID, "att-1"), `{"text":"x"}`, nil)
				wantProblem(t, resp, out, 401, api.ProblemUnauthorized)
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			})
		}
	}
	// Other schemes are refused too.
	resp, out := noTok.do("GET", "/me", nil, hdr{"Authorization": "Basic Zm9vOmJhcg=="})
	wantProblem(t, resp, out, 401, api.ProblemUnauthorized)
	// Public endpoints need no token.
	for _, p := range []string{"/healthz", "/readyz", "/metrics", api.BasePath + "/sign-in"} {
		if resp, out := noTok.do("GET", env.URL+p, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, out)
		}
	}
}

// TestTenancy: every case-scoped endpoint answers another Amt's case exactly like a case that
// does not exist.
func TestTenancy(t *testing.T) {
	env := startFixed(t)
	a, b := env.Data.Amts[0].ID, env.Data.Amts[1].ID
	other := findCase(t, env, b, func(c api.Case) bool { return c.Status == api.StatusInReview && len(c.Attachments) > 0 })
	// A lead of amt a, so that role checks cannot mask tenancy.
	c := newClient(t, env, clerkOf(t, env, a, api.RoleLead))
	bodies := map[string]string{
		"notes":             `{"text":"Hallo"}`,
		"decisions/{":       `{"outcome":"approved","reasoning":"ok"}`,
		"approval":          `{"approve":true}`,
		"assignment":        `{"assignee":""}`,
		"status":            `{"status":"in_review"}`,
		"resubmissions":     `{"date":"2999-01-01"}`,
		"document-requests": `{"documents":["Pass"],"deadline":"2999-01-01"}`,
		"printed":           `{}`,
		"checked":           `{}`,
	}
	for _, rt := range api.Routes {
		if !strings.Contains(rt.Pattern, "{id}") {
			continue
		}
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			var body string
			for k, v := range bodies {
				if strings.Contains(rt.Pattern, strings.TrimSuffix(k, "{")) {
					body = v
				}
			}
			if strings.HasSuffix(rt.Pattern, "/approval") {
				body = bodies["approval"]
			}
			h := hdr{api.HeaderIdempotencyKey: "k-1", "If-Match": ifMatch(other.Version)}
			var reqBody any
			if rt.Method == "PUT" {
				reqBody = body
			}
			resp1, out1 := c.do(rt.Method, env.URL+fill(rt.Pattern, other.ID, other.Attachments[0].ID), reqBody, h)
			resp2, out2 := c.do(rt.Method, env.URL+fill(rt.Pattern, "no-such-case", other.Attachments[0].ID), reqBody, h)
			wantProblem(t, resp1, out1, 404, api.ProblemNotFound)
			wantProblem(t, resp2, out2, 404, api.ProblemNotFound)
			if !bytes.Equal(out1, out2) {
				t.Fatalf("cross-tenant answer differs from not-found:\n%s\n%s", out1, out2)
			}
		})
	}
	// The change feed and clerk list carry only the caller's Amt.
	resp, out := c.do("GET", "/changes?limit=1000", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	var page api.ChangePage
	mustJSON(t, out, &page)
	for _, it := range page.Items {
		if it.Case != nil && it.Case.Amt != a {
			t.Fatalf("feed of %s carries case of %s", a, it.Case.Amt)
		}
	}
	_, out = c.do("GET", "/clerks", nil, nil)
	var cl api.ClerkList
	mustJSON(t, out, &cl)
	if len(cl.Clerks) != len(env.ClerksOf(a)) {
		t.Fatalf("clerks = %d, want %d", len(cl.Clerks), len(env.ClerksOf(a)))
	}
	// Assigning to a clerk of another Amt is refused.
	own := reviewable(t, env, c, a, false, nil)
	resp, out = c.act(api.ActionAssignment, own.ID, "as-x", "", api.AssignmentRequest{Assignee: clerkOf(t, env, b, api.RoleClerk)}, own.Version)
	wantProblem(t, resp, out, 422, api.ProblemValidation)
}

func TestMuxErrors(t *testing.T) {
	env := startFixed(t)
	c := newClient(t, env, env.Data.Clerks[0].ID)
	tests := []struct {
		method, path string
		status       int
		typ          string
	}{
		{"GET", "/api/v1/nope", 404, api.ProblemNotFound},
		{"GET", "/", 404, api.ProblemNotFound},
		{"DELETE", "/api/v1/me", 405, api.ProblemMethodNotAllowed},
		{"POST", "/api/v1/cases/x/notes/y", 405, api.ProblemMethodNotAllowed},
		{"PUT", "/api/v1/cases/x", 405, api.ProblemMethodNotAllowed},
		{"POST", "/healthz", 405, api.ProblemMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			resp, out := c.do(tt.method, env.URL+tt.path, nil, nil)
			wantProblem(t, resp, out, tt.status, tt.typ)
			if tt.status == 405 && resp.Header.Get("Allow") == "" {
				t.Fatal("405 without Allow")
			}
		})
	}
}

func TestHealthMetrics(t *testing.T) {
	env := startFixed(t)
	c := newClient(t, env, env.Data.Clerks[0].ID)
	c.do("GET", "/me", nil, nil)
	c.do("GET", "/cases/nope", nil, nil)
	resp, out := c.do("GET", env.URL+"/metrics", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	m := string(out)
	for _, want := range []string{
		`amt_http_requests_total{method="GET",route="/api/v1/me",code="200"} 1`,
		`amt_http_requests_total{method="GET",route="/api/v1/cases/{id}",code="404"} 1`,
		`amt_http_request_duration_seconds_bucket{route="/api/v1/me",le="+Inf"} 1`,
		`amt_cases{status="new"}`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// No personal data: case ids and names never appear.
	if strings.Contains(m, "case-0") || strings.Contains(m, env.Data.Clerks[0].Name) {
		t.Fatal("metrics leak data")
	}
	env.Server.Drain()
	resp, out = c.do("GET", env.URL+"/readyz", nil, nil)
	wantProblem(t, resp, out, http.StatusServiceUnavailable, api.ProblemUnavailable)
}
