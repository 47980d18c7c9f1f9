package server

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The bbolt side of outgoing documents: generated files share the files bucket with
// attachments (by SHA-256); queued deliveries live in bDeliveries.

func deliveryKey(caseID, docID string) []byte { return []byte(caseID + "\x00" + docID) }

func (t *boltTx) PutFile(sha string, data []byte) error {
	b := t.tx.Bucket(bFiles)
	if b.Get([]byte(sha)) != nil {
		return nil
	}
	return b.Put([]byte(sha), data)
}

func (t *boltTx) Delivery(caseID, docID string) (rec deliveryRec, found bool, err error) {
	found, err = getJSON(t.tx.Bucket(bDeliveries), deliveryKey(caseID, docID), &rec)
	if found && rec.Amt != t.amt {
		return deliveryRec{}, false, nil
	}
	return rec, found, err
}

func (t *boltTx) PutDelivery(rec deliveryRec) error {
	rec.Amt = t.amt
	return putJSON(t.tx.Bucket(bDeliveries), deliveryKey(rec.CaseID, rec.DocID), rec)
}

func (t *boltTx) DeleteDelivery(caseID, docID string) error {
	return t.tx.Bucket(bDeliveries).Delete(deliveryKey(caseID, docID))
}

func (b *boltStore) DueDeliveries(_ context.Context, now time.Time, limit int) ([]deliveryRec, error) {
	var out []deliveryRec
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bDeliveries).ForEach(func(_, v []byte) error {
			var rec deliveryRec
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			if !rec.NextAt.After(now) {
				out = append(out, rec)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].NextAt.Before(out[j].NextAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}
