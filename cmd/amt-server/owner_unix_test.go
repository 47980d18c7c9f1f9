//go:build unix

package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A restore run by root leaves server.db to the owner of the data directory (the service user).
func TestRestoreAsRootKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	src := filepath.Join(t.TempDir(), "src")
	_, stop := start(t, "--data", src, "--addr", "127.0.0.1:0", "--demo", "--demo-cases", "5", "--demo-date", "2026-11-24")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	backupFile := filepath.Join(t.TempDir(), "b.db")
	if err := run(context.Background(), []string{"backup", "--data", src, "--out", backupFile}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	const uid, gid = 65534, 65534
	if err := os.Chown(data, uid, gid); err != nil {
		t.Skip(err)
	}
	if err := run(context.Background(), []string{"restore", "--data", data, "--from", backupFile}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(data, "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != uid || st.Gid != gid || fi.Mode().Perm() != 0o600 {
		t.Fatalf("server.db owner %d:%d mode %v", st.Uid, st.Gid, fi.Mode())
	}
}
