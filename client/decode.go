package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/amt-mv/amt/api"
)

// errRetryAfterTooLong stops resty's retry loop when the server asks for a longer pause than one
// call should block (or than the caller's deadline allows); the caller then gets a RetryError.
var errRetryAfterTooLong = errors.New("retry-after exceeds what this call may wait")

// decodeResponse turns one HTTP answer into out (on 2xx; out may be nil) or a typed error. op names
// the request in error strings; action says whether it was an action PUT (404/403 are then
// rejections of the action rather than a missing resource or a refused token). token, if set, is
// scrubbed from the problem text. It never panics, whatever the bytes.
func decodeResponse(op string, action bool, status int, hdr http.Header, body []byte, out any, now time.Time, token string) error {
	switch {
	case status >= 200 && status <= 299:
		if out == nil {
			return nil
		}
		if err := decodeJSON(body, out); err != nil {
			return &RetryError{Status: status, op: op, cause: fmt.Errorf("unreadable response: %w", err)}
		}
		return nil
	case status == http.StatusNotModified:
		return fmt.Errorf("client: %s: %w", op, ErrNotModified)
	case status >= 300 && status <= 399:
		return fmt.Errorf("client: %s: %w: unexpected redirect (%d); a proxy or captive portal may be in the way", op, ErrOffline, status)
	}
	p := parseProblem(status, body)
	if token != "" { // a careless proxy might echo the Authorization header
		p.Title = strings.ReplaceAll(p.Title, token, "[redacted]")
		p.Detail = strings.ReplaceAll(p.Detail, token, "[redacted]")
	}
	switch status {
	case http.StatusUnauthorized:
		if p.Type == api.ProblemTokenExpired {
			return fmt.Errorf("client: %s: %w: %w (%d)%s", op, ErrTokenExpired, ErrUnauthorized, status, problemText(&p))
		}
		return fmt.Errorf("client: %s: %w (%d)%s", op, ErrUnauthorized, status, problemText(&p))
	case http.StatusForbidden:
		if !action {
			return fmt.Errorf("client: %s: %w (%d)%s", op, ErrUnauthorized, status, problemText(&p))
		}
	case http.StatusNotFound:
		if !action {
			return fmt.Errorf("client: %s: %w%s", op, ErrNotFound, problemText(&p))
		}
	case http.StatusConflict:
		if p.Type == api.ProblemAlreadyApplied {
			return fmt.Errorf("client: %s: %w", op, ErrAlreadyApplied)
		}
	case http.StatusGone:
		return fmt.Errorf("client: %s: %w", op, ErrCursorExpired)
	case http.StatusPreconditionFailed:
		e := &ConflictError{op: op}
		if p.Case != nil {
			e.Case = *p.Case
		}
		return e
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		after, _ := parseRetryAfter(hdr.Get("Retry-After"), now)
		return &RetryError{After: after, Status: status, op: op}
	}
	if status >= 400 && status <= 499 {
		p.Case = nil
		return &RejectedError{Status: status, Problem: p, op: op}
	}
	after, _ := parseRetryAfter(hdr.Get("Retry-After"), now)
	return &RetryError{After: after, Status: status, op: op}
}

// decodeJSON decodes one JSON value and rejects trailing data.
func decodeJSON(body []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(out); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// parseProblem decodes an RFC 9457 problem, degrading to one built from the status code when the
// body is missing, truncated or not a problem at all.
func parseProblem(status int, body []byte) api.Problem {
	var p api.Problem
	if len(body) > 0 && decodeJSON(body, &p) != nil {
		p = api.Problem{}
	}
	if p.Status == 0 {
		p.Status = status
	}
	if p.Title == "" {
		p.Title = http.StatusText(status)
	}
	return p
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
// Values are capped at a day; dates in the past mean zero.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
				return maxRetryHint, true
			}
			return 0, false
		}
		if n > uint64(maxRetryHint/time.Second) {
			return maxRetryHint, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	if d > maxRetryHint {
		d = maxRetryHint
	}
	return d, true
}

// shouldRetry is resty's retry condition: only GETs, only while the caller still waits, and only
// for transport failures, 408, 429 and 5xx. An attempt that ran out of AttemptTimeout is not
// repeated: a server (or line) that stalled for a whole attempt rarely answers the next one, and
// three of them cost the clerk minutes (issue #16 item 8 saw 3 × 30 s); the caller — the
// syncer's backoff, the clerk's next command — tries again later. Failures that come fast (a
// reset, a refused connection) are retried at once as before.
func (c *Client) shouldRetry(resp *resty.Response, err error) bool {
	if resp == nil || resp.Request == nil {
		return false
	}
	req := resp.Request
	if req.Method != http.MethodGet || optsFrom(req.Context()).noRetry || req.Context().Err() != nil {
		return false
	}
	if err != nil {
		return !errors.Is(err, resty.ErrResponseBodyTooLarge) && !errors.Is(err, errRetryAfterTooLong) && !isTLSFailure(err) &&
			!errors.Is(err, errAttemptTimeout)
	}
	s := resp.StatusCode()
	return s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500
}

// retryAfter is resty's RetryAfterFunc and owns the pause between GET attempts: exponential
// backoff with jitter, or the server's Retry-After (resty v2 does not parse it). It gives up — the
// caller then gets a RetryError, or ErrOffline for a transport failure — when the pause would
// outlast retryMaxWait or the caller's deadline.
func (c *Client) retryAfter(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	if resp == nil || resp.Request == nil {
		return 0, nil
	}
	base := retryWait << min(max(resp.Request.Attempt-1, 0), 5)
	d := base + rand.N(base)
	if resp.RawResponse != nil {
		if ra, ok := parseRetryAfter(resp.Header().Get("Retry-After"), c.now()); ok {
			if ra > retryMaxWait {
				return 0, errRetryAfterTooLong
			}
			d = max(ra, retryWait)
		}
	}
	d = min(d, retryMaxWait)
	if dl, ok := resp.Request.Context().Deadline(); ok && time.Until(dl) < d {
		return 0, errRetryAfterTooLong
	}
	return d, nil
}

// transportError classifies a failure without an HTTP answer: the caller's context ending is
// reported as such; everything else means the server is not reachable.
func transportError(ctx context.Context, op string, resp *resty.Response, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("client: %s: %w", op, ctx.Err())
	}
	if errors.Is(err, resty.ErrResponseBodyTooLarge) {
		status := 0
		if resp != nil {
			status = resp.StatusCode()
		}
		return &RetryError{Status: status, op: op, cause: fmt.Errorf("response larger than %d bytes", maxJSONBytes)}
	}
	if p, ok := tlsProblem(err); ok {
		return &TLSError{Problem: p, op: op, err: err}
	}
	return fmt.Errorf("client: %s: %w: %w", op, ErrOffline, err)
}

// tlsProblem classifies a certificate failure (isTLSFailure) for the clerk.
func tlsProblem(err error) (TLSProblem, bool) {
	if !isTLSFailure(err) {
		return 0, false
	}
	var (
		uae   x509.UnknownAuthorityError
		he    x509.HostnameError
		cie   x509.CertificateInvalidError
		alert tls.AlertError
		oe    *net.OpError
	)
	switch {
	case errors.As(err, &uae):
		return TLSUntrusted, true
	case errors.As(err, &he):
		return TLSWrongHost, true
	case errors.As(err, &cie):
		if cie.Reason == x509.Expired {
			return TLSExpired, true
		}
		return TLSOther, true
	case errors.As(err, &alert):
		// 42 bad_certificate, 116 certificate_required, 48 unknown_ca: the server refused ours.
		if a := uint8(alert); a == 42 || a == 116 || a == 48 {
			return TLSClientCert, true
		}
	case errors.As(err, &oe) && oe.Op == "remote error":
		if m := oe.Err.Error(); strings.Contains(m, "certificate") || strings.Contains(m, "unknown certificate authority") {
			return TLSClientCert, true
		}
	}
	return TLSOther, true
}

// isTLSFailure reports certificate and handshake refusals: retrying them cannot help.
func isTLSFailure(err error) bool {
	var (
		verr  *tls.CertificateVerificationError
		alert tls.AlertError
		uae   x509.UnknownAuthorityError
		he    x509.HostnameError
		cie   x509.CertificateInvalidError
		oe    *net.OpError
	)
	if errors.As(err, &oe) && oe.Op == "remote error" { // a TLS alert from the server, e.g. "certificate required"
		return true
	}
	return errors.As(err, &verr) || errors.As(err, &alert) || errors.As(err, &uae) || errors.As(err, &he) || errors.As(err, &cie)
}
