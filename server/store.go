package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/demo"
)

// Bucket names. Keys that combine a case id with something else use a 0x00 separator; case ids
// never contain it (seeded ids are checked, and ids from a request path are looked up first).
var (
	bMeta   = []byte("meta")   // schema version
	bAmts   = []byte("amts")   // amt id → amtRec
	bClerks = []byte("clerks") // clerk id → clerkRec
	bTokens = []byte("tokens") // sha256(token) → tokenRec
	bCases  = []byte("cases")  // case id → api.Case JSON
	bEvents = []byte("events") // case id 0x00 u64be(seq) → api.Event JSON
	bFiles  = []byte("files")  // sha256 hex → bytes (shared between cases)
	bIdem   = []byte("idem")   // case id 0x00 kind 0x00 action id → idemRec; aged by bIdemAge into bIdemFP (idem.go)
	bFeeds  = []byte("feeds")  // amt id → bucket {log: u64be(seq) → changeRec, bycase: case id → u64be(seq), tombs: u64be(seq) → case id, horizon}
	bStats  = []byte("stats")  // status → u64be(count)
	// bDeliveries queues outgoing documents for e-mail or FIT-Connect: case id 0x00 doc id →
	// deliveryRec (delivery.go).
	bDeliveries = []byte("deliveries")

	bLog     = []byte("log")
	bByCase  = []byte("bycase")
	bTombs   = []byte("tombs") // index of the tombstones in log, so pruning never scans the feed
	kHorizon = []byte("horizon")
	kSchema  = []byte("schema")
)

const schemaVersion = 1

type amtRec struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type clerkRec struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Amt  string   `json:"amt"`
	Role api.Role `json:"role"`
}

type tokenRec struct {
	Clerk   string    `json:"clerk"`
	Amt     string    `json:"amt"`
	Role    api.Role  `json:"role"`
	Created time.Time `json:"created"`
	// LastUsed is the day (YYYY-MM-DD, Config.Location) of the token's last request, as far as
	// it has been written back (see tokenUse); empty if never used since it was recorded.
	LastUsed string `json:"lastUsed,omitempty"`
	// Expires is when the token stops being accepted; zero for tokens issued before tokens
	// expired (they never do: rotate them).
	Expires time.Time `json:"expires,omitzero"`
}

// idemRec is the record of an applied action: the hash of its canonical request and the small
// result — status and the case version it produced. A replay answers the current case if it is
// still at that version (then it is exactly the original answer) and 409 already-applied if the
// case has moved on. Records written before this change carry the whole answer in Body instead.
type idemRec struct {
	Hash    []byte `json:"hash"`
	Status  int    `json:"status"`
	Version int64  `json:"version,omitempty"`
	Body    []byte `json:"body,omitempty"`
}

type changeRec struct {
	CaseID string         `json:"caseId"`
	Kind   api.ChangeKind `json:"kind"`
	At     time.Time      `json:"at"`
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

func eventKey(caseID string, seq uint64) []byte {
	k := make([]byte, 0, len(caseID)+9)
	k = append(k, caseID...)
	k = append(k, 0)
	return append(k, u64(seq)...)
}

func idemKey(caseID string, kind api.ActionKind, actionID string) []byte {
	return []byte(caseID + "\x00" + string(kind) + "\x00" + actionID)
}

func initBuckets(tx *bolt.Tx) error {
	for _, b := range [][]byte{bMeta, bAmts, bClerks, bTokens, bCases, bEvents, bFiles, bIdem, bIdemAge, bIdemFP, bFeeds, bStats, bDeliveries} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bMeta)
	if v := meta.Get(kSchema); v != nil {
		if len(v) != 8 || binary.BigEndian.Uint64(v) > schemaVersion {
			return fmt.Errorf("server: database schema %x is newer than this server supports", v)
		}
		return nil
	}
	return meta.Put(kSchema, u64(schemaVersion))
}

// hashToken returns the key a token is stored under.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "amt_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	return true, json.Unmarshal(raw, v)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

// caseInAmt loads a case of the given Amt. A case of another Amt is reported as not found.
func caseInAmt(tx *bolt.Tx, amt, id string) (api.Case, bool, error) {
	var c api.Case
	if id == "" || bytes.IndexByte([]byte(id), 0) >= 0 {
		return c, false, nil
	}
	ok, err := getJSON(tx.Bucket(bCases), []byte(id), &c)
	if err != nil || !ok {
		return c, false, err
	}
	if c.Amt != amt {
		return api.Case{}, false, nil
	}
	return c, true, nil
}

// visible reports whether a case can still be read by its Amt: a forwarded case has left it.
func visible(c api.Case) bool { return c.Status != api.StatusForwarded }

func changeKindFor(c api.Case) api.ChangeKind {
	if visible(c) {
		return api.ChangeUpsert
	}
	return api.ChangeDelete
}

// lastEventSeq returns the highest event seq of a case, 0 when it has none.
func lastEventSeq(tx *bolt.Tx, caseID string) uint64 {
	cur := tx.Bucket(bEvents).Cursor()
	prefix := append([]byte(caseID), 0)
	k, _ := cur.Seek(append([]byte(caseID), 1))
	if k == nil {
		k, _ = cur.Last()
	} else {
		k, _ = cur.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+8 {
		return 0
	}
	return binary.BigEndian.Uint64(k[len(prefix):])
}

// appendEvents stores new events of a case in the events bucket, numbered after the case's last
// one, and appends them to c.History, so the stored case carries its whole history (GET
// /cases/{id} and the change feed then deliver it without scanning the events bucket). A case
// written before cases carried their history gets it rebuilt from the bucket once.
func appendEvents(tx *bolt.Tx, c *api.Case, evs []api.Event) error {
	b := tx.Bucket(bEvents)
	seq := lastEventSeq(tx, c.ID)
	if uint64(len(c.History)) != seq {
		h, err := listEvents(tx, c.ID)
		if err != nil {
			return err
		}
		c.History = h
	}
	hist := make([]api.Event, len(c.History), len(c.History)+len(evs))
	copy(hist, c.History)
	for _, e := range evs {
		seq++
		e.Seq = int64(seq)
		if err := putJSON(b, eventKey(c.ID, seq), e); err != nil {
			return err
		}
		hist = append(hist, e)
	}
	if len(hist) > 0 {
		c.History = hist
	}
	return nil
}

func listEvents(tx *bolt.Tx, caseID string) ([]api.Event, error) {
	prefix := append([]byte(caseID), 0)
	out := []api.Event{}
	cur := tx.Bucket(bEvents).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		var e api.Event
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func feedBucket(tx *bolt.Tx, amt string) (*bolt.Bucket, error) {
	fb, err := tx.Bucket(bFeeds).CreateBucketIfNotExists([]byte(amt))
	if err != nil {
		return nil, err
	}
	if _, err := fb.CreateBucketIfNotExists(bLog); err != nil {
		return nil, err
	}
	if _, err := fb.CreateBucketIfNotExists(bByCase); err != nil {
		return nil, err
	}
	if _, err := fb.CreateBucketIfNotExists(bTombs); err != nil {
		return nil, err
	}
	return fb, nil
}

// recordChange appends a change of a case to its Amt's feed and drops the case's earlier entry,
// so the feed holds at most one entry per case.
func recordChange(tx *bolt.Tx, c api.Case, now time.Time) error {
	fb, err := feedBucket(tx, c.Amt)
	if err != nil {
		return err
	}
	log, by, tombs := fb.Bucket(bLog), fb.Bucket(bByCase), fb.Bucket(bTombs)
	log.FillPercent = 0.95 // sequence keys only ever grow
	if old := by.Get([]byte(c.ID)); old != nil {
		old = bytes.Clone(old)
		if err := log.Delete(old); err != nil {
			return err
		}
		if err := tombs.Delete(old); err != nil {
			return err
		}
	}
	seq, err := fb.NextSequence()
	if err != nil {
		return err
	}
	kind := changeKindFor(c)
	if err := putJSON(log, u64(seq), changeRec{CaseID: c.ID, Kind: kind, At: now}); err != nil {
		return err
	}
	if kind == api.ChangeDelete {
		if err := tombs.Put(u64(seq), []byte(c.ID)); err != nil {
			return err
		}
	}
	return by.Put([]byte(c.ID), u64(seq))
}

func bumpStat(tx *bolt.Tx, st api.Status, delta int64) error {
	b := tx.Bucket(bStats)
	var n int64
	if v := b.Get([]byte(st)); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	n += delta
	if n < 0 {
		n = 0
	}
	return b.Put([]byte(st), u64(uint64(n)))
}

// writeCase stores a changed case with its new events (appended to its History too), its feed
// entry and the status counts.
func writeCase(tx *bolt.Tx, before *api.Case, cp *api.Case, evs []api.Event, now time.Time) error {
	if err := appendEvents(tx, cp, evs); err != nil {
		return err
	}
	c := *cp
	if err := keepShape(tx, before, cp); err != nil {
		return err
	}
	if err := putJSON(tx.Bucket(bCases), []byte(c.ID), c); err != nil {
		return err
	}
	if err := recordChange(tx, c, now); err != nil {
		return err
	}
	if before == nil || before.Status != c.Status {
		if before != nil {
			if err := bumpStat(tx, before.Status, -1); err != nil {
				return err
			}
		}
		return bumpStat(tx, c.Status, 1)
	}
	return nil
}

// ErrNotEmpty is returned by Seed when the database already holds data.
var ErrNotEmpty = errors.New("server: database is not empty")

// ErrUnknownClerk is returned by CreateToken for a clerk that does not exist in the given Amt.
var ErrUnknownClerk = errors.New("server: unknown clerk")

// Empty reports whether the database holds no Ämter, clerks or cases yet.
func (s *Server) Empty() (bool, error) {
	return s.store.Empty(context.Background())
}

// CreateAmt adds or renames an Amt.
func (s *Server) CreateAmt(id, name string) error {
	if !validID(id) {
		return fmt.Errorf("server: invalid amt id %q", id)
	}
	return s.store.PutAmt(context.Background(), amtRec{ID: id, Name: name})
}

// CreateClerk adds or updates a clerk of an existing Amt.
func (s *Server) CreateClerk(amt, id, name string, role api.Role) error {
	if !validID(id) {
		return fmt.Errorf("server: invalid clerk id %q", id)
	}
	if !role.Valid() {
		return fmt.Errorf("server: invalid role %q", role)
	}
	return s.store.PutClerk(context.Background(), clerkRec{ID: id, Name: name, Amt: amt, Role: role})
}

// CreateToken issues a new bearer token for an existing clerk of amt and stores only its hash.
// The role is the token's role (and becomes the clerk's role). It expires after
// Config.TokenValidity (CreateTokenValidFor chooses).
func (s *Server) CreateToken(amt, clerk string, role api.Role) (string, error) {
	return s.CreateTokenValidFor(amt, clerk, role, 0)
}

// CreateTokenValidFor is CreateToken with a validity of its own; 0 = Config.TokenValidity.
func (s *Server) CreateTokenValidFor(amt, clerk string, role api.Role, validity time.Duration) (string, error) {
	if !role.Valid() {
		return "", fmt.Errorf("server: invalid role %q", role)
	}
	if validity < 0 {
		return "", errors.New("server: a token's validity must be positive")
	}
	if validity == 0 {
		validity = s.cfg.TokenValidity
	}
	tok, err := newToken()
	if err != nil {
		return "", err
	}
	now := s.now()
	err = s.store.PutToken(context.Background(), hashToken(tok), tokenRec{Clerk: clerk, Amt: amt, Role: role, Created: now,
		Expires: now.Add(validity).UTC().Truncate(time.Second)})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// Seed loads a demo data set into an empty database: Ämter, clerks, cases with their events and
// attachment bytes. Cases are written in batches so 100,000 of them never sit in one transaction.
func (s *Server) Seed(d *demo.Data) error {
	ctx := context.Background()
	if empty, err := s.Empty(); err != nil {
		return err
	} else if !empty {
		return ErrNotEmpty
	}
	now := s.now()
	amts := make([]amtRec, 0, len(d.Amts))
	for _, a := range d.Amts {
		if !validID(a.ID) {
			return fmt.Errorf("server: seed: invalid amt id %q", a.ID)
		}
		amts = append(amts, amtRec{ID: a.ID, Name: a.Name})
	}
	clerks := make([]clerkRec, 0, len(d.Clerks))
	for _, c := range d.Clerks {
		if !validID(c.ID) {
			return fmt.Errorf("server: seed: invalid clerk id %q", c.ID)
		}
		clerks = append(clerks, clerkRec{ID: c.ID, Name: c.Name, Amt: c.Amt, Role: c.Role})
	}
	if err := s.store.SeedAmts(ctx, amts, clerks); err != nil {
		return err
	}
	const batch = 1000
	for start := 0; start < d.N; start += batch {
		end := min(start+batch, d.N)
		recs := make([]seedRec, 0, end-start)
		for i := start; i < end; i++ {
			sr, err := prepareSeed(d.Case(i), now)
			if err != nil {
				return fmt.Errorf("server: seed case %d: %w", i, err)
			}
			recs = append(recs, sr)
		}
		if err := s.store.SeedCases(ctx, recs, now); err != nil {
			return fmt.Errorf("server: seed cases %d to %d: %w", start, end-1, err)
		}
	}
	for _, a := range d.Amts {
		s.feed.notify(a.ID)
	}
	return nil
}

// HasAmt reports whether an Amt exists.
func (s *Server) HasAmt(id string) bool {
	_, found, err := s.store.Amt(context.Background(), id)
	return err == nil && found
}

// RevokeTokens deletes every token of a clerk of amt and reports how many there were.
func (s *Server) RevokeTokens(amt, clerk string) (int, error) {
	return s.store.RevokeTokens(context.Background(), amt, clerk)
}
