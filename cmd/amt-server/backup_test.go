package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
)

func TestBackupCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	url, stop := start(t, "--data", dir, "--addr", "127.0.0.1:0", "--demo", "--demo-cases", "30", "--demo-date", "2026-11-24")
	sock := filepath.Join(dir, server.AdminSocket)
	if fi, err := os.Stat(sock); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Fatalf("admin socket: %v %v", fi, err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "demo-tokens.json"))
	var toks []demoToken
	if err := json.Unmarshal(raw, &toks); err != nil || len(toks) == 0 {
		t.Fatal(err)
	}
	byAmt := map[string]string{}
	for _, tk := range toks {
		byAmt[tk.Amt] = tk.Token
	}
	d := demoData(30, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	// A note written before the backup is in it.
	var noted api.Case
	for i := range d.N {
		if c := d.Case(i).Case; c.Status == api.StatusInReview || c.Status == api.StatusNew {
			noted = c
			break
		}
	}
	req, _ := http.NewRequest("PUT", url+api.BasePath+"/cases/"+noted.ID+"/notes/backup-note-1", strings.NewReader(`{"text":"vor der Sicherung"}`))
	req.Header.Set("Authorization", "Bearer "+byAmt[noted.Amt])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("note: %d", resp.StatusCode)
	}
	out := filepath.Join(t.TempDir(), "live.db")
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"backup", "--data", dir, "--out", out}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "copied from the running server") || !strings.Contains(stdout.String(), out) ||
		!strings.Contains(stdout.String(), "verified") {
		t.Fatalf("backup said %q", stdout.String())
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("admin socket left after shutdown: %v", err)
	}

	// Stopped: the same command reads the database directly; the data dir may come from the env.
	t.Setenv("AMT_SERVER_DATA", dir)
	stdout.Reset()
	cold := filepath.Join(t.TempDir(), "cold.db")
	if err := run(context.Background(), []string{"backup", "--out", cold}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "copied from the stopped database") {
		t.Fatalf("backup said %q", stdout.String())
	}
	t.Setenv("AMT_SERVER_DATA", "")

	// Restoring into a new data directory; the restored server serves the same cases.
	restored := filepath.Join(t.TempDir(), "restored")
	stdout.Reset()
	if err := run(context.Background(), []string{"restore", "--data", restored, "--from", out}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "restored "+out) || strings.Contains(stdout.String(), "previous database") ||
		!strings.Contains(stdout.String(), "resynchronises fully") {
		t.Fatalf("restore said %q", stdout.String())
	}
	// Restoring over an existing database keeps that one.
	stdout.Reset()
	if err := run(context.Background(), []string{"restore", "--data", restored, "--from", cold}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "previous database is kept as "+filepath.Join(restored, "server.db.before-restore-")) {
		t.Fatalf("restore said %q", stdout.String())
	}
	if err := run(context.Background(), []string{"restore", "--data", restored}, io.Discard, io.Discard); err == nil {
		t.Fatal("restore without --from accepted")
	}
	url, _ = start(t, "--data", restored, "--addr", "127.0.0.1:0")
	if err := run(context.Background(), []string{"restore", "--data", restored, "--from", out}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "stop amt-server first") {
		t.Fatalf("restore onto a running server: %v", err)
	}
	req, _ = http.NewRequest("GET", url+api.BasePath+"/cases/"+noted.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+byAmt[noted.Amt])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(ev), "vor der Sicherung") {
		t.Fatalf("note missing from the restored events: %s", ev)
	}
	seen := 0
	for i := range d.N {
		c := d.Case(i).Case
		if c.Status == api.StatusForwarded {
			continue
		}
		if code := get(t, url+api.BasePath+"/cases/"+c.ID, byAmt[c.Amt]); code != 200 {
			t.Fatalf("restored case %s: %d", c.ID, code)
		}
		seen++
	}
	if seen == 0 {
		t.Fatal("no cases checked")
	}

	// Usage errors.
	if err := run(context.Background(), []string{"backup", "--data", dir}, io.Discard, io.Discard); err == nil {
		t.Fatal("backup without --out accepted")
	}
	if err := run(context.Background(), []string{"backup", "--data", t.TempDir(), "--out", filepath.Join(t.TempDir(), "x")}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "no database") {
		t.Fatalf("backup of an empty dir: %v", err)
	}
}

func TestHTTPServerLimitsAndDrain(t *testing.T) {
	srv, err := server.New(server.Config{DataDir: t.TempDir(), PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := srv.HTTPServer(nil)
	if hs.ReadHeaderTimeout != 10*time.Second || hs.ReadTimeout != 2*time.Minute || hs.IdleTimeout != 2*time.Minute ||
		hs.MaxHeaderBytes != 32<<10 || hs.ErrorLog == nil {
		t.Fatalf("limits %+v", hs)
	}
	// A long-poll may wait api.MaxWaitSeconds; the write timeout must outlast it.
	if hs.WriteTimeout <= time.Duration(api.MaxWaitSeconds)*time.Second {
		t.Fatalf("WriteTimeout %v does not cover a %d s long-poll", hs.WriteTimeout, api.MaxWaitSeconds)
	}
	ready := func() int {
		rec := httptest.NewRecorder()
		hs.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		return rec.Code
	}
	if c := ready(); c != 200 {
		t.Fatalf("/readyz before shutdown: %d", c)
	}
	// Shutdown runs the registered drain: /readyz answers 503 from then on.
	if err := hs.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for ready() != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("/readyz still ready after Shutdown")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
