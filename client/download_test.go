package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

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
		part      func(content []byte) []byte // existing .part file before the call (nil: none)
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
			attempt:   200 * time.Millisecond,
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
			dir := filepath.Join(t.TempDir(), "attachments", myCase)
			path := filepath.Join(dir, "nachweis.txt")
			if tt.part != nil {
				os.MkdirAll(dir, 0o700)
				if err := os.WriteFile(path+".part", tt.part(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var last, total int64
			calls := 0
			err := c.Download(context.Background(), myCase, att, path, func(done, tot int64) {
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
			if _, err := os.Stat(path + ".part"); !os.IsNotExist(err) {
				t.Errorf(".part file left behind: %v", err)
			}
			if !tt.wantFinal {
				if _, err := os.Stat(path); !os.IsNotExist(err) {
					t.Errorf("damaged download was kept at %s", path)
				}
				return
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, content) {
				t.Fatalf("file content differs (%d bytes, %v)", len(got), err)
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", st.Mode().Perm())
			}
			if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 && tt.part == nil {
				t.Errorf("dir mode %v, want 0700", st.Mode().Perm())
			}
			if calls == 0 || last != att.Size || total != att.Size {
				t.Errorf("progress: %d calls, last %d/%d, want %d", calls, last, total, att.Size)
			}

			// A second call finds the verified file and asks nothing.
			before := len(s.all())
			if err := c.Download(context.Background(), myCase, att, path, nil); err != nil || len(s.all()) != before {
				t.Errorf("repeat download: %v, %d new requests", err, len(s.all())-before)
			}
		})
	}
}

func TestDownloadErrors(t *testing.T) {
	env := start(t)
	att := bigAtt
	c := newClient(t, env.URL, env.Token(clerk))
	ctx := context.Background()
	dir := t.TempDir()

	if err := c.Download(ctx, otherCase, att, filepath.Join(dir, "x"), nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("other Amt's attachment: %v, want ErrNotFound", err)
	}
	missing := att
	missing.ID = "att-does-not-exist"
	if err := c.Download(ctx, myCase, missing, filepath.Join(dir, "y"), nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown attachment: %v, want ErrNotFound", err)
	}
	bad := att
	bad.SHA256 = "zz"
	if err := c.Download(ctx, myCase, bad, filepath.Join(dir, "z"), nil); err == nil || errors.Is(err, ErrOffline) {
		t.Errorf("invalid sha256: %v, want a validation error", err)
	}
	wrongSize := att
	wrongSize.Size--
	if err := c.Download(ctx, myCase, wrongSize, filepath.Join(dir, "w"), nil); !errors.Is(err, ErrChecksum) {
		t.Errorf("more bytes than announced: %v, want ErrChecksum", err)
	}
	bad = att
	bad.Size = att.Size + 5000
	if err := c.Download(ctx, myCase, bad, filepath.Join(dir, "v"), nil); !errors.Is(err, ErrChecksum) {
		t.Errorf("fewer bytes than announced: nil error")
	}
	bad = att
	bad.SHA256 = strings.Repeat("ab", 32)
	if err := c.Download(ctx, myCase, bad, filepath.Join(dir, "u"), nil); !errors.Is(err, ErrChecksum) {
		t.Errorf("wrong sha256: %v, want ErrChecksum", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("files left after failed downloads: %v", entries)
	}
}
