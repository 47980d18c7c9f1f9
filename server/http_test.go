package server_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

func TestCaseETag(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	cs := findCase(t, env, amt, func(c api.Case) bool { return c.Status.Open() })
	resp, out := c.do("GET", "/cases/"+cs.ID, nil, nil)
	tag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || tag != ifMatch(cs.Version) {
		t.Fatalf("%d ETag %q", resp.StatusCode, tag)
	}
	var got api.Case
	mustJSON(t, out, &got)
	if got.ID != cs.ID || len(got.Sections) == 0 || len(got.Attachments) == 0 {
		t.Fatalf("case %+v", got)
	}
	for _, inm := range []string{tag, "W/" + tag, `"0", ` + tag, "*"} {
		resp, out = c.do("GET", "/cases/"+cs.ID, nil, hdr{"If-None-Match": inm})
		if resp.StatusCode != 304 || len(out) != 0 {
			t.Fatalf("If-None-Match %s: %d", inm, resp.StatusCode)
		}
	}
	c.mustAct(api.ActionNote, cs.ID, "n1", "", api.NoteRequest{Text: "x"}, 0)
	resp, _ = c.do("GET", "/cases/"+cs.ID, nil, hdr{"If-None-Match": tag})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != ifMatch(cs.Version+1) {
		t.Fatalf("after change: %d %s", resp.StatusCode, resp.Header.Get("ETag"))
	}
	// If-Match is compared strongly (RFC 9110): a bare version is no entity tag (400), a weak
	// tag never matches (412); the quoted version passes (issue #16 item 6).
	cur := c.getCase(cs.ID)
	resp, out = c.do("PUT", "/cases/"+cs.ID+"/assignment", `{"assignee":""}`,
		hdr{api.HeaderIdempotencyKey: "bare", "If-Match": strings.Trim(ifMatch(cur.Version), `"`)})
	wantProblem(t, resp, out, 400, api.ProblemBadRequest)
	resp, out = c.do("PUT", "/cases/"+cs.ID+"/assignment", `{"assignee":""}`,
		hdr{api.HeaderIdempotencyKey: "weak", "If-Match": "W/" + ifMatch(cur.Version)})
	wantProblem(t, resp, out, 412, api.ProblemPrecondition)
	resp, out = c.do("PUT", "/cases/"+cs.ID+"/assignment", `{"assignee":""}`,
		hdr{api.HeaderIdempotencyKey: "strong", "If-Match": ifMatch(cur.Version)})
	if resp.StatusCode != 200 {
		t.Fatalf("If-Match %s: %d %s", ifMatch(cur.Version), resp.StatusCode, out)
	}
}

func TestAttachments(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	c.hc.Transport = &http.Transport{DisableCompression: true}
	sc := findCase(t, env, amt, func(c api.Case) bool { return c.Status.Open() && len(c.Attachments) > 0 })
	cs := c.getCase(sc.ID)
	var att api.Attachment
	for _, a := range cs.Attachments {
		if a.Size > att.Size {
			att = a
		}
	}
	path := "/cases/" + cs.ID + "/attachments/" + att.ID
	resp, full := c.do("GET", path, nil, hdr{"Accept-Encoding": "gzip"})
	sum := sha256.Sum256(full)
	if resp.StatusCode != 200 || int64(len(full)) != att.Size || hex.EncodeToString(sum[:]) != att.SHA256 {
		t.Fatalf("full download: %d, %d bytes, sha ok=%v", resp.StatusCode, len(full), hex.EncodeToString(sum[:]) == att.SHA256)
	}
	if resp.Header.Get("Content-Type") != att.ContentType || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("headers %v", resp.Header)
	}
	etag := resp.Header.Get("ETag")
	if resp.Header.Get("Accept-Ranges") != "bytes" || etag == "" {
		t.Fatalf("range headers %v", resp.Header)
	}
	tests := []struct {
		name   string
		h      hdr
		status int
		body   []byte
	}{
		{"range", hdr{"Range": "bytes=10-19"}, 206, full[10:20]},
		{"open range", hdr{"Range": "bytes=100-"}, 206, full[100:]},
		{"if-range match", hdr{"Range": "bytes=0-9", "If-Range": etag}, 206, full[:10]},
		{"if-range stale", hdr{"Range": "bytes=0-9", "If-Range": `"other"`}, 200, full},
		{"gzip ignored for ranges", hdr{"Range": "bytes=0-9", "Accept-Encoding": "gzip"}, 206, full[:10]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := c.do("GET", path, nil, tt.h)
			if resp.StatusCode != tt.status || !bytes.Equal(out, tt.body) {
				t.Fatalf("%d, %d bytes", resp.StatusCode, len(out))
			}
		})
	}
	resp, out := c.do("GET", path, nil, hdr{"Range": "bytes=999999-"})
	wantProblem(t, resp, out, 416, api.ProblemRangeNotSatisfiable)
	resp, out = c.do("GET", "/cases/"+cs.ID+"/attachments/nope", nil, nil)
	wantProblem(t, resp, out, 404, api.ProblemNotFound)
}

func TestGzip(t *testing.T) {
	env := startFixed(t)
	c := newClient(t, env, env.Data.Clerks[0].ID)
	c.hc.Transport = &http.Transport{DisableCompression: true}
	resp, raw := c.do("GET", "/changes?limit=50", nil, hdr{"Accept-Encoding": "br, gzip;q=0.8"})
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("not compressed: %v", resp.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var p api.ChangePage
	mustJSON(t, plain, &p)
	if len(p.Items) == 0 || len(raw) >= len(plain) {
		t.Fatalf("%d items, %d compressed vs %d plain", len(p.Items), len(raw), len(plain))
	}
	for _, ae := range []string{"", "identity", "gzip;q=0"} {
		resp, raw = c.do("GET", "/changes?limit=50", nil, hdr{"Accept-Encoding": ae})
		if resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("Accept-Encoding %q compressed", ae)
		}
		mustJSON(t, raw, &p)
	}
	// Problems are compressed too when large enough, and always valid problem+json.
	resp, raw = c.do("GET", "/cases/nope", nil, hdr{"Accept-Encoding": "gzip"})
	if resp.StatusCode != 404 {
		t.Fatal(resp.StatusCode)
	}
	var prob api.Problem
	mustJSON(t, raw, &prob)
	if prob.Status != 404 || prob.Type == "" {
		t.Fatalf("problem = %+v", prob)
	}
}

func TestMalformedRequests(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	cs := findCase(t, env, amt, func(c api.Case) bool { return c.Status.Open() })
	note := "/cases/" + cs.ID + "/notes/n-bad"
	big := `{"text":"` + strings.Repeat("a", api.MaxBodyBytes) + `"}`
	tests := []struct {
		name   string
		path   string
		body   string
		status int
	}{
		{"empty", note, "", 400},
		{"null", note, "null", 400},
		{"array", note, "[]", 400},
		{"string", note, `"text"`, 400},
		{"truncated", note, `{"text":"a`, 400},
		{"trailing", note, `{"text":"a"}{}`, 400},
		{"trailing garbage", note, `{"text":"a"} x`, 400},
		{"unknown field", note, `{"text":"a","extra":1}`, 400},
		{"wrong type", note, `{"text":1}`, 400},
		{"invalid utf-8", note, "{\"text\":\"\xff\xfe\"}", 400},
		{"deep nesting", note, strings.Repeat("[", 100000), 400},
		{"too large", note, big, 413},
		{"fee overflow", "/cases/" + cs.ID + "/decisions/d-bad", `{"outcome":"approved","reasoning":"x","feeCents":1e400}`, 400},
		{"documents wrong type", "/cases/" + cs.ID + "/document-requests/q-bad", `{"documents":"Pass","deadline":"2026-12-01"}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := c.do("PUT", tt.path, tt.body, hdr{"If-Match": ifMatch(cs.Version)})
			typ := api.ProblemBadRequest
			if tt.status == 413 {
				typ = api.ProblemTooLarge
			}
			wantProblem(t, resp, out, tt.status, typ)
		})
	}
	// A chunked body without Content-Length is cut off at the limit too.
	req, _ := http.NewRequest("PUT", env.URL+api.BasePath+note, io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantProblem(t, resp, out, 413, api.ProblemTooLarge)
}

func TestRateLimit(t *testing.T) {
	now := fixedNow
	env := servertest.Start(t, servertest.WithNow(func() time.Time { return now }), servertest.WithConfig(func(c *server.Config) {
		c.RateLimit = 1
		c.RateBurst = 3
	}))
	a := newClient(t, env, env.Data.Clerks[0].ID)
	b := newClient(t, env, env.Data.Clerks[1].ID)
	for i := 0; i < 3; i++ {
		if resp, _ := a.do("GET", "/me", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	resp, out := a.do("GET", "/me", nil, nil)
	wantProblem(t, resp, out, 429, api.ProblemRateLimited)
	if resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	// Another token has its own bucket.
	if resp, _ := b.do("GET", "/me", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("other token: %d", resp.StatusCode)
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.New(server.Config{DataDir: dir, Now: func() time.Time { return fixedNow }, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	env0 := servertest.Start(t) // only for its data set
	if err := srv.Seed(env0.Data); err != nil {
		t.Fatal(err)
	}
	if err := srv.Seed(env0.Data); err != server.ErrNotEmpty {
		t.Fatalf("second seed: %v", err)
	}
	amt := env0.Data.Amts[0].ID
	clerk := clerkOf(t, env0, amt, api.RoleClerk)
	tok, err := srv.CreateToken(amt, clerk, api.RoleClerk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.CreateToken(amt, "nobody", api.RoleClerk); err == nil {
		t.Fatal("token for unknown clerk")
	}
	ts := httptest.NewServer(srv.Handler())
	env := &servertest.Env{URL: ts.URL, Tokens: map[string]string{clerk: tok}, Data: env0.Data}
	c := newClient(t, env, clerk)
	cs := reviewable(t, env, c, amt, false, nil)
	cs = c.mustAct(api.ActionNote, cs.ID, "keep-1", "", api.NoteRequest{Text: "bleibt"}, 0)
	page, _ := c.changes("", 1000, 0)
	_, evBefore := c.do("GET", "/cases/"+cs.ID+"/events", nil, nil)
	ts.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv, err = server.New(server.Config{DataDir: dir, Now: func() time.Time { return fixedNow }, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts = httptest.NewServer(srv.Handler())
	defer ts.Close()
	env.URL = ts.URL
	if got := c.getCase(cs.ID); got.Version != cs.Version || got.Notes[len(got.Notes)-1].Text != "bleibt" {
		t.Fatalf("after restart: %+v", got)
	}
	_, evAfter := c.do("GET", "/cases/"+cs.ID+"/events", nil, nil)
	if !bytes.Equal(evBefore, evAfter) {
		t.Fatal("events changed across restart")
	}
	page2, _ := c.changes("", 1000, 0)
	if len(page2.Items) != len(page.Items) || page2.NextCursor != page.NextCursor {
		t.Fatalf("feed changed: %d/%s vs %d/%s", len(page2.Items), page2.NextCursor, len(page.Items), page.NextCursor)
	}
	// The replay record survived too.
	resp, _ := c.act(api.ActionNote, cs.ID, "keep-1", "", api.NoteRequest{Text: "bleibt"}, 0)
	if resp.Header.Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatal("replay record lost")
	}
	if empty, _ := srv.Empty(); empty {
		t.Fatal("empty after restart")
	}
}
