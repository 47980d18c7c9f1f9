package fitconnect

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Client talks to the Submission API v1 as one OAuth2 client (a subscriber of its destinations,
// or a sender). Tokens come from the token endpoint by client credentials in the form body
// (client_secret_post) and are cached until shortly before they expire.
type Client struct {
	api    string
	http   *http.Client
	plain  *http.Client
	tokens *tokenCache

	mu   sync.Mutex
	jwks map[string]*rsa.PublicKey // the service's SET keys by kid
	dest map[string]*rsa.PublicKey // destinationId + "/" + kid
}

// ClientConfig configures a Client.
type ClientConfig struct {
	TokenURL      string // e.g. https://auth-testing.fit-connect.fitko.dev/token
	SubmissionAPI string // base URL without /v1, e.g. https://submission-api-testing.fit-connect.fitko.dev
	ClientID      string
	ClientSecret  string
	// Scopes are not requested by default (FITKO advises against it).
	Scopes []string
	// HTTP is the transport client (timeouts); nil means one with a 30 s timeout.
	HTTP *http.Client
}

// tokenMargin is how long before expires_in a token is renewed.
const tokenMargin = 60 * time.Second

// NewClient returns a client for cfg.
func NewClient(cfg ClientConfig) *Client {
	base := cfg.HTTP
	if base == nil {
		base = &http.Client{Timeout: 30 * time.Second}
	}
	cc := &clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		TokenURL: cfg.TokenURL, Scopes: cfg.Scopes, AuthStyle: oauth2.AuthStyleInParams}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, base)
	ts := &tokenCache{src: fetchToken{ctx: ctx, cc: cc}}
	hc := &http.Client{Timeout: base.Timeout, Transport: &oauth2.Transport{Source: ts, Base: base.Transport}}
	return &Client{api: strings.TrimRight(cfg.SubmissionAPI, "/"), http: hc, plain: base, tokens: ts,
		jwks: map[string]*rsa.PublicKey{}, dest: map[string]*rsa.PublicKey{}}
}

// fetchToken asks the token endpoint every time (tokenCache caches).
type fetchToken struct {
	ctx context.Context
	cc  *clientcredentials.Config
}

func (f fetchToken) Token() (*oauth2.Token, error) { return f.cc.Token(f.ctx) }

// tokenCache keeps the access token until tokenMargin before it expires, and forgets it when the
// API answers 401 (revoked, or the service's clock differs).
type tokenCache struct {
	src oauth2.TokenSource
	mu  sync.Mutex
	tok *oauth2.Token
}

func (t *tokenCache) Token() (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && (t.tok.Expiry.IsZero() || time.Until(t.tok.Expiry) > tokenMargin) {
		return t.tok, nil
	}
	tok, err := t.src.Token()
	if err != nil {
		return nil, err
	}
	t.tok = tok
	return tok, nil
}

func (t *tokenCache) invalidate() {
	t.mu.Lock()
	t.tok = nil
	t.mu.Unlock()
}

// APIError is a non-2xx answer of the Submission API.
type APIError struct {
	Status int
	Body   ErrorBody
}

func (e *APIError) Error() string {
	if e.Body.Title != "" {
		return fmt.Sprintf("FIT-Connect: %d %s", e.Status, e.Body.Title)
	}
	return fmt.Sprintf("FIT-Connect: HTTP %d", e.Status)
}

// IsStatus reports whether err is an APIError with this status.
func IsStatus(err error, status int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == status
}

const maxBody = 64 << 20

func (c *Client) do(ctx context.Context, hc *http.Client, method, path, ctype string, body []byte, want int, out any) ([]byte, error) {
	b, err := c.do1(ctx, hc, method, path, ctype, body, want, out)
	if hc == c.http && IsStatus(err, http.StatusUnauthorized) {
		c.tokens.invalidate()
		b, err = c.do1(ctx, hc, method, path, ctype, body, want, out)
	}
	return b, err
}

func (c *Client) do1(ctx context.Context, hc *http.Client, method, path, ctype string, body []byte, want int, out any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.api+path, rd)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBody {
		return nil, errors.New("FIT-Connect: answer too large")
	}
	if resp.StatusCode != want {
		ae := &APIError{Status: resp.StatusCode}
		_ = json.Unmarshal(b, &ae.Body)
		return nil, ae
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return nil, fmt.Errorf("FIT-Connect %s %s: %w", method, path, err)
		}
	}
	return b, nil
}

// PageSize is the page size of listings (the API allows 1 to 500).
const PageSize = 100

// ListSubmissions lists every submission of a destination that is ready for pickup, page by page.
func (c *Client) ListSubmissions(ctx context.Context, destinationID string) ([]SubmissionRef, error) {
	var out []SubmissionRef
	for offset := 0; ; {
		var page SubmissionsForPickup
		q := url.Values{"destinationId": {destinationID}, "limit": {strconv.Itoa(PageSize)}, "offset": {strconv.Itoa(offset)}}
		if _, err := c.do(ctx, c.http, http.MethodGet, "/v1/submissions?"+q.Encode(), "", nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Submissions...)
		offset += len(page.Submissions)
		if len(page.Submissions) == 0 || offset >= page.TotalCount {
			return out, nil
		}
	}
}

// Submission fetches a submission with its encrypted metadata and data.
func (c *Client) Submission(ctx context.Context, id string) (*Submission, error) {
	var s Submission
	_, err := c.do(ctx, c.http, http.MethodGet, "/v1/submissions/"+url.PathEscape(id), "", nil, http.StatusOK, &s)
	return &s, err
}

// Attachment fetches an encrypted attachment (a compact JWE).
func (c *Client) Attachment(ctx context.Context, submissionID, attachmentID string) (string, error) {
	b, err := c.do(ctx, c.http, http.MethodGet, "/v1/submissions/"+url.PathEscape(submissionID)+"/attachments/"+url.PathEscape(attachmentID), "", nil, http.StatusOK, nil)
	return strings.TrimSpace(string(b)), err
}

// EventLog reads a case's whole event log (SETs, oldest first), page by page.
func (c *Client) EventLog(ctx context.Context, caseID string) ([]string, error) {
	var out []string
	for offset := 0; ; {
		var page EventLog
		q := url.Values{"limit": {strconv.Itoa(PageSize)}, "offset": {strconv.Itoa(offset)}}
		if _, err := c.do(ctx, c.http, http.MethodGet, "/v1/cases/"+url.PathEscape(caseID)+"/events?"+q.Encode(), "", nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		out = append(out, page.EventLog...)
		offset += len(page.EventLog)
		if len(page.EventLog) == 0 || offset >= page.TotalCount {
			return out, nil
		}
	}
}

// PostEvent posts a signed SET to a case's event log (204 expected; 409 means the transition is
// not allowed in the submission's state).
func (c *Client) PostEvent(ctx context.Context, caseID, set string) error {
	_, err := c.do(ctx, c.http, http.MethodPost, "/v1/cases/"+url.PathEscape(caseID)+"/events", ContentTypeJOSE, []byte(set), http.StatusNoContent, nil)
	return err
}

// Destination fetches a destination's public view.
func (c *Client) Destination(ctx context.Context, id string) (*Destination, error) {
	var d Destination
	_, err := c.do(ctx, c.http, http.MethodGet, "/v1/destinations/"+url.PathEscape(id), "", nil, http.StatusOK, &d)
	return &d, err
}

// DestinationKey fetches a destination's public key by kid (no token needed) and checks it has
// alg (RSA-OAEP-256 for encryption, PS512 for signatures).
func (c *Client) DestinationKey(ctx context.Context, destinationID, kid, alg string) (*rsa.PublicKey, error) {
	k := destinationID + "/" + kid
	c.mu.Lock()
	pub, ok := c.dest[k]
	c.mu.Unlock()
	if ok {
		return pub, nil
	}
	b, err := c.do(ctx, c.plain, http.MethodGet, "/v1/destinations/"+url.PathEscape(destinationID)+"/keys/"+url.PathEscape(kid), "", nil, http.StatusOK, nil)
	if err != nil {
		return nil, err
	}
	pub, _, err = ParsePublicJWK(b, alg, 0)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.dest[k] = pub
	c.mu.Unlock()
	return pub, nil
}

// ServiceKey finds the service's SET signing key by kid in /.well-known/jwks.json (fetched again
// when the kid is unknown).
func (c *Client) ServiceKey(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	pub, ok := c.jwks[kid]
	c.mu.Unlock()
	if ok {
		return pub, nil
	}
	b, err := c.do(ctx, c.plain, http.MethodGet, "/.well-known/jwks.json", "", nil, http.StatusOK, nil)
	if err != nil {
		return nil, err
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, raw := range set.Keys {
		if p, id, err := ParsePublicJWK(raw, "PS512", 0); err == nil {
			c.jwks[id] = p
		}
	}
	if pub, ok := c.jwks[kid]; ok {
		return pub, nil
	}
	return nil, fmt.Errorf("no service key %s", kid)
}

// KeyFunc returns a KeyFunc for ParseSET: an http(s) issuer is the service (JWKS), any other
// issuer is a destination id (its key by kid).
func (c *Client) KeyFunc(ctx context.Context) KeyFunc {
	return func(iss, kid string) (*rsa.PublicKey, error) {
		if strings.HasPrefix(iss, "http://") || strings.HasPrefix(iss, "https://") {
			return c.ServiceKey(ctx, kid)
		}
		return c.DestinationKey(ctx, iss, kid, "PS512")
	}
}

// Sender calls.

// CreateSubmission announces a submission (sender).
func (c *Client) CreateSubmission(ctx context.Context, cs CreateSubmission) (*SubmissionCreated, error) {
	b, _ := json.Marshal(cs)
	var out SubmissionCreated
	_, err := c.do(ctx, c.http, http.MethodPost, "/v1/submissions", ContentTypeJSON, b, http.StatusCreated, &out)
	return &out, err
}

// UploadAttachment uploads an encrypted attachment (sender).
func (c *Client) UploadAttachment(ctx context.Context, submissionID, attachmentID, jwe string) error {
	_, err := c.do(ctx, c.http, http.MethodPut, "/v1/submissions/"+url.PathEscape(submissionID)+"/attachments/"+url.PathEscape(attachmentID), ContentTypeJOSE, []byte(jwe), http.StatusNoContent, nil)
	return err
}

// Submit submits the encrypted metadata and data (sender).
func (c *Client) Submit(ctx context.Context, submissionID string, s SubmitSubmission) (*SubmissionReduced, error) {
	b, _ := json.Marshal(s)
	var out SubmissionReduced
	_, err := c.do(ctx, c.http, http.MethodPut, "/v1/submissions/"+url.PathEscape(submissionID), ContentTypeJSON, b, http.StatusAccepted, &out)
	return &out, err
}
