package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// client is a tiny HTTP client for one clerk.
type client struct {
	t     testing.TB
	env   *servertest.Env
	token string
	hc    *http.Client
}

func newClient(t testing.TB, env *servertest.Env, clerk string) *client {
	tok := ""
	if clerk != "" {
		tok = env.Token(clerk)
	}
	return &client{t: t, env: env, token: tok, hc: &http.Client{}}
}

type hdr map[string]string

// do sends a request; body may be nil, []byte, string or a value to marshal.
func (c *client) do(method, path string, body any, h hdr) (*http.Response, []byte) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "/cases") || strings.HasPrefix(path, "/me") ||
			strings.HasPrefix(path, "/clerks") || strings.HasPrefix(path, "/changes") {
			url = c.env.URL + api.BasePath + path
		} else {
			url = c.env.URL + path
		}
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp, out
}

func (c *client) getCase(id string) api.Case {
	c.t.Helper()
	resp, body := c.do("GET", "/cases/"+id, nil, nil)
	if resp.StatusCode != 200 {
		c.t.Fatalf("GET case %s: %d %s", id, resp.StatusCode, body)
	}
	var cs api.Case
	mustJSON(c.t, body, &cs)
	return cs
}

func ifMatch(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// act sends an action PUT and returns status, body.
func (c *client) act(kind api.ActionKind, caseID, actionID, subID string, body any, version int64) (*http.Response, []byte) {
	c.t.Helper()
	path, err := api.ActionPath(kind, caseID, actionID, subID)
	if err != nil {
		c.t.Fatal(err)
	}
	h := hdr{}
	if kind == api.ActionAssignment || kind == api.ActionStatus {
		h[api.HeaderIdempotencyKey] = actionID
	}
	if version > 0 {
		h["If-Match"] = ifMatch(version)
	}
	return c.do("PUT", c.env.URL+path, body, h)
}

// mustAct sends an action and fails unless it answers 200.
func (c *client) mustAct(kind api.ActionKind, caseID, actionID, subID string, body any, version int64) api.Case {
	c.t.Helper()
	resp, out := c.act(kind, caseID, actionID, subID, body, version)
	if resp.StatusCode != 200 {
		c.t.Fatalf("%s on %s: %d %s", kind, caseID, resp.StatusCode, out)
	}
	var ar api.ActionResult
	mustJSON(c.t, out, &ar)
	return ar.Case
}

func mustJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %q: %v", truncate(b), err)
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// wantProblem checks status, problem+json content type and problem type.
func wantProblem(t testing.TB, resp *http.Response, body []byte, status int, typ string) api.Problem {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, truncate(body))
	}
	if ct := resp.Header.Get("Content-Type"); ct != api.ContentTypeProblem {
		t.Fatalf("content type %q, want problem+json (status %d)", ct, status)
	}
	var p api.Problem
	mustJSON(t, body, &p)
	if p.Status != status || (typ != "" && p.Type != typ) {
		t.Fatalf("problem %+v, want status %d type %s", p, status, typ)
	}
	return p
}

// findCase returns the first seeded case of amt matching pred.
func findCase(t testing.TB, env *servertest.Env, amt string, pred func(api.Case) bool) api.Case {
	t.Helper()
	for i := 0; i < env.Data.N; i++ {
		c := env.Data.Case(i).Case
		if c.Amt == amt && pred(c) {
			return c
		}
	}
	t.Fatalf("no seeded case in %s matches", amt)
	return api.Case{}
}

// clerkOf returns a clerk id of amt with the role.
func clerkOf(t testing.TB, env *servertest.Env, amt string, role api.Role, skip ...string) string {
	t.Helper()
outer:
	for _, c := range env.ClerksOf(amt) {
		for _, s := range skip {
			if s == c.ID {
				continue outer
			}
		}
		if c.Role == role {
			return c.ID
		}
	}
	t.Fatalf("no %s in %s", role, amt)
	return ""
}

// reviewable returns a case of amt in in_review, moving an open one there if needed.
func reviewable(t testing.TB, env *servertest.Env, c *client, amt string, fourEyes bool, taken map[string]bool) api.Case {
	t.Helper()
	for i := 0; i < env.Data.N; i++ {
		sc := env.Data.Case(i).Case
		if sc.Amt != amt || sc.Service.FourEyes != fourEyes || taken[sc.ID] {
			continue
		}
		cur := c.getCaseMaybe(sc.ID)
		if cur == nil {
			continue
		}
		switch cur.Status {
		case api.StatusInReview:
		case api.StatusNew, api.StatusAwaitingDocuments:
			*cur = c.mustAct(api.ActionStatus, cur.ID, "prep-"+cur.ID, "", api.StatusRequest{Status: api.StatusInReview}, cur.Version)
		default:
			continue
		}
		if taken != nil {
			taken[cur.ID] = true
		}
		return *cur
	}
	t.Fatalf("no reviewable case in %s (fourEyes=%v)", amt, fourEyes)
	return api.Case{}
}

func (c *client) getCaseMaybe(id string) *api.Case {
	resp, body := c.do("GET", "/cases/"+id, nil, nil)
	if resp.StatusCode != 200 {
		return nil
	}
	var cs api.Case
	mustJSON(c.t, body, &cs)
	return &cs
}
