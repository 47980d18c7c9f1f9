package main

// Settings of amt-server: every key comes from, in increasing precedence, its default, the
// config file (--config FILE or AMT_SERVER_CONFIG), an environment variable and a flag.

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/server"
)

// settings are the resolved settings of the server.
type settings struct {
	Data               string
	Database           string // PostgreSQL URL; empty = bbolt in Data
	Addr               string
	TLSCert            string
	TLSKey             string
	LogLevel           slog.Level
	RateLimit          float64 // requests per second per token; 0 = no limit
	RateBurst          int     // 0 = twice RateLimit, at least 10
	TombstoneRetention time.Duration
	// IdempotencyRetention is how long the answer to an action is kept for resends (a
	// fingerprint of it stays for good).
	IdempotencyRetention time.Duration
	// TokenValidity is how long a token made by "token create" or "token rotate" is accepted.
	TokenValidity     time.Duration
	MaxConns          int // client connections open at once; 0 = no limit
	MaxConnsPerAddr   int // connections one client address may hold; 0 = no limit
	AuthFailBurst     int // failed sign-ins a client address may have at once
	AuthFailPerMinute int // failed sign-ins per minute a client address regains; 0 = no throttling
	TrustedProxies    []netip.Prefix
	Intake            string // FIT-Connect intake file; empty = no intake

	// Sign-in through an OpenID provider (oidc.* keys); OIDCIssuer "" = off.
	OIDCIssuer, OIDCAudience, OIDCClientID       string
	OIDCAmtClaim, OIDCRolesClaim, OIDCClerkClaim string
	// StaticTokens: tokens made with "amt-server token create" are accepted.
	StaticTokens bool
	// Docs: outgoing documents and their delivery (mail.*, letters.* keys; config_documents.go).
	Docs docSettings

	ConfigFile string            // the config file read, if any
	Source     map[string]string // key → where its value came from, for errors and the start log
}

// setting is one key of the config file with its flag and environment variable.
type setting struct {
	key, flag, env string
	def            string // the default, in the syntax of the file
	usage          string
	path           bool // a file path: relative paths in the config file are taken from its directory
	set            func(s *settings, v string) error
}

var settingsTable = []setting{
	{key: "data", flag: "data", env: "AMT_SERVER_DATA", path: true,
		usage: "data directory with server.db (created 0700)",
		set:   func(s *settings, v string) error { s.Data = v; return nil }},
	{key: "addr", flag: "addr", env: "AMT_SERVER_ADDR", def: "127.0.0.1:8080",
		usage: "listen address host:port; port 0 picks a free one",
		set: func(s *settings, v string) error {
			if _, _, err := splitHostPort(v); err != nil {
				return err
			}
			s.Addr = v
			return nil
		}},
	{key: "database", flag: "database", env: "AMT_DATABASE",
		usage: "PostgreSQL URL (postgres://user@host:5432/db?sslmode=verify-full); unset = the bbolt file in --data. Several amt-server instances may share it",
		set: func(s *settings, v string) error {
			if !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
				return errors.New("the database is a URL postgres://user@host:5432/dbname (unset for the bbolt file in --data)")
			}
			s.Database = v
			return nil
		}},
	{key: "tls_cert", flag: "tls-cert", env: "AMT_SERVER_TLS_CERT", path: true,
		usage: "TLS certificate file (PEM, with intermediates); without it the server speaks plain HTTP (for a reverse proxy)",
		set:   func(s *settings, v string) error { s.TLSCert = v; return nil }},
	{key: "tls_key", flag: "tls-key", env: "AMT_SERVER_TLS_KEY", path: true,
		usage: "TLS private key file (PEM)",
		set:   func(s *settings, v string) error { s.TLSKey = v; return nil }},
	{key: "log_level", flag: "log-level", env: "AMT_SERVER_LOG_LEVEL", def: "info",
		usage: "log level: debug, info, warn or error",
		set: func(s *settings, v string) error {
			if err := s.LogLevel.UnmarshalText([]byte(v)); err != nil {
				return fmt.Errorf("unknown log level %q (debug, info, warn or error)", v)
			}
			return nil
		}},
	{key: "rate_limit", flag: "rate-limit", env: "AMT_SERVER_RATE_LIMIT", def: "50",
		usage: "sustained requests per second per token; 0 = no limit",
		set: func(s *settings, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f != f || f > 1e6 {
				return fmt.Errorf("%q is not a number of requests per second (0 = no limit)", v)
			}
			s.RateLimit = f
			return nil
		}},
	{key: "rate_burst", flag: "rate-burst", env: "AMT_SERVER_RATE_BURST", def: "0",
		usage: "requests a token may send at once above the rate; 0 = twice rate_limit, at least 10",
		set: func(s *settings, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("%q is not a whole number ≥ 0", v)
			}
			s.RateBurst = n
			return nil
		}},
	{key: "tombstone_retention", flag: "tombstone-retention", env: "AMT_SERVER_TOMBSTONE_RETENTION", def: "30d",
		usage: "how long deletions stay in the change feed (e.g. 30d, 720h); a client offline longer resyncs fully",
		set: func(s *settings, v string) error {
			d, err := parseDays(v)
			if err != nil {
				return err
			}
			if d < time.Hour {
				return fmt.Errorf("%q is too short (at least 1h)", v)
			}
			s.TombstoneRetention = d
			return nil
		}},
	{key: "idempotency_retention", flag: "idempotency-retention", env: "AMT_SERVER_IDEMPOTENCY_RETENTION", def: "90d",
		usage: "how long the answer to a clerk action is kept for resends (e.g. 90d); later resends answer already-applied, never applied twice",
		set: func(s *settings, v string) error {
			d, err := parseDays(v)
			if err != nil {
				return err
			}
			if d < 24*time.Hour {
				return fmt.Errorf("%q is too short (at least 1d; a laptop may be offline over a weekend)", v)
			}
			s.IdempotencyRetention = d
			return nil
		}},
	{key: "token_validity", flag: "token-validity", env: "AMT_SERVER_TOKEN_VALIDITY", def: "365d",
		usage: "how long a token made by amt-server token create/rotate is accepted (e.g. 365d); clerks are warned 14 days ahead",
		set: func(s *settings, v string) error {
			d, err := parseDays(v)
			if err != nil {
				return err
			}
			if d < 24*time.Hour {
				return fmt.Errorf("%q is too short (at least 1d)", v)
			}
			s.TokenValidity = d
			return nil
		}},
	{key: "max_conns", flag: "max-conns", env: "AMT_SERVER_MAX_CONNS", def: "4096",
		usage: "client connections open at once; at the limit the longest idle one is closed for a new one, else it waits; keep below LimitNOFILE; 0 = no limit",
		set: func(s *settings, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1_000_000 {
				return fmt.Errorf("%q is not a whole number of connections ≥ 0 (0 = no limit)", v)
			}
			s.MaxConns = n
			return nil
		}},
	{key: "max_conns_per_addr", flag: "max-conns-per-addr", env: "AMT_SERVER_MAX_CONNS_PER_ADDR", def: strconv.Itoa(server.DefaultMaxConnsPerAddr),
		usage: "connections one client address (IPv6: one /64) may hold; trusted_proxies are exempt; 0 = no limit",
		set: func(s *settings, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1_000_000 {
				return fmt.Errorf("%q is not a whole number of connections ≥ 0 (0 = no limit)", v)
			}
			s.MaxConnsPerAddr = n
			return nil
		}},
	{key: "auth_fail_burst", flag: "auth-fail-burst", env: "AMT_SERVER_AUTH_FAIL_BURST", def: strconv.Itoa(server.DefaultAuthFailBurst),
		usage: "failed sign-ins a client address may have at once before it gets 429",
		set: func(s *settings, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1_000_000 {
				return fmt.Errorf("%q is not a whole number ≥ 1", v)
			}
			s.AuthFailBurst = n
			return nil
		}},
	{key: "auth_fail_per_minute", flag: "auth-fail-per-minute", env: "AMT_SERVER_AUTH_FAIL_PER_MINUTE", def: strconv.Itoa(server.DefaultAuthFailPerMinute),
		usage: "failed sign-ins per minute a client address regains; 0 = no throttling",
		set: func(s *settings, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1_000_000 {
				return fmt.Errorf("%q is not a whole number ≥ 0 (0 = no throttling)", v)
			}
			s.AuthFailPerMinute = n
			return nil
		}},
	{key: "trusted_proxies", flag: "trusted-proxies", env: "AMT_SERVER_TRUSTED_PROXIES", def: "",
		usage: "comma-separated addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For names the client address",
		set: func(s *settings, v string) error {
			s.TrustedProxies = nil
			for part := range strings.SplitSeq(v, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				p, err := netip.ParsePrefix(part)
				if err != nil {
					a, aerr := netip.ParseAddr(part)
					if aerr != nil {
						return fmt.Errorf("%q is not an address or network (e.g. 127.0.0.1 or 10.0.0.0/8)", part)
					}
					p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
				}
				s.TrustedProxies = append(s.TrustedProxies, p.Masked())
			}
			return nil
		}},
	{key: "static_tokens", flag: "static-tokens", env: "AMT_SERVER_STATIC_TOKENS", def: "true",
		usage: "accept the tokens made with amt-server token create (true or false); false needs oidc.issuer",
		set: func(s *settings, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			s.StaticTokens = b
			return nil
		}},
	{key: "oidc.issuer", flag: "oidc-issuer", env: "AMT_OIDC_ISSUER",
		usage: "issuer URL of the OpenID provider whose access tokens are accepted, e.g. https://login.example.de/realms/amt (https; http only on loopback); empty = off",
		set: func(s *settings, v string) error {
			if v != "" {
				if err := server.CheckIssuerURL(v); err != nil {
					return err
				}
			}
			s.OIDCIssuer = v
			return nil
		}},
	{key: "oidc.audience", flag: "oidc-audience", env: "AMT_OIDC_AUDIENCE",
		usage: "value an access token's aud claim must hold (e.g. amt-api)",
		set:   func(s *settings, v string) error { s.OIDCAudience = v; return nil }},
	{key: "oidc.client_id", flag: "oidc-client-id", env: "AMT_OIDC_CLIENT_ID",
		usage: "public client the amt app signs in with (device flow), announced at /api/v1/sign-in",
		set:   func(s *settings, v string) error { s.OIDCClientID = v; return nil }},
	{key: "oidc.amt_claim", flag: "oidc-amt-claim", env: "AMT_OIDC_AMT_CLAIM", def: server.DefaultAmtClaim,
		usage: "claim holding the clerk's Amt id",
		set:   claimSetter(func(s *settings) *string { return &s.OIDCAmtClaim })},
	{key: "oidc.roles_claim", flag: "oidc-roles-claim", env: "AMT_OIDC_ROLES_CLAIM", def: server.DefaultRolesClaim,
		usage: "claim holding the roles amt-lead / amt-deputy (dots walk into objects, e.g. realm_access.roles)",
		set:   claimSetter(func(s *settings) *string { return &s.OIDCRolesClaim })},
	{key: "oidc.clerk_claim", flag: "oidc-clerk-claim", env: "AMT_OIDC_CLERK_CLAIM", def: server.DefaultClerkClaim,
		usage: "claim holding the clerk id (the display name comes from name)",
		set:   claimSetter(func(s *settings) *string { return &s.OIDCClerkClaim })},
	{key: "intake", flag: "intake", env: "AMT_SERVER_INTAKE", path: true,
		usage: "FIT-Connect intake file (YAML: destinations per Amt, keys, secrets from files or env); see docs/betrieb.md",
		set:   func(s *settings, v string) error { s.Intake = v; return nil }},
}

// claimSetter sets a claim name: not empty, no spaces.
func claimSetter(field func(*settings) *string) func(*settings, string) error {
	return func(s *settings, v string) error {
		if v == "" || strings.ContainsAny(v, " \t\n") || strings.HasPrefix(v, ".") || strings.HasSuffix(v, ".") {
			return fmt.Errorf("%q is not a claim name", v)
		}
		*field(s) = v
		return nil
	}
}

// oidcConfig is the server's OIDC configuration from the settings, nil when oidc.issuer is
// not set.
func (s *settings) oidcConfig() (*server.OIDCConfig, error) {
	if s.OIDCIssuer == "" {
		if s.OIDCAudience != "" || s.OIDCClientID != "" {
			return nil, errors.New("oidc.audience and oidc.client_id need oidc.issuer")
		}
		return nil, nil
	}
	if s.OIDCAudience == "" || s.OIDCClientID == "" {
		return nil, fmt.Errorf("oidc.issuer (from %s) needs oidc.audience and oidc.client_id (AMT_OIDC_AUDIENCE, AMT_OIDC_CLIENT_ID)", s.Source["oidc.issuer"])
	}
	return &server.OIDCConfig{Issuer: s.OIDCIssuer, Audience: s.OIDCAudience, ClientID: s.OIDCClientID,
		AmtClaim: s.OIDCAmtClaim, RolesClaim: s.OIDCRolesClaim, ClerkClaim: s.OIDCClerkClaim}, nil
}

func settingKeys() []string {
	keys := make([]string, len(settingsTable))
	for i, st := range settingsTable {
		keys[i] = st.key
	}
	return keys
}

// parseDays parses a Go duration ("720h", "90m") or a number of days ("30d").
func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100*365 {
			return 0, fmt.Errorf("%q is not a duration (e.g. 30d or 720h)", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (e.g. 30d or 720h)", v)
	}
	return d, nil
}

func splitHostPort(v string) (string, string, error) {
	i := strings.LastIndexByte(v, ':')
	if i < 0 {
		return "", "", fmt.Errorf("%q is not host:port (e.g. 127.0.0.1:8080 or :8443)", v)
	}
	port := v[i+1:]
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "", "", fmt.Errorf("%q has no valid port (e.g. 127.0.0.1:8080 or :8443)", v)
	}
	return v[:i], port, nil
}

// configFlags registers --config and a flag for every key of only (nil = all) on fs and
// returns the function that resolves the settings after fs.Parse.
func configFlags(fs *flag.FlagSet, only ...string) func() (*settings, error) {
	configFile := fs.String("config", "", "config file (YAML; env AMT_SERVER_CONFIG); see: amt-server config example")
	flagVals := map[string]string{}
	for _, st := range settingsTable {
		if only != nil && !slices.Contains(only, st.key) {
			continue
		}
		usage := st.usage + " (env " + st.env
		if st.def != "" {
			usage += ", default " + st.def
		}
		usage += ")"
		fs.Func(st.flag, usage, func(v string) error {
			flagVals[st.key] = v
			return nil
		})
	}
	return func() (*settings, error) {
		path := *configFile
		if path == "" {
			path = os.Getenv("AMT_SERVER_CONFIG")
		}
		return resolveSettings(path, os.LookupEnv, flagVals)
	}
}

// resolveSettings applies the defaults, the config file (if path is not empty), the
// environment and the flags, in that order.
func resolveSettings(path string, lookupEnv func(string) (string, bool), flagVals map[string]string) (*settings, error) {
	s := &settings{Source: map[string]string{}}
	for _, st := range settingsTable {
		if st.def == "" {
			continue
		}
		if err := st.set(s, st.def); err != nil {
			panic("amt-server: bad default of " + st.key)
		}
		s.Source[st.key] = "default"
	}
	if path != "" {
		if err := s.loadFile(path); err != nil {
			return nil, err
		}
	}
	for _, st := range settingsTable {
		if v, ok := lookupEnv(st.env); ok && v != "" {
			if err := st.set(s, v); err != nil {
				return nil, fmt.Errorf("%s: %w", st.env, err)
			}
			s.Source[st.key] = "env " + st.env
		}
	}
	for _, st := range settingsTable {
		if v, ok := flagVals[st.key]; ok {
			if err := st.set(s, v); err != nil {
				return nil, fmt.Errorf("--%s: %w", st.flag, err)
			}
			s.Source[st.key] = "--" + st.flag
		}
	}
	return s, nil
}

// loadFile applies the config file at path. Unknown keys, duplicate keys and values that are
// not single scalars are errors naming the file and line.
func (s *settings) loadFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	s.ConfigFile = path
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // empty file
	}
	m := doc.Content[0]
	if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
		return nil // only comments
	}
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("config %s: line %d: expected keys and values (key: value), not %s", path, m.Line, kindName(m))
	}
	dir := filepath.Dir(path)
	seen := map[string]int{}
	pairs := flattenSections(m)
	for i := 0; i+1 < len(pairs); i += 2 {
		k, v := pairs[i], pairs[i+1]
		at := fmt.Sprintf("config %s: line %d", path, k.Line)
		if first, dup := seen[k.Value]; dup {
			return fmt.Errorf("%s: key %q already defined at line %d", at, k.Value, first)
		}
		seen[k.Value] = k.Line
		idx := slices.IndexFunc(settingsTable, func(st setting) bool { return st.key == k.Value })
		if idx < 0 {
			msg := fmt.Sprintf("%s: unknown key %q", at, k.Value)
			if near := nearestKey(k.Value); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			return errors.New(msg + "; known keys: " + strings.Join(settingKeys(), ", "))
		}
		st := settingsTable[idx]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: %s must be a single value, not %s", at, k.Value, kindName(v))
		}
		if v.Tag == "!!null" {
			continue // "key:" with no value keeps the default
		}
		val := v.Value
		if st.path && val != "" && !filepath.IsAbs(val) {
			val = filepath.Join(dir, val)
		}
		if err := st.set(s, val); err != nil {
			return fmt.Errorf("%s: %s: %w", at, k.Value, err)
		}
		s.Source[st.key] = fmt.Sprintf("%s:%d", path, k.Line)
	}
	return nil
}

// flattenSections returns the key and value nodes of m with the keys of a section (a mapping
// under a key such as oidc:) prefixed as "oidc.issuer", so that both spellings work.
func flattenSections(m *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if v.Kind == yaml.MappingNode && isSection(k.Value) {
			for j := 0; j+1 < len(v.Content); j += 2 {
				sub := *v.Content[j]
				sub.Value = k.Value + "." + sub.Value
				out = append(out, &sub, v.Content[j+1])
			}
			continue
		}
		out = append(out, k, v)
	}
	return out
}

// isSection reports whether some key starts with name + ".".
func isSection(name string) bool {
	return slices.ContainsFunc(settingsTable, func(st setting) bool { return strings.HasPrefix(st.key, name+".") })
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a single value"
}

// nearestKey returns the known key closest to k if it is a likely typo.
func nearestKey(k string) string {
	k = strings.ToLower(strings.ReplaceAll(k, "-", "_"))
	best, bestD := "", 4
	for _, st := range settingsTable {
		if len(k) >= 3 && (strings.HasPrefix(k, st.key) || strings.HasPrefix(st.key, k)) {
			return st.key
		}
		if d := editDistance(k, st.key); d < bestD {
			best, bestD = st.key, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// exampleConfig is printed by "amt-server config example". It must load without error.
const exampleConfig = `# amt-server configuration (YAML). Use it with
#   amt-server serve --config /etc/amt-server/config.yaml
# or set AMT_SERVER_CONFIG=/etc/amt-server/config.yaml.
#
# Precedence: flags > environment variables > this file > defaults. Each key has a flag
# (--data, --addr, --tls-cert, ...) and an environment variable (AMT_SERVER_DATA, ...).
# Unknown keys are errors. Relative paths are taken from the directory of this file.

# Data directory: the database server.db (0600) and the admin socket admin.sock used by
# "amt-server backup". Created with mode 0700. Required, unless database is set (then it
# holds only demo-tokens.json written by --demo).
data: /var/lib/amt-server

# PostgreSQL instead of the bbolt file in data: the production store, which several amt-server
# instances share (see docs/betrieb.md). The schema is migrated at start. Keep the password out
# of this file: use a ~/.pgpass file or PGPASSWORD, or env AMT_DATABASE.
#database: postgres://amt_app@db.example:5432/amt?sslmode=verify-full

# Listen address. Behind a reverse proxy that terminates TLS, keep it on loopback.
# Port 0 picks a free port (tests). Env AMT_SERVER_ADDR.
addr: 127.0.0.1:8080

# TLS directly in amt-server: certificate (PEM, leaf first, then intermediates) and key.
# Both or neither; without them the server speaks plain HTTP, for a reverse proxy.
# The files are read at start; restart the server after renewing them.
#tls_cert: /etc/amt-server/cert.pem
#tls_key: /etc/amt-server/key.pem

# debug, info, warn or error. Logs go to stderr and never contain tokens or request bodies.
log_level: info

# Requests per second per token (sustained), and how many a token may send at once above
# that rate (0 = twice rate_limit, at least 10). Excess requests answer 429 with Retry-After.
# rate_limit: 0 switches the limit off.
rate_limit: 50
rate_burst: 0

# How long deletions stay in the change feed (30d, 720h, ...). A client that has not synced
# for longer gets 410 Gone and resynchronises fully, keeping its pending actions.
tombstone_retention: 30d

# How long the answer to each clerk action is kept so that a resend (after a lost answer)
# gets the original result (90d, 2160h, ...; at least 1d). After it the answer is dropped in
# the background and only a small fingerprint of the action stays: a later resend answers
# "already applied" (the amt client counts it as delivered), never applied twice.
idempotency_retention: 90d

# How long a token made by "amt-server token create" or "token rotate" is accepted (365d,
# 8760h, ...; at least 1d; per token: --valid-for). Clerks see a warning 14 days before it
# runs out (amt doctor, amt status, the app); an expired token answers 401 token-expired. Rotate
# with "amt-server token rotate --id ID": the clerk signs in with the new token and keeps the
# local cache and its pending actions.
token_validity: 365d

# Client connections open at once (idle keep-alive connections count). At the limit the
# longest idle connection is closed for a new one; only if none is idle does the new one wait
# in the kernel's queue. So a flood of connections cannot exhaust file descriptors: keep it
# below the service's file limit (LimitNOFILE, 65536 in the systemd unit). 0 = no limit.
max_conns: 4096

# Connections one client address (an IPv6 address: its /64) may hold; further ones are closed
# at once. An Amt behind one NAT address needs about two per workstation. The addresses in
# trusted_proxies are exempt. 0 = no limit.
max_conns_per_addr: 256

# Failed sign-ins (unknown, malformed or expired tokens) per client address: a burst of
# auth_fail_burst, then auth_fail_per_minute regained per minute; beyond that the address gets
# 429 with Retry-After until it has a try again (a clerk at another address is not affected).
# The log names the address of each failure, never the token; /metrics counts failures and
# refusals. auth_fail_per_minute: 0 switches the throttling off.
auth_fail_burst: 20
auth_fail_per_minute: 30

# Behind a reverse proxy every client has the proxy's address. List the proxies here
# (addresses or networks, comma-separated) and amt-server takes the client address from the
# X-Forwarded-For header they set; the header of any other peer is ignored.
#trusted_proxies: 127.0.0.1, ::1

# Accept the tokens made with "amt-server token create". Switch off once every clerk signs in
# through the OpenID provider (needs oidc.issuer). Env AMT_SERVER_STATIC_TOKENS.
static_tokens: true

# Sign-in through the state's OpenID provider (Keycloak): clerks run "amt login", which uses
# the device flow; the server accepts the provider's JWT access tokens. Both token kinds work
# side by side. See docs/betrieb.md for the Keycloak realm. Env AMT_OIDC_ISSUER,
# AMT_OIDC_AUDIENCE, AMT_OIDC_CLIENT_ID (and AMT_OIDC_AMT_CLAIM, AMT_OIDC_ROLES_CLAIM,
# AMT_OIDC_CLERK_CLAIM). The issuer must be https (plain http only on loopback).
#oidc:
#  issuer: https://login.example.de/realms/amt
#  audience: amt-api              # what the aud claim of an access token must hold
#  client_id: amt                 # the public client with the device grant
#  amt_claim: amt                 # claim with the Amt id (user attribute mapper)
#  roles_claim: roles             # claim with amt-lead / amt-deputy (or realm_access.roles)
#  clerk_claim: preferred_username

# FIT-Connect intake: the file that names each Amt's destinations, keys and secrets (see
# docs/betrieb.md, "Anbindung an FIT-Connect"). Without it amt-server receives no applications.
#intake: /etc/amt-server/fitconnect.yaml

# Outgoing documents (Bescheid, Nachforderung): each Amt's letterhead and the texts file
# (default: the built-in texts, catalogue/texts.yaml). See docs/betrieb.md.
#letters:
#  letterheads: /etc/amt-server/briefkoepfe.yaml
#  texts: /etc/amt-server/texte.yaml

# SMTP relay for applicants who chose e-mail as their reply channel; without it they get a
# letter from the print queue. STARTTLS is required unless the relay is on loopback.
#mail:
#  relay: mail.example.de:587
#  from: bescheide@amt-crivitz.de
#  username: amt-server
#  password_file: /etc/amt-server/smtp-passwort
#  ca_file: /etc/amt-server/smtp-ca.pem
`
