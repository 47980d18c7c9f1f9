package server

// Retention of idempotency records. Every applied action leaves a record in bucket idem (its
// request hash and original answer) so that a resend answers the original result. Records older
// than Config.IdempotencyRetention are removed by PruneIdempotency, oldest first, through the
// index bucket idemage (u64be(unix nanoseconds) + idem key → nothing), so a pass reads only what
// it removes and never scans the whole bucket.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

var (
	bIdemAge = []byte("idemage") // u64be(unix nanos written) + idem key → nil
	// kIdemAged in bucket meta marks that every record of bIdem has its bIdemAge entry (records
	// written before retention existed are indexed once, as if written at that moment).
	kIdemAged = []byte("idem-aged")
)

// idemPruneBatch bounds the records removed (or indexed) in one write transaction, so a pass
// never holds the database's single writer for long.
const idemPruneBatch = 1000

func idemAgeKey(at time.Time, ik []byte) []byte {
	k := make([]byte, 0, 8+len(ik))
	k = append(k, u64(uint64(at.UnixNano()))...)
	return append(k, ik...)
}

// putIdem stores the record of a freshly applied action and its age entry, in the action's
// transaction.
func putIdem(tx *bolt.Tx, ik []byte, rec idemRec, now time.Time) error {
	if err := putJSON(tx.Bucket(bIdem), ik, rec); err != nil {
		return err
	}
	return tx.Bucket(bIdemAge).Put(idemAgeKey(now, ik), nil)
}

// splitIdemKey splits an idem key into case id, kind and action id.
func splitIdemKey(ik []byte) (caseID string, kind api.ActionKind, actionID string, ok bool) {
	parts := bytes.SplitN(ik, []byte{0}, 3)
	if len(parts) != 3 {
		return "", "", "", false
	}
	return string(parts[0]), api.ActionKind(parts[1]), string(parts[2]), true
}

// indexLegacyIdem gives every idempotency record written before retention existed an age entry
// dated now, in batches, and then marks the database as indexed. It runs in New, before the
// server serves, and does nothing on a database that is already indexed.
func (s *Server) indexLegacyIdem() error {
	done := false
	if err := s.db.View(func(tx *bolt.Tx) error {
		done = tx.Bucket(bMeta).Get(kIdemAged) != nil
		return nil
	}); err != nil || done {
		return err
	}
	now := s.now()
	var after []byte // the last key indexed by the previous batch
	for {
		var last []byte
		err := s.db.Update(func(tx *bolt.Tx) error {
			cur := tx.Bucket(bIdem).Cursor()
			age := tx.Bucket(bIdemAge)
			var k []byte
			if after == nil {
				k, _ = cur.First()
			} else if k, _ = cur.Seek(after); k != nil && bytes.Equal(k, after) {
				k, _ = cur.Next()
			}
			for n := 0; k != nil && n < idemPruneBatch; k, _ = cur.Next() {
				if err := age.Put(idemAgeKey(now, k), nil); err != nil {
					return err
				}
				last = bytes.Clone(k)
				n++
			}
			if k == nil {
				last = nil
				return tx.Bucket(bMeta).Put(kIdemAged, []byte{1})
			}
			return nil
		})
		if err != nil {
			return err
		}
		if last == nil {
			return nil
		}
		after = last
	}
}

// PruneIdempotency removes the idempotency records older than Config.IdempotencyRetention, at
// most idemPruneBatch per transaction, and reports how many it removed. The record of a decision
// that is still a case's open four-eyes proposal is kept and dated anew (checked again a
// retention later), so its proposer's resend answers the original result for as long as the
// proposal is open. Records younger than the retention are never touched. Between transactions
// it stops early when the server is closing.
func (s *Server) PruneIdempotency() (int, error) {
	total := 0
	for {
		n, more, err := s.pruneIdemBatch(s.now())
		total += n
		s.metrics.idemPruned.Add(uint64(n))
		if err != nil || !more {
			return total, err
		}
		select {
		case <-s.quit:
			return total, nil
		default:
		}
	}
}

// pruneIdemBatch runs one transaction of PruneIdempotency; more reports that the batch was full.
func (s *Server) pruneIdemBatch(now time.Time) (pruned int, more bool, err error) {
	cutoff := uint64(now.Add(-s.cfg.IdempotencyRetention).UnixNano())
	batch := s.idemBatch
	if batch <= 0 {
		batch = idemPruneBatch
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		age, idem := tx.Bucket(bIdemAge), tx.Bucket(bIdem)
		type entry struct{ ageKey, ik []byte }
		var due []entry
		cur := age.Cursor()
		for k, _ := cur.First(); k != nil && len(due) < batch; k, _ = cur.Next() {
			if len(k) < 8 || binary.BigEndian.Uint64(k[:8]) >= cutoff {
				break
			}
			due = append(due, entry{bytes.Clone(k), bytes.Clone(k[8:])})
		}
		more = len(due) == batch
		for _, e := range due {
			if err := age.Delete(e.ageKey); err != nil {
				return err
			}
			keep, err := openProposal(tx, e.ik)
			if err != nil {
				return err
			}
			if keep {
				if err := age.Put(idemAgeKey(now, e.ik), nil); err != nil {
					return err
				}
				continue
			}
			if idem.Get(e.ik) == nil {
				continue
			}
			if err := idem.Delete(e.ik); err != nil {
				return err
			}
			pruned++
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return pruned, more, nil
}

// openProposal reports whether the idempotency record ik is that of the decision that its case
// still holds as an open four-eyes proposal.
func openProposal(tx *bolt.Tx, ik []byte) (bool, error) {
	caseID, kind, actionID, ok := splitIdemKey(ik)
	if !ok || kind != api.ActionDecision {
		return false, nil
	}
	raw := tx.Bucket(bCases).Get([]byte(caseID))
	if raw == nil {
		return false, nil
	}
	var c struct {
		Status   api.Status `json:"status"`
		Decision *struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"decision"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return false, err
	}
	return c.Status == api.StatusDecisionProposed && c.Decision != nil && c.Decision.ID == actionID &&
		c.Decision.State == api.DecisionProposed, nil
}

// appliedBefore reports whether the case already carries the result of an action with this id of
// a kind the case records by id (notes, document requests, its decision and Wiedervorlage). A
// fresh request with such an id can only be a resend whose idempotency record was pruned: it is
// refused (409) rather than applied twice. State-changing actions need no such check: the action
// itself raised the version, so the resend's If-Match answers 412.
func appliedBefore(c api.Case, kind api.ActionKind, actionID string) bool {
	switch kind {
	case api.ActionNote:
		for _, n := range c.Notes {
			if n.ID == actionID {
				return true
			}
		}
	case api.ActionDocumentRequest:
		for _, d := range c.DocumentRequests {
			if d.ID == actionID {
				return true
			}
		}
	case api.ActionDecision:
		return c.Decision != nil && c.Decision.ID == actionID
	case api.ActionResubmission:
		return c.Resubmission != nil && c.Resubmission.ID == actionID
	}
	return false
}
