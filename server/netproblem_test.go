package server

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// TestNetHTTPErrorsAreProblems: what net/http answers on its own — 431 for headers over
// MaxHeaderBytes, 400 for a malformed request, 501 for an unknown transfer encoding — comes as
// problem+json from a server behind Listener, like every other answer (issue #16 item 7 saw
// text/plain). Nothing of the request is echoed.
func TestNetHTTPErrorsAreProblems(t *testing.T) {
	s, err := New(Config{DataDir: t.TempDir(), PruneInterval: -1, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := s.Listener(inner)
	hs := s.HTTPServer(nil)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })

	secret := "Geheimer-Antragsteller"
	tests := []struct {
		name   string
		req    string
		status int
		typ    string
	}{
		{"headers too large", "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", MaxHeaderBytes+8192) + secret + "\r\n\r\n",
			431, api.ProblemHeadersTooLarge},
		{"malformed request line", "GET /" + secret + "\r\n\r\n", 400, api.ProblemBadRequest},
		{"malformed header", "GET /api/v1/me HTTP/1.1\r\nHost: x\r\n" + secret + "\r\n\r\n", 400, api.ProblemBadRequest},
		{"no Host", "GET /api/v1/me HTTP/1.1\r\n\r\n", 400, api.ProblemBadRequest},
		{"unknown transfer encoding", "PUT /api/v1/me HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + "gzip" + "\r\n\r\n", 501, api.ProblemNotImplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second)) // a stop for a broken implementation
			go io.WriteString(c, tt.req)                    // the server may answer before reading it all
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != api.ContentTypeProblem {
				t.Fatalf("%d %q, want %d problem+json: %s", resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, body)
			}
			var p api.Problem
			if err := json.Unmarshal(body, &p); err != nil || p.Type != tt.typ || p.Status != tt.status || p.Title == "" {
				t.Fatalf("problem %+v (%v) from %s", p, err, body)
			}
			if strings.Contains(string(body), secret) {
				t.Fatalf("the answer echoes the request: %s", body)
			}
		})
	}
}

// TestRewriteLeavesHandlerResponses: a handler's text/plain answer (/healthz) and its problems
// pass unchanged; only net/http's fixed error shape is rewritten.
func TestRewriteLeavesHandlerResponses(t *testing.T) {
	for _, b := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Fri, 04 Dec 2026 20:00:00 GMT\r\nContent-Length: 3\r\n\r\nok\n",
		"HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\nDate: Fri, 04 Dec 2026 20:00:00 GMT\r\n\r\n{}",
		"\x17\x03\x03\x00\x20HTTP/1.1 400 Bad Request" + netHTTPErrorHeaders,
		"HTTP/1.1 200 OK" + netHTTPErrorHeaders,
	} {
		if r := rewriteNetHTTPError([]byte(b)); r != nil {
			t.Errorf("rewrote %q", b)
		}
	}
}

// TestEveryErrorIsProblem: paths no route has (with and without trailing slashes, "*" as the
// request target), with any method, are answered as problem+json, never by ServeMux's empty 400
// or a redirect (issue #16 item 7).
func TestEveryErrorIsProblem(t *testing.T) {
	s, err := New(Config{DataDir: t.TempDir(), PruneInterval: -1, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, m := range []string{"GET", "OPTIONS", "TRACE", "HEAD", "PUT", "DELETE"} {
		for _, p := range []string{"*", "/api/v1", "/api/v1/", "/api/v1/cases", "/api/v1/cases/", "/api/v1/cases/x/", "/api/v1/me/",
			"/healthz/", "/metrics/", "/fitconnect/callback/", "/fitconnect/callback", "/api/v1/cases/./notes/n", "//api/v1/me"} {
			r := httptest.NewRequest(m, "http://x/", nil)
			r.URL.Path, r.RequestURI = p, p
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, r)
			if ct := w.Header().Get("Content-Type"); ct != api.ContentTypeProblem || w.Code < 400 {
				t.Errorf("%s %s: %d %q", m, p, w.Code, ct)
			}
		}
	}
}

// TestNetHTTPErrorsAreProblemsOverTLS: with TLS terminated by TLSListener (as amt-server does),
// net/http's own answers on HTTP/1.1 over TLS are problem+json too, and clients still get
// HTTP/2 by ALPN.
func TestNetHTTPErrorsAreProblemsOverTLS(t *testing.T) {
	s, err := New(Config{DataDir: t.TempDir(), PruneInterval: -1, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	certSrc := httptest.NewTLSServer(nil) // only for its certificate
	cert, pool := certSrc.TLS.Certificates[0], x509.NewCertPool()
	pool.AddCert(certSrc.Certificate())
	certSrc.Close()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := TLSConfig()
	cfg.Certificates = []tls.Certificate{cert}
	ln := TLSListener(s.Listener(inner), cfg)
	hs := s.HTTPServerTLS(nil)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()

	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}, Timeout: 30 * time.Second}
	resp, err := hc.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Fatalf("/healthz: %d over HTTP/%d, want 200 over HTTP/2", resp.StatusCode, resp.ProtoMajor)
	}
	resp, err = hc.Get("https://" + addr + api.BasePath + "/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != api.ContentTypeProblem {
		t.Fatalf("/me without a token over h2: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	for _, tt := range []struct {
		name, req string
		status    int
	}{
		{"headers too large", "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", MaxHeaderBytes+8192) + "\r\n\r\n", 431},
		{"malformed request line", "GET /\r\n\r\n", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}, ServerName: "127.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second)) // a stop for a broken implementation
			go io.WriteString(c, tt.req)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != api.ContentTypeProblem {
				t.Fatalf("%d %q, want %d problem+json: %s", resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, body)
			}
		})
	}
}
