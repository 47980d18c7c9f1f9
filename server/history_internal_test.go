package server

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

// TestWriteCaseRebuildsLegacyHistory: a case stored before cases carried their history gets the
// whole history (old events from the bucket plus the new ones) on its next write.
func TestWriteCaseRebuildsLegacyHistory(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	c := api.Case{ID: "c1", Amt: "a1", Status: api.StatusInReview, Version: 1}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := initBuckets(tx); err != nil {
			return err
		}
		// The legacy layout: events only in the bucket, the case without them.
		for i, k := range []api.EventKind{api.EventReceived, api.EventAssigned} {
			e := api.Event{Seq: int64(i + 1), Kind: k, Actor: "system", At: now}
			if err := putJSON(tx.Bucket(bEvents), eventKey(c.ID, uint64(i+1)), e); err != nil {
				return err
			}
		}
		if err := putJSON(tx.Bucket(bCases), []byte(c.ID), c); err != nil {
			return err
		}
		before := c
		c.Version++
		return writeCase(tx, &before, &c, []api.Event{{Kind: api.EventNote, Actor: "x", At: now, Summary: "n"}}, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	var stored api.Case
	var evs []api.Event
	err = db.View(func(tx *bolt.Tx) error {
		if _, err := getJSON(tx.Bucket(bCases), []byte(c.ID), &stored); err != nil {
			return err
		}
		evs, err = listEvents(tx, c.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[2].Seq != 3 || evs[2].Kind != api.EventNote {
		t.Fatalf("events %+v", evs)
	}
	if !reflect.DeepEqual(stored.History, evs) || !reflect.DeepEqual(c.History, evs) {
		t.Fatalf("stored %+v / returned %+v, events %+v", stored.History, c.History, evs)
	}
}
