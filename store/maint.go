package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Purge removes cases that are closed, decided, withdrawn or forwarded and were last updated before
// closedBefore (retention), with their list rows, attachment records and files. A case with any
// outbox entry is never purged. Every decrypted viewer copy (Dir/view) is removed as well. It
// returns how many cases were removed.
func (s *Store) Purge(closedBefore time.Time) (int, error) {
	var ids []string
	err := s.update(func(tx *bolt.Tx) error {
		ids = ids[:0]
		b, err := bucket(tx, bIndex)
		if err != nil {
			return err
		}
		err = b.ForEach(func(k, v []byte) error {
			sum, err := s.decodeIndexValue(k, v)
			if err != nil {
				return err
			}
			if purgeable(sum.Status) && !sum.UpdatedAt.IsZero() && sum.UpdatedAt.Before(closedBefore) && !hasActions(tx, sum.ID) {
				ids = append(ids, sum.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.removeCase(tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		s.removeAttachmentFiles(id)
	}
	s.clearViewFiles()
	return len(ids), nil
}

// Compact rewrites the database into a fresh file (reclaiming free pages), replaces amt.db
// atomically and reopens it. The store stays usable; other calls wait while it runs.
func (s *Store) Compact() (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	tmp := s.path + ".compact"
	_ = os.Remove(tmp)
	var dst *bolt.DB
	defer func() {
		if err != nil {
			if dst != nil {
				_ = dst.Close()
			}
			_ = os.Remove(tmp)
		}
	}()
	err = func() (err error) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer guard(&err)
		dst, err = bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
		if err != nil {
			return err
		}
		// 16 MiB per copy transaction: bbolt holds a transaction's dirty pages in memory two or
		// three times over, so 64 MiB cost ~350 MiB of heap on a 400 MiB cache; 16 MiB costs ~50
		// and is no slower (the syncer compacts inside the running amt after an initial sync).
		return bolt.Compact(dst, s.db, 16<<20)
	}()
	if err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	// The new file stays open (and locked) while it takes the old one's name and from then on, so
	// there is no moment at which another amt could take the cache: one that waits for the old
	// file's lock finds that file replaced (openBoltMode) and keeps reporting "already open".
	if err = os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	syncDir(s.dir)
	cerr := s.db.Close()
	s.db, dst = dst, nil // dst is the store's now: the error path above must not close it
	if cerr != nil {
		return fmt.Errorf("store: compact: close old file: %w", cerr)
	}
	s.notify()
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Check verifies the file: bbolt's page-level consistency check, then that every record of every
// data bucket decrypts, and that the list index agrees with its counter. It returns the first
// problem found, wrapping ErrCorrupt.
func (s *Store) Check() error {
	err := s.view(func(tx *bolt.Tx) error {
		// Touch every page in this goroutine first, where a fault on a damaged file becomes an
		// error: tx.Check walks the pages in a goroutine of its own, where it would crash.
		if err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walkBucket(b, 0) }); err != nil {
			return err
		}
		for _, name := range dataBuckets {
			b, err := bucket(tx, name)
			if err != nil {
				return err
			}
			if err := b.ForEach(func(k, v []byte) error {
				if v == nil {
					return fmt.Errorf("%w: bucket %s: unexpected nested bucket", ErrCorrupt, name)
				}
				_, err := open(s.aead, name, k, v)
				return err
			}); err != nil {
				return err
			}
		}
		n, ok := getU64(tx.Bucket(bMeta).Get(mCount))
		if !ok {
			return fmt.Errorf("%w: index counter", ErrCorrupt)
		}
		rows := tx.Bucket(bIndex).Stats().KeyN
		ids := tx.Bucket(bCaseIdx).Stats().KeyN
		cases := tx.Bucket(bCases).Stats().KeyN
		if uint64(rows) != n || ids != rows || cases != rows {
			return fmt.Errorf("%w: index has %d rows, %d ids, %d cases, counter %d", ErrCorrupt, rows, ids, cases, n)
		}
		var first error
		for e := range tx.Check() {
			if first == nil {
				first = e
			}
		}
		if first != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, first)
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrClosed) {
		err = fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

// AttachmentsRoot returns Dir/attachments.
func (s *Store) AttachmentsRoot() string { return filepath.Join(s.dir, AttachmentsDir) }

// walkBucket reads every key and value of b and its nested buckets.
func walkBucket(b *bolt.Bucket, depth int) error {
	if depth > 8 {
		return fmt.Errorf("%w: buckets nested too deep", ErrCorrupt)
	}
	var sink byte
	err := b.ForEach(func(k, v []byte) error {
		if len(k) > 0 {
			sink ^= k[len(k)-1]
		}
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				return walkBucket(nb, depth+1)
			}
			return nil
		}
		if len(v) > 0 {
			sink ^= v[0] ^ v[len(v)-1]
		}
		return nil
	})
	_ = sink
	return err
}
