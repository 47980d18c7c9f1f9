package server

// Backups of the live database.
//
// bbolt holds an exclusive lock on server.db while the server runs, so no second process can
// open it. The running server therefore listens on an admin socket, DataDir/admin.sock (a unix
// domain socket, 0600 inside the 0700 data directory), whose only operation is streaming a
// consistent copy of the database from one read transaction:
//
//	→ "BACKUP amt-admin/1\n"
//	← "OK <size>\n" followed by exactly <size> bytes, or "ERR <message>\n"
//
// BackupDataDir is the other side: it copies a stopped database directly and a locked one
// through the socket, into FILE.tmp, verifies the copy (bbolt consistency check and schema) and
// only then renames it to FILE.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/amt-mv/amt/internal/safefile"
)

// AdminSocket is the name of the admin socket inside Config.DataDir.
const AdminSocket = "admin.sock"

const (
	adminRequest = "BACKUP amt-admin/1"
	// adminIdle is how long either side of a backup may make no progress before it gives up.
	// While a backup's read transaction is open, a write that must grow the database file waits
	// for it, so a stalled client must not hold it for long.
	adminIdle = 15 * time.Second
	// backupWait is how long BackupDataDir waits for a server that is starting or stopping
	// (the database is locked, but the admin socket does not answer yet or any more).
	backupWait = 10 * time.Second
)

// Backup writes a consistent copy of the whole database to w from one read transaction; writers
// carry on meanwhile. It returns the number of bytes written. The copy is a complete server.db.
func (s *Server) Backup(w io.Writer) (int64, error) {
	return s.backup(w, nil)
}

// backup runs Backup, first telling header the size of the copy.
func (s *Server) backup(w io.Writer, header func(size int64) error) (int64, error) {
	db := s.boltDB()
	if db == nil {
		return 0, errors.New("server: amt-server backup copies a bbolt database; back up PostgreSQL with pg_dump or pg_basebackup")
	}
	var n int64
	err := db.View(func(tx *bolt.Tx) error {
		if header != nil {
			if err := header(tx.Size()); err != nil {
				return err
			}
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// adminServer serves backups on the admin socket.
type adminServer struct {
	s    *Server
	ln   net.Listener
	path string
	busy atomic.Bool // one backup at a time: a long read transaction keeps old pages alive

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// StartAdmin listens on DataDir/admin.sock (0600) and serves backups until Close or
// StopAdmin. A socket file left by a crashed server is removed first: the caller holds the
// database lock, so no other server can be using it.
func (s *Server) StartAdmin() error {
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	if s.admin != nil {
		return errors.New("server: admin socket already started")
	}
	path := filepath.Join(s.cfg.DataDir, AdminSocket)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("server: remove stale admin socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		if len(path) > 100 {
			return fmt.Errorf("server: admin socket %s: %w (unix socket paths are limited to about 100 bytes; use a shorter data directory)", path, err)
		}
		return fmt.Errorf("server: admin socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil && runtime.GOOS != "windows" {
		ln.Close()
		return fmt.Errorf("server: admin socket: %w", err)
	}
	a := &adminServer{s: s, ln: ln, path: path, conns: map[net.Conn]struct{}{}}
	s.admin = a
	a.wg.Add(1)
	go a.serve()
	s.log.Info("admin socket listening", "path", path)
	return nil
}

// StopAdmin closes the admin socket, aborts running backups (their clients see an incomplete
// copy and fail) and removes the socket file. Close calls it.
func (s *Server) StopAdmin() { s.stopAdmin() }

func (s *Server) stopAdmin() {
	s.adminMu.Lock()
	a := s.admin
	s.admin = nil
	s.adminMu.Unlock()
	if a != nil {
		a.close()
	}
}

func (a *adminServer) close() {
	a.mu.Lock()
	a.closed = true
	a.ln.Close()
	for c := range a.conns {
		c.Close()
	}
	a.mu.Unlock()
	a.wg.Wait()
	os.Remove(a.path)
}

func (a *adminServer) serve() {
	defer a.wg.Done()
	for {
		c, err := a.ln.Accept()
		if err != nil {
			a.mu.Lock()
			closed := a.closed
			a.mu.Unlock()
			if closed {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			a.s.log.Error("admin socket", "err", err)
			return
		}
		a.mu.Lock()
		if a.closed {
			a.mu.Unlock()
			c.Close()
			return
		}
		a.conns[c] = struct{}{}
		a.wg.Add(1)
		a.mu.Unlock()
		go func() {
			defer a.wg.Done()
			a.handle(c)
			a.mu.Lock()
			delete(a.conns, c)
			a.mu.Unlock()
			c.Close()
		}()
	}
}

func (a *adminServer) handle(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReaderSize(io.LimitReader(c, 256), 256).ReadString('\n')
	if err != nil {
		return
	}
	c.SetReadDeadline(time.Time{})
	w := &deadlineWriter{c: c}
	if strings.TrimSpace(line) != adminRequest {
		fmt.Fprintf(w, "ERR unknown request; this server speaks %q\n", adminRequest)
		return
	}
	if !a.busy.CompareAndSwap(false, true) {
		fmt.Fprintf(w, "ERR another backup is running; try again when it has finished\n")
		return
	}
	defer a.busy.Store(false)
	start := time.Now()
	bw := bufio.NewWriterSize(w, 256<<10)
	n, err := a.s.backup(bw, func(size int64) error {
		_, err := fmt.Fprintf(bw, "OK %d\n", size)
		return err
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		a.s.log.Error("backup over the admin socket failed", "err", err, "bytes", n)
		return
	}
	a.s.log.Info("backup over the admin socket", "bytes", n, "took", time.Since(start).Round(time.Millisecond))
}

// deadlineWriter gives every write adminIdle to make progress.
type deadlineWriter struct{ c net.Conn }

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.c.SetWriteDeadline(time.Now().Add(adminIdle))
	return w.c.Write(p)
}

// deadlineReader gives every read adminIdle to make progress.
type deadlineReader struct{ c net.Conn }

func (r *deadlineReader) Read(p []byte) (int, error) {
	r.c.SetReadDeadline(time.Now().Add(adminIdle))
	return r.c.Read(p)
}

// BackupResult describes a finished backup.
type BackupResult struct {
	Path string // the backup file
	Size int64  // its size in bytes
	Live bool   // copied from the running server through the admin socket
}

// ErrNoDatabase is returned by BackupDataDir when the data directory holds no database.
var ErrNoDatabase = errors.New("no database")

// BackupDataDir writes a consistent, verified copy of the database in dataDir to out. If no
// server holds the database, it is read directly (read-only, shared lock); if a server runs, the
// copy is streamed through its admin socket. The copy is written to an exclusively created
// temporary with a random name beside out (0600, see internal/safefile), synced, checked (bbolt
// consistency check, amt-server schema) and only then renamed to out, so out is either the
// previous file or a complete, verified backup. A link at out is refused, never followed. Cancelling ctx aborts the backup; a
// server that holds the lock but does not answer on its socket (starting, stopping, or too old)
// is retried for up to 10 s or until ctx ends.
func BackupDataDir(ctx context.Context, dataDir, out string) (BackupResult, error) {
	dbPath := filepath.Join(dataDir, DBFile)
	if _, err := os.Stat(dbPath); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return BackupResult{}, fmt.Errorf("backup: %w in %s (expected %s)", ErrNoDatabase, dataDir, dbPath)
		}
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	if out == "" {
		return BackupResult{}, errors.New("backup: no output file")
	}
	if same, err := samePath(out, dbPath); err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	} else if same {
		return BackupResult{}, fmt.Errorf("backup: %s is the live database; choose another output file", out)
	}
	f, err := safefile.Create(out)
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	defer f.Abort()
	live, n, err := copyDatabase(ctx, dataDir, f)
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	err = f.Commit(func(tmp string) error {
		if err := VerifyDatabase(tmp); err != nil {
			return fmt.Errorf("the copy does not verify, nothing written to %s: %w", out, err)
		}
		return nil
	})
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	return BackupResult{Path: out, Size: n, Live: live}, nil
}

// copyDatabase writes the database in dataDir to w: directly when no server holds it, else
// through the admin socket. For backupWait it retries while a server starts or stops (the
// database is locked but the socket does not answer yet or any more).
func copyDatabase(ctx context.Context, dataDir string, w io.Writer) (live bool, n int64, err error) {
	dbPath := filepath.Join(dataDir, DBFile)
	sock := filepath.Join(dataDir, AdminSocket)
	deadline := time.Now().Add(backupWait)
	var sockErr error
	for {
		db, err := bolt.Open(dbPath, 0o600, &bolt.Options{ReadOnly: true, Timeout: 250 * time.Millisecond})
		if err == nil {
			err = db.View(func(tx *bolt.Tx) error {
				var err error
				n, err = tx.WriteTo(w)
				return err
			})
			if cerr := db.Close(); err == nil {
				err = cerr
			}
			return false, n, err
		}
		if !errors.Is(err, bolterrors.ErrTimeout) {
			return false, 0, fmt.Errorf("open %s: %w", dbPath, err)
		}
		// Locked: a server runs (or is starting or stopping).
		var retry bool
		n, retry, sockErr = backupFromSocket(ctx, sock, w)
		if sockErr == nil {
			return true, n, nil
		}
		if !retry {
			return true, n, sockErr
		}
		noAnswer := func() error {
			return fmt.Errorf("the database is in use, but the server's admin socket %s does not answer (%v); "+
				"is this amt-server too old for live backups? Stop it and run the backup again", sock, sockErr)
		}
		if time.Now().After(deadline) {
			return false, 0, noAnswer()
		}
		select {
		case <-ctx.Done():
			return false, 0, fmt.Errorf("%w (%w)", noAnswer(), ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

var errAdminRefused = errors.New("the server refused the backup")

// backupFromSocket streams a backup from the admin socket into w. retry reports whether the
// failure may be passing (no server listening yet, or the connection closed before an answer)
// and nothing was written to w.
func backupFromSocket(ctx context.Context, sock string, w io.Writer) (n int64, retry bool, err error) {
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	c, err := d.DialContext(dctx, "unix", sock)
	cancel()
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return 0, false, fmt.Errorf("%w: run the backup as the user of amt-server (or root)", err)
		}
		return 0, true, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, adminRequest+"\n"); err != nil {
		return 0, true, err
	}
	r := bufio.NewReaderSize(&deadlineReader{c: c}, 256<<10)
	line, err := r.ReadString('\n')
	if err != nil {
		return 0, line == "", fmt.Errorf("admin socket: %w", err)
	}
	line = strings.TrimSpace(line)
	if msg, ok := strings.CutPrefix(line, "ERR "); ok {
		return 0, false, fmt.Errorf("%w: %s", errAdminRefused, msg)
	}
	sizeText, ok := strings.CutPrefix(line, "OK ")
	if !ok {
		return 0, false, fmt.Errorf("admin socket: unexpected answer %q", line)
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size <= 0 {
		return 0, false, fmt.Errorf("admin socket: unexpected size %q", sizeText)
	}
	n, err = io.CopyN(w, r, size)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("the server ended the copy after %d of %d bytes (was it stopped?)", n, size)
		}
		return n, false, err
	}
	return n, false, nil
}

// VerifyDatabase opens the database file at path read-only and checks that it is consistent
// (bbolt's page-level check) and is an amt-server database this server can read.
func VerifyDatabase(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
			if len(errs) >= 10 {
				break
			}
		}
		if len(errs) > 0 {
			return fmt.Errorf("consistency check: %w", errors.Join(errs...))
		}
		for _, b := range [][]byte{bMeta, bAmts, bClerks, bTokens, bCases, bEvents, bFiles, bIdem, bFeeds, bStats} {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("not an amt-server database: bucket %q missing", b)
			}
		}
		v := tx.Bucket(bMeta).Get(kSchema)
		if len(v) != 8 {
			return errors.New("not an amt-server database: no schema version")
		}
		if sv := binary.BigEndian.Uint64(v); sv > schemaVersion {
			return fmt.Errorf("database schema %d is newer than this amt-server supports (%d)", sv, schemaVersion)
		}
		return nil
	})
}

// samePath reports whether a and b name the same file (by path, or by identity if both exist).
func samePath(a, b string) (bool, error) {
	aa, err := filepath.Abs(a)
	if err != nil {
		return false, err
	}
	ab, err := filepath.Abs(b)
	if err != nil {
		return false, err
	}
	if aa == ab {
		return true, nil
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb), nil
}

// restoreGap is added to every change feed's sequence on restore. Cursors that clients hold
// from before the restore are then all older than the feed's horizon and answer 410 Gone, so
// every client resynchronises fully (keeping its outbox) instead of resuming at a sequence number
// the restored feed is about to reuse for different changes.
const restoreGap = 1 << 32

// RestoreResult describes a finished restore.
type RestoreResult struct {
	Path  string // the restored database, DataDir/server.db
	Saved string // where the database it replaced was moved, if there was one
	Feeds int    // change feeds whose clients must resynchronise
}

// RestoreDataDir makes the backup file the database of dataDir. The server must be stopped.
// The backup (a regular file, not a link) is verified, copied (0600, through an exclusively created
// temporary, see internal/safefile) and prepared so that every client's next sync answers
// 410 Gone and starts a full resync; an existing server.db is kept beside it as
// server.db.before-restore-TIMESTAMP, never deleted. The backup file itself is not changed.
func RestoreDataDir(backup, dataDir string) (RestoreResult, error) {
	if err := safefile.CheckTarget(backup); err != nil {
		return RestoreResult{}, fmt.Errorf("restore: %w", err)
	}
	if err := VerifyDatabase(backup); err != nil {
		return RestoreResult{}, fmt.Errorf("restore: %s: %w", backup, err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return RestoreResult{}, fmt.Errorf("restore: %w", err)
	}
	dbPath := filepath.Join(dataDir, DBFile)
	if same, err := samePath(backup, dbPath); err != nil || same {
		return RestoreResult{}, fmt.Errorf("restore: %s is the database of %s itself", backup, dataDir)
	}
	// Hold the current database's lock while the copy is prepared: it proves no server runs and
	// keeps one from starting on the old file meanwhile.
	if err := safefile.CheckTarget(dbPath); err != nil {
		return RestoreResult{}, fmt.Errorf("restore: %w", err)
	}
	var res RestoreResult
	var cur *bolt.DB
	if _, err := os.Lstat(dbPath); err == nil {
		cur, err = bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: time.Second})
		if errors.Is(err, bolterrors.ErrTimeout) {
			return RestoreResult{}, fmt.Errorf("restore: the database in %s is in use; stop amt-server first", dataDir)
		}
		if err != nil {
			return RestoreResult{}, fmt.Errorf("restore: open the current database: %w", err)
		}
		defer cur.Close()
		res.Saved = dbPath + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
	}
	var verified bool
	err := safefile.CopyFile(backup, dbPath, func(tmp string) error {
		db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			return err
		}
		err = db.Update(func(tx *bolt.Tx) error {
			feeds := tx.Bucket(bFeeds)
			return feeds.ForEachBucket(func(k []byte) error {
				fb := feeds.Bucket(k)
				seq := fb.Sequence() + restoreGap
				if err := fb.SetSequence(seq); err != nil {
					return err
				}
				res.Feeds++
				return fb.Put(kHorizon, u64(seq))
			})
		})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("prepare the change feeds: %w", err)
		}
		if err := VerifyDatabase(tmp); err != nil {
			return err
		}
		verified = true
		if cur != nil {
			cur.Close() // an open file cannot be renamed on Windows
		}
		if res.Saved != "" {
			if err := os.Rename(dbPath, res.Saved); err != nil {
				return fmt.Errorf("keep the current database: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		if verified && res.Saved != "" {
			if _, serr := os.Lstat(dbPath); errors.Is(serr, os.ErrNotExist) {
				os.Rename(res.Saved, dbPath)
			}
		}
		return RestoreResult{}, fmt.Errorf("restore: %w", err)
	}
	res.Path = dbPath
	return res, nil
}
