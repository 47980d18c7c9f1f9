package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
)

// lineWriter hands each written line to a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			return len(p), nil
		}
		w.lines <- strings.TrimSpace(line)
	}
}

// start runs the server until the test ends and returns its base URL.
func start(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 10)}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, args, out, io.Discard) }()
	var url string
	select {
	case line := <-out.lines:
		var ok bool
		if url, ok = strings.CutPrefix(line, "listening on "); !ok {
			t.Fatalf("first line %q", line)
		}
	case err := <-errc:
		t.Fatalf("server ended: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-errc
	}
	t.Cleanup(func() { stop() })
	return url, stop
}

func get(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	args := []string{"--data", dir, "--addr", "127.0.0.1:0", "--demo", "--demo-cases", "30", "--demo-date", "2026-11-24"}
	url, stop := start(t, args...)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("url %q", url)
	}
	fi, err := os.Stat(filepath.Join(dir, "demo-tokens.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("demo-tokens.json: %v %v", err, fi)
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode %v", di.Mode())
	}
	if di, _ := os.Stat(filepath.Join(dir, "server.db")); di.Mode().Perm() != 0o600 {
		t.Fatalf("db mode %v", di.Mode())
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "demo-tokens.json"))
	var toks []demoToken
	if err := json.Unmarshal(raw, &toks); err != nil || len(toks) == 0 {
		t.Fatalf("tokens: %v %d", err, len(toks))
	}
	leads, deputies := map[string]int{}, map[string]int{}
	for _, tk := range toks {
		if tk.Amt == "" || tk.Clerk == "" || tk.Token == "" || !tk.Role.Valid() {
			t.Fatalf("token entry %+v", tk)
		}
		leads[tk.Amt] += map[bool]int{true: 1}[tk.Role == api.RoleLead]
		deputies[tk.Amt] += map[bool]int{true: 1}[tk.Role == api.RoleDeputy]
	}
	// Every demo Amt has one lead and a deputy (Stellvertretung), so the lead's own four-eyes
	// proposals can be approved (issue 15 item 1: Amt Crivitz was stuck with one lead).
	for amt, n := range leads {
		if n != 1 || deputies[amt] != 1 {
			t.Errorf("%s: %d leads, %d deputies", amt, n, deputies[amt])
		}
	}
	var me api.Me
	for _, tk := range toks {
		if tk.Role == api.RoleDeputy {
			req, _ := http.NewRequest("GET", url+api.BasePath+"/me", nil)
			req.Header.Set("Authorization", "Bearer "+tk.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || me.Role != api.RoleDeputy {
				t.Errorf("deputy's /me: %+v %v", me, err)
			}
			resp.Body.Close()
			break
		}
	}
	if code := get(t, url+api.BasePath+"/me", toks[0].Token); code != 200 {
		t.Fatalf("/me: %d", code)
	}
	if code := get(t, url+"/healthz", ""); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	// Restart with --demo again: nothing is reseeded, the tokens still work.
	url, _ = start(t, args...)
	raw2, _ := os.ReadFile(filepath.Join(dir, "demo-tokens.json"))
	if !bytes.Equal(raw, raw2) {
		t.Fatal("demo tokens rewritten on restart")
	}
	if code := get(t, url+api.BasePath+"/me", toks[0].Token); code != 200 {
		t.Fatalf("/me after restart: %d", code)
	}
}

// TestServeDemoOIDC: --demo --oidc runs a test provider whose users are the demo clerks; its
// tokens work at the server, which announces the provider at /api/v1/sign-in.
func TestServeDemoOIDC(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	url, _ := start(t, "--data", dir, "--addr", "127.0.0.1:0", "--demo", "--demo-cases", "10", "--oidc")
	resp, err := http.Get(url + api.BasePath + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	var info api.SignInInfo
	err = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if err != nil || info.OIDC == nil || info.OIDC.ClientID != demoClientID || !strings.HasPrefix(info.OIDC.Issuer, "http://127.0.0.1:") {
		t.Fatalf("sign-in info %+v %v", info, err)
	}
	// The device flow as a newcomer does it: amt asks for a code, the browser approves it on
	// the provider's page, amt gets the token.
	oc := &oauth2.Config{ClientID: info.OIDC.ClientID, Scopes: info.OIDC.Scopes, Endpoint: oauth2.Endpoint{
		DeviceAuthURL: info.OIDC.Issuer + "/device_authorization", TokenURL: info.OIDC.Issuer + "/oauth/token"}}
	verifier := oauth2.GenerateVerifier()
	da, err := oc.DeviceAuth(context.Background(), oauth2.S256ChallengeOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	page, err := http.PostForm(da.VerificationURI, neturl.Values{"user_code": {da.UserCode}, "username": {"crivitz.schulz"}, "action": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != 200 || !strings.Contains(string(body), "Fertig") {
		t.Fatalf("approval page: %d %s", page.StatusCode, body)
	}
	tok, err := oc.DeviceAccessToken(context.Background(), da, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if code := get(t, url+api.BasePath+"/me", tok.AccessToken); code != 200 {
		t.Fatalf("/me with the provider's token: %d", code)
	}
	if err := run(context.Background(), []string{"--data", t.TempDir(), "--oidc"}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "--demo") {
		t.Fatalf("--oidc without --demo: %v", err)
	}
}

func TestTokenCreate(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	err := run(context.Background(), []string{"token", "create", "--data", dir, "--amt", "amt-test", "--clerk", "test.lead",
		"--role", "lead", "--name", "Test Lead"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(out.String())
	if len(tok) < 40 {
		t.Fatalf("token %q", tok)
	}
	if err := run(context.Background(), []string{"token", "create", "--data", dir, "--amt", "amt-test", "--clerk", "ghost"}, io.Discard, io.Discard); err == nil {
		t.Fatal("token for an unknown clerk without --name")
	}
	if err := run(context.Background(), []string{"token", "create", "--data", dir, "--amt", "amt-test", "--clerk", "x", "--role", "boss", "--name", "X"}, io.Discard, io.Discard); err == nil {
		t.Fatal("bad role accepted")
	}
	url, stop := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	// While the server runs, the data file is locked: a clear error, not a hang.
	err = run(context.Background(), []string{"token", "create", "--data", dir, "--amt", "amt-test", "--clerk", "test.lead", "--role", "lead"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("token create on a running server: %v", err)
	}
	req, _ := http.NewRequest("GET", url+api.BasePath+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me api.Me
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || me.Clerk != "test.lead" || me.Role != api.RoleLead || me.Amt != "amt-test" {
		t.Fatalf("me %+v %v", me, err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// Revoking the clerk's tokens locks them out.
	out.Reset()
	if err := run(context.Background(), []string{"token", "revoke", "--data", dir, "--amt", "amt-test", "--clerk", "test.lead"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "revoked 1 token") {
		t.Fatalf("revoke said %q", out.String())
	}
	url, _ = start(t, "--data", dir, "--addr", "127.0.0.1:0")
	if code := get(t, url+api.BasePath+"/me", tok); code != 401 {
		t.Fatalf("revoked token: %d", code)
	}
}

func TestVersionAndUsage(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "amt-server ") {
		t.Fatalf("%v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"--addr", "127.0.0.1:0"}, io.Discard, io.Discard); err == nil {
		t.Fatal("missing --data accepted")
	}
	if err := run(context.Background(), []string{"--data", t.TempDir(), "--tls-cert", "x"}, io.Discard, io.Discard); err == nil {
		t.Fatal("--tls-cert without --tls-key accepted")
	}
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool := writeSelfSigned(t, certFile, keyFile)
	url, stop := start(t, "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("url %q", url)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}

	// BSI TR-02102-2: only ECDHE with AES-GCM in TLS 1.2, NIST curves, nothing older than 1.2.
	host := strings.TrimPrefix(url, "https://")
	handshakes := []struct {
		name string
		cfg  *tls.Config
		ok   bool
	}{
		{"TLS 1.3", &tls.Config{MinVersion: tls.VersionTLS13}, true},
		{"TLS 1.2 ECDHE-ECDSA-AES128-GCM", &tls.Config{MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}, true},
		{"TLS 1.2 P-384 only", &tls.Config{MaxVersion: tls.VersionTLS12, CurvePreferences: []tls.CurveID{tls.CurveP384}}, true},
		{"TLS 1.2 CBC-SHA1", &tls.Config{MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}}, false},
		{"TLS 1.2 ChaCha20", &tls.Config{MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}}, false},
		{"TLS 1.1", &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, false},
		{"X25519 only, TLS 1.2", &tls.Config{MaxVersion: tls.VersionTLS12, CurvePreferences: []tls.CurveID{tls.X25519}}, false},
		{"X25519 only, TLS 1.3", &tls.Config{MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519}}, false},
	}
	for _, h := range handshakes {
		cfg := h.cfg.Clone()
		cfg.RootCAs = pool
		c, err := tls.Dial("tcp", host, cfg)
		if err == nil {
			c.Close()
		}
		if (err == nil) != h.ok {
			t.Errorf("%s: handshake error %v, want success %v", h.name, err, h.ok)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func writeSelfSigned(t *testing.T, certFile, keyFile string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "amt-server test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

func TestTokenList(t *testing.T) {
	dir := t.TempDir()
	runOK := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	tokLead := strings.TrimSpace(runOK("token", "create", "--data", dir, "--amt", "amt-test", "--clerk", "test.lead", "--role", "lead", "--name", "Test Lead"))
	tokClerk := strings.TrimSpace(runOK("token", "create", "--data", dir, "--amt", "amt-test", "--clerk", "test.clerk", "--name", "Test Clerk"))
	hashHex := func(tok string) string { h := sha256.Sum256([]byte(tok)); return hex.EncodeToString(h[:]) }
	secrets := []string{tokLead, tokClerk, hashHex(tokLead), hashHex(tokClerk)}

	text := runOK("token", "list", "--data", dir)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "LAST USED") {
		t.Fatalf("list:\n%s", text)
	}
	// Every token expires, by default after token_validity (365 days).
	wantExp := time.Now().Add(365 * 24 * time.Hour).Format(time.DateOnly)
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 8 || f[1] != "amt-test" || f[6] != "-" || f[7] != wantExp {
			t.Fatalf("row %q (want expiry %s)", l, wantExp)
		}
	}
	if !strings.Contains(lines[1], hashHex(tokClerk)[:12]+" ") || !strings.Contains(lines[1], " test.clerk ") || !strings.Contains(lines[2], " lead ") {
		t.Fatalf("rows (by clerk, with the id of the token):\n%s", text)
	}

	// A used token shows the day of its use once the server has stopped.
	url, stop := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	if code := get(t, url+api.BasePath+"/me", tokLead); code != 200 {
		t.Fatalf("/me: %d", code)
	}
	err := run(context.Background(), []string{"token", "list", "--data", dir}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("token list on a running server: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	raw := runOK("token", "list", "--data", dir, "--json")
	for _, s := range secrets {
		if strings.Contains(text+raw, s) {
			t.Fatal("token list shows a token or its full hash")
		}
	}
	var toks []server.TokenInfo
	if err := json.Unmarshal([]byte(raw), &toks); err != nil || len(toks) != 2 {
		t.Fatalf("--json: %v\n%s", err, raw)
	}
	byClerk := map[string]server.TokenInfo{}
	for _, tk := range toks {
		byClerk[tk.Clerk] = tk
	}
	lead, clerk := byClerk["test.lead"], byClerk["test.clerk"]
	if lead.ID != hashHex(tokLead)[:server.TokenIDLen] || lead.Role != api.RoleLead || lead.Amt != "amt-test" || lead.Created.IsZero() {
		t.Fatalf("lead %+v", lead)
	}
	if _, err := time.Parse(time.DateOnly, lead.LastUsed); err != nil || clerk.LastUsed != "" {
		t.Fatalf("last used: lead %q, clerk %q", lead.LastUsed, clerk.LastUsed)
	}

	// revoke --id takes the id from the list and revokes that token only.
	for _, bad := range [][]string{
		{"--id", clerk.ID, "--clerk", "test.clerk"},
		{"--amt", "amt-test"},
		{"--id", "0000000000"},
		{"--id", "xyz"},
	} {
		if err := run(context.Background(), append([]string{"token", "revoke", "--data", dir}, bad...), io.Discard, io.Discard); err == nil {
			t.Fatalf("revoke %v accepted", bad)
		}
	}
	if out := runOK("token", "revoke", "--data", dir, "--id", clerk.ID); !strings.Contains(out, "revoked token "+clerk.ID+" of test.clerk") {
		t.Fatalf("revoke said %q", out)
	}
	if err := json.Unmarshal([]byte(runOK("token", "list", "--data", dir, "--json")), &toks); err != nil || len(toks) != 1 || toks[0].Clerk != "test.lead" {
		t.Fatalf("after revoke: %+v %v", toks, err)
	}

	// A data directory without a database is an error, and is not created.
	missing := filepath.Join(t.TempDir(), "nothing")
	if err := run(context.Background(), []string{"token", "list", "--data", missing}, io.Discard, io.Discard); err == nil {
		t.Fatal("token list of a missing data directory")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("token list created %s", missing)
	}
}

// TestServeMaxConns: serve limits its listener by max_conns (the limit itself is tested in
// package server); 0 switches the limit off.
func TestServeMaxConns(t *testing.T) {
	for _, tc := range []struct{ flag, want string }{{"3", "amt_http_connections_max 3\n"}, {"0", ""}} {
		url, stop := start(t, "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--max-conns", tc.flag)
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "\namt_http_connections 1\n") {
			t.Fatalf("--max-conns %s: connections not counted:\n%s", tc.flag, body)
		}
		if has := strings.Contains(string(body), "amt_http_connections_max"); has != (tc.want != "") || !strings.Contains(string(body), tc.want) {
			t.Fatalf("--max-conns %s: metrics:\n%s", tc.flag, body)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// Every subcommand on a data dir refuses a stray argument (a typo such as "--role lead x" must
// not silently create a token or back up nothing).
func TestDataSubcommandsRefuseStrayArguments(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"token", "create", "--data", dir, "--amt", "amt-test", "--clerk", "x", "--name", "X", "stray"},
		{"token", "revoke", "--data", dir, "--id", "0123456789ab", "stray"},
		{"token", "list", "--data", dir, "stray"},
		{"backup", "--data", dir, "--out", filepath.Join(dir, "b.db"), "stray"},
		{"restore", "--data", dir, "--from", filepath.Join(dir, "b.db"), "stray"},
	} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), `unexpected argument "stray"`) {
			t.Errorf("%v: %v", args, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused command left %v", entries)
	}
}

// TestTokenValidityAndRotate (issue #16 item 10): token create --valid-for sets the expiry, the
// config's token_validity the default; token rotate --id prints a new token for the same clerk,
// revokes the old one, and refuses what it cannot do.
func TestTokenValidityAndRotate(t *testing.T) {
	dir := t.TempDir()
	runOK := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	list := func() map[string]server.TokenInfo {
		t.Helper()
		var toks []server.TokenInfo
		if err := json.Unmarshal([]byte(runOK("token", "list", "--data", dir, "--json")), &toks); err != nil {
			t.Fatal(err)
		}
		m := map[string]server.TokenInfo{}
		for _, tk := range toks {
			m[tk.ID] = tk
		}
		return m
	}
	day := func(d time.Duration) string { return time.Now().Add(d).Format(time.DateOnly) }
	old := strings.TrimSpace(runOK("token", "create", "--data", dir, "--amt", "amt-test", "--clerk", "test.clerk", "--name", "Test Clerk", "--valid-for", "30d"))
	toks := list()
	if len(toks) != 1 {
		t.Fatalf("tokens %+v", toks)
	}
	var first server.TokenInfo
	for _, tk := range toks {
		first = tk
	}
	if first.Expires.Local().Format(time.DateOnly) != day(30*24*time.Hour) {
		t.Fatalf("--valid-for 30d: expires %v", first.Expires)
	}
	for _, bad := range [][]string{{"--valid-for", "2h"}, {"--valid-for", "soon"}} {
		if err := run(context.Background(), append([]string{"token", "create", "--data", dir, "--amt", "amt-test", "--clerk", "test.clerk"}, bad...), io.Discard, io.Discard); err == nil {
			t.Fatalf("create %v accepted", bad)
		}
	}
	for _, bad := range [][]string{{}, {"--id", "0000000000"}, {"--id", "xyz"}, {"--id", first.ID, "--valid-for", "1h"}} {
		if err := run(context.Background(), append([]string{"token", "rotate", "--data", dir}, bad...), io.Discard, io.Discard); err == nil {
			t.Fatalf("rotate %v accepted", bad)
		}
	}
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("token_validity: 90d\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := strings.TrimSpace(runOK("token", "rotate", "--config", cfg, "--data", dir, "--id", first.ID))
	if fresh == "" || fresh == old {
		t.Fatalf("rotate printed %q", fresh)
	}
	toks = list()
	if _, ok := toks[first.ID]; ok || len(toks) != 1 {
		t.Fatalf("after rotate: %+v", toks)
	}
	for _, tk := range toks {
		if tk.Clerk != "test.clerk" || tk.Amt != "amt-test" || tk.Role != api.RoleClerk || tk.Expires.Local().Format(time.DateOnly) != day(90*24*time.Hour) {
			t.Fatalf("rotated token %+v (want token_validity 90d)", tk)
		}
	}
	url, stop := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	if code := get(t, url+api.BasePath+"/me", fresh); code != 200 {
		t.Fatalf("new token: %d", code)
	}
	if code := get(t, url+api.BasePath+"/me", old); code != 401 {
		t.Fatalf("old token: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
