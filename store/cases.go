package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Limits on what the store accepts as keys from the server.
const (
	maxIDLen  = 256
	maxDueLen = 32
)

// bucket returns a data bucket or ErrCorrupt when the file lacks it.
func bucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	b := tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("%w: bucket %s missing", ErrCorrupt, name)
	}
	return b, nil
}

// get returns the decrypted value of key in bucket name, or nil when absent.
func (s *Store) get(tx *bolt.Tx, name, key []byte) ([]byte, error) {
	b, err := bucket(tx, name)
	if err != nil {
		return nil, err
	}
	v := b.Get(key)
	if v == nil {
		return nil, nil
	}
	return open(s.aead, name, key, v)
}

// put encrypts plain and stores it under key in bucket name.
func (s *Store) put(tx *bolt.Tx, name, key, plain []byte) error {
	b, err := bucket(tx, name)
	if err != nil {
		return err
	}
	return b.Put(key, seal(s.aead, name, key, plain))
}

func del(tx *bolt.Tx, name, key []byte) error {
	b, err := bucket(tx, name)
	if err != nil {
		return err
	}
	return b.Delete(key)
}

// Index key classes: the first byte of an index key. Open cases sort before finished ones, so the
// first page of the index is the top of the clerk's work list ("Meine", "Alle offen"), not the
// oldest decided cases.
const (
	classOpen     byte = 0
	classFinished byte = 1
)

// statusClass is the index key class of a case in status st.
func statusClass(st api.Status) byte {
	if st.Open() {
		return classOpen
	}
	return classFinished
}

// sortKey is the index key of a case: status class (open first), due date (undated last), 0x00,
// case id.
func sortKey(st api.Status, dueDate, id string) []byte {
	if dueDate == "" {
		dueDate = "~"
	}
	if len(dueDate) > maxDueLen {
		dueDate = dueDate[:maxDueLen]
	}
	k := make([]byte, 0, 1+len(dueDate)+1+len(id))
	k = append(k, statusClass(st))
	k = append(k, dueDate...)
	k = append(k, 0)
	return append(k, id...)
}

func validCaseID(id string) bool {
	return id != "" && len(id) <= maxIDLen && bytes.IndexByte([]byte(id), 0) < 0
}

// loadCase returns the stored server case, or ok=false when absent.
func (s *Store) loadCase(tx *bolt.Tx, id string) (c api.Case, ok bool, err error) {
	v, err := s.get(tx, bCases, []byte(id))
	if err != nil || v == nil {
		return c, false, err
	}
	c, err = decodeCase(v)
	return c, err == nil, err
}

// indexRow returns the current index key and summary of a case (nil key when not indexed).
func (s *Store) indexRow(tx *bolt.Tx, id string) ([]byte, *Summary, error) {
	k, err := s.get(tx, bCaseIdx, []byte(id))
	if err != nil || k == nil {
		return nil, nil, err
	}
	v, err := s.get(tx, bIndex, k)
	if err != nil {
		return nil, nil, err
	}
	if v == nil {
		return k, nil, nil
	}
	sum, err := decodeSummary(v)
	if err != nil {
		return nil, nil, err
	}
	return k, &sum, nil
}

// storedVersion is the version of the cached server case (-1 when there is none).
func (s *Store) storedVersion(tx *bolt.Tx, id string) (int64, error) {
	_, sum, err := s.indexRow(tx, id)
	if err != nil {
		return 0, err
	}
	if sum == nil {
		return -1, nil
	}
	return sum.Version, nil
}

// putServerCase stores c as the new base when it is newer than the cached one, and refreshes the
// case's index row. It reports whether c was stored.
func (s *Store) putServerCase(tx *bolt.Tx, c *api.Case) (bool, error) {
	if !validCaseID(c.ID) {
		return false, nil
	}
	v, err := s.storedVersion(tx, c.ID)
	if err != nil {
		return false, err
	}
	if c.Version <= v {
		return false, nil
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return false, err
	}
	if err := s.put(tx, bCases, []byte(c.ID), raw); err != nil {
		return false, err
	}
	return true, s.reindex(tx, c.ID)
}

// removeCase drops a case and its index row; its outbox entries stay.
func (s *Store) removeCase(tx *bolt.Tx, id string) error {
	if err := del(tx, bCases, []byte(id)); err != nil {
		return err
	}
	if err := deleteAttachmentMeta(tx, id); err != nil {
		return err
	}
	return s.dropIndexRow(tx, id)
}

func (s *Store) dropIndexRow(tx *bolt.Tx, id string) error {
	old, err := s.get(tx, bCaseIdx, []byte(id))
	if err != nil || old == nil {
		return err
	}
	if err := del(tx, bIndex, old); err != nil {
		return err
	}
	if err := del(tx, bCaseIdx, []byte(id)); err != nil {
		return err
	}
	return addCount(tx, -1)
}

func addCount(tx *bolt.Tx, d int64) error {
	m := tx.Bucket(bMeta)
	n, ok := getU64(m.Get(mCount))
	if !ok {
		return fmt.Errorf("%w: index counter", ErrCorrupt)
	}
	v := int64(n) + d
	if v < 0 {
		v = 0
	}
	return m.Put(mCount, u64(uint64(v)))
}

// reindex rewrites the index row of a case from its base plus overlay, in the caller's transaction.
func (s *Store) reindex(tx *bolt.Tx, id string) error {
	base, ok, err := s.loadCase(tx, id)
	if err != nil {
		return err
	}
	if !ok {
		return s.dropIndexRow(tx, id)
	}
	acts, err := s.caseActions(tx, id)
	if err != nil {
		return err
	}
	ov := overlay(base, acts)
	sum := summaryOf(&ov)
	for _, a := range acts {
		switch a.State {
		case StatePending:
			sum.Pending++
		case StateConflict:
			sum.Conflict = true
		case StateRejected:
			sum.Rejected = true
		}
	}
	key := sortKey(ov.Status, ov.DueDate, id)
	old, err := s.get(tx, bCaseIdx, []byte(id))
	if err != nil {
		return err
	}
	switch {
	case old == nil:
		if err := addCount(tx, 1); err != nil {
			return err
		}
		fallthrough
	case !bytes.Equal(old, key):
		if old != nil {
			if err := del(tx, bIndex, old); err != nil {
				return err
			}
		}
		if err := s.put(tx, bCaseIdx, []byte(id), key); err != nil {
			return err
		}
	}
	return s.put(tx, bIndex, key, encodeSummary(&sum))
}

// Case returns a case with the optimistic effect of its pending and conflicting outbox actions.
func (s *Store) Case(id string) (api.Case, error) {
	var c api.Case
	err := s.view(func(tx *bolt.Tx) error {
		base, ok, err := s.loadCase(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("case %s: %w", id, ErrNotFound)
		}
		acts, err := s.caseActions(tx, id)
		if err != nil {
			return err
		}
		c = overlay(base, acts)
		return nil
	})
	return c, err
}

// ServerCase returns the case as the server last sent it.
func (s *Store) ServerCase(id string) (api.Case, error) {
	var c api.Case
	err := s.view(func(tx *bolt.Tx) error {
		base, ok, err := s.loadCase(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("case %s: %w", id, ErrNotFound)
		}
		c = base
		return nil
	})
	return c, err
}

// ApplyChanges applies one page of the change feed and its cursor in one transaction. An upsert is
// stored only when its version is newer than the cached one (so a replayed page is harmless); a
// delete (tombstone) removes the case and its list row but keeps its outbox entries, which the
// server will reject later. Items with an unusable id are skipped. Attachment files of deleted
// cases are removed after the commit.
func (s *Store) ApplyChanges(items []api.Change, nextCursor string) error {
	var deleted []string
	err := s.update(func(tx *bolt.Tx) error {
		deleted = deleted[:0]
		for i := range items {
			it := &items[i]
			switch it.Kind {
			case api.ChangeUpsert:
				if it.Case == nil || (it.CaseID != "" && it.CaseID != it.Case.ID) {
					continue
				}
				if _, err := s.putServerCase(tx, it.Case); err != nil {
					return err
				}
			case api.ChangeDelete:
				id := it.CaseID
				if id == "" && it.Case != nil {
					id = it.Case.ID
				}
				if !validCaseID(id) {
					continue
				}
				if err := s.removeCase(tx, id); err != nil {
					return err
				}
				deleted = append(deleted, id)
			}
		}
		if nextCursor != "" {
			return s.put(tx, bSync, syncCursor, []byte(nextCursor))
		}
		return nil
	})
	if err == nil {
		for _, id := range deleted {
			s.removeAttachmentFiles(id)
		}
	}
	return err
}

// ResetForResync drops cached cases, the list index and the cursor (before a full resync after the
// feed answered 410). The outbox, including conflicts and rejections, is kept.
func (s *Store) ResetForResync() error {
	return s.update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bCases, bIndex, bCaseIdx} {
			if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bMeta).Put(mCount, u64(0)); err != nil {
			return err
		}
		return del(tx, bSync, syncCursor)
	})
}

// Count returns the number of cases in the list index, in O(1).
func (s *Store) Count() (int, error) {
	var n uint64
	err := s.view(func(tx *bolt.Tx) error {
		v, ok := getU64(tx.Bucket(bMeta).Get(mCount))
		if !ok {
			return fmt.Errorf("%w: index counter", ErrCorrupt)
		}
		n = v
		return nil
	})
	return int(n), err
}

// SummaryPage returns up to limit summaries starting at offset in index order (open cases first,
// then finished ones; each by due date ascending, then case id). Only the window is decrypted and
// decoded; reaching the offset walks keys with a cursor (from whichever end is nearer), never
// decoding them.
func (s *Store) SummaryPage(offset, limit int) ([]Summary, error) {
	if offset < 0 || limit <= 0 {
		return nil, nil
	}
	var out []Summary
	err := s.view(func(tx *bolt.Tx) error {
		n, _ := getU64(tx.Bucket(bMeta).Get(mCount))
		b, err := bucket(tx, bIndex)
		if err != nil {
			return err
		}
		if uint64(offset) >= n {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if uint64(offset) <= n/2 {
			k, v = c.First()
			for i := 0; i < offset && k != nil; i++ {
				k, v = c.Next()
			}
		} else {
			k, v = c.Last()
			for i := n - 1; i > uint64(offset) && k != nil; i-- {
				k, v = c.Prev()
			}
		}
		want := limit
		if rest := n - uint64(offset); uint64(want) > rest {
			want = int(rest)
		}
		out = make([]Summary, 0, want)
		var buf []byte
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			var sum Summary
			sum, buf, err = s.decodeIndexValueBuf(buf, k, v)
			if err != nil {
				return err
			}
			out = append(out, sum)
		}
		return nil
	})
	return out, err
}

// Scan selects the part of the index ScanSummaries visits.
type Scan int

// Parts of the index.
const (
	ScanAll      Scan = iota // open cases, then finished ones
	ScanOpen                 // only open cases (new, in review, awaiting documents, decision proposed)
	ScanFinished             // only finished cases (decided, closed, withdrawn, forwarded)
)

// ScanSummaries calls fn with the summaries of part of the index in index order (by due date, then
// case id; with ScanAll open cases first), decrypting one row at a time, until fn returns false or
// the part ends. fn runs inside a read transaction: it must not call the store. This is how a view
// reads its first screen without loading every row: e.g. "my open cases" is ScanOpen, keeping the
// clerk's rows, stopped after one screen of them.
func (s *Store) ScanSummaries(part Scan, fn func(Summary) bool) error {
	return s.view(func(tx *bolt.Tx) error {
		b, err := bucket(tx, bIndex)
		if err != nil {
			return err
		}
		c := b.Cursor()
		var k, v []byte
		if part == ScanFinished {
			k, v = c.Seek([]byte{classFinished})
		} else {
			k, v = c.First()
		}
		var (
			buf []byte
			sum Summary
		)
		for ; k != nil; k, v = c.Next() {
			if part == ScanOpen && k[0] != classOpen {
				return nil
			}
			sum, buf, err = s.decodeIndexValueBuf(buf, k, v)
			if err != nil {
				return err
			}
			if !fn(sum) {
				return nil
			}
		}
		return nil
	})
}

func (s *Store) decodeIndexValue(k, v []byte) (Summary, error) {
	p, err := open(s.aead, bIndex, k, v)
	if err != nil {
		return Summary{}, err
	}
	return decodeSummary(p)
}

// decodeIndexValueBuf is decodeIndexValue decrypting into buf (returned for reuse), so reading
// many rows allocates only the summaries' own strings, not a plaintext per row.
func (s *Store) decodeIndexValueBuf(buf, k, v []byte) (Summary, []byte, error) {
	p, err := openInto(s.aead, buf, bIndex, k, v)
	if err != nil {
		return Summary{}, buf, err
	}
	sum, err := decodeSummary(p)
	return sum, p, err
}

// AllSummaries returns every summary in index order (open cases first, then finished ones; each
// by due date, then case id).
func (s *Store) AllSummaries() ([]Summary, error) {
	var out []Summary
	err := s.view(func(tx *bolt.Tx) error {
		n, _ := getU64(tx.Bucket(bMeta).Get(mCount))
		b, err := bucket(tx, bIndex)
		if err != nil {
			return err
		}
		out = make([]Summary, 0, n)
		var buf []byte
		return b.ForEach(func(k, v []byte) error {
			var sum Summary
			var err error
			sum, buf, err = s.decodeIndexValueBuf(buf, k, v)
			if err != nil {
				return err
			}
			out = append(out, sum)
			return nil
		})
	})
	return out, err
}

// Summary returns the list row of one case.
func (s *Store) Summary(id string) (Summary, error) {
	var out Summary
	err := s.view(func(tx *bolt.Tx) error {
		_, sum, err := s.indexRow(tx, id)
		if err != nil {
			return err
		}
		if sum == nil {
			return fmt.Errorf("case %s: %w", id, ErrNotFound)
		}
		out = *sum
		return nil
	})
	return out, err
}

// purgeable reports whether a status is final enough for the retention purge.
func purgeable(st api.Status) bool {
	switch st {
	case api.StatusClosed, api.StatusDecided, api.StatusWithdrawn, api.StatusForwarded:
		return true
	}
	return false
}
