package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Keys of the sync bucket.
var (
	syncCursor      = []byte("cursor")
	syncLastSync    = []byte("lastSync")
	syncLastError   = []byte("lastError")
	syncLastAttempt = []byte("lastAttempt")
)

// SyncState is what the status line shows about synchronisation.
type SyncState struct {
	Cursor      string
	LastSync    time.Time // last successful sync
	LastError   string    // error of the last attempt, "" when it succeeded
	LastAttempt time.Time // last attempt, successful or not
}

// Cursor returns the change-feed cursor ("" = from the beginning).
func (s *Store) Cursor() (string, error) {
	st, err := s.SyncState()
	return st.Cursor, err
}

// SyncState returns the stored sync state.
func (s *Store) SyncState() (SyncState, error) {
	var st SyncState
	err := s.view(func(tx *bolt.Tx) error {
		c, err := s.get(tx, bSync, syncCursor)
		if err != nil {
			return err
		}
		st.Cursor = string(c)
		e, err := s.get(tx, bSync, syncLastError)
		if err != nil {
			return err
		}
		st.LastError = string(e)
		for _, f := range []struct {
			k []byte
			t *time.Time
		}{{syncLastSync, &st.LastSync}, {syncLastAttempt, &st.LastAttempt}} {
			v, err := s.get(tx, bSync, f.k)
			if err != nil {
				return err
			}
			if v != nil {
				if err := f.t.UnmarshalBinary(v); err != nil {
					return fmt.Errorf("%w: bucket sync: %v", ErrCorrupt, err)
				}
			}
		}
		return nil
	})
	return st, err
}

// SetLastSync records a sync attempt at t. With errText == "" it was successful: LastSync = t and
// LastError is cleared. Otherwise LastError = errText and LastSync keeps the last success.
func (s *Store) SetLastSync(t time.Time, errText string) error {
	tb, err := t.MarshalBinary()
	if err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		if err := s.put(tx, bSync, syncLastAttempt, tb); err != nil {
			return err
		}
		if errText == "" {
			if err := s.put(tx, bSync, syncLastSync, tb); err != nil {
				return err
			}
			return del(tx, bSync, syncLastError)
		}
		return s.put(tx, bSync, syncLastError, []byte(errText))
	})
}

// PutMeta stores an encrypted value under key (for "me", clerks, config, …). A nil v deletes it.
func (s *Store) PutMeta(key string, v []byte) error {
	if key == "" || len(key) > maxIDLen {
		return fmt.Errorf("%w: meta key must be 1-%d bytes", ErrInvalid, maxIDLen)
	}
	return s.update(func(tx *bolt.Tx) error {
		if v == nil {
			return del(tx, bKV, []byte(key))
		}
		return s.put(tx, bKV, []byte(key), v)
	})
}

// Meta returns the value stored by PutMeta, or ErrNotFound.
func (s *Store) Meta(key string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		v, err := s.get(tx, bKV, []byte(key))
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("meta %q: %w", key, ErrNotFound)
		}
		out = v
		return nil
	})
	return out, err
}
