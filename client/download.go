package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
)

const (
	downloadAttempts = 3        // attempts in a row without progress before giving up
	downloadMaxTries = 20       // attempts in one call at all
	downloadChunk    = 32 << 10 // read size, and progress granularity
)

// Sink is where Download puts an attachment's bytes. The caller provides it and closes it;
// store.AttachmentWriter, which keeps the bytes sealed on disk, satisfies it.
type Sink interface {
	// Held reports how many bytes of the attachment the sink already holds (from an earlier, cut
	// download, or all of them); Download resumes after them.
	Held() int64
	// OpenHeld returns a reader over the held bytes; Download hashes them before it resumes.
	OpenHeld() (io.ReadCloser, error)
	// Write appends bytes after those held.
	Write(p []byte) (int, error)
	// Reset drops every byte held (the server starts over, or the bytes are wrong).
	Reset() error
	// Commit makes the held bytes the attachment; Download calls it once size and sha256 match.
	Commit() error
}

// Download fetches an attachment into dst. When dst already holds bytes, they are hashed and the
// download resumes after them with Range and If-Range; a 200 instead of 206 starts over (dst is
// Reset). Cut transfers are resumed within the call while they make progress. The result is
// checked against att.Size and att.SHA256 before dst is committed; a mismatch resets dst and
// returns ErrChecksum. When dst holds the whole verified attachment already, nothing is fetched.
// progress (may be nil) gets the bytes held and att.Size.
func (c *Client) Download(ctx context.Context, caseID string, att api.Attachment, dst Sink, progress func(done, total int64)) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	want, err := hex.DecodeString(att.SHA256)
	if err != nil || len(want) != sha256.Size {
		return fmt.Errorf("client: attachment %s has no valid sha256", att.ID)
	}
	if att.ID == "" || caseID == "" || dst == nil || att.Size < 0 {
		return errors.New("client: download needs a case id, an attachment id, a size and a sink")
	}
	apiPath := casePath(caseID) + "/attachments/" + url.PathEscape(att.ID)
	if docID, ok := strings.CutPrefix(att.ID, api.DocumentFilePrefix); ok {
		// An outgoing document (api.Document.AsAttachment): same transfer, its own endpoint.
		apiPath = casePath(caseID) + "/documents/" + url.PathEscape(docID)
	}
	op := http.MethodGet + " " + apiPath

	d := &download{
		c: c, dst: dst, h: sha256.New(), op: op, path: apiPath, att: att, progress: progress,
		etag: quoteETag(strings.ToLower(att.SHA256)),
	}
	held := dst.Held()
	resumed := held > 0 && held <= att.Size
	if resumed {
		if err := d.rehash(held); err != nil {
			// Held bytes that cannot be read back are worth nothing: start over.
			resumed = false
			if err := d.restart(); err != nil {
				return err
			}
		}
	} else if err := d.restart(); err != nil {
		return err
	}

	stalled, tries := 0, 0
	for d.size < att.Size || (d.size == 0 && att.Size == 0 && !d.fetched) {
		tries++
		before := d.size
		err := d.once(ctx)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return err
		}
		var re *RetryError
		switch {
		case errors.Is(err, ErrOffline):
		case errors.As(err, &re):
			if re.After > retryMaxWait {
				return err
			}
		default:
			if errors.Is(err, ErrChecksum) {
				_ = dst.Reset()
			}
			return err
		}
		if d.size > before {
			stalled = 0
		} else {
			stalled++
		}
		if tries >= downloadMaxTries || stalled >= downloadAttempts {
			return err
		}
		wait := jitter(retryWait << min(stalled, 5))
		if re != nil && re.After > wait {
			wait = re.After
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return fmt.Errorf("client: %s: %w", op, err)
		}
	}

	if d.size != att.Size || !bytes.Equal(d.h.Sum(nil), want) {
		if err := dst.Reset(); err != nil {
			return fmt.Errorf("client: %s: %w", op, err)
		}
		if resumed && !d.restarted {
			// The held bytes may be stale; one clean start before calling it damaged.
			return c.Download(ctx, caseID, att, dst, progress)
		}
		return fmt.Errorf("client: %s: %w", op, ErrChecksum)
	}
	if err := dst.Commit(); err != nil {
		return fmt.Errorf("client: %s: %w", op, err)
	}
	progress(att.Size, att.Size)
	return nil
}

// download is the state of one Download call.
type download struct {
	c         *Client
	dst       Sink
	h         hash.Hash
	op, path  string
	att       api.Attachment
	progress  func(done, total int64)
	etag      string // If-Range validator: the server's ETag if it sent one, else "<sha256>"
	size      int64  // bytes in dst, all hashed into h
	fetched   bool   // a complete response was read (for empty attachments)
	restarted bool
}

// rehash feeds the held bytes into the hash.
func (d *download) rehash(held int64) error {
	r, err := d.dst.OpenHeld()
	if err != nil {
		return err
	}
	defer r.Close()
	n, err := io.Copy(d.h, r)
	if err == nil && n != held {
		err = fmt.Errorf("%d bytes held, %d read back", held, n)
	}
	if err != nil {
		d.h.Reset()
		return err
	}
	d.size = held
	return nil
}

func (d *download) restart() error {
	if err := d.dst.Reset(); err != nil {
		return fmt.Errorf("client: %s: %w", d.op, err)
	}
	d.h.Reset()
	d.size = 0
	d.restarted = true
	return nil
}

// once makes one request from d.size on and appends what arrives.
func (d *download) once(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// The attempt timeout is an idle timeout here: a slow line may take many minutes for a large
	// file, but not one AttemptTimeout without a single byte.
	idle := time.AfterFunc(d.c.attemptTimeout, func() { cancel(errAttemptTimeout) })
	defer idle.Stop()

	rq := request{
		method: http.MethodGet,
		path:   d.path,
		raw:    true,
		opts:   callOpts{timeout: -1, noRetry: true},
		// identity: byte offsets must be those of the file, and attachments are compressed already.
		header: map[string]string{"Accept-Encoding": "identity", "Accept": "*/*"},
	}
	if d.size > 0 {
		rq.header["Range"] = "bytes=" + strconv.FormatInt(d.size, 10) + "-"
		rq.header["If-Range"] = d.etag
	}
	resp, err := d.c.do(ctx, rq)
	if err != nil {
		return d.idleErr(ctx, err)
	}
	raw := resp.RawResponse
	defer raw.Body.Close()
	if et := raw.Header.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		d.etag = et
	}
	switch raw.StatusCode {
	case http.StatusOK:
		if d.size > 0 {
			if err := d.restart(); err != nil {
				return err
			}
		}
	case http.StatusPartialContent:
		start, total, ok := parseContentRange(raw.Header.Get("Content-Range"))
		if !ok || start != d.size || (total >= 0 && total != d.att.Size) {
			// Not the range we asked for: start over without Range.
			if err := d.restart(); err != nil {
				return err
			}
			return &RetryError{Status: raw.StatusCode, op: d.op, cause: errors.New("unexpected Content-Range")}
		}
	case http.StatusRequestedRangeNotSatisfiable:
		if err := d.restart(); err != nil {
			return err
		}
		return &RetryError{Status: raw.StatusCode, op: d.op, cause: errors.New("range not satisfiable")}
	default:
		body, _ := io.ReadAll(io.LimitReader(raw.Body, maxErrorBytes))
		return decodeResponse(d.op, false, raw.StatusCode, raw.Header, body, nil, d.c.now(), d.c.token)
	}

	buf := make([]byte, downloadChunk)
	for {
		n, rerr := raw.Body.Read(buf)
		if n > 0 {
			idle.Reset(d.c.attemptTimeout)
			if d.size+int64(n) > d.att.Size {
				return fmt.Errorf("client: %s: %w: more bytes than announced", d.op, ErrChecksum)
			}
			if _, err := d.dst.Write(buf[:n]); err != nil {
				return fmt.Errorf("client: %s: keeping the bytes: %w", d.op, err)
			}
			d.h.Write(buf[:n])
			d.size += int64(n)
			d.progress(d.size, d.att.Size)
		}
		if rerr == io.EOF {
			d.fetched = true
			if d.size < d.att.Size {
				// A complete response (a cut one ends in io.ErrUnexpectedEOF) with too few bytes.
				return fmt.Errorf("client: %s: %w: fewer bytes than announced", d.op, ErrChecksum)
			}
			return nil
		}
		if rerr != nil {
			return d.idleErr(ctx, fmt.Errorf("client: %s: %w: %w", d.op, ErrOffline, rerr))
		}
	}
}

// idleErr names the idle watchdog as the cause when it fired.
func (d *download) idleErr(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errAttemptTimeout) && !errors.Is(err, ErrOffline) {
		return fmt.Errorf("client: %s: %w: %w", d.op, ErrOffline, errAttemptTimeout)
	}
	return err
}

// parseContentRange reads "bytes start-end/total" (total may be "*", reported as -1).
func parseContentRange(v string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	s, e, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(s, 10, 64)
	end, err2 := strconv.ParseInt(e, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, false
	}
	total = -1
	if tot != "*" {
		t, err := strconv.ParseInt(tot, 10, 64)
		if err != nil || t <= end {
			return 0, 0, false
		}
		total = t
	}
	return start, total, true
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
