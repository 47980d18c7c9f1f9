package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func newTestFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestSettingsPrecedence(t *testing.T) {
	cfg := writeConfig(t, `
data: /srv/amt
addr: 0.0.0.0:9000
log_level: warn
rate_limit: 10
rate_burst: 30
tombstone_retention: 7d
idempotency_retention: 120d
max_conns: 200
`)
	// Defaults only.
	s, err := resolveSettings("", envOf(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Data != "" || s.Addr != "127.0.0.1:8080" || s.LogLevel != slog.LevelInfo || s.RateLimit != 50 || s.RateBurst != 0 ||
		s.TombstoneRetention != 30*24*time.Hour || s.IdempotencyRetention != 90*24*time.Hour || s.MaxConns != 4096 || s.ConfigFile != "" {
		t.Fatalf("defaults: %+v", s)
	}
	// The file overrides the defaults.
	s, err = resolveSettings(cfg, envOf(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Data != "/srv/amt" || s.Addr != "0.0.0.0:9000" || s.LogLevel != slog.LevelWarn || s.RateLimit != 10 || s.RateBurst != 30 ||
		s.TombstoneRetention != 7*24*time.Hour || s.IdempotencyRetention != 120*24*time.Hour || s.MaxConns != 200 || s.ConfigFile != cfg {
		t.Fatalf("file: %+v", s)
	}
	if s.Source["addr"] != cfg+":3" {
		t.Fatalf("source of addr: %q", s.Source["addr"])
	}
	// The environment overrides the file; flags override the environment.
	env := envOf(map[string]string{"AMT_SERVER_ADDR": "127.0.0.1:9100", "AMT_SERVER_LOG_LEVEL": "debug", "AMT_SERVER_DATA": "/env/data",
		"AMT_SERVER_TLS_CERT": "/env/cert.pem", "AMT_SERVER_TLS_KEY": "/env/key.pem", "AMT_SERVER_LOG_FORMAT": "ignored"})
	s, err = resolveSettings(cfg, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Addr != "127.0.0.1:9100" || s.TLSCert != "/env/cert.pem" || s.TLSKey != "/env/key.pem" || s.RateLimit != 10 ||
		s.LogLevel != slog.LevelDebug || s.Data != "/env/data" {
		t.Fatalf("env: %+v", s)
	}
	s, err = resolveSettings(cfg, env, map[string]string{"log_level": "error", "data": "/flag/data"})
	if err != nil {
		t.Fatal(err)
	}
	if s.LogLevel != slog.LevelError || s.Data != "/flag/data" || s.Addr != "127.0.0.1:9100" || s.Source["log_level"] != "--log-level" ||
		s.Source["addr"] != "env AMT_SERVER_ADDR" {
		t.Fatalf("flags: %+v", s)
	}
	// The new keys take the environment and flags too.
	s, err = resolveSettings(cfg, envOf(map[string]string{"AMT_SERVER_IDEMPOTENCY_RETENTION": "30d", "AMT_SERVER_MAX_CONNS": "50"}),
		map[string]string{"max_conns": "0"})
	if err != nil || s.IdempotencyRetention != 30*24*time.Hour || s.MaxConns != 0 || s.Source["max_conns"] != "--max-conns" {
		t.Fatalf("env and flags: %+v %v", s, err)
	}
	// An empty environment variable does not override the file.
	s, err = resolveSettings(cfg, envOf(map[string]string{"AMT_SERVER_ADDR": ""}), nil)
	if err != nil || s.Addr != "0.0.0.0:9000" {
		t.Fatalf("empty env: %+v %v", s, err)
	}
}

func TestSettingsFromFlagsAndEnv(t *testing.T) {
	// Through the real flag set and os environment.
	cfg := writeConfig(t, "addr: 127.0.0.1:7000\nlog_level: warn\nrate_limit: 5\n")
	t.Setenv("AMT_SERVER_CONFIG", cfg)
	t.Setenv("AMT_SERVER_ADDR", "127.0.0.1:7001")
	fs := newTestFlagSet()
	resolve := configFlags(fs)
	if err := fs.Parse([]string{"--rate-limit", "0", "--data", "/d"}); err != nil {
		t.Fatal(err)
	}
	s, err := resolve()
	if err != nil {
		t.Fatal(err)
	}
	if s.ConfigFile != cfg || s.Addr != "127.0.0.1:7001" || s.LogLevel != slog.LevelWarn || s.RateLimit != 0 || s.Data != "/d" {
		t.Fatalf("%+v", s)
	}
	// --config beats AMT_SERVER_CONFIG.
	other := writeConfig(t, "log_level: debug\n")
	fs = newTestFlagSet()
	resolve = configFlags(fs)
	if err := fs.Parse([]string{"--config", other}); err != nil {
		t.Fatal(err)
	}
	if s, err = resolve(); err != nil || s.ConfigFile != other || s.LogLevel != slog.LevelDebug || s.RateLimit != 50 {
		t.Fatalf("%+v %v", s, err)
	}
	// Commands that only need the data directory register only --data.
	fs = newTestFlagSet()
	configFlags(fs, "data")
	if fs.Lookup("data") == nil || fs.Lookup("addr") != nil || fs.Lookup("config") == nil {
		t.Fatal("data-only flag set")
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		env        map[string]string
		flags      map[string]string
		want       []string
	}{
		{name: "unknown key", file: "addr: 127.0.0.1:1\n\naddress: x\n", want: []string{"line 3", `unknown key "address"`, `did you mean "addr"`, "known keys: data, addr"}},
		{name: "unknown key far off", file: "colour: blue\n", want: []string{"line 1", `unknown key "colour"`}},
		{name: "dash instead of underscore", file: "log-level: info\n", want: []string{`unknown key "log-level"`, `did you mean "log_level"`}},
		{name: "bad number", file: "data: /d\nrate_limit: fast\n", want: []string{"line 2", "rate_limit", `"fast" is not a number`}},
		{name: "negative burst", file: "rate_burst: -1\n", want: []string{"line 1", "rate_burst"}},
		{name: "bad level", file: "log_level: loud\n", want: []string{"line 1", "log_level", `unknown log level "loud"`}},
		{name: "bad duration", file: "tombstone_retention: forever\n", want: []string{"tombstone_retention", "not a duration"}},
		{name: "short retention", file: "tombstone_retention: 5m\n", want: []string{"too short"}},
		{name: "bad addr", file: "addr: localhost\n", want: []string{"line 1", "not host:port"}},
		{name: "short idempotency retention", file: "idempotency_retention: 12h\n", want: []string{"line 1", "idempotency_retention", "too short"}},
		{name: "bad idempotency retention", file: "idempotency_retention: always\n", want: []string{"idempotency_retention", "not a duration"}},
		{name: "negative max_conns", file: "max_conns: -5\n", want: []string{"line 1", "max_conns", "≥ 0"}},
		{name: "bad max_conns", file: "", env: map[string]string{"AMT_SERVER_MAX_CONNS": "lots"}, want: []string{"AMT_SERVER_MAX_CONNS", "lots"}},
		{name: "list value", file: "addr:\n  - a\n  - b\n", want: []string{"line 1", "addr must be a single value, not a list"}},
		{name: "not a mapping", file: "- data\n", want: []string{"line 1", "expected keys and values"}},
		{name: "duplicate key", file: "addr: 127.0.0.1:1\naddr: 127.0.0.1:2\n", want: []string{"line 2", `"addr" already defined`}},
		{name: "syntax", file: "addr: [\n", want: []string{"config "}},
		{name: "bad env", file: "", env: map[string]string{"AMT_SERVER_LOG_LEVEL": "chatty"}, want: []string{"AMT_SERVER_LOG_LEVEL", "chatty"}},
		{name: "bad flag", file: "", flags: map[string]string{"rate_burst": "many"}, want: []string{"--rate-burst", "many"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.file)
			_, err := resolveSettings(path, envOf(tc.env), tc.flags)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q lacks %q", err, w)
				}
			}
			if tc.env == nil && tc.flags == nil && !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
		})
	}
	if _, err := resolveSettings(filepath.Join(t.TempDir(), "missing.yaml"), envOf(nil), nil); err == nil {
		t.Fatal("missing config file accepted")
	}
}

func TestSettingsFileDetails(t *testing.T) {
	// Empty and comment-only files are fine; "key:" without a value keeps the default.
	for _, text := range []string{"", "# nothing\n", "addr:\n"} {
		s, err := resolveSettings(writeConfig(t, text), envOf(nil), nil)
		if err != nil || s.Addr != "127.0.0.1:8080" {
			t.Fatalf("%q: %+v %v", text, s, err)
		}
	}
	// Relative paths are taken from the config file's directory.
	path := writeConfig(t, "data: data\ntls_cert: tls/cert.pem\ntls_key: /abs/key.pem\n")
	s, err := resolveSettings(path, envOf(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	if s.Data != filepath.Join(dir, "data") || s.TLSCert != filepath.Join(dir, "tls", "cert.pem") || s.TLSKey != "/abs/key.pem" {
		t.Fatalf("%+v", s)
	}
	// Durations: days or Go durations.
	for in, want := range map[string]time.Duration{"30d": 720 * time.Hour, "1d": 24 * time.Hour, "36h": 36 * time.Hour, "90m": 90 * time.Minute} {
		if d, err := parseDays(in); err != nil || d != want {
			t.Fatalf("%s: %v %v", in, d, err)
		}
	}
	for _, in := range []string{"d", "-1d", "1.5d", "1w", ""} {
		if _, err := parseDays(in); err == nil {
			t.Fatalf("%q accepted", in)
		}
	}
}

func TestConfigExample(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"config", "example"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if out.String() != exampleConfig {
		t.Fatal("config example printed something else")
	}
	// Every key is documented, and the example loads as it is.
	for _, k := range settingKeys() {
		if sec, sub, ok := strings.Cut(k, "."); ok { // in a section: "oidc:" then "  issuer:"
			if !strings.Contains(exampleConfig, "\n#"+sec+":\n") || !strings.Contains(exampleConfig, "\n#  "+sub+":") {
				t.Errorf("key %s not in the example", k)
			}
			continue
		}
		if !strings.Contains(exampleConfig, "\n"+k+":") && !strings.Contains(exampleConfig, "\n#"+k+":") {
			t.Errorf("key %s not in the example", k)
		}
	}
	s, err := resolveSettings(writeConfig(t, exampleConfig), envOf(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Data != "/var/lib/amt-server" || s.Addr != "127.0.0.1:8080" || s.RateLimit != 50 || s.TombstoneRetention != 720*time.Hour ||
		s.IdempotencyRetention != 90*24*time.Hour || s.MaxConns != 4096 {
		t.Fatalf("%+v", s)
	}
	// With the TLS lines uncommented it still loads.
	tlsOn := strings.NewReplacer("#tls_cert:", "tls_cert:", "#tls_key:", "tls_key:").Replace(exampleConfig)
	if s, err = resolveSettings(writeConfig(t, tlsOn), envOf(nil), nil); err != nil || s.TLSCert != "/etc/amt-server/cert.pem" {
		t.Fatalf("%+v %v", s, err)
	}
	if err := run(context.Background(), []string{"config", "nonsense"}, io.Discard, io.Discard); err == nil {
		t.Fatal("config nonsense accepted")
	}
}

func TestServeWithConfigFileAndEnv(t *testing.T) {
	dir := t.TempDir()
	// The file names a port that is taken; the environment's port 0 wins.
	cfg := writeConfig(t, "data: "+filepath.Join(dir, "data")+"\naddr: 127.0.0.1:1\nlog_level: error\n")
	t.Setenv("AMT_SERVER_ADDR", "127.0.0.1:0")
	url, stop := start(t, "serve", "--config", cfg)
	if code := get(t, url+"/readyz", ""); code != 200 {
		t.Fatalf("/readyz: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "server.db")); err != nil {
		t.Fatalf("data dir from the config file not used: %v", err)
	}
	// An unknown key stops the server before it starts, naming key and line.
	bad := writeConfig(t, "data: /tmp/x\ntls-cert: c.pem\n")
	err := run(context.Background(), []string{"serve", "--config", bad}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `line 2: unknown key "tls-cert"`) {
		t.Fatalf("unknown key: %v", err)
	}
	// A TLS pair that does not load is reported before the database is opened.
	data := filepath.Join(t.TempDir(), "d")
	err = run(context.Background(), []string{"--data", data, "--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/c.pem") {
		t.Fatalf("missing TLS files: %v", err)
	}
	if _, err := os.Stat(data); err == nil {
		t.Fatal("data directory created despite the TLS error")
	}
}

// TestSettingsAuthThrottle: the sign-in throttle's keys and the trusted proxies parse, with
// addresses and networks, and bad values are refused with the key named.
func TestSettingsAuthThrottle(t *testing.T) {
	s, err := resolveSettings("", envOf(nil), nil)
	if err != nil || s.AuthFailBurst != 20 || s.AuthFailPerMinute != 30 || len(s.TrustedProxies) != 0 || s.MaxConnsPerAddr != 256 {
		t.Fatalf("defaults: %+v %v", s, err)
	}
	cfg := writeConfig(t, "auth_fail_burst: 5\nauth_fail_per_minute: 0\ntrusted_proxies: 127.0.0.1, ::1, 10.1.2.3/8\n")
	s, err = resolveSettings(cfg, envOf(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(s.TrustedProxies)
	if s.AuthFailBurst != 5 || s.AuthFailPerMinute != 0 || got != "[127.0.0.1/32 ::1/128 10.0.0.0/8]" {
		t.Fatalf("file: %+v %s", s, got)
	}
	for _, bad := range []string{"trusted_proxies: proxy.example\n", "auth_fail_burst: 0\n", "auth_fail_per_minute: -1\n"} {
		if _, err := resolveSettings(writeConfig(t, bad), envOf(nil), nil); err == nil || !strings.Contains(err.Error(), strings.Split(bad, ":")[0]) {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}

func TestSettingsOIDC(t *testing.T) {
	nested := writeConfig(t, `
data: /srv/amt
static_tokens: false
oidc:
  issuer: https://login.example.de/realms/amt
  audience: amt-api
  client_id: amt
  roles_claim: realm_access.roles
`)
	s, err := resolveSettings(nested, envOf(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	oc, err := s.oidcConfig()
	if err != nil || oc == nil {
		t.Fatalf("oidc config %v %v", oc, err)
	}
	if oc.Issuer != "https://login.example.de/realms/amt" || oc.Audience != "amt-api" || oc.ClientID != "amt" ||
		oc.RolesClaim != "realm_access.roles" || oc.AmtClaim != "amt" || oc.ClerkClaim != "preferred_username" || s.StaticTokens {
		t.Fatalf("settings %+v", oc)
	}
	if s.Source["oidc.issuer"] != nested+":5" {
		t.Errorf("source of oidc.issuer = %q", s.Source["oidc.issuer"])
	}

	// Flat keys, env over file, flags over env.
	flat := writeConfig(t, "oidc.issuer: https://a.example/realms/x\noidc.audience: aud-file\noidc.client_id: amt\n")
	s, err = resolveSettings(flat, envOf(map[string]string{"AMT_OIDC_AUDIENCE": "aud-env", "AMT_OIDC_CLIENT_ID": "cli-env"}),
		map[string]string{"oidc.client_id": "cli-flag"})
	if err != nil {
		t.Fatal(err)
	}
	if oc, _ = s.oidcConfig(); oc.Audience != "aud-env" || oc.ClientID != "cli-flag" || !s.StaticTokens {
		t.Fatalf("precedence: %+v static %v", oc, s.StaticTokens)
	}

	// Without an issuer: no OIDC.
	s, _ = resolveSettings("", envOf(nil), nil)
	if oc, err := s.oidcConfig(); oc != nil || err != nil {
		t.Fatalf("default oidc %v %v", oc, err)
	}

	bad := []struct{ name, file, want string }{
		{"plain http", "oidc:\n  issuer: http://login.example.de/realms/amt\n", "only on loopback"},
		{"unknown section key", "oidc:\n  issuer: https://x.example\n  audiences: a\n", `unknown key "oidc.audiences"`},
		{"bad claim", "oidc:\n  amt_claim: \"a b\"\n", "not a claim name"},
		{"bad bool", "static_tokens: maybe\n", "not true or false"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolveSettings(writeConfig(t, tc.file), envOf(nil), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	s, _ = resolveSettings(writeConfig(t, "oidc:\n  issuer: https://x.example\n"), envOf(nil), nil)
	if _, err := s.oidcConfig(); err == nil || !strings.Contains(err.Error(), "needs oidc.audience") {
		t.Fatalf("issuer without audience: %v", err)
	}
}
