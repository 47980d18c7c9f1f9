package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
)

// MoveAside renames a damaged (or otherwise unusable) cache file Dir/amt.db to
// Dir/amt.db.broken-<UTC time> so that Open starts a fresh cache, and returns the new path. The old
// file is kept for RescueOutbox and for support. The cache must not be open.
func MoveAside(dir string, now time.Time) (string, error) {
	src := filepath.Join(dir, DBFile)
	dst := src + ".broken-" + now.UTC().Format("20060102T150405Z")
	for i := 1; ; i++ {
		if _, err := os.Lstat(dst); os.IsNotExist(err) {
			break
		}
		dst = fmt.Sprintf("%s.broken-%s-%d", src, now.UTC().Format("20060102T150405Z"), i)
	}
	if err := os.Rename(src, dst); err != nil {
		return "", fmt.Errorf("store: move aside: %w", err)
	}
	_ = os.Chmod(dst, 0o600)
	syncDir(dir)
	return dst, nil
}

// RescueOutbox reads the undelivered actions from a cache file that may be damaged (e.g. one moved
// aside with MoveAside), read-only, with the keys in opts (Passphrase / UseKeyring). Records that
// cannot be read are skipped and counted. Re-enqueueing the rescued actions into a fresh cache with
// their ids keeps delivery exactly-once, because the server answers a replayed id with the original
// result. The error is non-nil when the file cannot be unlocked at all or its walk broke off; the
// actions read until then are returned with it.
func RescueOutbox(path string, opts Options) (actions []Action, skipped int, err error) {
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		return nil, 0, fmt.Errorf("%w (%s): the file is empty (0 bytes), no outbox to read", ErrCorrupt, path)
	}
	db, err := openBoltMode(path, timeout, true)
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(&err)
	err = db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if m == nil {
			return fmt.Errorf("%w: no meta bucket", ErrCorrupt)
		}
		var km keyMaterial
		if err := json.Unmarshal(bytes.Clone(m.Get(mKeys)), &km); err != nil {
			return fmt.Errorf("%w: key material: %v", ErrCorrupt, err)
		}
		key, _, err := km.unlock(opts)
		if err != nil {
			return err
		}
		aead, err := newAEAD(key)
		if err != nil {
			return err
		}
		b := tx.Bucket(bOutbox)
		if b == nil {
			return fmt.Errorf("%w: no outbox bucket", ErrCorrupt)
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			p, err := open(aead, bOutbox, k, v)
			if err != nil {
				skipped++
				continue
			}
			a, err := decodeAction(p)
			if err != nil || !validCaseID(a.CaseID) || !kindKnown(a.Kind) {
				skipped++
				continue
			}
			actions = append(actions, a)
		}
		return nil
	})
	return actions, skipped, err
}
