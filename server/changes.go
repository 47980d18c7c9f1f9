package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

// broadcaster wakes long-polls of one Amt: waiters take the current channel, notify closes it
// and installs a fresh one.
type broadcaster struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

func newBroadcaster() *broadcaster { return &broadcaster{ch: map[string]chan struct{}{}} }

func (b *broadcaster) wait(amt string) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.ch[amt]
	if !ok {
		c = make(chan struct{})
		b.ch[amt] = c
	}
	return c
}

func (b *broadcaster) notify(amt string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.ch[amt]; ok {
		close(c)
		delete(b.ch, amt)
	}
}

// notifyAll wakes every long-poll (after wake-ups from other instances may have been missed).
func (b *broadcaster) notifyAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for amt, c := range b.ch {
		close(c)
		delete(b.ch, amt)
	}
}

// parseCursor parses an opaque cursor; "" means the beginning of the feed.
func parseCursor(s string) (uint64, bool) {
	if s == "" {
		return 0, true
	}
	if len(s) > 20 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

func (s *Server) getChanges(w http.ResponseWriter, r *http.Request, p *principal) error {
	q := r.URL.Query()
	rawCursor := q.Get("cursor")
	cursor, ok := parseCursor(rawCursor)
	if !ok {
		return badRequest("invalid cursor")
	}
	limit := api.DefaultChangePage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badRequest("limit must be a positive number")
		}
		limit = min(n, api.MaxChangePageSize)
	}
	var wait time.Duration
	if v := q.Get("wait"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("wait must be a number of seconds")
		}
		wait = time.Duration(min(n, api.MaxWaitSeconds)) * time.Second
	}
	deltas := false
	switch q.Get("deltas") {
	case "", "0":
	case "1":
		deltas = true
	default:
		return badRequest("deltas must be 0 or 1")
	}
	var deadline <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		deadline = t.C
	}
	for {
		woke := s.feed.wait(p.Amt) // taken before reading, so no change slips between read and wait
		page, err := s.readChanges(r.Context(), p.Amt, cursor, rawCursor == "", limit, deltas)
		if err != nil {
			return err
		}
		if page.items > 0 || deadline == nil {
			writeBody(w, r, http.StatusOK, "application/json", page.body)
			return nil
		}
		s.metrics.longPolls.Add(1)
		select {
		case <-woke:
			s.metrics.longPolls.Add(-1)
			continue
		case <-deadline:
		case <-r.Context().Done():
		case <-s.quit:
		}
		s.metrics.longPolls.Add(-1)
		writeBody(w, r, http.StatusOK, "application/json", page.body)
		return nil
	}
}

func cursorGone() *apiError {
	return problem(http.StatusGone, api.ProblemGone, "Cursor expired",
		"the change feed no longer reaches back to this cursor; resynchronise from the beginning")
}

// cursorAhead answers a cursor beyond the feed's last seq: one this server never handed out
// (restored from a backup, or another server's). Same status as cursorGone, so that clients
// resync, but its own documented type: the cursor is not too old.
func cursorAhead() *apiError {
	return problem(http.StatusGone, api.ProblemCursorUnknown, "Cursor unknown",
		"this cursor is ahead of the change feed (was the server restored from a backup?); resynchronise from the beginning")
}

// feedPage is one page of the change feed, encoded as api.ChangePage JSON. Cases are copied from
// storage as stored, without decoding them again.
type feedPage struct {
	body  []byte
	items int
}

func (s *Server) readChanges(ctx context.Context, amt string, cursor uint64, fromStart bool, limit int, deltas bool) (feedPage, error) {
	return s.store.Changes(ctx, amt, cursor, fromStart, limit, deltas)
}

// PruneTombstones removes tombstones older than Config.TombstoneRetention from every Amt's feed
// and raises the feed's horizon: a cursor older than the newest pruned tombstone answers 410. The
// idempotency fingerprints of a pruned tombstone's case go with it (dropFingerprints).
func (s *Server) PruneTombstones() (int, error) {
	return s.store.PruneTombstones(context.Background(), s.now().Add(-s.cfg.TombstoneRetention))
}

func (b *boltStore) PruneTombstones(_ context.Context, cutoff time.Time) (int, error) {
	n := 0
	err := b.db.Update(func(tx *bolt.Tx) error {
		var amts [][]byte
		if err := tx.Bucket(bFeeds).ForEachBucket(func(k []byte) error {
			amts = append(amts, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, amt := range amts {
			fb, err := feedBucket(tx, string(amt))
			if err != nil {
				return err
			}
			log, by, tombs := fb.Bucket(bLog), fb.Bucket(bByCase), fb.Bucket(bTombs)
			var horizon uint64
			if v := fb.Get(kHorizon); len(v) == 8 {
				horizon = binary.BigEndian.Uint64(v)
			}
			var drop [][]byte
			var dropCase [][]byte
			err = tombs.ForEach(func(k, caseID []byte) error {
				var rec changeRec
				if v := log.Get(k); v != nil {
					if err := json.Unmarshal(v, &rec); err != nil {
						return err
					}
				}
				if rec.At.Before(cutoff) {
					drop = append(drop, bytes.Clone(k))
					dropCase = append(dropCase, bytes.Clone(caseID))
				}
				return nil
			})
			if err != nil {
				return err
			}
			for i, k := range drop {
				if err := log.Delete(k); err != nil {
					return err
				}
				if err := tombs.Delete(k); err != nil {
					return err
				}
				if err := by.Delete(dropCase[i]); err != nil {
					return err
				}
				// The case has left its Amt for good: its fingerprints can answer nothing more.
				if _, err := dropFingerprints(tx, string(dropCase[i])); err != nil {
					return err
				}
				horizon = max(horizon, binary.BigEndian.Uint64(k))
				n++
			}
			if len(drop) > 0 {
				if err := fb.Put(kHorizon, u64(horizon)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return n, err
}
