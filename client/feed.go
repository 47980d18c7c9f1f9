package client

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/amt-mv/amt/api"
)

// FeedRequest asks for one page of the change feed, read as a stream.
type FeedRequest struct {
	Cursor string        // "" = from the beginning
	Limit  int           // 0 = the server's default; capped at api.MaxChangePageSize
	Wait   time.Duration // > 0 long-polls up to this long (whole seconds) when nothing is new
	// Deltas asks the server to send an upsert of a case the cursor says the client holds as the
	// fields that changed since that version (api.Change.Delta) instead of the whole case.
	Deltas bool
	// Progress, if set, hears every received chunk: n is the number of bytes that crossed the
	// line (compressed, as counted on the wire) and total the page's announced wire size (-1 when
	// unknown). It runs on the reading goroutine.
	Progress func(n, total int64)
}

// FeedHead is what a streamed page says besides its items.
type FeedHead struct {
	// Remaining is how many items the feed held after the requested cursor, this page's
	// included; -1 when the server did not say (an older server).
	Remaining int
	// NextCursor and HasMore are those of api.ChangePage. They are known only after the last item.
	NextCursor string
	HasMore    bool
	// Items is how many items were delivered to the callback.
	Items int
	// WireBytes is what the page cost on the line (compressed body bytes).
	WireBytes int64
}

// errFeedShape: the body is not a change page.
var errFeedShape = errors.New("unreadable response: not a change page")

// ChangesStream reads one page of the change feed and hands each item to onItem as soon as it
// has arrived, so a caller can keep items of a page that is cut halfway. The timeout measures
// progress, not the whole response: an attempt fails only when no byte arrives for the client's
// attempt timeout (plus the long-poll wait before the answer starts); a slow line that keeps
// moving bytes never times out. The request is tried once (the caller resumes from the last item
// it kept). onRemaining, if set, is called once with FeedHead.Remaining before the first item
// when the server sends it first (the reference server does).
//
// Errors: those of Changes (ErrCursorExpired, ErrOffline, ErrUnauthorized, *RetryError), an
// error returned by onItem (wrapped), and ErrOffline when the transfer stalls or is cut; the head
// returned with an error tells how many items were delivered before it.
func (c *Client) ChangesStream(ctx context.Context, fr FeedRequest, onRemaining func(int), onItem func(api.Change) error) (FeedHead, error) {
	head := FeedHead{Remaining: -1}
	if ctx == nil {
		ctx = context.Background()
	}
	q := url.Values{}
	if fr.Cursor != "" {
		q.Set("cursor", fr.Cursor)
	}
	if fr.Limit > 0 {
		q.Set("limit", strconv.Itoa(min(fr.Limit, api.MaxChangePageSize)))
	}
	if fr.Deltas {
		q.Set("deltas", "1")
	}
	first := c.attemptTimeout
	if fr.Wait > 0 {
		secs := min(int((fr.Wait+time.Second-1)/time.Second), api.MaxWaitSeconds)
		q.Set("wait", strconv.Itoa(secs))
		first += time.Duration(secs) * time.Second
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// The watchdog: armed for the answer to start (connect, headers, a long-poll's wait), then
	// re-armed with every chunk of the body.
	var fired atomic.Bool
	idle := time.AfterFunc(first, func() { fired.Store(true); cancel(errAttemptTimeout) })
	defer idle.Stop()

	rq := request{
		method: http.MethodGet,
		path:   api.BasePath + "/changes",
		query:  q,
		raw:    true,
		opts:   callOpts{timeout: -1, noRetry: true},
		// Asked for explicitly, so the transport hands over the compressed bytes: progress and
		// the watchdog then count what crosses the line.
		header: map[string]string{"Accept-Encoding": "gzip"},
	}
	op := rq.op()
	resp, err := c.do(ctx, rq)
	if err != nil {
		return head, stallErr(op, &fired, err)
	}
	raw := resp.RawResponse
	defer raw.Body.Close()
	if raw.StatusCode < 200 || raw.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(raw.Body, maxErrorBytes))
		return head, decodeResponse(op, false, raw.StatusCode, raw.Header, body, nil, c.now(), c.token)
	}
	total := raw.ContentLength
	wire := &progressReader{r: raw.Body, f: func(n int) {
		idle.Reset(c.attemptTimeout)
		head.WireBytes += int64(n)
		if fr.Progress != nil {
			fr.Progress(int64(n), total)
		}
	}}
	var body io.Reader = wire
	if strings.EqualFold(raw.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(wire)
		if err != nil {
			return head, stallErr(op, &fired, fmt.Errorf("client: %s: %w: %w", op, ErrOffline, err))
		}
		body = zr
	}
	lim := &io.LimitedReader{R: body, N: maxJSONBytes}
	err = decodeFeed(bufio.NewReaderSize(lim, 32<<10), &head, onRemaining, onItem)
	if err == nil {
		return head, nil
	}
	var ie itemError
	switch {
	case errors.As(err, &ie):
		return head, ie.err
	case ctx.Err() != nil && context.Cause(ctx) != errAttemptTimeout:
		return head, fmt.Errorf("client: %s: %w", op, context.Cause(ctx))
	case lim.N <= 0:
		return head, &RetryError{Status: raw.StatusCode, op: op, cause: fmt.Errorf("response larger than %d bytes", maxJSONBytes)}
	case errors.Is(err, errFeedShape):
		return head, &RetryError{Status: raw.StatusCode, op: op, cause: err}
	}
	// A cut or stalled transfer: the line, not the server's answer.
	return head, stallErr(op, &fired, fmt.Errorf("client: %s: %w: %w", op, ErrOffline, err))
}

// stallErr names the progress watchdog as the cause when it fired.
func stallErr(op string, fired *atomic.Bool, err error) error {
	if fired.Load() {
		if errors.Is(err, ErrOffline) {
			return fmt.Errorf("%w (%w)", err, ErrStalled)
		}
		return fmt.Errorf("client: %s: %w: %w", op, ErrOffline, ErrStalled)
	}
	return err
}

// ErrStalled marks (wrapped together with ErrOffline) a transfer that stopped moving bytes for the
// attempt timeout.
var ErrStalled = errors.New("no data from the server in time")

// itemError carries an error of the caller's onItem callback out of the decoder unchanged.
type itemError struct{ err error }

func (e itemError) Error() string { return e.err.Error() }

// decodeFeed reads a change page object key by key, streaming the items.
func decodeFeed(r io.Reader, head *FeedHead, onRemaining func(int), onItem func(api.Change) error) error {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil {
		return shapeOr(err)
	} else if d, ok := t.(json.Delim); !ok || d != '{' {
		return errFeedShape
	}
	sawItems := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return shapeOr(err)
		}
		key, _ := t.(string)
		switch key {
		case "items":
			t, err := dec.Token()
			if err != nil {
				return shapeOr(err)
			}
			if t == nil { // "items": null
				sawItems = true
				continue
			}
			if d, ok := t.(json.Delim); !ok || d != '[' {
				return errFeedShape
			}
			for dec.More() {
				var it api.Change
				if err := dec.Decode(&it); err != nil {
					return shapeOr(err)
				}
				head.Items++
				if err := onItem(it); err != nil {
					return itemError{err}
				}
			}
			if _, err := dec.Token(); err != nil { // ']'
				return shapeOr(err)
			}
			sawItems = true
		case "nextCursor":
			if err := dec.Decode(&head.NextCursor); err != nil {
				return shapeOr(err)
			}
		case "hasMore":
			if err := dec.Decode(&head.HasMore); err != nil {
				return shapeOr(err)
			}
		case "remaining":
			var n int
			if err := dec.Decode(&n); err != nil {
				return shapeOr(err)
			}
			head.Remaining = max(n, 0)
			if onRemaining != nil && !sawItems {
				onRemaining(head.Remaining)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return shapeOr(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return shapeOr(err)
	}
	if !sawItems {
		return errFeedShape
	}
	if _, err := dec.Token(); err != io.EOF {
		return errFeedShape
	}
	return nil
}

// shapeOr keeps read errors (a cut line) as they are and turns syntax errors into errFeedShape.
func shapeOr(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) {
		return fmt.Errorf("%w: %w", errFeedShape, err)
	}
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// progressReader reports every chunk it reads.
type progressReader struct {
	r io.Reader
	f func(n int)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.f(n)
	}
	return n, err
}
