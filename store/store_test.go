package store

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	s := openTest(t, dir)
	for _, tc := range []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700},
		{filepath.Join(dir, DBFile), 0o600},
		{filepath.Join(dir, AttachmentsDir), 0o700},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tc.want {
			t.Errorf("%s: mode %o, want %o", tc.path, got, tc.want)
		}
	}
	p := s.AttachmentPath("case-1", "att-1")
	fi, err := os.Stat(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("attachment case dir mode %o", fi.Mode().Perm())
	}
}

func TestLooseDirIsTightened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	openTest(t, dir)
	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode %o, want 0700", fi.Mode().Perm())
	}
}

func TestAlreadyOpenSameProcess(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir)
	opts := testOptions(dir)
	opts.LockTimeout = 0 // default 2s
	start := time.Now()
	s2, err := Open(opts)
	if err == nil {
		s2.Close()
		t.Fatal("second Open succeeded")
	}
	if !errors.Is(err, ErrAlreadyOpen) {
		t.Fatalf("err = %v, want ErrAlreadyOpen", err)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("took %s", d)
	}
	if !strings.Contains(err.Error(), "already") {
		t.Errorf("message not clear: %v", err)
	}
}

const childEnv = "AMT_STORE_TEST_CHILD_DIR"

// TestHelperOpenChild is the child process of TestAlreadyOpenOtherProcess.
func TestHelperOpenChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	opts := testOptions(dir)
	opts.LockTimeout = 0 // default: 2s
	start := time.Now()
	s, err := Open(opts)
	switch {
	case err == nil:
		s.Close()
		fmt.Println("RESULT:opened")
	case errors.Is(err, ErrAlreadyOpen):
		fmt.Printf("RESULT:already-open after %dms\n", time.Since(start).Milliseconds())
	default:
		fmt.Println("RESULT:other:", err)
	}
}

func TestAlreadyOpenOtherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	s := openTest(t, dir)
	run := func() string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOpenChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return string(out)
	}
	out := run()
	var ms int
	if i := strings.Index(out, "RESULT:already-open after "); i < 0 {
		t.Fatalf("child output:\n%s", out)
	} else if _, err := fmt.Sscanf(out[i:], "RESULT:already-open after %dms", &ms); err != nil {
		t.Fatal(err)
	}
	// The child gave up after the 2 s lock timeout (not hanging, not failing instantly; the
	// upper bound has room for a loaded machine, like TestAlreadyOpenSameProcess).
	if ms < 1900 || ms > 8000 {
		t.Fatalf("child gave up after %dms", ms)
	}
	// Once we close, the other process gets in.
	s.Close()
	if out := run(); !strings.Contains(out, "RESULT:opened") {
		t.Fatalf("after close, child output:\n%s", out)
	}
}

func TestSubscribeCoalesces(t *testing.T) {
	s := newTestStore(t)
	ch, cancel := s.Subscribe()
	for i := 0; i < 5; i++ {
		if err := s.PutMeta("k", []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-ch:
	default:
		t.Fatal("no notification after writes")
	}
	select {
	case <-ch:
		t.Fatal("notifications not coalesced")
	default:
	}
	// Reads do not notify.
	if _, err := s.Meta("k"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
		t.Fatal("read notified")
	default:
	}
	cancel()
	cancel() // idempotent
	if _, ok := <-ch; ok {
		t.Fatal("channel open after cancel")
	}
	if err := s.PutMeta("k", []byte("x")); err != nil { // no send on closed channel
		t.Fatal(err)
	}
}

func TestClosed(t *testing.T) {
	s := newTestStore(t)
	ch, _ := s.Subscribe()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-ch; ok {
		t.Fatal("subscriber channel not closed by Close")
	}
	if _, err := s.Count(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Count after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestMetaKV(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.Meta("me"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing meta: %v", err)
	}
	if err := s.PutMeta("me", []byte(`{"clerk":"k1"}`)); err != nil {
		t.Fatal(err)
	}
	v, err := s.Meta("me")
	if err != nil || string(v) != `{"clerk":"k1"}` {
		t.Fatalf("Meta = %q, %v", v, err)
	}
	if err := s.PutMeta("me", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Meta("me"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted meta: %v", err)
	}
	if err := s.PutMeta("", []byte("x")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty key: %v", err)
	}
}

func TestSyncState(t *testing.T) {
	s := newTestStore(t)
	t1 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	if err := s.SetLastSync(t1, ""); err != nil {
		t.Fatal(err)
	}
	t2 := t1.Add(time.Minute)
	if err := s.SetLastSync(t2, "offline"); err != nil {
		t.Fatal(err)
	}
	st, err := s.SyncState()
	if err != nil {
		t.Fatal(err)
	}
	if !st.LastSync.Equal(t1) || st.LastError != "offline" || !st.LastAttempt.Equal(t2) {
		t.Fatalf("state %+v", st)
	}
	if err := s.SetLastSync(t2.Add(time.Minute), ""); err != nil {
		t.Fatal(err)
	}
	st, _ = s.SyncState()
	if st.LastError != "" || !st.LastSync.Equal(t2.Add(time.Minute)) {
		t.Fatalf("after success %+v", st)
	}
}
