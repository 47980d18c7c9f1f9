// Package client owns the conversation with the central API: one resty client with TLS, bearer
// auth, gzip, per-attempt timeouts, GET-only retries with Retry-After, and typed errors.
package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/amt-mv/amt/api"
)

// Defaults and limits.
const (
	// DefaultAttemptTimeout bounds one HTTP attempt when Config.AttemptTimeout is zero.
	DefaultAttemptTimeout = 30 * time.Second

	maxJSONBytes  = 64 << 20 // largest successful JSON response (and 412 problem) we read
	maxErrorBytes = 1 << 20  // largest error body we read; longer ones are truncated

	retryCount   = 2                      // GETs: at most 3 attempts
	retryWait    = 250 * time.Millisecond // first backoff step (jittered, doubled per attempt)
	retryMaxWait = 10 * time.Second       // longest wait inside one call; longer Retry-After → RetryError
	maxRetryHint = 24 * time.Hour         // Retry-After values are capped here

	pingAfter   = 15 * time.Second // HTTP/2: ping when nothing was received for this long
	pingTimeout = 10 * time.Second // HTTP/2: close the connection when the ping is not answered
)

// Config says how to reach the central API. Its String and GoString methods never show the token.
type Config struct {
	// BaseURL is the server's root, e.g. "https://amt-api.example.de". It must be https; plain
	// http is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost) for demos and tests.
	BaseURL string
	// Token is the clerk's bearer token. Never logged, never part of an error.
	Token string `json:"-"`
	// Tokens, instead of Token, supplies access tokens that expire (OpenID Connect): asked
	// before every request, and asked to refresh once when the server answers 401.
	Tokens TokenSource `json:"-"`
	// CAFile is a PEM file of additional trusted CAs (appended to the system pool).
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and its key for mutual TLS.
	CertFile, KeyFile string
	// AttemptTimeout bounds one HTTP attempt (connect, headers, body). Zero means 30s. A long-poll
	// gets its wait on top; a download uses it as an idle timeout between received bytes.
	AttemptTimeout time.Duration
	// UserAgent is sent with every request; empty means "amt".
	UserAgent string
	// Transport replaces the built-in HTTP transport (tests, proxies). It cannot be combined with
	// CAFile, CertFile or KeyFile, which configure the built-in one.
	Transport http.RoundTripper
}

// String describes the configuration without the token.
func (c Config) String() string {
	tok := ""
	if c.Token != "" {
		tok = "[redacted]"
	}
	return fmt.Sprintf("client.Config{BaseURL:%q Token:%s CAFile:%q CertFile:%q KeyFile:%q AttemptTimeout:%s UserAgent:%q CustomTransport:%t}",
		c.BaseURL, tok, c.CAFile, c.CertFile, c.KeyFile, c.AttemptTimeout, c.UserAgent, c.Transport != nil)
}

// GoString is String, so %#v cannot leak the token either.
func (c Config) GoString() string { return c.String() }

// LogValue keeps the token out of slog output.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("baseURL", c.BaseURL),
		slog.Bool("token", c.Token != ""),
		slog.String("caFile", c.CAFile),
		slog.String("certFile", c.CertFile),
		slog.Duration("attemptTimeout", c.AttemptTimeout),
	)
}

// Client talks to the central API. It is safe for concurrent use.
type Client struct {
	r              *resty.Client
	transport      http.RoundTripper // the innermost transport, for CloseIdleConnections
	attemptTimeout time.Duration
	now            func() time.Time
	baseURL        string
	token          string // only to scrub it from problem texts; see String
	tokens         TokenSource
}

// TokenSource supplies access tokens that expire. Errors it returns reach the caller as they
// are, so they should match ErrOffline (the provider is unreachable: try later) or
// ErrUnauthorized (the sign-in ended: sign in again; with ErrSessionEnded).
type TokenSource interface {
	// Token returns a current access token, refreshing it first when it is about to expire.
	Token(ctx context.Context) (string, error)
	// Refresh is called when the server refused stale with 401: it returns a newer token
	// (refreshing unless that already happened meanwhile) or an error.
	Refresh(ctx context.Context, stale string) (string, error)
}

// String describes the client without its token.
func (c *Client) String() string { return "client.Client{BaseURL:" + strconv.Quote(c.baseURL) + "}" }

// GoString is String, so %#v cannot leak the token either.
func (c *Client) GoString() string { return c.String() }

// New validates cfg and builds a client. It does not contact the server.
func New(cfg Config) (*Client, error) {
	base, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if err := checkToken(cfg.Token); err != nil {
		return nil, err
	}
	if cfg.Token != "" && cfg.Tokens != nil {
		return nil, errors.New("client: configure Token or Tokens, not both")
	}
	if cfg.AttemptTimeout < 0 {
		return nil, errors.New("client: AttemptTimeout must not be negative")
	}
	attempt := cfg.AttemptTimeout
	if attempt == 0 {
		attempt = DefaultAttemptTimeout
	}
	inner := cfg.Transport
	if inner == nil {
		t, err := newTransport(cfg)
		if err != nil {
			return nil, err
		}
		inner = t
	} else if cfg.CAFile != "" || cfg.CertFile != "" || cfg.KeyFile != "" {
		return nil, errors.New("client: CAFile, CertFile and KeyFile configure the built-in transport and cannot be combined with Transport")
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "amt"
	}

	c := &Client{transport: inner, attemptTimeout: attempt, now: time.Now, baseURL: base, token: cfg.Token, tokens: cfg.Tokens}
	hc := &http.Client{
		Transport: &attemptTransport{base: inner, timeout: attempt},
		// The API never redirects; a redirect is a captive portal or a misconfigured proxy. Hand the
		// 3xx back instead of following it (and never carry the token elsewhere).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	r := resty.NewWithClient(hc).
		SetBaseURL(base).
		SetLogger(discardLogger{}).
		SetDebug(false).
		SetDisableWarn(true).
		SetHeader("User-Agent", ua).
		SetHeader("Accept", "application/json, "+api.ContentTypeProblem).
		SetResponseBodyLimit(maxJSONBytes).
		SetRetryCount(retryCount).
		SetRetryWaitTime(retryWait).
		SetRetryMaxWaitTime(retryMaxWait).
		SetRetryAfter(c.retryAfter).
		AddRetryCondition(c.shouldRetry)
	if cfg.Token != "" {
		r.SetAuthToken(cfg.Token) // Authorization: Bearer <token>
	}
	c.r = r
	return c, nil
}

// Close releases idle connections. The client stays usable.
func (c *Client) Close() {
	if ci, ok := c.transport.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func checkBaseURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("client: no server URL configured")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("client: invalid server URL: %w", err)
	}
	if u.Host == "" {
		return "", fmt.Errorf("client: invalid server URL %q: no host", raw)
	}
	if u.User != nil {
		return "", errors.New("client: the server URL must not contain credentials; configure the token instead")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("client: the server URL %q must not contain a query or fragment", u.Redacted())
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("client: refusing plain http to %s: tokens and personal data must travel over TLS; use an https:// URL (plain http is allowed only for loopback demos)", u.Host)
		}
	default:
		return "", fmt.Errorf("client: unsupported URL scheme %q; use https://", u.Scheme)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkToken(tok string) error {
	for i := 0; i < len(tok); i++ {
		if b := tok[i]; b <= ' ' || b >= 0x7f {
			return errors.New("client: the token contains spaces or control characters; check how it was copied")
		}
	}
	return nil
}

func newTransport(cfg Config) (*http.Transport, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pemBytes, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("client: reading CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pemBytes) {
			return nil, fmt.Errorf("client: CA file %s holds no PEM certificate", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	if (cfg.CertFile == "") != (cfg.KeyFile == "") {
		return nil, errors.New("client: a client certificate needs both CertFile and KeyFile")
	}
	if cfg.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client: loading client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	dialer := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: 15 * time.Second,
		ForceAttemptHTTP2:   true,
		// The syncer pushes up to 32 cases at once (syncer.Options.Concurrency); over HTTP/1.1
		// each needs its own connection, and one that cannot be kept idle is closed and redialled
		// (a TCP and TLS handshake, two or three round trips on a slow line) for the next request.
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		// HTTP/2 with ping health checks, so a connection that died silently (NAT timeout, a
		// modem that dropped the line) is noticed within pingAfter+pingTimeout instead of hanging.
		// This is what x/net/http2.ConfigureTransports + ReadIdleTimeout/PingTimeout did; since Go
		// 1.24 net/http carries it and x/net marks ConfigureTransports deprecated in its favour.
		HTTP2: &http.HTTP2Config{SendPingTimeout: pingAfter, PingTimeout: pingTimeout},
	}
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	t.Protocols.SetHTTP2(true)
	// DisableCompression stays false: the transport asks for gzip and decodes it transparently.
	return t, nil
}

// ctxKey carries per-call settings down to attemptTransport and the retry condition.
type ctxKey struct{}

type callOpts struct {
	timeout time.Duration // per attempt; <0 means none (the caller watches progress itself)
	noRetry bool
}

func optsFrom(ctx context.Context) callOpts {
	o, _ := ctx.Value(ctxKey{}).(callOpts)
	return o
}

// errAttemptTimeout is the cause when one attempt, not the caller's context, ran out of time.
var errAttemptTimeout = errors.New("no answer from the server in time")

// attemptTransport bounds each attempt with its own deadline (kept until the body is closed) and
// caps how much of an error body can be read.
type attemptTransport struct {
	base    http.RoundTripper
	timeout time.Duration
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	o := optsFrom(req.Context())
	d := t.timeout
	if o.timeout != 0 {
		d = o.timeout
	}
	var cancel context.CancelFunc = func() {}
	if d > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeoutCause(req.Context(), d, errAttemptTimeout)
		req = req.WithContext(ctx)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		if d > 0 && errors.Is(context.Cause(req.Context()), errAttemptTimeout) {
			err = fmt.Errorf("%w: %w", errAttemptTimeout, err)
		}
		cancel()
		return nil, err
	}
	body := resp.Body
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusPreconditionFailed {
		body = &limitedBody{ReadCloser: body, n: maxErrorBytes}
	}
	resp.Body = &cancelBody{ReadCloser: body, cancel: cancel, ctx: req.Context()}
	return resp, nil
}

func (t *attemptTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// cancelBody releases the attempt's deadline when the body is closed and names an attempt timeout
// during the body read as such.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
	ctx    context.Context
}

func (b *cancelBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && errors.Is(context.Cause(b.ctx), errAttemptTimeout) {
		err = fmt.Errorf("%w: %w", errAttemptTimeout, err)
	}
	return n, err
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// limitedBody stops (with EOF) after n bytes: an oversized error body is truncated, and its
// problem then fails to decode, which degrades to a problem built from the status code.
type limitedBody struct {
	io.ReadCloser
	n int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.ReadCloser.Read(p)
	b.n -= int64(n)
	return n, err
}

// discardLogger keeps resty quiet: its warnings could carry URLs and errors into stderr.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}
