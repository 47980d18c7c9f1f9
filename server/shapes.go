package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

// Change-feed deltas (GET /changes?deltas=1). When a case changes, the fingerprint
// (api.CaseShape) of the version it replaces is kept under the feed seq at which that version was
// published. A client whose cursor is at or after that seq holds that version (or a newer one it
// got from its own action), so the feed can send it api.DiffCase(shape, current) instead of the
// whole case. Only cases that changed after they arrived cost anything here.

// bShapes: amt id 0x00 case id 0x00 u64be(feed seq) → api.CaseShape JSON.
var bShapes = []byte("shapes")

// maxShapes is how many earlier versions of one case can serve as a delta base; a client further
// behind gets the whole case.
const maxShapes = 8

func shapePrefix(amt, caseID string) []byte {
	k := make([]byte, 0, len(amt)+len(caseID)+10)
	k = append(k, amt...)
	k = append(k, 0)
	k = append(k, caseID...)
	return append(k, 0)
}

// keepShape records the fingerprint of the stored version of before (about to be replaced by
// next) under the feed seq it was published at; a case that leaves the Amt drops its shapes. It
// runs in writeCase's transaction, before the new version is stored.
func keepShape(tx *bolt.Tx, before, next *api.Case) error {
	if before == nil || before.ID == "" {
		return nil
	}
	prefix := shapePrefix(before.Amt, before.ID)
	if next.Amt != before.Amt || changeKindFor(*next) == api.ChangeDelete {
		b := tx.Bucket(bShapes)
		if b == nil {
			return nil
		}
		return dropPrefix(b, prefix)
	}
	fb := tx.Bucket(bFeeds).Bucket([]byte(before.Amt))
	if fb == nil {
		return nil
	}
	by := fb.Bucket(bByCase)
	if by == nil {
		return nil
	}
	seq := by.Get([]byte(before.ID))
	old := tx.Bucket(bCases).Get([]byte(before.ID))
	if len(seq) != 8 || old == nil {
		return nil
	}
	raw := shapeToKeep(old)
	if raw == nil {
		return nil // not a case we can fingerprint: clients get the whole case
	}
	b, err := tx.CreateBucketIfNotExists(bShapes)
	if err != nil {
		return err
	}
	if err := b.Put(append(bytes.Clone(prefix), seq...), raw); err != nil {
		return err
	}
	// Keep the newest maxShapes.
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for len(keys) > maxShapes {
		if err := b.Delete(keys[0]); err != nil {
			return err
		}
		keys = keys[1:]
	}
	return nil
}

func dropPrefix(b *bolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// shapeAt returns the fingerprint of the version of a case a client at cursor holds: the newest
// one published at or before cursor. ok is false when there is none (the client got the case
// whole, or never had it).
func shapeAt(tx *bolt.Tx, amt, caseID string, cursor uint64) (api.CaseShape, bool) {
	b := tx.Bucket(bShapes)
	if b == nil || cursor == 0 {
		return api.CaseShape{}, false
	}
	prefix := shapePrefix(amt, caseID)
	c := b.Cursor()
	var k, v []byte
	if k, _ = c.Seek(append(bytes.Clone(prefix), u64(cursor+1)...)); k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+8 {
		return api.CaseShape{}, false
	}
	if binary.BigEndian.Uint64(k[len(prefix):]) > cursor {
		return api.CaseShape{}, false
	}
	var sh api.CaseShape
	if json.Unmarshal(v, &sh) != nil {
		return api.CaseShape{}, false
	}
	return sh, true
}

// deltaOf encodes the delta of the current case raw against the shape of the version a client
// holds, or returns nil when the whole case is the better (or only) answer. Both stores use it
// through feedWriter.
func deltaOf(sh api.CaseShape, raw []byte) []byte {
	d, err := api.DiffCase(sh, raw)
	if err != nil {
		return nil
	}
	enc, err := json.Marshal(d)
	if err != nil || len(enc) >= len(raw) {
		return nil
	}
	return enc
}

// shapeToKeep is what a store keeps for the stored JSON of a version about to be replaced: the
// encoded api.CaseShape (nil when the bytes are not a case). Stored under (amt, case id, the feed
// seq that version was published at); at most maxShapes per case, the newest.
func shapeToKeep(storedJSON []byte) []byte {
	sh, err := api.ShapeOf(storedJSON)
	if err != nil {
		return nil
	}
	raw, err := json.Marshal(sh)
	if err != nil {
		return nil
	}
	return raw
}
