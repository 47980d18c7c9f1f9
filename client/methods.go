package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/amt-mv/amt/api"
)

// request is one API call before resty sees it.
type request struct {
	method string
	path   string // escaped, starting with api.BasePath
	query  url.Values
	header map[string]string
	body   []byte // pre-serialised JSON, sent as is
	raw    bool   // hand back the unread body (downloads)
	opts   callOpts
}

func (rq *request) op() string { return rq.method + " " + rq.path }

// do runs one request (with resty's retries for GETs). It returns the response for every HTTP
// answer, whatever its status, and a classified error when there was none.
func (c *Client) do(ctx context.Context, rq request) (*resty.Response, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if c.tokens == nil {
		return c.doOnce(ctx, rq, "")
	}
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", rq.op(), err)
	}
	resp, err := c.doOnce(ctx, rq, tok)
	if err != nil || resp.StatusCode() != http.StatusUnauthorized {
		return resp, err
	}
	// The access token was refused (expired early, clocks apart, key rotated): refresh once and
	// send again. Safe for actions: a 401 is answered before anything is applied.
	if rq.raw {
		resp.RawResponse.Body.Close()
	}
	if tok, err = c.tokens.Refresh(ctx, tok); err != nil {
		return nil, fmt.Errorf("client: %s: %w", rq.op(), err)
	}
	return c.doOnce(ctx, rq, tok)
}

// doOnce sends one request (resty retries included) with tok as bearer token when not empty.
func (c *Client) doOnce(ctx context.Context, rq request, tok string) (*resty.Response, error) {
	r := c.r.R().SetContext(context.WithValue(ctx, ctxKey{}, rq.opts))
	if tok != "" {
		r.SetAuthToken(tok)
	}
	for k, v := range rq.header {
		r.SetHeader(k, v)
	}
	if len(rq.query) > 0 {
		r.SetQueryParamsFromValues(rq.query)
	}
	if rq.body != nil {
		r.SetHeader("Content-Type", "application/json")
		r.SetBody(rq.body)
	}
	if rq.raw {
		r.SetDoNotParseResponse(true)
	}
	resp, err := r.Execute(rq.method, rq.path)
	if err != nil && !errors.Is(err, errRetryAfterTooLong) {
		if resp != nil && resp.RawResponse != nil && rq.raw {
			resp.RawResponse.Body.Close()
		}
		return nil, transportError(ctx, rq.op(), resp, err)
	}
	if resp == nil || resp.RawResponse == nil {
		return nil, transportError(ctx, rq.op(), resp, errors.New("no response"))
	}
	return resp, nil
}

// getJSON performs a GET and decodes the JSON answer into out.
func (c *Client) getJSON(ctx context.Context, rq request, out any) error {
	rq.method = http.MethodGet
	resp, err := c.do(ctx, rq)
	if err != nil {
		return err
	}
	return decodeResponse(rq.op(), false, resp.StatusCode(), resp.Header(), resp.Body(), out, c.now(), c.token)
}

// SignInInfo asks the server how clients sign in (GET /sign-in); it needs no token, so a client
// built without one can call it before the clerk has signed in.
func (c *Client) SignInInfo(ctx context.Context) (api.SignInInfo, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	rq := request{method: http.MethodGet, path: api.BasePath + "/sign-in"}
	resp, err := c.doOnce(ctx, rq, "")
	if err != nil {
		return api.SignInInfo{}, err
	}
	var info api.SignInInfo
	if err := decodeResponse(rq.op(), false, resp.StatusCode(), resp.Header(), resp.Body(), &info, c.now(), c.token); err != nil {
		return api.SignInInfo{}, err
	}
	return info, nil
}

// Me returns who the token belongs to.
func (c *Client) Me(ctx context.Context) (api.Me, error) {
	var me api.Me
	if err := c.getJSON(ctx, request{path: api.BasePath + "/me"}, &me); err != nil {
		return api.Me{}, err
	}
	return me, nil
}

// Clerks lists the clerks of the caller's Amt.
func (c *Client) Clerks(ctx context.Context) ([]api.Clerk, error) {
	var l api.ClerkList
	if err := c.getJSON(ctx, request{path: api.BasePath + "/clerks"}, &l); err != nil {
		return nil, err
	}
	return l.Clerks, nil
}

// Case fetches one case. With a non-empty etag (the cached version, quoted or not) it sends
// If-None-Match and returns ErrNotModified when the cached case is current.
func (c *Client) Case(ctx context.Context, id string, etag string) (api.Case, error) {
	rq := request{path: casePath(id)}
	if etag != "" {
		rq.header = map[string]string{"If-None-Match": quoteETag(etag)}
	}
	var cs api.Case
	if err := c.getJSON(ctx, rq, &cs); err != nil {
		return api.Case{}, err
	}
	return cs, nil
}

// Events returns a case's history, oldest first.
func (c *Client) Events(ctx context.Context, id string) ([]api.Event, error) {
	var l api.EventList
	if err := c.getJSON(ctx, request{path: casePath(id) + "/events"}, &l); err != nil {
		return nil, err
	}
	return l.Events, nil
}

// Changes reads one page of the change feed after cursor ("" = from the beginning). limit 0 means
// the server's default; wait > 0 long-polls up to that long (whole seconds, at most
// api.MaxWaitSeconds) when nothing is new. A cursor too old gives ErrCursorExpired.
func (c *Client) Changes(ctx context.Context, cursor string, limit int, wait time.Duration) (api.ChangePage, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		if limit > api.MaxChangePageSize {
			limit = api.MaxChangePageSize
		}
		q.Set("limit", strconv.Itoa(limit))
	}
	rq := request{path: api.BasePath + "/changes", query: q}
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		if secs > api.MaxWaitSeconds {
			secs = api.MaxWaitSeconds
		}
		q.Set("wait", strconv.Itoa(secs))
		rq.opts.timeout = c.attemptTimeout + time.Duration(secs)*time.Second
	}
	var p api.ChangePage
	if err := c.getJSON(ctx, rq, &p); err != nil {
		return api.ChangePage{}, err
	}
	return p, nil
}

// Action is one clerk action as the outbox holds it.
type Action struct {
	Kind   api.ActionKind
	CaseID string
	ID     string // client-chosen action id: path id, and Idempotency-Key on every PUT
	SubID  string // the decision id, for approvals
	Body   []byte // pre-serialised JSON request body
	// IfMatch is the case version the clerk saw; sent as If-Match for kinds that need it
	// (Kind.NeedsIfMatch) when positive.
	IfMatch int64
}

// Send delivers one action with exactly one attempt: no retries here, the outbox owns them. A
// resend with the same ID and body is harmless (the server answers the original result).
// Outcomes: nil (done), *ConflictError (412), *RejectedError, *RetryError, ErrOffline,
// ErrUnauthorized; a failure after the request went out whole also matches ErrUnconfirmed.
func (c *Client) Send(ctx context.Context, a Action) (api.ActionResult, error) {
	if a.ID == "" || a.CaseID == "" {
		return api.ActionResult{}, errors.New("client: an action needs an id and a case id")
	}
	path, err := api.ActionPath(a.Kind, a.CaseID, a.ID, a.SubID)
	if err != nil {
		return api.ActionResult{}, fmt.Errorf("client: %w", err)
	}
	body := a.Body
	if body == nil {
		body = []byte("{}")
	}
	rq := request{
		method: http.MethodPut,
		path:   path,
		body:   body,
		header: map[string]string{api.HeaderIdempotencyKey: a.ID},
		opts:   callOpts{noRetry: true},
	}
	if a.Kind.NeedsIfMatch() && a.IfMatch > 0 {
		rq.header["If-Match"] = quoteETag(strconv.FormatInt(a.IfMatch, 10))
	}
	// Did the request go out whole? Then a failure without an answer leaves the action
	// unconfirmed, not undelivered.
	var wrote atomic.Bool
	tctx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}})
	resp, err := c.do(tctx, rq)
	if err != nil {
		if wrote.Load() && !isTLSFailure(err) {
			err = &unconfirmedError{err: err}
		}
		return api.ActionResult{}, err
	}
	var res api.ActionResult
	if err := decodeResponse(rq.op(), true, resp.StatusCode(), resp.Header(), resp.Body(), &res, c.now(), c.token); err != nil {
		return api.ActionResult{}, err
	}
	// Only the server's answer for this very action settles it: a 2xx from something else (a
	// proxy's stub, "{}", "null") would make the outbox drop an action the server never saw.
	// (The reference server names an approval by its decision id, and a printed mark by its
	// document id; the action id is accepted too.)
	idOK := res.ActionID == a.ID || ((a.Kind == api.ActionApproval || a.Kind == api.ActionPrinted || a.Kind == api.ActionEvidenceChecked) && res.ActionID == a.SubID)
	if !idOK || res.Kind != string(a.Kind) || res.Case.ID != a.CaseID || res.Case.Version <= 0 {
		return api.ActionResult{}, &RetryError{Status: resp.StatusCode(), op: rq.op(),
			cause: errors.New("unreadable response: not the result of this action")}
	}
	return res, nil
}

func casePath(id string) string { return api.BasePath + "/cases/" + url.PathEscape(id) }

// quoteETag makes a strong or weak entity tag out of a bare or already quoted one.
func quoteETag(s string) string {
	if strings.HasPrefix(s, `"`) || strings.HasPrefix(s, `W/"`) {
		return s
	}
	return `"` + s + `"`
}
