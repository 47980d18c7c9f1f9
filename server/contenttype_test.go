package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
)

// TestContentType: a request body must be declared application/json (charset UTF-8 allowed);
// anything else, or no Content-Type, answers 415 before anything is applied, so the same action
// sent properly afterwards is applied fresh, not replayed.
func TestContentType(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	cs := reviewable(t, env, c, amt, false, map[string]bool{})
	tests := []struct {
		name string
		ct   []string // nil: no Content-Type
		ok   bool
	}{
		{"json", []string{"application/json"}, true},
		{"json utf-8", []string{"application/json; charset=utf-8"}, true},
		{"json UTF-8 upper case", []string{"Application/JSON;charset=UTF-8"}, true},
		{"json utf8", []string{`application/json; charset="utf8"`}, true},
		{"missing", nil, false},
		{"empty", []string{""}, false},
		{"text/plain", []string{"text/plain"}, false},
		{"form", []string{"application/x-www-form-urlencoded"}, false},
		{"multipart", []string{"multipart/form-data; boundary=x"}, false},
		{"problem+json", []string{api.ContentTypeProblem}, false},
		{"json suffix type", []string{"application/merge-patch+json"}, false},
		{"json prefix", []string{"application/jsonx"}, false},
		{"latin-1", []string{"application/json; charset=iso-8859-1"}, false},
		{"malformed", []string{"application/json; charset"}, false},
		{"list", []string{"application/json, text/plain"}, false},
		{"twice", []string{"application/json", "application/json"}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("ct-%d", i)
			path, _ := api.ActionPath(api.ActionNote, cs.ID, id, "")
			send := func(ct []string) (*http.Response, []byte) {
				req, err := http.NewRequest("PUT", env.URL+path, strings.NewReader(`{"text":"Vermerk"}`))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+c.token)
				if ct != nil {
					req.Header["Content-Type"] = ct
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				out, _ := io.ReadAll(resp.Body)
				return resp, out
			}
			before := c.getCase(cs.ID).Version
			resp, out := send(tt.ct)
			if tt.ok {
				if resp.StatusCode != 200 {
					t.Fatalf("%d %s", resp.StatusCode, out)
				}
				return
			}
			wantProblem(t, resp, out, http.StatusUnsupportedMediaType, api.ProblemUnsupportedMediaType)
			if strings.Contains(string(out), "text/plain") || strings.Contains(string(out), "iso-8859") {
				t.Fatalf("the problem echoes the header: %s", out)
			}
			if v := c.getCase(cs.ID).Version; v != before {
				t.Fatalf("version %d → %d after a 415", before, v)
			}
			resp, out = send([]string{"application/json"})
			if resp.StatusCode != 200 || resp.Header.Get(api.HeaderIdempotentReplay) != "" {
				t.Fatalf("the proper resend: %d replay=%q %s", resp.StatusCode, resp.Header.Get(api.HeaderIdempotentReplay), out)
			}
		})
	}
}

// TestContentTypeEveryAction: every body-taking route answers 415 without a Content-Type; an
// unauthenticated request still answers 401 first, and GETs need none.
func TestContentTypeEveryAction(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	cs := c.getCase(findCase(t, env, amt, func(api.Case) bool { return true }).ID)
	for _, kind := range api.ActionKinds {
		t.Run(string(kind), func(t *testing.T) {
			path, err := api.ActionPath(kind, cs.ID, "ct-"+string(kind), "d-1")
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{c.token, ""} {
				req, _ := http.NewRequest("PUT", env.URL+path, strings.NewReader(`{}`))
				if tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				req.Header.Set(api.HeaderIdempotencyKey, "ct-key")
				req.Header.Set("If-Match", ifMatch(cs.Version))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if tok == "" {
					wantProblem(t, resp, out, http.StatusUnauthorized, api.ProblemUnauthorized)
				} else {
					wantProblem(t, resp, out, http.StatusUnsupportedMediaType, api.ProblemUnsupportedMediaType)
				}
			}
		})
	}
	if v := c.getCase(cs.ID).Version; v != cs.Version {
		t.Fatalf("version %d → %d", cs.Version, v)
	}
	req, _ := http.NewRequest("GET", env.URL+api.BasePath+"/cases/"+cs.ID, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET with an odd Content-Type: %d", resp.StatusCode)
	}
}
