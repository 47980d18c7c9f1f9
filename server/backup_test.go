package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

// onBolt keeps a test server on bbolt in the PostgreSQL run too: backups and restores copy the
// bbolt file (PostgreSQL is backed up with its own tools; see TestPostgresBackupRefused).
func onBolt(c *server.Config) { c.Database = "" }

// bkStart runs a seeded server on dataDir with its admin socket.
func bkStart(t *testing.T, dataDir string, cases int) *servertest.Env {
	t.Helper()
	env := servertest.Start(t, servertest.WithCases(cases),
		servertest.WithConfig(func(c *server.Config) { c.DataDir = dataDir; onBolt(c) }))
	if err := env.Server.StartAdmin(); err != nil {
		t.Fatal(err)
	}
	return env
}

func bkDo(t *testing.T, method, url, token string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// bkTokenFor returns the token of a clerk of the case's Amt.
func bkTokenFor(env *servertest.Env, c api.Case) string {
	return env.Token(env.ClerksOf(c.Amt)[0].ID)
}

// bkRestore serves a backup file as the database of a fresh data directory and checks that every
// seeded case answers with the same tokens, and that the given notes are in the events.
func bkRestore(t *testing.T, env *servertest.Env, backup string, notes map[string][]string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "restored")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, server.DBFile), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{DataDir: dir, RateLimit: -1, PruneInterval: -1})
	if err != nil {
		t.Fatalf("restored data dir: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer func() { srv.Drain(); ts.Close(); srv.Close() }()
	for i := range env.Data.N {
		c := env.Data.Case(i).Case
		if c.Status == api.StatusForwarded {
			continue // not visible through the API
		}
		code, body := bkDo(t, "GET", ts.URL+api.BasePath+"/cases/"+c.ID, bkTokenFor(env, c), nil)
		if code != 200 {
			t.Fatalf("restored case %s: %d %s", c.ID, code, body)
		}
		var got api.Case
		if err := json.Unmarshal(body, &got); err != nil || got.Reference != c.Reference || got.Amt != c.Amt {
			t.Fatalf("restored case %s: %+v %v", c.ID, got, err)
		}
	}
	for caseID, texts := range notes {
		c := bkCase(env, caseID)
		code, body := bkDo(t, "GET", ts.URL+api.BasePath+"/cases/"+caseID+"/events", bkTokenFor(env, c), nil)
		if code != 200 {
			t.Fatalf("events of %s: %d", caseID, code)
		}
		var el api.EventList
		if err := json.Unmarshal(body, &el); err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, e := range el.Events {
			have[e.Summary] = true
		}
		for _, text := range texts {
			if !have[text] {
				t.Fatalf("note %q of %s written before the backup is missing from it", text, caseID)
			}
		}
	}
}

func bkCase(env *servertest.Env, id string) api.Case {
	for i := range env.Data.N {
		if c := env.Data.Case(i).Case; c.ID == id {
			return c
		}
	}
	panic("no case " + id)
}

// bkOpenCases returns up to n visible, open cases.
func bkOpenCases(env *servertest.Env, n int) []api.Case {
	var out []api.Case
	for i := 0; i < env.Data.N && len(out) < n; i++ {
		c := env.Data.Case(i).Case
		switch c.Status {
		case api.StatusNew, api.StatusInReview, api.StatusAwaitingDocuments:
			out = append(out, c)
		}
	}
	return out
}

func TestBackupWhileRunningWithWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := bkStart(t, dir, 40)
	sock := filepath.Join(dir, server.AdminSocket)
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(sock)
		if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
			t.Fatalf("admin socket: %v %v", fi, err)
		}
	}

	// Writers add notes the whole time; done records the notes the server confirmed.
	cases := bkOpenCases(env, 6)
	if len(cases) < 3 {
		t.Fatalf("only %d open cases", len(cases))
	}
	var (
		mu    sync.Mutex
		done  = map[string][]string{}
		stop  atomic.Bool
		wg    sync.WaitGroup
		total atomic.Int64
	)
	for w, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				text := fmt.Sprintf("Notiz %d von Schreiber %d", i, w)
				body, _ := json.Marshal(api.NoteRequest{Text: text})
				code, raw := bkDo(t, "PUT", fmt.Sprintf("%s%s/cases/%s/notes/bk-%d-%d", env.URL, api.BasePath, c.ID, w, i),
					bkTokenFor(env, c), body)
				if code != 200 && code != 201 {
					t.Errorf("note: %d %s", code, raw)
					return
				}
				mu.Lock()
				done[c.ID] = append(done[c.ID], text)
				mu.Unlock()
				total.Add(1)
			}
		}()
	}
	for total.Load() < 20 && !t.Failed() {
		time.Sleep(5 * time.Millisecond)
	}

	out := filepath.Join(t.TempDir(), "backup.db")
	var before map[string][]string
	for round := range 3 {
		mu.Lock()
		before = map[string][]string{}
		for k, v := range done {
			before[k] = append([]string(nil), v...)
		}
		mu.Unlock()
		res, err := server.BackupDataDir(context.Background(), dir, out)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if !res.Live || res.Path != out || res.Size <= 0 {
			t.Fatalf("round %d: %+v", round, res)
		}
		fi, err := os.Stat(out)
		if err != nil || fi.Size() != res.Size {
			t.Fatalf("backup file: %v %v", fi, err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Fatalf("backup mode %v", fi.Mode())
		}
		bkNoTemporaries(t, filepath.Dir(out))
	}
	stop.Store(true)
	wg.Wait()
	if err := server.VerifyDatabase(out); err != nil {
		t.Fatal(err)
	}
	bkRestore(t, env, out, before)

	// Close removes the socket; a stopped data directory is then copied directly.
	env.Server.Close()
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("admin socket after Close: %v", err)
	}
	res, err := server.BackupDataDir(context.Background(), dir, out)
	if err != nil || res.Live {
		t.Fatalf("backup after stop: %+v %v", res, err)
	}
	mu.Lock()
	defer mu.Unlock()
	bkRestore(t, env, out, done) // now every confirmed note is in it
}

func TestBackupStoppedDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := bkStart(t, dir, 25)
	env.Server.Close()
	out := filepath.Join(t.TempDir(), "copy.db")
	// An old backup is replaced atomically.
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := server.BackupDataDir(context.Background(), dir, out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Live || res.Size <= 0 {
		t.Fatalf("%+v", res)
	}
	if fi, _ := os.Stat(out); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	bkRestore(t, env, out, nil)
	// The read-only copy did not take the database: a server opens it again at once.
	srv, err := server.New(server.Config{DataDir: dir, PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
}

func TestBackupToWriter(t *testing.T) {
	env := servertest.Start(t, servertest.WithCases(10), servertest.WithConfig(onBolt))
	var buf bytes.Buffer
	n, err := env.Server.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("%d %v (buffer %d)", n, err, buf.Len())
	}
	path := filepath.Join(t.TempDir(), "w.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := server.VerifyDatabase(path); err != nil {
		t.Fatal(err)
	}
	bkRestore(t, env, path, nil)
}

func TestBackupErrors(t *testing.T) {
	ctx := context.Background()
	empty := t.TempDir()
	if _, err := server.BackupDataDir(ctx, empty, filepath.Join(t.TempDir(), "x.db")); !errors.Is(err, server.ErrNoDatabase) {
		t.Fatalf("empty dir: %v", err)
	}

	dir := filepath.Join(t.TempDir(), "data")
	env := bkStart(t, dir, 5)
	if _, err := server.BackupDataDir(ctx, dir, filepath.Join(dir, server.DBFile)); err == nil || !strings.Contains(err.Error(), "live database") {
		t.Fatalf("backup onto the live database: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-dir", "x.db")
	if _, err := server.BackupDataDir(ctx, dir, missing); err == nil {
		t.Fatal("backup into a missing directory succeeded")
	}
	env.Server.Close()

	// Not a database.
	junk := t.TempDir()
	if err := os.WriteFile(filepath.Join(junk, "j.db"), []byte(strings.Repeat("x", 8192)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := server.VerifyDatabase(filepath.Join(junk, "j.db")); err == nil {
		t.Fatal("junk verified")
	}
	// A bbolt file that is not an amt-server database.
	other, err := bolt.Open(filepath.Join(junk, "other.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	other.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err })
	other.Close()
	if err := server.VerifyDatabase(filepath.Join(junk, "other.db")); err == nil || !strings.Contains(err.Error(), "not an amt-server database") {
		t.Fatalf("foreign database: %v", err)
	}
}

// bkFakeServer holds the database lock like a running server and answers on the admin socket
// with answer.
func bkFakeServer(t *testing.T, answer func(c net.Conn)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	srv, err := server.New(server.Config{DataDir: dir, PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if answer == nil {
		return dir
	}
	ln, err := net.Listen("unix", filepath.Join(dir, server.AdminSocket))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64)
				c.Read(buf)
				answer(c)
			}()
		}
	}()
	return dir
}

func TestBackupBrokenStreams(t *testing.T) {
	for name, tc := range map[string]struct {
		answer func(c net.Conn)
		want   string
	}{
		"truncated": {func(c net.Conn) { io.WriteString(c, "OK 100000\n"+strings.Repeat("x", 4096)) }, "ended the copy after 4096 of 100000 bytes"},
		"refused":   {func(c net.Conn) { io.WriteString(c, "ERR another backup is running\n") }, "another backup is running"},
		"garbage":   {func(c net.Conn) { io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n") }, "unexpected answer"},
		"not a db":  {func(c net.Conn) { io.WriteString(c, "OK 8192\n"+strings.Repeat("x", 8192)) }, "does not verify"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := bkFakeServer(t, tc.answer)
			out := filepath.Join(t.TempDir(), "b.db")
			_, err := server.BackupDataDir(context.Background(), dir, out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %q, got %v", tc.want, err)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("output written: %v", err)
			}
			bkNoTemporaries(t, filepath.Dir(out))
		})
	}

	// Locked, but no socket at all (an old server): a clear error once the context ends.
	dir := bkFakeServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	_, err := server.BackupDataDir(ctx, dir, filepath.Join(t.TempDir(), "b.db"))
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("no socket: %v", err)
	}
}

func TestAdminSocketRejectsUnknownRequests(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	bkStart(t, dir, 3)
	c, err := net.Dial("unix", filepath.Join(dir, server.AdminSocket))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "DROP TABLES\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	raw, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(raw), "ERR unknown request") {
		t.Fatalf("answer %q", raw)
	}
}

func TestAdminSocketStaleFileAndRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// A socket file left by a crashed server.
	if err := os.WriteFile(filepath.Join(dir, server.AdminSocket), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{DataDir: dir, PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.StartAdmin(); err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	if err := srv.StartAdmin(); err == nil {
		t.Fatal("second StartAdmin succeeded")
	}
	srv.StopAdmin()
	if err := srv.StartAdmin(); err != nil {
		t.Fatalf("restart after StopAdmin: %v", err)
	}
	res, err := server.BackupDataDir(context.Background(), dir, filepath.Join(t.TempDir(), "b.db"))
	if err != nil || !res.Live {
		t.Fatalf("%+v %v", res, err)
	}
}

// bkCursor reads the change feed to its end and returns the cursor.
func bkCursor(t *testing.T, url, token, cursor string) (int, string) {
	t.Helper()
	for {
		u := url + api.BasePath + "/changes?limit=1000"
		if cursor != "" {
			u += "&cursor=" + cursor
		}
		code, raw := bkDo(t, "GET", u, token, nil)
		if code != 200 {
			return code, ""
		}
		var p api.ChangePage
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		cursor = p.NextCursor
		if !p.HasMore {
			return code, cursor
		}
	}
}

func TestRestoreDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := bkStart(t, dir, 20)
	c := bkOpenCases(env, 1)[0]
	tok := bkTokenFor(env, c)
	note := func(id string) {
		code, raw := bkDo(t, "PUT", env.URL+api.BasePath+"/cases/"+c.ID+"/notes/"+id, tok, []byte(`{"text":"`+id+`"}`))
		if code/100 != 2 {
			t.Fatalf("note %s: %d %s", id, code, raw)
		}
	}
	_, cursorOld := bkCursor(t, env.URL, tok, "")
	note("before-backup")
	_, cursorAtBackup := bkCursor(t, env.URL, tok, "")
	out := filepath.Join(t.TempDir(), "b.db")
	if _, err := server.BackupDataDir(context.Background(), dir, out); err != nil {
		t.Fatal(err)
	}
	backupBytes, _ := os.ReadFile(out)
	note("after-backup-1")
	note("after-backup-2")
	_, cursorLatest := bkCursor(t, env.URL, tok, "")

	// Not while the server runs.
	if _, err := server.RestoreDataDir(out, dir); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("restore onto a running server: %v", err)
	}
	env.Server.Close()
	// A broken backup is refused and changes nothing.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte{1}, 16384), 0o600)
	before, _ := os.ReadFile(filepath.Join(dir, server.DBFile))
	if _, err := server.RestoreDataDir(junk, dir); err == nil {
		t.Fatal("junk restored")
	}
	if after, _ := os.ReadFile(filepath.Join(dir, server.DBFile)); !bytes.Equal(before, after) {
		t.Fatal("a refused restore changed the database")
	}

	res, err := server.RestoreDataDir(out, dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Feeds == 0 || res.Path != filepath.Join(dir, server.DBFile) {
		t.Fatalf("%+v", res)
	}
	if saved, err := os.ReadFile(res.Saved); err != nil || !bytes.Equal(saved, before) {
		t.Fatalf("the replaced database was not kept: %v", err)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(after, backupBytes) {
		t.Fatal("restore changed the backup file")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("left %s", e.Name())
		}
	}
	if fi, _ := os.Stat(res.Path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}

	srv, err := server.New(server.Config{DataDir: dir, RateLimit: -1, PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer func() { srv.Drain(); ts.Close(); srv.Close() }()
	// Every cursor a client held before the restore — older than, equal to or newer than the
	// backup — answers 410, so no client resumes at a sequence number the feed reuses.
	for name, cur := range map[string]string{"old": cursorOld, "at backup": cursorAtBackup, "latest": cursorLatest} {
		if code, _ := bkCursor(t, ts.URL, tok, cur); code != http.StatusGone {
			t.Fatalf("%s cursor %s after restore: %d", name, cur, code)
		}
	}
	// A full resync works and its cursor keeps working.
	code, fresh := bkCursor(t, ts.URL, tok, "")
	if code != 200 {
		t.Fatalf("full resync: %d", code)
	}
	note2 := func(id string) {
		code, raw := bkDo(t, "PUT", ts.URL+api.BasePath+"/cases/"+c.ID+"/notes/"+id, tok, []byte(`{"text":"`+id+`"}`))
		if code/100 != 2 {
			t.Fatalf("note %s: %d %s", id, code, raw)
		}
	}
	note2("after-restore")
	req, _ := http.NewRequest("GET", ts.URL+api.BasePath+"/changes?cursor="+fresh, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p api.ChangePage
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 200 || len(p.Items) != 1 || p.Items[0].CaseID != c.ID {
		t.Fatalf("changes after restore: %d %+v %v", resp.StatusCode, p, err)
	}
	// The restored data is the backup's: the note from before it, none from after it.
	code, raw := bkDo(t, "GET", ts.URL+api.BasePath+"/cases/"+c.ID+"/events", tok, nil)
	if code != 200 || !strings.Contains(string(raw), "before-backup") || strings.Contains(string(raw), "after-backup") {
		t.Fatalf("events after restore: %d %s", code, raw)
	}
}

// bkNoTemporaries fails if dir holds a temporary file of a backup or restore.
func bkNoTemporaries(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

// TestBackupRefusesPlantedLinks reproduces the attack on a shared backup folder: a link planted
// at the old, guessable temporary name OUT.tmp (to a file of the attacker's choice) or at OUT
// itself must never be followed — the victim file keeps its bytes, the database does not end up
// in a file the attacker can read, and a link at OUT is refused.
func TestBackupRefusesPlantedLinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dataDir := t.TempDir()
	env := bkStart(t, dataDir, 3)
	_ = env
	shared := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}

	// A link at OUT.tmp: the backup is written beside it, the victim is untouched.
	out := filepath.Join(shared, "2026-12-04.db")
	if err := os.Symlink(victim, out+".tmp"); err != nil {
		t.Fatal(err)
	}
	res, err := server.BackupDataDir(context.Background(), dataDir, out)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "keep me" {
		t.Fatalf("the backup followed the link at OUT.tmp: victim now %d bytes", len(got))
	}
	fi, err := os.Lstat(out)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 || fi.Size() != res.Size {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	if err := server.VerifyDatabase(out); err != nil {
		t.Fatal(err)
	}

	// A link at OUT itself is refused with a clear error; nothing is written through it.
	out2 := filepath.Join(shared, "linked.db")
	if err := os.Symlink(victim, out2); err != nil {
		t.Fatal(err)
	}
	if _, err := server.BackupDataDir(context.Background(), dataDir, out2); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("want a refusal of the link, got %v", err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "keep me" {
		t.Fatal("the backup wrote through the link at OUT")
	}
	if fi, err := os.Lstat(out2); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi, err)
	}
	if fi, err := os.Lstat(out + ".tmp"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the planted link was touched: %v %v", fi, err)
	}
	os.Remove(out + ".tmp")
	bkNoTemporaries(t, shared)
}

// TestRestoreRefusesLinks: restore neither reads a backup through a link nor writes the database
// through a link planted at its temporary or final name.
func TestRestoreRefusesLinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	src := t.TempDir()
	env := bkStart(t, src, 2)
	out := filepath.Join(t.TempDir(), "b.db")
	if _, err := server.BackupDataDir(context.Background(), src, out); err != nil {
		t.Fatal(err)
	}
	_ = env
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}

	// The backup named through a link.
	link := filepath.Join(t.TempDir(), "latest.db")
	if err := os.Symlink(out, link); err != nil {
		t.Fatal(err)
	}
	if _, err := server.RestoreDataDir(link, t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("want a refusal of the linked backup, got %v", err)
	}

	// A link at the old temporary name and at server.db.
	dir := t.TempDir()
	if err := os.Symlink(victim, filepath.Join(dir, server.DBFile+".restore.tmp")); err != nil {
		t.Fatal(err)
	}
	res, err := server.RestoreDataDir(out, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "keep me" {
		t.Fatal("restore followed the link at its temporary name")
	}
	if err := server.VerifyDatabase(res.Path); err != nil {
		t.Fatal(err)
	}
	dir2 := t.TempDir()
	if err := os.Symlink(victim, filepath.Join(dir2, server.DBFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := server.RestoreDataDir(out, dir2); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("want a refusal of the linked server.db, got %v", err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "keep me" {
		t.Fatal("restore wrote through the link at server.db")
	}
}
