package client

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/sanitize"
)

// Errors returned by the client; check them with errors.Is. The richer ones (RejectedError,
// ConflictError, RetryError) are also reachable with errors.As. When the caller's context ends,
// the error wraps ctx.Err() (context.Canceled or context.DeadlineExceeded) instead of ErrOffline;
// an attempt that ran out of AttemptTimeout is ErrOffline.
var (
	// ErrOffline: the server could not be reached or did not answer (DNS, dial, TLS, reset,
	// timeout, cut response, redirect to a captive portal). The transport error is wrapped too.
	ErrOffline = errors.New("server not reachable")
	// ErrUnauthorized: 401 (token unknown or revoked) or 403 on a read. The clerk must log in again.
	ErrUnauthorized = errors.New("not authorised: the token was refused")
	// ErrSessionEnded: the sign-in at the OpenID provider ended (the refresh token was revoked
	// or expired), so no new access token can be had: the clerk must sign in again. Errors that
	// match it match ErrUnauthorized too.
	ErrSessionEnded = errors.New("the sign-in has ended")
	// ErrTokenExpired: 401 token-expired — the static token ran out; the administrator issues a
	// new one (amt-server token rotate) and the clerk signs in with it, keeping the cache and its
	// outbox. Errors that match it match ErrUnauthorized too.
	ErrTokenExpired = errors.New("the token has expired")
	// ErrNotFound: 404 — the case or attachment does not exist for this clerk's Amt. On an action
	// it comes as a *RejectedError with Status 404 that also matches ErrNotFound.
	ErrNotFound = errors.New("not found")
	// ErrNotModified: 304 — the cached case is current.
	ErrNotModified = errors.New("not modified")
	// ErrCursorExpired: 410 — the change-feed cursor is too old; resync from the beginning.
	ErrCursorExpired = errors.New("change cursor expired: full resync needed")
	// ErrRejected: the server refused the request for good (400, 403 on an action, 404 on an
	// action, 409 other than already-applied, 413, 422, 428 and other 4xx). See *RejectedError.
	ErrRejected = errors.New("rejected by the server")
	// ErrAlreadyApplied: 409 already-applied — a resend of an action the server applied before,
	// whose original answer it no longer keeps (a resend after its idempotency retention). The
	// action is delivered, not rejected: treat it as done; the case comes with the change feed.
	ErrAlreadyApplied = errors.New("action already applied earlier")
	// ErrConflict: 412 — the case changed since the clerk saw it. See *ConflictError.
	ErrConflict = errors.New("the case was changed in the meantime")
	// ErrRetryLater: 429, 408 or 5xx, or an unreadable success response. See *RetryError.
	ErrRetryLater = errors.New("server busy, retry later")
	// ErrTLS: the TLS connection failed on a certificate (the server's not trusted, for another
	// host, expired; or the server refused the client's). Nothing reached the server; errors that
	// match it match ErrOffline too, so work stays queued. See *TLSError for what is wrong.
	ErrTLS = errors.New("TLS certificate not accepted")
	// ErrUnconfirmed: an action request was sent whole but no answer came (the line broke, the
	// server stalled, the caller gave up): the server may or may not have applied it. It wraps
	// the transport's or the context's error (so ErrOffline or context errors match too). Resend
	// it with the same id: the server's replay or 409 already-applied settles it.
	ErrUnconfirmed = errors.New("sent, but the answer was lost: unconfirmed")
	// ErrChecksum: a downloaded attachment did not match its size or sha256; the partial file
	// was removed.
	ErrChecksum = errors.New("attachment damaged in transfer (checksum mismatch)")
)

// RejectedError is a final refusal of a request; the problem says why.
type RejectedError struct {
	Status  int
	Problem api.Problem
	op      string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("client: %s: rejected (%d)%s", e.op, e.Status, problemText(&e.Problem))
}

// Is matches ErrRejected, and ErrNotFound for a 404.
func (e *RejectedError) Is(target error) bool {
	return target == ErrRejected || (target == ErrNotFound && e.Status == 404)
}

// ConflictError is a 412 answer to a state-changing action: Case is the server's current case (its
// zero value if the server sent none).
type ConflictError struct {
	Case api.Case
	op   string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("client: %s: conflict: the case is now at version %d", e.op, e.Case.Version)
}

// Is matches ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// RetryError asks to try again later: After is the server's Retry-After (0 if none was sent),
// Status the HTTP status (2xx when a success response could not be decoded).
type RetryError struct {
	After  time.Duration
	Status int
	op     string
	cause  error
}

func (e *RetryError) Error() string {
	s := fmt.Sprintf("client: %s: server busy (%d)", e.op, e.Status)
	if e.After > 0 {
		s += fmt.Sprintf(", retry after %s", e.After)
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

// Is matches ErrRetryLater.
func (e *RetryError) Is(target error) bool { return target == ErrRetryLater }

// Unwrap returns the decoding error behind a RetryError for an unreadable response, if any.
func (e *RetryError) Unwrap() error { return e.cause }

// problemText renders the untrusted title/detail of a problem for an error string: sanitised,
// single line, bounded.
func problemText(p *api.Problem) string {
	s := p.Title
	if p.Detail != "" {
		if s != "" {
			s += ": "
		}
		s += p.Detail
	}
	s = sanitize.Line(s)
	const max = 300
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	if s == "" {
		return ""
	}
	return ": " + s
}

// unconfirmedError marks a sent action whose answer was lost (ErrUnconfirmed).
type unconfirmedError struct{ err error }

func (e *unconfirmedError) Error() string        { return e.err.Error() + " (" + ErrUnconfirmed.Error() + ")" }
func (e *unconfirmedError) Is(target error) bool { return target == ErrUnconfirmed }
func (e *unconfirmedError) Unwrap() error        { return e.err }

// TokenWarnBefore is how long before a static token's expiry (api.Me.TokenExpires) the clerk
// is warned: by the app at start, amt status and amt doctor.
const TokenWarnBefore = 14 * 24 * time.Hour

// TokenExpiry says whether the clerk must be warned about the token of me at now: soon (within
// TokenWarnBefore) or already expired, and the expiry. A token without expiry never warns.
func TokenExpiry(me api.Me, now time.Time) (expires time.Time, soon, expired bool) {
	if me.TokenExpires == nil {
		return time.Time{}, false, false
	}
	expires = *me.TokenExpires
	expired = !now.Before(expires)
	return expires, !expired && expires.Sub(now) <= TokenWarnBefore, expired
}

// TLSProblem says what is wrong with a TLS connection (TLSError).
type TLSProblem int

// What a TLSError found.
const (
	TLSOther      TLSProblem = iota // another handshake failure
	TLSUntrusted                    // the server's certificate is signed by no trusted authority
	TLSWrongHost                    // the certificate is for another host name
	TLSExpired                      // the certificate has expired or is not valid yet
	TLSClientCert                   // the server asked for or refused the client certificate
)

// TLSError is a TLS connection that failed on a certificate: retrying cannot help until someone
// changes a certificate or the configuration. It matches ErrTLS and ErrOffline and unwraps to the
// transport's error.
type TLSError struct {
	Problem TLSProblem
	op      string
	err     error
}

func (e *TLSError) Error() string { return fmt.Sprintf("client: %s: %v: %v", e.op, ErrTLS, e.err) }

// Is matches ErrTLS and ErrOffline.
func (e *TLSError) Is(target error) bool { return target == ErrTLS || target == ErrOffline }

func (e *TLSError) Unwrap() error { return e.err }
