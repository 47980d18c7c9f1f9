package store

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	bolt "go.etcd.io/bbolt"
)

// ActionState is where an undelivered action stands.
type ActionState string

// Action states. Delivered actions leave the outbox.
const (
	StatePending  ActionState = "pending"  // waiting to be sent (maybe after NextAttempt)
	StateConflict ActionState = "conflict" // the server had a newer version; ServerCase holds it
	StateRejected ActionState = "rejected" // the server refused it; LastError says why
)

// Action is one clerk action in the outbox. It travels as one idempotent PUT reusing ID.
type Action struct {
	ID          string         `json:"id"`
	Seq         uint64         `json:"seq"`
	CaseID      string         `json:"caseId"`
	Kind        api.ActionKind `json:"kind"`
	SubID       string         `json:"subId,omitempty"` // decision id for approvals
	Body        []byte         `json:"body"`            // the request body (JSON), sent as is
	BaseVersion int64          `json:"baseVersion"`     // case version the clerk saw (If-Match)
	CreatedAt   time.Time      `json:"createdAt"`
	State       ActionState    `json:"state"`
	Attempts    int            `json:"attempts,omitempty"`
	NextAttempt time.Time      `json:"nextAttempt"`
	LastError   string         `json:"lastError,omitempty"`
	ServerCase  *api.Case      `json:"serverCase,omitempty"` // on conflict: the server's current case
	// Actor is the clerk id shown on the optimistic effect (notes, decisions); "" shows "me".
	Actor string `json:"actor,omitempty"`
	// InFlight: the syncer has begun sending it (BeginSend), so it may have reached the server and
	// can no longer be cancelled. Cleared when the server answered without applying it (conflict,
	// rejection) or the connection was never made (MarkUnsent).
	InFlight bool `json:"inFlight,omitempty"`
}

func kindKnown(k api.ActionKind) bool {
	for _, v := range api.ActionKinds {
		if v == k {
			return true
		}
	}
	return false
}

func seqKey(seq uint64) []byte { return u64(seq) }

func caseSeqKey(caseID string, seq uint64) []byte {
	k := make([]byte, 0, len(caseID)+9)
	k = append(k, caseID...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

func (s *Store) loadAction(tx *bolt.Tx, seqK []byte) (Action, error) {
	var a Action
	v, err := s.get(tx, bOutbox, seqK)
	if err != nil {
		return a, err
	}
	if v == nil {
		return a, fmt.Errorf("%w: bucket outbox: missing action", ErrCorrupt)
	}
	return decodeAction(v)
}

func (s *Store) saveAction(tx *bolt.Tx, a *Action) error {
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return s.put(tx, bOutbox, seqKey(a.Seq), raw)
}

// caseActions returns the outbox entries of one case in Seq order.
func (s *Store) caseActions(tx *bolt.Tx, caseID string) ([]Action, error) {
	b, err := bucket(tx, bOutboxByCase)
	if err != nil {
		return nil, err
	}
	prefix := append([]byte(caseID), 0)
	var out []Action
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+8 {
			return nil, fmt.Errorf("%w: bucket outboxByCase: bad key", ErrCorrupt)
		}
		a, err := s.loadAction(tx, k[len(prefix):])
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// hasActions reports whether a case has any outbox entry.
func hasActions(tx *bolt.Tx, caseID string) bool {
	b := tx.Bucket(bOutboxByCase)
	if b == nil {
		return false
	}
	prefix := append([]byte(caseID), 0)
	k, _ := b.Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// Enqueue validates an action and writes it to the outbox together with its optimistic effect on
// the case's list row, in one transaction. It assigns Seq, CreatedAt (from Options.Now), the ID
// when empty (NewActionID), BaseVersion when zero (the cached case's version) and state pending.
// Enqueueing an ID that is already queued returns the queued action if it is the same action,
// and ErrInvalid otherwise.
func (s *Store) Enqueue(a Action) (Action, error) {
	a, err := s.prepareAction(a)
	if err != nil {
		return a, err
	}
	var out Action
	err = s.update(func(tx *bolt.Tx) error {
		var err error
		out, err = s.enqueueTx(tx, a)
		return err
	})
	if err != nil {
		return Action{}, err
	}
	return out, nil
}

// prepareAction validates a and fills in what Enqueue assigns outside the transaction.
func (s *Store) prepareAction(a Action) (Action, error) {
	if !kindKnown(a.Kind) {
		return a, fmt.Errorf("%w: unknown action kind %q", ErrInvalid, a.Kind)
	}
	if !validCaseID(a.CaseID) {
		return a, fmt.Errorf("%w: action needs a case id", ErrInvalid)
	}
	if a.Kind == api.ActionApproval && a.SubID == "" {
		return a, fmt.Errorf("%w: approval needs the decision id (SubID)", ErrInvalid)
	}
	if a.Kind == api.ActionEvidenceChecked && a.SubID == "" {
		return a, fmt.Errorf("%w: evidence_checked needs the evidence id (SubID)", ErrInvalid)
	}
	if err := validateBody(a.Kind, a.Body); err != nil {
		return a, err
	}
	if a.ID == "" {
		a.ID = NewActionID()
	} else if !casework.ValidID(a.ID) {
		return a, fmt.Errorf("%w: action id must be 1-%d characters of [A-Za-z0-9._~:-]", ErrInvalid, casework.MaxActionIDLen)
	}
	a.Body = bytes.Clone(a.Body)
	a.State = StatePending
	a.InFlight = false
	a.Attempts = 0
	a.NextAttempt = time.Time{}
	a.LastError = ""
	a.ServerCase = nil
	a.CreatedAt = s.now()
	return a, nil
}

// enqueueTx writes a prepared action in the caller's transaction.
func (s *Store) enqueueTx(tx *bolt.Tx, a Action) (Action, error) {
	if seqK, err := s.get(tx, bOutboxByID, []byte(a.ID)); err != nil {
		return Action{}, err
	} else if seqK != nil {
		old, err := s.loadAction(tx, seqK)
		if err != nil {
			return Action{}, err
		}
		if old.CaseID != a.CaseID || old.Kind != a.Kind || old.SubID != a.SubID || !bytes.Equal(old.Body, a.Body) {
			return Action{}, fmt.Errorf("%w: action id %s is already queued for a different action", ErrInvalid, a.ID)
		}
		return old, nil
	}
	ob, err := bucket(tx, bOutbox)
	if err != nil {
		return Action{}, err
	}
	seq, err := ob.NextSequence()
	if err != nil {
		return Action{}, err
	}
	a.Seq = seq
	if a.BaseVersion == 0 {
		v, err := s.storedVersion(tx, a.CaseID)
		if err != nil {
			return Action{}, err
		}
		if v > 0 {
			a.BaseVersion = v
		}
	}
	if err := s.saveAction(tx, &a); err != nil {
		return Action{}, err
	}
	if err := s.put(tx, bOutboxByID, []byte(a.ID), seqKey(seq)); err != nil {
		return Action{}, err
	}
	if err := s.put(tx, bOutboxByCase, caseSeqKey(a.CaseID, seq), nil); err != nil {
		return Action{}, err
	}
	return a, s.reindex(tx, a.CaseID)
}

// Outbox returns every undelivered action (pending, conflict, rejected) in Seq order.
func (s *Store) Outbox() ([]Action, error) {
	return s.listActions(func(*Action) bool { return true })
}

func (s *Store) listActions(keep func(*Action) bool) ([]Action, error) {
	var out []Action
	err := s.view(func(tx *bolt.Tx) error {
		b, err := bucket(tx, bOutbox)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			p, err := open(s.aead, bOutbox, k, v)
			if err != nil {
				return err
			}
			a, err := decodeAction(p)
			if err != nil {
				return err
			}
			if keep(&a) {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

// Due returns the pending actions whose NextAttempt is not after now, in Seq order. To keep the
// per-case order, an action is held back while an earlier action of the same case waits for its
// retry time or is in conflict (later actions were queued on top of it; the syncer pushes the same
// way). A rejection is final and does not hold later actions back.
func (s *Store) Due(now time.Time) ([]Action, error) {
	waiting := map[string]bool{}
	return s.listActions(func(a *Action) bool {
		if a.State == StateConflict {
			waiting[a.CaseID] = true
		}
		if a.State != StatePending {
			return false
		}
		if waiting[a.CaseID] {
			return false
		}
		if a.NextAttempt.After(now) {
			waiting[a.CaseID] = true
			return false
		}
		return true
	})
}

// Action returns one outbox entry by id.
func (s *Store) Action(id string) (Action, error) {
	var a Action
	err := s.view(func(tx *bolt.Tx) error {
		seqK, err := s.get(tx, bOutboxByID, []byte(id))
		if err != nil {
			return err
		}
		if seqK == nil {
			return fmt.Errorf("action %s: %w", id, ErrNotFound)
		}
		a, err = s.loadAction(tx, seqK)
		return err
	})
	return a, err
}

// CaseActions returns the outbox entries of one case in Seq order.
func (s *Store) CaseActions(caseID string) ([]Action, error) {
	var out []Action
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = s.caseActions(tx, caseID)
		return err
	})
	return out, err
}

// modifyAction loads an action, lets fn change it (or delete it) and rewrites the case's list row,
// all in one transaction.
func (s *Store) modifyAction(id string, fn func(tx *bolt.Tx, a *Action) (remove bool, err error)) error {
	return s.update(func(tx *bolt.Tx) error {
		seqK, err := s.get(tx, bOutboxByID, []byte(id))
		if err != nil {
			return err
		}
		if seqK == nil {
			return fmt.Errorf("action %s: %w", id, ErrNotFound)
		}
		a, err := s.loadAction(tx, seqK)
		if err != nil {
			return err
		}
		remove, err := fn(tx, &a)
		if err != nil {
			return err
		}
		if remove {
			for _, d := range []struct{ b, k []byte }{
				{bOutbox, seqK}, {bOutboxByID, []byte(a.ID)}, {bOutboxByCase, caseSeqKey(a.CaseID, a.Seq)},
			} {
				if err := del(tx, d.b, d.k); err != nil {
					return err
				}
			}
		} else if err := s.saveAction(tx, &a); err != nil {
			return err
		}
		return s.reindex(tx, a.CaseID)
	})
}

// MarkDone removes a delivered action and stores the server's case from the answer when it is
// newer than the cached one, in one transaction. serverCase may be nil.
func (s *Store) MarkDone(actionID string, serverCase *api.Case) error {
	return s.MarkDoneRebase(actionID, serverCase, 0, 0)
}

// MarkDoneRebase is MarkDone that also moves the later pending If-Match actions of the case that
// were queued against version from (the server's version just before the delivered action) onto
// version to (the one it produced), in the same transaction: the clerk's own delivered action must
// not make their next state change a conflict, not even after a crash right after this commit.
// Nothing is rebased unless 0 < from < to.
func (s *Store) MarkDoneRebase(actionID string, serverCase *api.Case, from, to int64) error {
	return s.modifyAction(actionID, func(tx *bolt.Tx, a *Action) (bool, error) {
		if serverCase != nil && serverCase.ID == a.CaseID {
			if _, err := s.putServerCase(tx, serverCase); err != nil {
				return false, err
			}
		}
		if from > 0 && to > from {
			acts, err := s.caseActions(tx, a.CaseID)
			if err != nil {
				return false, err
			}
			for i := range acts {
				l := &acts[i]
				if l.Seq > a.Seq && l.State == StatePending && l.Kind.NeedsIfMatch() && l.BaseVersion == from {
					l.BaseVersion = to
					if err := s.saveAction(tx, l); err != nil {
						return false, err
					}
				}
			}
		}
		return true, nil
	})
}

// MarkConflict records that the server had a newer version: the action keeps the clerk's intent
// (state conflict, still shown in the overlay) with the server's case attached, and that case
// becomes the cached base when it is newer.
func (s *Store) MarkConflict(actionID string, serverCase api.Case) error {
	return s.modifyAction(actionID, func(tx *bolt.Tx, a *Action) (bool, error) {
		sc := serverCase
		a.State = StateConflict
		a.ServerCase = &sc
		a.LastError = ""
		a.InFlight = false
		if sc.ID == a.CaseID {
			if _, err := s.putServerCase(tx, &sc); err != nil {
				return false, err
			}
		}
		return false, nil
	})
}

// ErrInFlight is returned by Cancel for an action the syncer has begun sending: it may already
// have reached the server, so taking it back locally would lie to the clerk.
var ErrInFlight = errors.New("store: the action is on its way to the server")

// Cancel takes back an action that has not left the machine: a pending action the syncer has not
// begun sending, or a settled one (conflict, rejection). The check and the removal are one
// transaction, and the syncer marks an action in flight in a transaction of its own (BeginSend)
// before it sends, so either the clerk's undo or the delivery wins, never both. An action in
// flight answers ErrInFlight, one already delivered (or cancelled) ErrNotFound. The optimistic
// effect goes with the action (the overlay is computed from the outbox).
func (s *Store) Cancel(actionID string) (Action, error) {
	var out Action
	err := s.modifyAction(actionID, func(_ *bolt.Tx, a *Action) (bool, error) {
		if a.State == StatePending && a.InFlight {
			return false, fmt.Errorf("action %s: %w", actionID, ErrInFlight)
		}
		out = *a
		return true, nil
	})
	if err != nil {
		return Action{}, err
	}
	return out, nil
}

// BeginSend marks a pending action as in flight just before the syncer sends it, checking in the
// same transaction that it is still queued and pending: an action the clerk cancelled meanwhile
// answers ErrNotFound, one no longer pending ErrNotSettled, and is not sent.
func (s *Store) BeginSend(actionID string) (Action, error) {
	var out Action
	err := s.modifyAction(actionID, func(_ *bolt.Tx, a *Action) (bool, error) {
		if a.State != StatePending {
			return false, fmt.Errorf("action %s: %w", actionID, ErrNotSettled)
		}
		a.InFlight = true
		out = *a
		return false, nil
	})
	return out, err
}

// MarkUnsent is MarkRetry for an attempt that certainly never reached the server (the connection
// could not be made): the action is cancellable again.
func (s *Store) MarkUnsent(actionID string, attempts int, next time.Time, lastErr string) error {
	return s.modifyAction(actionID, func(_ *bolt.Tx, a *Action) (bool, error) {
		a.Attempts = attempts
		a.NextAttempt = next
		a.LastError = lastErr
		a.InFlight = false
		return false, nil
	})
}

// MarkRejected records that the server refused the action; it stays for the clerk to see.
func (s *Store) MarkRejected(actionID string, reason string) error {
	return s.modifyAction(actionID, func(_ *bolt.Tx, a *Action) (bool, error) {
		a.State = StateRejected
		a.LastError = reason
		a.InFlight = false
		return false, nil
	})
}

// MarkRetry records a failed attempt and when to try again.
func (s *Store) MarkRetry(actionID string, attempts int, next time.Time, lastErr string) error {
	return s.modifyAction(actionID, func(_ *bolt.Tx, a *Action) (bool, error) {
		a.Attempts = attempts
		a.NextAttempt = next
		a.LastError = lastErr
		return false, nil
	})
}

// Discard removes an action without delivering it (e.g. the clerk drops a conflict).
func (s *Store) Discard(actionID string) error {
	return s.modifyAction(actionID, func(*bolt.Tx, *Action) (bool, error) { return true, nil })
}

// Requeue turns a conflicting (or rejected) action into a pending one again, against baseVersion.
func (s *Store) Requeue(actionID string, baseVersion int64) error {
	return s.modifyAction(actionID, func(_ *bolt.Tx, a *Action) (bool, error) {
		a.State = StatePending
		a.BaseVersion = baseVersion
		a.InFlight = false
		a.ServerCase = nil
		a.Attempts = 0
		a.NextAttempt = time.Time{}
		a.LastError = ""
		return false, nil
	})
}

// ErrNotSettled is returned by the resolution methods (RequeueConflict, DiscardSettled,
// ReplaceSettled) when the action is not in the state they resolve — e.g. it is pending (maybe
// being sent right now) or was already resolved.
var ErrNotSettled = errors.New("store: the action is not a conflict or rejection")

// RequeueConflict turns a conflicting action into a pending one against the server's version it
// was answered with, checking its state in the same transaction.
func (s *Store) RequeueConflict(actionID string) error {
	return s.modifyAction(actionID, func(_ *bolt.Tx, a *Action) (bool, error) {
		if a.State != StateConflict || a.ServerCase == nil || a.ServerCase.Version <= 0 {
			return false, fmt.Errorf("action %s: %w", actionID, ErrNotSettled)
		}
		a.State = StatePending
		a.BaseVersion = a.ServerCase.Version
		a.InFlight = false
		a.ServerCase = nil
		a.Attempts = 0
		a.NextAttempt = time.Time{}
		a.LastError = ""
		return false, nil
	})
}

// DiscardSettled removes a conflicting or rejected action; a pending one (which may be on its way
// to the server) is refused with ErrNotSettled.
func (s *Store) DiscardSettled(actionID string) error {
	return s.modifyAction(actionID, func(_ *bolt.Tx, a *Action) (bool, error) {
		if a.State == StatePending {
			return false, fmt.Errorf("action %s: %w", actionID, ErrNotSettled)
		}
		return true, nil
	})
}

// ReplaceSettled queues n (see Enqueue) and removes the conflicting or rejected action actionID,
// in one transaction: the clerk's intent lives on in n, never in both or neither.
func (s *Store) ReplaceSettled(actionID string, n Action) (Action, error) {
	n, err := s.prepareAction(n)
	if err != nil {
		return n, err
	}
	var out Action
	err = s.modifyAction(actionID, func(tx *bolt.Tx, a *Action) (bool, error) {
		if a.State == StatePending {
			return false, fmt.Errorf("action %s: %w", actionID, ErrNotSettled)
		}
		if n.ID == a.ID {
			return false, fmt.Errorf("%w: the replacement needs an id of its own", ErrInvalid)
		}
		var err error
		out, err = s.enqueueTx(tx, n)
		return true, err
	})
	if err != nil {
		return Action{}, err
	}
	return out, nil
}

// Crockford's base32 alphabet: sortable, URL-safe, no ambiguous letters.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var (
	idMu     sync.Mutex
	idLastMs uint64
	idLast   [10]byte
)

// NewActionID returns a 26-character, time-ordered, URL-safe id (ULID layout: 48-bit millisecond
// time, 80 random bits from crypto/rand). Ids made in the same millisecond by one process still
// sort in creation order.
func NewActionID() string {
	return newActionID(time.Now())
}

func newActionID(t time.Time) string {
	ms := uint64(t.UnixMilli())
	var r [10]byte
	idMu.Lock()
	if ms <= idLastMs {
		ms = idLastMs
		r = idLast
		// Increment the random part so ids stay strictly increasing.
		for i := len(r) - 1; i >= 0; i-- {
			r[i]++
			if r[i] != 0 {
				break
			}
		}
	} else if _, err := rand.Read(r[:]); err != nil {
		idMu.Unlock()
		panic("store: crypto/rand failed: " + err.Error())
	}
	idLastMs, idLast = ms, r
	idMu.Unlock()

	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], ms<<16)
	copy(b[6:], r[:])
	// 128 bits → 26 base32 digits, the first carrying 3 bits.
	var out [26]byte
	hi := binary.BigEndian.Uint64(b[0:8])
	lo := binary.BigEndian.Uint64(b[8:16])
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
