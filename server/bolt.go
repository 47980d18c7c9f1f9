package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/amt-mv/amt/api"
)

// boltStore is the Store over one bbolt file, DataDir/server.db: one process at a time (bbolt
// locks the file), writes serialised by bbolt's single writer. The bucket layout is described in
// store.go and idem.go.
type boltStore struct {
	db *bolt.DB
}

var _ Store = (*boltStore)(nil)

// openBolt opens (or creates) the database in dir, creates the buckets and indexes legacy
// idempotency records (see indexLegacyIdem).
func openBolt(dir string, now func() time.Time) (*boltStore, error) {
	db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, &bolt.Options{Timeout: 2 * time.Second, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("server: the database in %s is in use (is amt-server running?): %w", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("server: open database: %w", err)
	}
	if err := db.Update(initBuckets); err != nil {
		db.Close()
		return nil, fmt.Errorf("server: %w", err)
	}
	if err := indexLegacyIdem(db, now()); err != nil {
		db.Close()
		return nil, fmt.Errorf("server: index idempotency records: %w", err)
	}
	return &boltStore{db: db}, nil
}

// boltDB returns the bbolt database of a server on bbolt, nil on another store.
func (s *Server) boltDB() *bolt.DB {
	if b, ok := s.store.(*boltStore); ok {
		return b.db
	}
	return nil
}

func (b *boltStore) Close() error { return b.db.Close() }

func (b *boltStore) Ping(context.Context) error {
	return b.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bCases) == nil {
			return errors.New("missing bucket")
		}
		return nil
	})
}

func (b *boltStore) Token(_ context.Context, hash []byte) (rec tokenRec, found bool, err error) {
	err = b.db.View(func(tx *bolt.Tx) error {
		found, err = getJSON(tx.Bucket(bTokens), hash, &rec)
		return err
	})
	return rec, found, err
}

func (b *boltStore) Amt(_ context.Context, id string) (rec amtRec, found bool, err error) {
	err = b.db.View(func(tx *bolt.Tx) error {
		found, err = getJSON(tx.Bucket(bAmts), []byte(id), &rec)
		return err
	})
	return rec, found, err
}

func (b *boltStore) Clerk(_ context.Context, amt, id string) (rec clerkRec, found bool, err error) {
	err = b.db.View(func(tx *bolt.Tx) error {
		found, err = getJSON(tx.Bucket(bClerks), []byte(id), &rec)
		return err
	})
	if found && rec.Amt != amt {
		return clerkRec{}, false, err
	}
	return rec, found, err
}

func (b *boltStore) Clerks(_ context.Context, amt string) ([]clerkRec, error) {
	var out []clerkRec
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bClerks).ForEach(func(k, v []byte) error {
			var c clerkRec
			if err := jsonUnmarshal(v, &c); err != nil {
				return err
			}
			if c.Amt == amt {
				out = append(out, c)
			}
			return nil
		})
	})
	return out, err
}

func (b *boltStore) Case(_ context.Context, amt, id string) (c api.Case, ok bool, err error) {
	err = b.db.View(func(tx *bolt.Tx) error {
		c, ok, err = caseInAmt(tx, amt, id)
		return err
	})
	return c, ok, err
}

func (b *boltStore) Events(_ context.Context, amt, caseID string) (evs []api.Event, err error) {
	err = b.db.View(func(tx *bolt.Tx) error {
		if _, ok, err := caseInAmt(tx, amt, caseID); err != nil || !ok {
			return err
		}
		evs, err = listEvents(tx, caseID)
		return err
	})
	if evs == nil {
		evs = []api.Event{}
	}
	return evs, err
}

func (b *boltStore) File(_ context.Context, _, sha string) (data []byte, err error) {
	err = b.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bFiles).Get([]byte(sha)); v != nil {
			data = bytes.Clone(v)
		}
		return nil
	})
	return data, err
}

func (b *boltStore) StatusCounts(context.Context) (map[api.Status]uint64, error) {
	counts := map[api.Status]uint64{}
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bStats).ForEach(func(k, v []byte) error {
			if len(v) == 8 {
				counts[api.Status(k)] = binary.BigEndian.Uint64(v)
			}
			return nil
		})
	})
	return counts, err
}

func (b *boltStore) Empty(context.Context) (bool, error) {
	empty := true
	err := b.db.View(func(tx *bolt.Tx) error {
		for _, bk := range [][]byte{bAmts, bClerks, bCases} {
			if k, _ := tx.Bucket(bk).Cursor().First(); k != nil {
				empty = false
			}
		}
		return nil
	})
	return empty, err
}

func (b *boltStore) Changes(_ context.Context, amt string, cursor uint64, fromStart bool, limit int, deltas bool) (feedPage, error) {
	var page feedPage
	err := b.db.View(func(tx *bolt.Tx) error {
		fw := newFeedWriter(limit)
		if deltas && !fromStart {
			fw.deltaBase = func(caseID string) (api.CaseShape, bool) { return shapeAt(tx, amt, caseID, cursor) }
		}
		fb := tx.Bucket(bFeeds).Bucket([]byte(amt))
		if fb == nil {
			if !fromStart && cursor > 0 {
				return cursorAhead()
			}
			page = fw.finish(0)
			return nil
		}
		last := fb.Sequence()
		if !fromStart {
			var horizon uint64
			if v := fb.Get(kHorizon); len(v) == 8 {
				horizon = binary.BigEndian.Uint64(v)
			}
			if cursor > last {
				return cursorAhead()
			}
			if cursor < horizon {
				return cursorGone()
			}
		}
		cases := tx.Bucket(bCases)
		cur := fb.Bucket(bLog).Cursor()
		for k, v := cur.Seek(u64(cursor + 1)); k != nil; k, v = cur.Next() {
			var rec changeRec
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			var raw []byte
			if rec.Kind == api.ChangeUpsert {
				raw = cases.Get([]byte(rec.CaseID))
			}
			if ok, err := fw.add(binary.BigEndian.Uint64(k), rec.Kind, rec.CaseID, raw); err != nil {
				return err
			} else if !ok {
				n := 0
				for ; k != nil; k, _ = cur.Next() {
					n++
				}
				fw.rest(n)
				break
			}
		}
		page = fw.finish(last)
		return nil
	})
	return page, err
}

// boltTx is the ActionTx of a bbolt write transaction.
type boltTx struct {
	tx  *bolt.Tx
	amt string
}

func (b *boltStore) Update(_ context.Context, amt string, fn func(tx ActionTx) error) error {
	return b.db.Update(func(tx *bolt.Tx) error { return fn(&boltTx{tx: tx, amt: amt}) })
}

func (t *boltTx) Case(id string) (api.Case, bool, error) { return caseInAmt(t.tx, t.amt, id) }

func (t *boltTx) Clerk(id string) (clerkRec, bool, error) {
	var cl clerkRec
	ok, err := getJSON(t.tx.Bucket(bClerks), []byte(id), &cl)
	if err != nil || !ok || cl.Amt != t.amt {
		return clerkRec{}, false, err
	}
	return cl, true, nil
}

func (t *boltTx) Idem(k idemKeyT) (rec idemRec, found bool, err error) {
	found, err = getJSON(t.tx.Bucket(bIdem), idemKey(k.CaseID, k.Kind, k.ActionID), &rec)
	return rec, found, err
}

func (t *boltTx) Fingerprint(k idemKeyT) ([]byte, bool, error) {
	fp := t.tx.Bucket(bIdemFP).Get(idemKey(k.CaseID, k.Kind, k.ActionID))
	if fp == nil {
		return nil, false, nil
	}
	return bytes.Clone(fp), true, nil
}

func (t *boltTx) WriteCase(before, c *api.Case, evs []api.Event, now time.Time) error {
	return writeCase(t.tx, before, c, evs, now)
}

func (t *boltTx) PutIdem(k idemKeyT, rec idemRec, now time.Time) error {
	return putIdem(t.tx, idemKey(k.CaseID, k.Kind, k.ActionID), rec, now)
}

func (b *boltStore) PutAmt(_ context.Context, a amtRec) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bAmts), []byte(a.ID), a)
	})
}

func (b *boltStore) PutClerk(_ context.Context, c clerkRec) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bAmts).Get([]byte(c.Amt)) == nil {
			return fmt.Errorf("server: unknown amt %q", c.Amt)
		}
		var old clerkRec
		if ok, err := getJSON(tx.Bucket(bClerks), []byte(c.ID), &old); err != nil {
			return err
		} else if ok && old.Amt != c.Amt {
			return fmt.Errorf("server: clerk %q belongs to another amt", c.ID)
		}
		return putJSON(tx.Bucket(bClerks), []byte(c.ID), c)
	})
}

func (b *boltStore) PutToken(_ context.Context, hash []byte, rec tokenRec) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		var c clerkRec
		ok, err := getJSON(tx.Bucket(bClerks), []byte(rec.Clerk), &c)
		if err != nil {
			return err
		}
		if !ok || c.Amt != rec.Amt {
			return fmt.Errorf("%w: %q in %q", ErrUnknownClerk, rec.Clerk, rec.Amt)
		}
		if c.Role != rec.Role {
			c.Role = rec.Role
			if err := putJSON(tx.Bucket(bClerks), []byte(rec.Clerk), c); err != nil {
				return err
			}
		}
		return putJSON(tx.Bucket(bTokens), hash, rec)
	})
}

func (b *boltStore) RevokeTokens(_ context.Context, amt, clerk string) (int, error) {
	n := 0
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bTokens)
		var drop [][]byte
		err := bk.ForEach(func(k, v []byte) error {
			var rec tokenRec
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			if rec.Amt == amt && rec.Clerk == clerk {
				drop = append(drop, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range drop {
			if err := bk.Delete(k); err != nil {
				return err
			}
		}
		n = len(drop)
		return nil
	})
	return n, err
}

func (b *boltStore) RevokeToken(_ context.Context, id string) (TokenInfo, error) {
	var info TokenInfo
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bTokens)
		var match []byte
		var rec tokenRec
		err := bk.ForEach(func(k, v []byte) error {
			if !strings.HasPrefix(hex.EncodeToString(k), id) {
				return nil
			}
			if match != nil {
				return fmt.Errorf("server: token id %s is ambiguous; give more digits", id)
			}
			match = slices.Clone(k)
			return json.Unmarshal(v, &rec)
		})
		if err != nil {
			return err
		}
		if match == nil {
			return fmt.Errorf("%w %s", ErrNoToken, id)
		}
		info = tokenInfo(match, rec)
		return bk.Delete(match)
	})
	return info, err
}

func (b *boltStore) ListTokens(context.Context) ([]TokenInfo, error) {
	var out []TokenInfo
	err := b.db.View(func(tx *bolt.Tx) error { return listBoltTokens(tx, &out) })
	return out, err
}

func listBoltTokens(tx *bolt.Tx, out *[]TokenInfo) error {
	bk := tx.Bucket(bTokens)
	if bk == nil {
		return errors.New("server: not an amt-server database: no tokens bucket")
	}
	return bk.ForEach(func(k, v []byte) error {
		var rec tokenRec
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		*out = append(*out, tokenInfo(k, rec))
		return nil
	})
}

func (b *boltStore) TouchTokens(_ context.Context, days map[string]string) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bTokens)
		for k, day := range days {
			var rec tokenRec
			ok, err := getJSON(bk, []byte(k), &rec)
			if err != nil {
				return err
			}
			if !ok || rec.LastUsed >= day {
				continue
			}
			rec.LastUsed = day
			if err := putJSON(bk, []byte(k), rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *boltStore) SeedAmts(_ context.Context, amts []amtRec, clerks []clerkRec) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		for _, a := range amts {
			if err := putJSON(tx.Bucket(bAmts), []byte(a.ID), a); err != nil {
				return err
			}
		}
		for _, c := range clerks {
			if tx.Bucket(bAmts).Get([]byte(c.Amt)) == nil {
				return fmt.Errorf("server: seed: clerk %q of unknown amt %q", c.ID, c.Amt)
			}
			if err := putJSON(tx.Bucket(bClerks), []byte(c.ID), c); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *boltStore) SeedCases(_ context.Context, cases []seedRec, now time.Time) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		// Seeded ids mostly ascend: pack pages instead of leaving them half empty.
		tx.Bucket(bCases).FillPercent = 0.9
		tx.Bucket(bEvents).FillPercent = 0.9
		for _, sr := range cases {
			if err := seedBoltCase(tx, sr, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func seedBoltCase(tx *bolt.Tx, sr seedRec, now time.Time) error {
	c := sr.Case
	if tx.Bucket(bAmts).Get([]byte(c.Amt)) == nil {
		return fmt.Errorf("case %q of unknown amt %q", c.ID, c.Amt)
	}
	if tx.Bucket(bCases).Get([]byte(c.ID)) != nil {
		return fmt.Errorf("duplicate case id %q", c.ID)
	}
	files := tx.Bucket(bFiles)
	for key, data := range sr.Files {
		if files.Get([]byte(key)) == nil {
			if err := files.Put([]byte(key), data); err != nil {
				return err
			}
		}
	}
	if !visible(c) {
		// Already gone from its Amt (e.g. forwarded): stored for the record, but no client ever
		// had it, so the feed needs no tombstone.
		if err := appendEvents(tx, &c, sr.Events); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bCases), []byte(c.ID), c); err != nil {
			return err
		}
		return bumpStat(tx, c.Status, 1)
	}
	return writeCase(tx, nil, &c, sr.Events, now)
}
