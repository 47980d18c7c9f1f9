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
	"os"
	"path/filepath"
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

// Download fetches an attachment to path. Bytes go to path+".part" first (0600): a later call
// resumes from its size with Range and If-Range, a 200 instead of 206 starts over. Cut transfers
// are resumed within the call while they make progress. The result is checked against att.Size and
// att.SHA256 before it is renamed to path; a mismatch removes the part file and returns
// ErrChecksum. progress (may be nil) gets the bytes on disk and att.Size.
func (c *Client) Download(ctx context.Context, caseID string, att api.Attachment, path string, progress func(done, total int64)) (err error) {
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
	if att.ID == "" || caseID == "" || path == "" || att.Size < 0 {
		return errors.New("client: download needs a case id, an attachment id, a size and a path")
	}
	apiPath := casePath(caseID) + "/attachments/" + url.PathEscape(att.ID)
	op := http.MethodGet + " " + apiPath

	if ok, _ := fileMatches(path, att.Size, want); ok {
		progress(att.Size, att.Size)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("client: %s: %w", op, err)
	}
	part := path + ".part"
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("client: %s: %w", op, err)
	}
	defer f.Close()
	defer func() {
		// Keep a part file only when it holds bytes worth resuming.
		if st, serr := os.Stat(part); err != nil && serr == nil && st.Size() == 0 {
			os.Remove(part)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("client: %s: %w", op, err)
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("client: %s: %w", op, err)
	}
	d := &download{
		c: c, f: f, h: sha256.New(), op: op, path: apiPath, att: att, progress: progress,
		etag: quoteETag(strings.ToLower(att.SHA256)),
	}
	resumed := st.Size() > 0 && st.Size() <= att.Size
	if resumed {
		if _, err := io.Copy(d.h, io.NewSectionReader(f, 0, st.Size())); err != nil {
			return fmt.Errorf("client: %s: reading partial file: %w", op, err)
		}
		d.size = st.Size()
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
				f.Close()
				os.Remove(part)
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
		if resumed && !d.restarted {
			// The old part file may be stale; one clean start before calling it damaged.
			f.Close()
			os.Remove(part)
			return c.Download(ctx, caseID, att, path, progress)
		}
		f.Close()
		os.Remove(part)
		return fmt.Errorf("client: %s: %w", op, ErrChecksum)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("client: %s: %w", op, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("client: %s: %w", op, err)
	}
	if err := os.Rename(part, path); err != nil {
		return fmt.Errorf("client: %s: %w", op, err)
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		dir.Sync()
		dir.Close()
	}
	progress(att.Size, att.Size)
	return nil
}

// download is the state of one Download call.
type download struct {
	c         *Client
	f         *os.File
	h         hash.Hash
	op, path  string
	att       api.Attachment
	progress  func(done, total int64)
	etag      string // If-Range validator: the server's ETag if it sent one, else "<sha256>"
	size      int64  // verified bytes in f
	fetched   bool   // a complete response was read (for empty attachments)
	restarted bool
}

func (d *download) restart() error {
	if err := d.f.Truncate(0); err != nil {
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
	if _, err := d.f.Seek(d.size, io.SeekStart); err != nil {
		return fmt.Errorf("client: %s: %w", d.op, err)
	}
	for {
		n, rerr := raw.Body.Read(buf)
		if n > 0 {
			idle.Reset(d.c.attemptTimeout)
			if d.size+int64(n) > d.att.Size {
				return fmt.Errorf("client: %s: %w: more bytes than announced", d.op, ErrChecksum)
			}
			if _, err := d.f.Write(buf[:n]); err != nil {
				return fmt.Errorf("client: %s: writing %s: %w", d.op, d.f.Name(), err)
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

// fileMatches reports whether path already holds the expected bytes.
func fileMatches(path string, size int64, want []byte) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() != size {
		return false, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return bytes.Equal(h.Sum(nil), want), nil
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
