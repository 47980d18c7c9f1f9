package server

// The storage layer. Every read and write of the server goes through Store; two implementations
// sit behind it: boltStore (one bbolt file, one process: demo, tests, a small deployment) and
// pgStore (PostgreSQL: several amt-server instances on one database, the production store).
// The HTTP handlers and the action logic (validation, replay, state machine) are the same for
// both; a Store only keeps data and keeps the promises listed on each method.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/demo"
)

// Store is the storage of the central API. Every method that takes an amt reads or writes only
// that Amt's data (a case, clerk or file of another Amt is not found). Errors of type *apiError
// returned by an Update callback are returned unchanged, so handlers answer them as problems.
type Store interface {
	// Token returns the record of the token with the given SHA-256.
	Token(ctx context.Context, hash []byte) (tokenRec, bool, error)
	// Amt returns an Amt.
	Amt(ctx context.Context, id string) (amtRec, bool, error)
	// Clerk returns a clerk of amt.
	Clerk(ctx context.Context, amt, id string) (clerkRec, bool, error)
	// Clerks lists the clerks of amt, by id.
	Clerks(ctx context.Context, amt string) ([]clerkRec, error)
	// Case returns a case of amt as stored (forwarded cases too; callers check visible).
	Case(ctx context.Context, amt, id string) (api.Case, bool, error)
	// Events lists the events of a case of amt in order.
	Events(ctx context.Context, amt, caseID string) ([]api.Event, error)
	// File returns the bytes of an attachment of amt by its SHA-256 (hex); nil if absent.
	File(ctx context.Context, amt, sha string) ([]byte, error)
	// Changes reads one page of amt's change feed after cursor (fromStart: from the beginning,
	// no horizon check); a cursor before the horizon or beyond the end is cursorGone. The page
	// says how many entries follow it (feedWriter.rest). With deltas (and not fromStart), an
	// upsert of a case whose earlier version was published at or before cursor is written as a
	// delta against that version's shape (feedWriter.deltaBase; shapes.go).
	Changes(ctx context.Context, amt string, cursor uint64, fromStart bool, limit int, deltas bool) (feedPage, error)
	// StatusCounts counts cases by status, for /metrics.
	StatusCounts(ctx context.Context) (map[api.Status]uint64, error)
	// Empty reports whether the store holds no Ämter, clerks or cases.
	Empty(ctx context.Context) (bool, error)
	// Ping checks that the store answers (for /readyz).
	Ping(ctx context.Context) error

	// Update runs fn in one write transaction of amt's data: everything fn writes through tx
	// commits together or not at all. A store may run fn again after a conflict with another
	// writer (another instance), so fn must not have effects outside tx before it returns.
	Update(ctx context.Context, amt string, fn func(tx ActionTx) error) error

	// PutAmt adds or renames an Amt.
	PutAmt(ctx context.Context, a amtRec) error
	// PutClerk adds or updates a clerk; the Amt must exist and a clerk never moves to another
	// Amt.
	PutClerk(ctx context.Context, c clerkRec) error
	// PutToken stores a new token under its hash for an existing clerk of rec.Amt (else
	// ErrUnknownClerk) and sets the clerk's role to the token's.
	PutToken(ctx context.Context, hash []byte, rec tokenRec) error
	// RevokeTokens deletes every token of a clerk of amt and reports how many there were.
	RevokeTokens(ctx context.Context, amt, clerk string) (int, error)
	// RevokeToken deletes the one token whose hex hash starts with prefix (lower-case hex) and
	// returns it; ErrNoToken when none does, an error naming the ambiguity when several do.
	RevokeToken(ctx context.Context, prefix string) (TokenInfo, error)
	// ListTokens lists every token (unsorted).
	ListTokens(ctx context.Context) ([]TokenInfo, error)
	// TouchTokens records last-used days (token hash as string → YYYY-MM-DD); a day never goes
	// back and a revoked token stays revoked.
	TouchTokens(ctx context.Context, days map[string]string) error

	// SeedAmts stores the Ämter and clerks of a seed (clerks of unknown Ämter are an error).
	SeedAmts(ctx context.Context, amts []amtRec, clerks []clerkRec) error
	// SeedCases stores prepared seed cases in one transaction: a duplicate id or an unknown
	// Amt is an error. Visible cases get a feed entry; the others are stored for the record.
	SeedCases(ctx context.Context, cases []seedRec, now time.Time) error

	// PruneTombstones removes the tombstones written before cutoff, raises the feeds'
	// horizons and drops the fingerprints of the cases whose tombstone went (see idem.go).
	PruneTombstones(ctx context.Context, cutoff time.Time) (int, error)
	// PruneIdempotency ages at most batch idempotency records written before cutoff (see
	// idem.go) in one transaction; more reports that the batch was full.
	PruneIdempotency(ctx context.Context, now, cutoff time.Time, batch int) (pruned int, more bool, err error)

	// IntakeSubmission stores the case built from a FIT-Connect submission exactly once, in one
	// transaction: idempotent by submission id (a second call writes nothing and answers
	// "duplicate" with the first call's case), a follow-up submission of a FIT-Connect case that
	// already has a case is attached to it, and a new case gets its Aktenzeichen allocated per
	// Amt, prefix and year. The PostgreSQL store must implement it too.
	IntakeSubmission(ctx context.Context, in IntakeCase, now time.Time) (IntakeResult, error)
	// IntakeRecord reports whether a submission was stored by IntakeSubmission, and as which case.
	IntakeRecord(ctx context.Context, submissionID string) (IntakeResult, bool, error)

	// DueDeliveries lists up to limit queued deliveries of any Amt whose NextAt is not after
	// now, earliest first.
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]deliveryRec, error)

	// Close releases the store.
	Close() error
}

// ActionTx is the view of one write transaction of an Amt (Store.Update). Reads see the
// transaction's own writes. On PostgreSQL, Case locks the case's row until the transaction ends,
// so two writers of one case (on any instance) take turns.
type ActionTx interface {
	// Case returns a case of the transaction's Amt, for update.
	Case(id string) (api.Case, bool, error)
	// Clerk returns a clerk of the transaction's Amt.
	Clerk(id string) (clerkRec, bool, error)
	// Idem returns the whole idempotency record of an action, if one is kept.
	Idem(k idemKeyT) (idemRec, bool, error)
	// Fingerprint returns the request hash of an action whose record has aged out, if kept.
	Fingerprint(k idemKeyT) ([]byte, bool, error)
	// WriteCase stores a changed (before != nil) or new (before == nil) case with its new
	// events (numbered after its last one and appended to its History), a change-feed entry
	// that replaces the case's earlier one, and the status counts. It keeps the shape of the
	// version it replaces under that version's feed seq (shapes.go: shapeToKeep), so the feed
	// can send deltas against it; a case that leaves the Amt drops its shapes.
	WriteCase(before, c *api.Case, evs []api.Event, now time.Time) error
	// PutIdem stores the record of a freshly applied action. Two transactions storing the same
	// key never both commit.
	PutIdem(k idemKeyT, rec idemRec, now time.Time) error

	// PutFile stores bytes under their SHA-256 (hex) for the transaction's Amt (generated
	// documents; File reads them). Storing the same bytes again is harmless.
	PutFile(sha string, data []byte) error
	// Delivery returns the queued delivery of a document (delivery.go).
	Delivery(caseID, docID string) (deliveryRec, bool, error)
	// PutDelivery queues or updates the delivery of a document of the transaction's Amt.
	PutDelivery(rec deliveryRec) error
	// DeleteDelivery removes a queued delivery (sent, failed for good, or gone).
	DeleteDelivery(caseID, docID string) error
}

// idemKeyT names the idempotency record of one action.
type idemKeyT struct {
	CaseID   string
	Kind     api.ActionKind
	ActionID string
}

// seedRec is a seed case prepared for storage: defaults filled in, attachments with their
// SHA-256 and size, their bytes by SHA-256 (hex).
type seedRec struct {
	Case   api.Case
	Events []api.Event
	Files  map[string][]byte
}

// prepareSeed checks a seed case and fills in what storage needs.
func prepareSeed(sc demo.SeedCase, now time.Time) (seedRec, error) {
	c := sc.Case
	if !validID(c.ID) {
		return seedRec{}, fmt.Errorf("invalid case id %q", c.ID)
	}
	files := map[string][]byte{}
	atts := make([]api.Attachment, len(c.Attachments))
	copy(atts, c.Attachments)
	for i, a := range atts {
		data, ok := sc.Files[a.ID]
		if !ok {
			return seedRec{}, fmt.Errorf("case %q: attachment %q has no bytes", c.ID, a.ID)
		}
		sum := sha256.Sum256(data)
		key := hex.EncodeToString(sum[:])
		atts[i].SHA256 = key
		atts[i].Size = int64(len(data))
		files[key] = data
	}
	c.Attachments = atts
	if c.Version < 1 {
		c.Version = 1
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = now
	}
	if c.Sections == nil {
		c.Sections = []api.Section{}
	}
	if c.Attachments == nil {
		c.Attachments = []api.Attachment{}
	}
	if c.Evidence == nil {
		c.Evidence = []api.Evidence{}
	}
	evs := make([]api.Event, len(sc.Events))
	copy(evs, sc.Events)
	return seedRec{Case: c, Events: evs, Files: files}, nil
}

// feedWriter encodes one page of the change feed as api.ChangePage JSON; cases are copied as
// stored, without decoding them again. Both stores use it, so the page is the same byte for
// byte.
type feedWriter struct {
	b       bytes.Buffer
	limit   int
	items   int
	hasMore bool
	lastSeq uint64
	after   int // entries after the page (set by rest)
	// deltaBase, when set, returns the shape of the version of a case the client holds; an
	// upsert of such a case is written as a delta (Changes with deltas).
	deltaBase func(caseID string) (api.CaseShape, bool)
}

func newFeedWriter(limit int) *feedWriter {
	return &feedWriter{limit: limit}
}

// rest records how many feed entries follow the page (after a full page); the page then says
// remaining = its items + n.
func (f *feedWriter) rest(n int) { f.after = n }

// add appends an entry; raw is the case JSON, nil for a tombstone (or an upsert of a case that
// is gone, which then reads as a tombstone). It reports false when the page is full (the entry
// is not added and hasMore is set).
func (f *feedWriter) add(seq uint64, kind api.ChangeKind, caseID string, raw []byte) (bool, error) {
	if f.items == f.limit {
		f.hasMore = true
		return false, nil
	}
	if kind == api.ChangeUpsert && raw == nil {
		kind = api.ChangeDelete
	}
	if kind == api.ChangeDelete {
		raw = nil
	}
	id, err := json.Marshal(caseID)
	if err != nil {
		return false, err
	}
	if f.items > 0 {
		f.b.WriteByte(',')
	}
	f.b.WriteString(`{"seq":`)
	f.b.WriteString(strconv.FormatUint(seq, 10))
	f.b.WriteString(`,"kind":"`)
	f.b.WriteString(string(kind))
	f.b.WriteString(`","caseId":`)
	f.b.Write(id)
	if raw != nil {
		var d []byte
		if f.deltaBase != nil {
			if sh, ok := f.deltaBase(caseID); ok {
				d = deltaOf(sh, raw)
			}
		}
		if d != nil {
			f.b.WriteString(`,"delta":`)
			f.b.Write(d)
		} else {
			f.b.WriteString(`,"case":`)
			f.b.Write(raw)
		}
	}
	f.b.WriteByte('}')
	f.items++
	f.lastSeq = seq
	return true, nil
}

// finish closes the page; last is the feed's last sequence number (the next cursor when the
// page holds the rest of the feed).
func (f *feedWriter) finish(last uint64) feedPage {
	next := last
	if f.hasMore {
		next = f.lastSeq
	}
	fmt.Fprintf(&f.b, `],"nextCursor":"%d","hasMore":%t}`, next, f.hasMore)
	// "remaining" goes first, so a client reading the page as a stream knows it at once.
	body := fmt.Appendf(make([]byte, 0, f.b.Len()+40), `{"remaining":%d,"items":[`, f.items+f.after)
	return feedPage{body: append(body, f.b.Bytes()...), items: f.items}
}
