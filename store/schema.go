package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket names. Only meta is stored in clear (schema version, key material, counters); every value
// of every other bucket is an encrypted record. No key holds personal data: keys are case ids,
// due dates, sequence numbers and action ids.
var (
	bMeta         = []byte("meta")
	bCases        = []byte("cases")        // case id → server case (JSON)
	bIndex        = []byte("index")        // class (0 open, 1 finished) | due date | 0 | case id → Summary
	bCaseIdx      = []byte("caseidx")      // case id → current index key
	bOutbox       = []byte("outbox")       // seq (uint64 BE) → Action (JSON)
	bOutboxByID   = []byte("outboxByID")   // action id → seq
	bOutboxByCase = []byte("outboxByCase") // case id | 0 | seq → empty
	bSync         = []byte("sync")         // cursor, lastSync, lastError, lastAttempt
	bKV           = []byte("kv")           // PutMeta / Meta
	bAttachments  = []byte("attachments")  // case id | 0 | attachment id → AttachmentMeta (JSON)
)

// dataBuckets lists every encrypted bucket.
var dataBuckets = [][]byte{bCases, bIndex, bCaseIdx, bOutbox, bOutboxByID, bOutboxByCase, bSync, bKV, bAttachments}

// Keys of the meta bucket.
var (
	mSchema   = []byte("schema")   // uint64 BE
	mCreated  = []byte("created")  // uint64 BE unix nanoseconds
	mKeys     = []byte("keys")     // keyMaterial JSON
	mKeyCheck = []byte("keycheck") // sealed keyCheckText
	mCount    = []byte("count")    // uint64 BE: number of index rows
)

var keyCheckText = []byte("amt key check v1")

// migration moves the schema from version i to i+1 (its index in migrations). All migrations due
// at Open run in one transaction, so a failure leaves the file as it was.
type migration func(tx *bolt.Tx, s *Store) error

// migrations are ordered; the schema version of this code is len(migrations).
var migrations = []migration{
	migrateV0toV1,
	migrateV1toV2,
	migrateV2toV3,
	migrateV3toV4,
}

// SchemaVersion is the schema this code writes.
func SchemaVersion() uint64 { return uint64(len(migrations)) }

// migrateV0toV1 creates every bucket of the first schema and the index counter.
func migrateV0toV1(tx *bolt.Tx, _ *Store) error {
	for _, b := range dataBuckets {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	m := tx.Bucket(bMeta)
	if m.Get(mCount) == nil {
		return m.Put(mCount, u64(0))
	}
	return nil
}

// migrateV1toV2 puts the status class (open before finished) in front of every index key, so the
// first rows of the index are the open cases by due date. Schema 1 keyed the index by due date |
// 0 | case id alone. It rebuilds the index (and caseidx's pointers into it) from the case ids in
// caseidx and the summaries they point at, writing the keys in order into a fresh, densely packed
// bucket. Rows without a summary are dropped and the counter set to the rows written.
func migrateV1toV2(tx *bolt.Tx, s *Store) error {
	idx, err := bucket(tx, bIndex)
	if err != nil {
		return err
	}
	ids, err := bucket(tx, bCaseIdx)
	if err != nil {
		return err
	}
	type row struct {
		id, key, sum []byte // sum: the summary in clear
	}
	var rows []row
	err = ids.ForEach(func(id, v []byte) error {
		old, err := open(s.aead, bCaseIdx, id, v)
		if err != nil {
			return err
		}
		rec := idx.Get(old)
		if rec == nil {
			return nil
		}
		p, err := open(s.aead, bIndex, old, rec)
		if err != nil {
			return err
		}
		sum, err := decodeSummary(p)
		if err != nil {
			return err
		}
		rows = append(rows, row{id: bytes.Clone(id), key: sortKey(sum.Status, sum.DueDate, string(id)), sum: p})
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bIndex, bCaseIdx} {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
	}
	if idx, err = tx.CreateBucket(bIndex); err != nil {
		return err
	}
	if ids, err = tx.CreateBucket(bCaseIdx); err != nil {
		return err
	}
	// Both buckets are written in key order (ForEach gave the ids sorted): pack the pages full.
	idx.FillPercent, ids.FillPercent = 1, 1
	for _, r := range rows {
		if err := ids.Put(r.id, seal(s.aead, bCaseIdx, r.id, r.key)); err != nil {
			return err
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return bytes.Compare(a.key, b.key) })
	for _, r := range rows {
		if err := idx.Put(r.key, seal(s.aead, bIndex, r.key, r.sum)); err != nil {
			return err
		}
	}
	return tx.Bucket(bMeta).Put(mCount, u64(uint64(len(rows))))
}

// migrateV2toV3 rewrites every summary from its case, so that the summary flags added in schema
// 3 (a failed delivery, a document waiting in the print queue) hold for cases cached before.
func migrateV2toV3(tx *bolt.Tx, s *Store) error {
	ids, err := bucket(tx, bCaseIdx)
	if err != nil {
		return err
	}
	var list [][]byte
	if err := ids.ForEach(func(id, _ []byte) error {
		list = append(list, bytes.Clone(id))
		return nil
	}); err != nil {
		return err
	}
	for _, id := range list {
		if err := s.reindex(tx, string(id)); err != nil {
			return err
		}
	}
	return nil
}

// migrateV3toV4 rewrites every summary from its case again, so that it lists each clerk's own
// Wiedervorlage (summary format 2) for cases cached before.
func migrateV3toV4(tx *bolt.Tx, s *Store) error { return migrateV2toV3(tx, s) }

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func getU64(b []byte) (uint64, bool) {
	if len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

// init reads the schema and key material, unlocks the data key and runs due migrations.
func (s *Store) init(opts Options) error {
	var (
		version uint64
		kmRaw   []byte
		check   []byte
	)
	err := s.view(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if m == nil {
			return nil
		}
		if v := m.Get(mSchema); v != nil {
			n, ok := getU64(v)
			if !ok {
				return fmt.Errorf("%w: bad schema version record", ErrCorrupt)
			}
			version = n
		}
		kmRaw = bytes.Clone(m.Get(mKeys))
		check = bytes.Clone(m.Get(mKeyCheck))
		return nil
	})
	if err != nil {
		return err
	}
	if version > SchemaVersion() {
		return fmt.Errorf("%w (file schema %d, this amt knows up to %d)", ErrNewerSchema, version, SchemaVersion())
	}

	var (
		km        keyMaterial
		dataKey   []byte
		writeKeys bool
	)
	if kmRaw == nil {
		if version > 0 {
			return fmt.Errorf("%w: key material missing", ErrCorrupt)
		}
		km, dataKey, err = newKeyMaterial(opts, s.dir)
		if err != nil {
			return err
		}
		writeKeys = true
	} else {
		if err := json.Unmarshal(kmRaw, &km); err != nil {
			return fmt.Errorf("%w: key material: %v", ErrCorrupt, err)
		}
		dataKey, writeKeys, err = km.unlock(opts)
		if err != nil {
			return err
		}
	}
	aead, err := newAEAD(dataKey)
	if err != nil {
		return err
	}
	s.aead = aead
	if check != nil {
		if p, err := open(aead, bMeta, mKeyCheck, check); err != nil || !bytes.Equal(p, keyCheckText) {
			return fmt.Errorf("%w: key check failed", ErrCorrupt)
		}
	}
	if !writeKeys && check != nil && version == SchemaVersion() {
		return nil
	}
	return s.update(func(tx *bolt.Tx) error {
		m, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return err
		}
		if writeKeys {
			if err := m.Put(mKeys, km.marshal()); err != nil {
				return err
			}
		}
		if check == nil {
			if err := m.Put(mKeyCheck, seal(aead, bMeta, mKeyCheck, keyCheckText)); err != nil {
				return err
			}
		}
		if m.Get(mCreated) == nil {
			if err := m.Put(mCreated, u64(uint64(s.now().UnixNano()))); err != nil {
				return err
			}
		}
		for v := version; v < SchemaVersion(); v++ {
			if err := migrations[v](tx, s); err != nil {
				return fmt.Errorf("store: migrate schema %d→%d: %w", v, v+1, err)
			}
		}
		return m.Put(mSchema, u64(SchemaVersion()))
	})
}

// Created returns when the cache was first created.
func (s *Store) Created() (time.Time, error) {
	var t time.Time
	err := s.view(func(tx *bolt.Tx) error {
		n, ok := getU64(tx.Bucket(bMeta).Get(mCreated))
		if !ok {
			return fmt.Errorf("%w: created time", ErrCorrupt)
		}
		t = time.Unix(0, int64(n))
		return nil
	})
	return t, err
}
