// Package store owns the clerk's encrypted bbolt cache: server cases, the sorted list index,
// the outbox of queued actions with their optimistic effect, sync state and attachment files.
package store

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"golang.org/x/crypto/chacha20poly1305"
)

// Errors returned by the store; check them with errors.Is.
var (
	// ErrAlreadyOpen: another process (or another Store in this process) holds the cache.
	ErrAlreadyOpen = errors.New("store: the cache is already opened by another amt process")
	// ErrWrongPassphrase: the passphrase does not unlock the cache's data key.
	ErrWrongPassphrase = errors.New("store: wrong passphrase for the cache")
	// ErrNoKey: neither a passphrase nor a usable OS keyring entry is available.
	ErrNoKey = errors.New("store: no key to unlock the cache (OS keyring unavailable; set AMT_PASSPHRASE)")
	// ErrNewerSchema: the cache was written by a newer amt; it is left untouched.
	ErrNewerSchema = errors.New("store: the cache was written by a newer version of amt")
	// ErrCorrupt: the file or a record cannot be read back (damaged file, bit flip, wrong key).
	ErrCorrupt = errors.New("store: the cache is corrupt")
	// ErrNotFound: no such case, action or meta key.
	ErrNotFound = errors.New("store: not found")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store: closed")
	// ErrInvalid: an argument (e.g. an action to enqueue) is not acceptable.
	ErrInvalid = errors.New("store: invalid argument")
)

// DefaultLockTimeout is how long Open waits for another process to release the cache.
const DefaultLockTimeout = 2 * time.Second

// DBFile is the name of the database file inside Options.Dir.
const DBFile = "amt.db"

// AttachmentsDir is the name of the attachment directory inside Options.Dir.
const AttachmentsDir = "attachments"

// KDFParams are the argon2id parameters that derive the key-encryption key from a passphrase.
type KDFParams struct {
	Time    uint32 // iterations
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultKDF is used for new caches unless Options.KDF says otherwise: argon2id t=1, 64 MiB, 2 lanes.
var DefaultKDF = KDFParams{Time: 1, Memory: 64 * 1024, Threads: 2}

// Options configure Open.
type Options struct {
	Dir         string        // cache dir (created 0700); db at Dir/amt.db (0600); sealed attachments in Dir/attachments/
	Passphrase  string        // used if non-empty; else keyring if UseKeyring; else ErrNoKey
	UseKeyring  bool          // keep a random key-encryption key in the OS keyring (service "amt")
	LockTimeout time.Duration // default 2s → ErrAlreadyOpen
	Now         func() time.Time
	// KDF overrides the argon2id parameters for a NEW cache (existing caches keep theirs).
	// nil = DefaultKDF. Tests use cheap parameters.
	KDF *KDFParams
}

// Store is the open cache. It is safe for concurrent use; bbolt allows one writer at a time.
type Store struct {
	dir  string
	path string
	now  func() time.Time
	aead cipher.AEAD

	mu     sync.RWMutex // guards db (swapped by Compact) and closed
	db     *bolt.DB
	closed bool
	lockTO time.Duration

	viewMu sync.RWMutex // viewer copies are written under RLock and removed under Lock (Dir/view)

	subMu sync.Mutex
	subs  map[int]chan struct{}
	subN  int
}

// Open opens (or creates) the cache in opts.Dir, unlocks it and migrates its schema.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, fmt.Errorf("%w: Options.Dir is empty", ErrInvalid)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	existed := cacheExisted(dir)
	s := &Store{
		dir:    dir,
		path:   filepath.Join(dir, DBFile),
		now:    opts.Now,
		lockTO: opts.LockTimeout,
		subs:   map[int]chan struct{}{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.lockTO <= 0 {
		s.lockTO = DefaultLockTimeout
	}
	db, err := openBolt(s.path, s.lockTO)
	if err != nil {
		return nil, err
	}
	s.db = db
	if err := s.init(opts); err != nil {
		_ = db.Close()
		return nil, err
	}
	// Holding the lock now: no other amt uses the attachment files.
	if err := s.openDirs(existed); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// ensureDir creates dir with mode 0700 and tightens an existing directory that is looser.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("store: create %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	return tightenDir(dir, fi, err)
}

// tightenDir checks that dir (described by fi, from Stat or Lstat) is a directory and makes it
// 0700 when it is looser.
func tightenDir(dir string, fi os.FileInfo, statErr error) error {
	if statErr != nil {
		return fmt.Errorf("store: %w", statErr)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrInvalid, dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("store: chmod %s: %w", dir, err)
		}
	}
	return nil
}

// openBolt opens the bbolt file, mapping lock timeouts to ErrAlreadyOpen and damage (including
// panics and memory faults inside bbolt on a broken file) to ErrCorrupt.
func openBolt(path string, timeout time.Duration) (db *bolt.DB, err error) {
	return openBoltMode(path, timeout, false)
}

func openBoltMode(path string, timeout time.Duration, readOnly bool) (*bolt.DB, error) {
	// bbolt locks the file it opened. Compact replaces amt.db by renaming a new file over it, so an
	// opener that was waiting for the lock of the old file gets that lock once the old file is
	// closed — on a file no longer reachable by its name, while the new one is in use. Such an
	// opener checks that it holds the file the path names now, and otherwise tries again.
	if err := checkNotTruncated(path); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		db, f, err := openBoltOnce(path, timeout, readOnly)
		if err != nil {
			return nil, err
		}
		fst, ferr := f.Stat()
		pst, perr := os.Stat(path)
		if ferr == nil && perr == nil && os.SameFile(fst, pst) {
			return db, nil
		}
		_ = db.Close()
		if timeout = time.Until(deadline); timeout <= 0 {
			return nil, fmt.Errorf("%w (%s, waited until deadline; the file was replaced while waiting)", ErrAlreadyOpen, path)
		}
	}
}

// testHookOpened, when set by a test, is called after an opener opened the database file and
// before bbolt waits for its lock.
var testHookOpened func(path string)

func openBoltOnce(path string, timeout time.Duration, readOnly bool) (db *bolt.DB, f *os.File, err error) {
	openFile := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		ff, err := os.OpenFile(name, flag, perm)
		f = ff
		if err == nil && testHookOpened != nil {
			testHookOpened(name)
		}
		return ff, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if f != nil {
				_ = f.Close() // releases the flock bbolt took
			}
			db, f, err = nil, nil, fmt.Errorf("%w (%s): %s", ErrCorrupt, path, panicText(r))
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, OpenFile: openFile, FreelistType: bolt.FreelistMapType, ReadOnly: readOnly})
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, nil, fmt.Errorf("%w (%s, waited %s)", ErrAlreadyOpen, path, timeout)
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
			errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping):
			return nil, nil, fmt.Errorf("%w (%s): %w", ErrCorrupt, path, err)
		}
		var pe *fs.PathError
		var se *os.SyscallError
		if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() && !errors.As(err, &pe) && !errors.As(err, &se) {
			// Anything else on an existing file (short file, bad page size, …) means damage.
			return nil, nil, fmt.Errorf("%w (%s): %w", ErrCorrupt, path, err)
		}
		return nil, nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if !readOnly {
		_ = f.Chmod(0o600)
	}
	return db, f, nil
}

// Close empties Dir/view (best effort: on Windows a copy a viewer holds open stays until the next
// open) and closes the database. Subscribers' channels are closed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true // from here on no call uses s.db
	s.mu.Unlock()
	// Before the database closes, while this process still holds the cache's lock: no other amt
	// uses view/ yet. clearViewFiles waits for a ViewAttachment under way.
	s.clearViewFiles()
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.db.Close()
	s.subMu.Lock()
	for id, ch := range s.subs {
		close(ch)
		delete(s.subs, id)
	}
	s.subMu.Unlock()
	return err
}

// Dir returns the absolute cache directory.
func (s *Store) Dir() string { return s.dir }

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Subscribe returns a channel that receives a (coalesced) signal after every committed write, and a
// function that unsubscribes. The channel has a buffer of one; sends never block the store.
func (s *Store) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.mu.RLock() // Close cannot run between the check and the registration
	defer s.mu.RUnlock()
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	s.subMu.Lock()
	id := s.subN
	s.subN++
	s.subs[id] = ch
	s.subMu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			s.subMu.Lock()
			if c, ok := s.subs[id]; ok {
				delete(s.subs, id)
				close(c)
			}
			s.subMu.Unlock()
		})
	}
}

func (s *Store) notify() {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for _, ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// guard turns a panic or memory fault inside bbolt (a damaged file) into ErrCorrupt.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %s", ErrCorrupt, panicText(r))
	}
}

// panicText describes a recovered panic; memory faults (SetPanicOnFault) on the mapped file are
// named as such.
func panicText(r any) string {
	if f, ok := r.(interface{ Addr() uintptr }); ok {
		return fmt.Sprintf("memory fault at %#x reading the database file (damaged or truncated): %v", f.Addr(), r)
	}
	return fmt.Sprint(r)
}

func (s *Store) view(fn func(tx *bolt.Tx) error) (err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(&err)
	return s.db.View(fn)
}

func (s *Store) update(fn func(tx *bolt.Tx) error) (err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	err = func() (err error) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer guard(&err)
		return s.db.Update(fn)
	}()
	if err == nil {
		s.notify()
	}
	return err
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	return chacha20poly1305.NewX(key)
}

// checkNotTruncated refuses a database file shorter than its own meta page says it is. bbolt would
// open such a file and, on the first write, extend it with zero pages that read as empty buckets:
// a truncated cache would look like an empty one instead of a damaged one. The metas are read
// before the file size, so a writer growing the file meanwhile (it grows the file before it
// writes a meta) cannot make a healthy file look short. A missing file is a new cache; so is an
// empty one in a directory where no cache was ever opened (bbolt was stopped between creating
// the file and writing its first pages). An empty file where a cache has been — its attachments
// directory is there — is damage like any other truncation (issue #16 item 8: it was silently
// made a new, empty cache and the sealed attachments were swept as strays).
func checkNotTruncated(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // missing: a new cache; anything else: bbolt's own open reports it
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		if _, err := os.Lstat(filepath.Join(filepath.Dir(path), AttachmentsDir)); err == nil {
			return fmt.Errorf("%w (%s): the file is empty (0 bytes)", ErrCorrupt, path)
		}
		return nil
	}
	need, ok := boltHighWater(f)
	if !ok {
		return nil // no valid meta: bbolt's open reports the damage
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return nil
	}
	if fi.Size() < need {
		return fmt.Errorf("%w (%s): the file has %d bytes, its metadata needs %d (truncated)", ErrCorrupt, path, fi.Size(), need)
	}
	return nil
}

// boltHighWater returns the bytes in use according to the meta page bbolt will use: the valid one
// with the higher transaction id.
func boltHighWater(f *os.File) (int64, bool) {
	m0, ok0 := readBoltMeta(f, 0)
	page := int64(os.Getpagesize())
	if ok0 {
		page = int64(m0.pageSize)
	}
	m1, ok1 := readBoltMeta(f, page)
	m := m0
	switch {
	case ok0 && ok1 && m1.txid > m0.txid, !ok0 && ok1:
		m = m1
	case !ok0 && !ok1:
		return 0, false
	}
	return int64(m.pgid) * int64(m.pageSize), true
}

// boltMeta is the part of a bbolt meta page checkNotTruncated needs.
type boltMeta struct {
	pageSize uint32
	pgid     uint64 // high-water mark: pages in use
	txid     uint64
}

// readBoltMeta reads and validates (magic, version, checksum) the meta page at off. Layout of
// go.etcd.io/bbolt v1: a 16-byte page header, then magic, version, pageSize, flags (4 bytes each),
// root bucket (16), freelist pgid (8), pgid (8), txid (8), checksum (FNV-64a of the 56 bytes
// before it), in the machine's byte order.
func readBoltMeta(f *os.File, off int64) (boltMeta, bool) {
	const header, size = 16, 64
	var b [header + size]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		return boltMeta{}, false
	}
	m := b[header:]
	le := binary.NativeEndian
	if le.Uint32(m[0:]) != 0xED0CDAED || le.Uint32(m[4:]) != 2 {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return boltMeta{}, false
	}
	bm := boltMeta{pageSize: le.Uint32(m[8:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
	if bm.pageSize < 512 || bm.pageSize > 1<<20 {
		return boltMeta{}, false
	}
	return bm, true
}
