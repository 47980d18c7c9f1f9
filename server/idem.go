package server

// Retention of idempotency records. Every applied action leaves a record in bucket idem (its
// request hash and original answer, the whole case JSON) so that a resend answers the original
// result. A record older than Config.IdempotencyRetention becomes a fingerprint (PruneIdempotency):
// bucket idemfp keeps the same key (case id, kind, action id) with the request hash, 32 bytes;
// the answer, the bulk, goes. A resend is so recognised however late it comes and never applied
// twice: 409 already-applied, or 422 for the id with another body. Records age oldest first
// through the index bucket idemage (u64be(unix nanoseconds) + idem key → nothing), so a pass reads
// only what it ages and never scans the whole bucket. Fingerprints live as long as their case is
// with its Amt or, once forwarded, has its tombstone in the change feed: they go with the
// tombstone (PruneTombstones), and a record that ages after that leaves none — every action on
// such a case answers 404.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

var (
	bIdemAge = []byte("idemage") // u64be(unix nanos written) + idem key → nil
	bIdemFP  = []byte("idemfp")  // idem key → sha256 of the canonical request, once its record aged out
	// kIdemAged in bucket meta marks that every record of bIdem has its bIdemAge entry (records
	// written before retention existed are indexed once, as if written at that moment).
	kIdemAged = []byte("idem-aged")
)

// idemPruneBatch bounds the records aged (or indexed) in one write transaction, so a pass never
// holds the database's single writer for long.
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

// idMismatch answers an action id that was used before with a different body.
func idMismatch() *apiError {
	return problem(http.StatusUnprocessableEntity, api.ProblemUnprocessable, "Action id reused",
		"this action id was already used with a different body")
}

// alreadyApplied answers a resend of an action that was applied before and whose original answer
// is no longer kept. Nothing is applied now.
func alreadyApplied() *apiError {
	return problem(http.StatusConflict, api.ProblemAlreadyApplied, "Action already applied",
		"this action was applied before; its original answer is no longer kept, the case's current state is in the change feed")
}

// fingerprintAnswer answers a resend of an action whose record has aged into the fingerprint fp:
// already applied (409) for the same request, 422 for another body under the same id.
func fingerprintAnswer(fp, hash []byte) *apiError {
	if !bytes.Equal(fp, hash) {
		return idMismatch()
	}
	return alreadyApplied()
}

// splitIdemKey splits an idem key into case id, kind and action id.
func splitIdemKey(ik []byte) (caseID string, kind api.ActionKind, actionID string, ok bool) {
	parts := bytes.SplitN(ik, []byte{0}, 3)
	if len(parts) != 3 {
		return "", "", "", false
	}
	return string(parts[0]), api.ActionKind(parts[1]), string(parts[2]), true
}

// idemCasePrefix is the start of every idem key of a case (case ids contain no NUL).
func idemCasePrefix(caseID string) []byte { return []byte(caseID + "\x00") }

// indexLegacyIdem gives every idempotency record written before retention existed an age entry
// dated now, in batches, and then marks the database as indexed. It runs when the database is
// opened, before the server serves, and does nothing on a database that is already indexed.
func indexLegacyIdem(db *bolt.DB, now time.Time) error {
	done := false
	if err := db.View(func(tx *bolt.Tx) error {
		done = tx.Bucket(bMeta).Get(kIdemAged) != nil
		return nil
	}); err != nil || done {
		return err
	}
	var after []byte // the last key indexed by the previous batch
	for {
		var last []byte
		err := db.Update(func(tx *bolt.Tx) error {
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

// PruneIdempotency ages the idempotency records older than Config.IdempotencyRetention, at most
// idemPruneBatch per transaction, and reports how many it aged: each loses its stored answer and
// leaves a fingerprint (see the top of this file), or goes entirely when its case has left its Amt.
// The record of a decision that is still a case's open four-eyes proposal is kept whole and dated
// anew (checked again a retention later), so its proposer's resend answers the original result for
// as long as the proposal is open. Records younger than the retention are never touched. Between
// transactions it stops early when the server is closing. It trusts the clock; the background
// loop guards against a clock that jumped (pruneSchedule).
func (s *Server) PruneIdempotency() (int, error) {
	total := 0
	for {
		n, more, err := s.pruneIdemBatch(context.Background(), s.now())
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
func (s *Server) pruneIdemBatch(ctx context.Context, now time.Time) (pruned int, more bool, err error) {
	batch := s.idemBatch
	if batch <= 0 {
		batch = idemPruneBatch
	}
	return s.store.PruneIdempotency(ctx, now, now.Add(-s.cfg.IdempotencyRetention), batch)
}

func (b *boltStore) PruneIdempotency(_ context.Context, now, cutoffAt time.Time, batch int) (pruned int, more bool, err error) {
	cutoff := uint64(cutoffAt.UnixNano())
	err = b.db.Update(func(tx *bolt.Tx) error {
		age, idem, fps := tx.Bucket(bIdemAge), tx.Bucket(bIdem), tx.Bucket(bIdemFP)
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
		fates := map[string]caseFate{} // records of one case mostly age together
		for _, e := range due {
			if err := age.Delete(e.ageKey); err != nil {
				return err
			}
			raw := idem.Get(e.ik)
			if raw == nil {
				continue
			}
			var rec struct {
				Hash []byte `json:"hash"`
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				return err
			}
			caseID, kind, actionID, ok := splitIdemKey(e.ik)
			var fate caseFate
			if ok {
				if fate, err = caseFateOf(tx, fates, caseID); err != nil {
					return err
				}
			}
			if kind == api.ActionDecision && fate.proposal != "" && fate.proposal == actionID {
				if err := age.Put(idemAgeKey(now, e.ik), nil); err != nil {
					return err
				}
				continue
			}
			if err := idem.Delete(e.ik); err != nil {
				return err
			}
			if fate.here {
				fp := rec.Hash
				if len(fp) == 0 { // never so in practice; a non-empty value keeps the key found
					fp = []byte{0}
				}
				if err := fps.Put(e.ik, fp); err != nil {
					return err
				}
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

// caseFate is what pruning needs to know of a case.
type caseFate struct {
	here     bool   // the case is with its Amt, or forwarded with its tombstone still in the feed
	proposal string // the id of its open four-eyes proposal, if it has one
}

// caseFateOf reads the fate of a case, through a cache for one transaction.
func caseFateOf(tx *bolt.Tx, cache map[string]caseFate, caseID string) (caseFate, error) {
	if f, ok := cache[caseID]; ok {
		return f, nil
	}
	var f caseFate
	if raw := tx.Bucket(bCases).Get([]byte(caseID)); raw != nil {
		var c struct {
			Amt      string     `json:"amt"`
			Status   api.Status `json:"status"`
			Decision *struct {
				ID    string `json:"id"`
				State string `json:"state"`
			} `json:"decision"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return f, err
		}
		f.here = visible(api.Case{Status: c.Status}) || inFeed(tx, c.Amt, caseID)
		if c.Status == api.StatusDecisionProposed && c.Decision != nil && c.Decision.State == api.DecisionProposed {
			f.proposal = c.Decision.ID
		}
	}
	cache[caseID] = f
	return f, nil
}

// inFeed reports whether the case has an entry (for a forwarded case: its tombstone) in its Amt's
// change feed.
func inFeed(tx *bolt.Tx, amt, caseID string) bool {
	fb := tx.Bucket(bFeeds).Bucket([]byte(amt))
	if fb == nil || fb.Bucket(bByCase) == nil {
		return false
	}
	return fb.Bucket(bByCase).Get([]byte(caseID)) != nil
}

// dropFingerprints removes the fingerprints of a case that has left its Amt, once its tombstone
// has left the change feed: every action on the case answers 404 before they would be consulted.
// Any other case keeps them. It reports how many it removed.
func dropFingerprints(tx *bolt.Tx, caseID string) (int, error) {
	f, err := caseFateOf(tx, map[string]caseFate{}, caseID)
	if err != nil || f.here {
		return 0, err
	}
	fps := tx.Bucket(bIdemFP)
	prefix := idemCasePrefix(caseID)
	var keys [][]byte
	cur := fps.Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := fps.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// clockJumpSlack is how far the wall clock may run ahead of the background schedule before the
// pass is taken for one on a clock that jumped.
const clockJumpSlack = 24 * time.Hour

// pruneSchedule guards the background pruning (tombstones and idempotency records) against a wall
// clock that jumps forward while the server runs — a wrong time source or a mistyped date would
// otherwise age everything at once. The loop wakes every PruneInterval on the monotonic clock, so
// from one pass to the next the wall clock moves by about an interval. A pass whose now lies more
// than clockJumpSlack beyond the schedule (the last admitted pass's now plus an interval per wake
// since) is skipped, and the schedule does not follow the clock: passes resume by themselves once
// the clock is set right, or with the next start, which trusts the clock (the server was down, a
// gap is expected; so an admin who finds the new time right restarts amt-server). A clock that
// goes back needs no guard, it only prunes less; the schedule keeps the later time, so setting the
// clock forward again is no jump.
type pruneSchedule struct {
	interval time.Duration
	next     time.Time // when the next pass is due; zero before the first pass since start
}

// admit reports whether a pass at now may prune (and, if not, how far the clock is ahead), and
// moves the schedule on by one interval.
func (p *pruneSchedule) admit(now time.Time) (ok bool, ahead time.Duration) {
	if p.next.IsZero() {
		p.next = now.Add(p.interval)
		return true, 0
	}
	if ahead = now.Sub(p.next); ahead > clockJumpSlack {
		p.next = p.next.Add(p.interval)
		return false, ahead
	}
	if now.After(p.next) {
		p.next = now
	}
	p.next = p.next.Add(p.interval)
	return true, 0
}
