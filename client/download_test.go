package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

// memSink is a Sink in memory: held bytes, resets and the committed result.
type memSink struct {
	mu        sync.Mutex
	buf       []byte
	committed []byte
	resets    int
}

func (m *memSink) Held() int64 { m.mu.Lock(); defer m.mu.Unlock(); return int64(len(m.buf)) }

func (m *memSink) OpenHeld() (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return io.NopCloser(bytes.NewReader(bytes.Clone(m.buf))), nil
}

func (m *memSink) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.buf = append(m.buf, p...)
	return len(p), nil
}

func (m *memSink) Reset() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.buf = nil
	m.resets++
	return nil
}

func (m *memSink) Commit() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.committed = bytes.Clone(m.buf)
	return nil
}

var _ Sink = (*memSink)(nil)
var _ Sink = (*store.AttachmentWriter)(nil)

// seen records the Range and If-Range headers of each attachment request.
type seen struct {
	mu   sync.Mutex
	reqs []string // "Range|If-Range"
}

func (s *seen) add(r *http.Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r.Header.Get("Range")+"|"+r.Header.Get("If-Range"))
	return len(s.reqs)
}

func (s *seen) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

// cutWriter passes n bytes of the body and then drops the connection.
type cutWriter struct {
	http.ResponseWriter
	n int
}

func (w *cutWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		w.ResponseWriter.Write(b[:w.n])
		w.ResponseWriter.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	w.n -= len(b)
	return w.ResponseWriter.Write(b)
}

// stallWriter passes n bytes of the body and then hangs, like a connection that died silently.
type stallWriter struct {
	http.ResponseWriter
	n   int
	ctx context.Context
}

func (w *stallWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		w.ResponseWriter.Write(b[:w.n])
		w.ResponseWriter.(http.Flusher).Flush()
		<-w.ctx.Done()
		panic(http.ErrAbortHandler)
	}
	w.n -= len(b)
	return w.ResponseWriter.Write(b)
}

// flipWriter corrupts one byte of the body.
type flipWriter struct {
	http.ResponseWriter
	at int
}

func (w *flipWriter) Write(b []byte) (int, error) {
	if w.at >= 0 && w.at < len(b) {
		b = bytes.Clone(b)
		b[w.at] ^= 0x20
	}
	w.at -= len(b)
	return w.ResponseWriter.Write(b)
}

func TestDownload(t *testing.T) {
	start(t) // resolve the fixture to learn the attachment's size
	cutAt := int(bigAtt.Size / 3)
	ranged := fmt.Sprintf("bytes=%d-|\"<sha>\"", cutAt)
	tests := []struct {
		name      string
		fault     func(n int, w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request)
		part      func(content []byte) []byte // bytes the sink holds before the call (nil: none)
		wantReqs  []string                    // Range|If-Range of each request; "" entries match no range
		wantErr   error
		wantFinal bool
		attempt   time.Duration // AttemptTimeout (idle timeout for downloads); 0 = default
	}{
		{
			name:      "plain",
			wantReqs:  []string{"|"},
			wantFinal: true,
		},
		{
			name: "cut mid-way resumes with Range and If-Range",
			fault: func(n int, w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
				if n == 1 {
					return &cutWriter{ResponseWriter: w, n: cutAt}, r
				}
				return w, r
			},
			wantReqs:  []string{"|", ranged},
			wantFinal: true,
		},
		{
			name: "stalled connection is abandoned after the idle timeout and resumed",
			fault: func(n int, w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
				if n == 1 {
					return &stallWriter{ResponseWriter: w, n: cutAt, ctx: r.Context()}, r
				}
				return w, r
			},
			// Also the idle timeout of the resumed request, which must not stall on a loaded machine.
			attempt:   time.Second,
			wantReqs:  []string{"|", ranged},
			wantFinal: true,
		},
		{
			name:      "part file from an earlier call resumes",
			part:      func(c []byte) []byte { return c[:cutAt] },
			wantReqs:  []string{ranged},
			wantFinal: true,
		},
		{
			name: "server ignores Range: 200 restarts from zero",
			part: func(c []byte) []byte { return c[:cutAt] },
			fault: func(n int, w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
				r = r.Clone(r.Context())
				r.Header.Del("Range")
				return w, r
			},
			wantReqs:  []string{ranged},
			wantFinal: true,
		},
		{
			name:      "stale part file is detected and replaced",
			part:      func(c []byte) []byte { return bytes.Repeat([]byte("?"), cutAt) },
			wantReqs:  []string{ranged, "|"},
			wantFinal: true,
		},
		{
			name:      "part file longer than the attachment starts over",
			part:      func(c []byte) []byte { return append(bytes.Clone(c), "trailing"...) },
			wantReqs:  []string{"|"},
			wantFinal: true,
		},
		{
			name: "corrupt bytes are detected",
			fault: func(n int, w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
				return &flipWriter{ResponseWriter: w, at: cutAt + 7}, r
			},
			wantReqs: []string{"|"},
			wantErr:  ErrChecksum,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s seen
			env := start(t, wrapPath("/attachments/"+bigAtt.ID, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				n := s.add(r)
				if tt.fault != nil {
					w, r = tt.fault(n, w, r)
				}
				next.ServeHTTP(w, r)
			}))
			att, content := bigAtt, bigFile
			c := newClient(t, env.URL, env.Token(clerk), func(cfg *Config) { cfg.AttemptTimeout = tt.attempt })
			sink := &memSink{}
			if tt.part != nil {
				sink.buf = tt.part(content)
			}
			var last, total int64
			calls := 0
			err := c.Download(context.Background(), myCase, att, sink, func(done, tot int64) {
				calls++
				if done < 0 || done > tot {
					t.Errorf("progress %d/%d", done, tot)
				}
				last, total = done, tot
			})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Download = %v, want %v", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Download: %v", err)
			}
			want := make([]string, len(tt.wantReqs))
			for i, r := range tt.wantReqs {
				want[i] = strings.ReplaceAll(r, "<sha>", att.SHA256)
			}
			if got := s.all(); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("requests (Range|If-Range) = %q, want %q", got, want)
			}
			if !tt.wantFinal {
				if sink.committed != nil || len(sink.buf) != 0 {
					t.Errorf("damaged download: committed %d bytes, %d bytes held", len(sink.committed), len(sink.buf))
				}
				return
			}
			if !bytes.Equal(sink.committed, content) {
				t.Fatalf("committed content differs (%d bytes)", len(sink.committed))
			}
			if calls == 0 || last != att.Size || total != att.Size {
				t.Errorf("progress: %d calls, last %d/%d, want %d", calls, last, total, att.Size)
			}

			// A sink that holds the whole verified attachment asks nothing.
			before := len(s.all())
			again := &memSink{buf: bytes.Clone(content)}
			if err := c.Download(context.Background(), myCase, att, again, nil); err != nil || len(s.all()) != before {
				t.Errorf("repeat download: %v, %d new requests", err, len(s.all())-before)
			}
			if !bytes.Equal(again.committed, content) || again.resets != 0 {
				t.Errorf("repeat download: committed %d bytes after %d resets", len(again.committed), again.resets)
			}
		})
	}
}

func TestDownloadErrors(t *testing.T) {
	env := start(t)
	att := bigAtt
	c := newClient(t, env.URL, env.Token(clerk))
	ctx := context.Background()
	st := openStore(t, t.TempDir())

	// download runs one Download into the store's writer and closes it, as the TUI does.
	download := func(caseID string, a api.Attachment) error {
		w, err := st.OpenAttachmentWriter(caseID, a)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		return c.Download(ctx, caseID, a, w, nil)
	}
	if err := download(otherCase, att); !errors.Is(err, ErrNotFound) {
		t.Errorf("other Amt's attachment: %v, want ErrNotFound", err)
	}
	missing := att
	missing.ID = "att-does-not-exist"
	if err := download(myCase, missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown attachment: %v, want ErrNotFound", err)
	}
	bad := att
	bad.SHA256 = "zz"
	if err := download(myCase, bad); err == nil || errors.Is(err, ErrOffline) {
		t.Errorf("invalid sha256: %v, want a validation error", err)
	}
	if err := c.Download(ctx, myCase, att, nil, nil); err == nil || errors.Is(err, ErrOffline) {
		t.Errorf("no sink: %v, want a validation error", err)
	}
	wrongSize := att
	wrongSize.Size--
	if err := download(myCase, wrongSize); !errors.Is(err, ErrChecksum) {
		t.Errorf("more bytes than announced: %v, want ErrChecksum", err)
	}
	bad = att
	bad.Size = att.Size + 5000
	if err := download(myCase, bad); !errors.Is(err, ErrChecksum) {
		t.Errorf("fewer bytes than announced: nil error")
	}
	bad = att
	bad.SHA256 = strings.Repeat("ab", 32)
	if err := download(myCase, bad); !errors.Is(err, ErrChecksum) {
		t.Errorf("wrong sha256: %v, want ErrChecksum", err)
	}
	if files := regularFiles(t, st.Dir(), store.DBFile, filepath.Join(store.AttachmentsDir, ".amt-attachments")); len(files) != 0 {
		t.Errorf("files left after failed downloads: %v", files)
	}
	if st.AttachmentComplete(myCase, att) {
		t.Error("a failed download left a complete attachment")
	}
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dir, Passphrase: "test", KDF: &store.KDFParams{Time: 1, Memory: 8, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// regularFiles lists the regular files under dir (relative paths), except those named skip.
func regularFiles(t *testing.T, dir string, skip ...string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		for _, s := range skip {
			if rel == s {
				return nil
			}
		}
		if e.Type().IsRegular() {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withBigAttachments seeds the demo data with the first attachment of every case grown to several
// 64 KiB chunks: the demo PDF or PNG followed by lines of applicant-like text.
func withBigAttachments(size int) servertest.Option {
	d := demo.Generate(demo.Options{Cases: servertest.DefaultCases, Now: time.Now()})
	orig := d.Case
	d.Case = func(i int) demo.SeedCase {
		sc := orig(i)
		if len(sc.Case.Attachments) == 0 {
			return sc
		}
		a := sc.Case.Attachments[0]
		big := bytes.Clone(sc.Files[a.ID])
		for n := 0; len(big) < size; n++ {
			big = fmt.Appendf(big, "Zeile %06d Einkommensnachweis Erika Quellenberger IBAN DE02120300000000202051\n", n)
		}
		big = big[:size]
		files := make(map[string][]byte, len(sc.Files))
		for k, v := range sc.Files {
			files[k] = v
		}
		files[a.ID] = big
		sum := sha256.Sum256(big)
		atts := append([]api.Attachment(nil), sc.Case.Attachments...)
		atts[0].Size, atts[0].SHA256 = int64(len(big)), hex.EncodeToString(sum[:])
		sc.Case.Attachments, sc.Files = atts, files
		return sc
	}
	return servertest.WithData(d)
}

// TestDownloadIntoSealedStore downloads a demo attachment of several chunks through the store's
// writer over the reference server: the first download is cut off and gives up, a second one from
// a reopened store resumes after the complete chunks with Range and If-Range, and no file in the
// cache ever holds a run of the plaintext.
func TestDownloadIntoSealedStore(t *testing.T) {
	const size = 250_000 // three full chunks and a tail
	var s seen
	env := start(t, withBigAttachments(size), wrapPath("", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if !strings.Contains(r.URL.Path, "/attachments/") {
			next.ServeHTTP(w, r)
			return
		}
		switch s.add(r) {
		case 1: // the line drops after 150,000 bytes: two chunks complete
			next.ServeHTTP(&cutWriter{ResponseWriter: w, n: 150_000}, r)
		case 2: // and the server is then unavailable for longer than a download waits
			writeProblem(w, http.StatusServiceUnavailable, "3600")
		default:
			next.ServeHTTP(w, r)
		}
	}))
	att, content := bigAtt, bigFile
	if att.Size != size || !bytes.HasPrefix(content, []byte("%PDF")) && !bytes.HasPrefix(content, []byte("\x89PNG")) {
		t.Fatalf("fixture: %d bytes starting %q", att.Size, content[:8])
	}
	c := newClient(t, env.URL, env.Token(clerk))
	dir := filepath.Join(t.TempDir(), "cache")

	// First attempt: cut off after 150,000 bytes.
	st, err := store.Open(store.Options{Dir: dir, Passphrase: "test", KDF: &store.KDFParams{Time: 1, Memory: 8, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := st.OpenAttachmentWriter(myCase, att)
	if err != nil {
		t.Fatal(err)
	}
	var re *RetryError
	if err := c.Download(context.Background(), myCase, att, w, nil); !errors.As(err, &re) {
		t.Fatalf("cut download: %v, want the server's 503", err)
	}
	if w.Held() != 150_000 {
		t.Errorf("held in memory after the cut: %d, want 150000", w.Held())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	assertNoPlaintext(t, dir, content)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Second attempt, as after a restart: resumes after the two complete chunks.
	st = openStore(t, dir)
	w, err = st.OpenAttachmentWriter(myCase, att)
	if err != nil {
		t.Fatal(err)
	}
	if w.Held() != 2*64<<10 {
		t.Fatalf("held after the cut: %d, want %d", w.Held(), 2*64<<10)
	}
	first := len(s.all())
	if err := c.Download(context.Background(), myCase, att, w, nil); err != nil {
		t.Fatalf("resumed download: %v", err)
	}
	w.Close()
	wantReq := fmt.Sprintf("bytes=%d-|%q", 2*64<<10, att.SHA256)
	if got := s.all()[first:]; len(got) != 1 || got[0] != wantReq {
		t.Errorf("resumed requests = %q, want [%q]", got, wantReq)
	}
	if !st.AttachmentComplete(myCase, att) {
		t.Fatal("attachment not complete after the download")
	}
	r, err := st.OpenAttachment(myCase, att)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	assertNoPlaintext(t, dir, content)
	for _, rel := range regularFiles(t, dir) {
		if fi, err := os.Stat(filepath.Join(dir, rel)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", rel, fi.Mode().Perm(), err)
		}
	}
	for _, d := range []string{dir, filepath.Join(dir, store.AttachmentsDir), filepath.Dir(st.AttachmentPath(myCase, att.ID))} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, %v; want 0700", d, fi.Mode().Perm(), err)
		}
	}

	// A third download finds the sealed attachment complete and asks nothing.
	before := len(s.all())
	w, err = st.OpenAttachmentWriter(myCase, att)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Download(context.Background(), myCase, att, w, nil)
	w.Close()
	if err != nil || len(s.all()) != before {
		t.Errorf("repeat download: %v, %d new requests", err, len(s.all())-before)
	}
}

// assertNoPlaintext fails when any file under dir holds the start of content or a 48-byte run of
// it (from several places).
func assertNoPlaintext(t *testing.T, dir string, content []byte) {
	t.Helper()
	needles := [][]byte{content[:min(len(content), 9)]}
	for _, at := range []int{0, len(content) / 3, len(content) / 2, len(content) - 48} {
		if at >= 0 && at+48 <= len(content) {
			needles = append(needles, content[at:at+48])
		}
	}
	for _, rel := range regularFiles(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s holds plaintext %q", rel, n)
			}
		}
	}
}
