package syncer

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/store"
)

// Pull reads the change feed from the stored cursor to its end, applying each page and its cursor
// in one store transaction. A cursor the server no longer knows (410) drops the cached cases and
// pulls everything again; the outbox is kept.
func (y *Syncer) Pull(ctx context.Context) error {
	y.syncMu.Lock()
	defer y.syncMu.Unlock()
	if y.c == nil {
		return ErrNoClient
	}
	changed, err := y.pull(ctx)
	y.publish(false, changed, err)
	return err
}

// pullAttempts is how many requests in a row may fail without a single new change before a pull
// gives up (the line is down, not slow).
const pullAttempts = 3

// pull reads the feed to its end. Each page is read as a stream: what has arrived is applied
// (with the cursor of its last item) every commitEvery, so a cut line loses at most the changes
// of the last few seconds, and the next request resumes after the last kept item. The page size
// follows the measured line (pager). Progress is published as it goes.
func (y *Syncer) pull(ctx context.Context) (changed bool, err error) {
	cursor, err := y.st.Cursor()
	if err != nil {
		return false, wrapStore(err)
	}
	m := &meter{start: y.now(), p: Progress{Total: -1}}
	y.setProgress(m, true)
	defer y.setProgress(m, true)
	resynced := false
	fails := 0
	for {
		pb := &pageBatch{y: y, cursor: cursor, m: m}
		t0 := y.now()
		head, err := y.c.ChangesStream(ctx, client.FeedRequest{
			Cursor: cursor, Limit: y.pager.size, Deltas: true,
			Progress: func(n, _ int64) {
				m.bytes(n, y.now())
				y.setProgress(m, false)
			},
		}, func(rem int) {
			m.p.Total = m.p.Loaded + rem
		}, func(it api.Change) error { return pb.add(ctx, it) })
		if errors.Is(err, client.ErrCursorExpired) && !resynced {
			y.log.Info("change cursor expired: full resync")
			if err := y.st.ResetForResync(); err != nil {
				return changed, wrapStore(err)
			}
			resynced, changed, cursor = true, true, ""
			m.p.Total = -1
			continue
		}
		if err != nil {
			// Keep what arrived before the line broke.
			ch, cerr := pb.commit(pb.lastCursor())
			changed = changed || ch
			cursor = pb.cursor
			if cerr != nil {
				return changed, cerr
			}
			if !y.retryPull(ctx, err, head.Items > 0, &fails) {
				if m.p.Bytes > 0 && errors.Is(err, client.ErrOffline) {
					err = slowLineError{err}
				}
				return changed, err
			}
			continue
		}
		fails = 0
		next := head.NextCursor
		if next == "" {
			next = pb.cursor
		}
		prev := cursor
		ch, err := pb.commit(next)
		changed = changed || ch
		if err != nil {
			return changed, err
		}
		cursor = pb.cursor
		y.pager.observe(head.Items, y.now().Sub(t0))
		if !head.HasMore {
			if m.p.Total < m.p.Loaded {
				m.p.Total = m.p.Loaded
			}
			y.maybeCompact()
			return changed, nil
		}
		if cursor == prev {
			// "More" without a step forward would ask for the same page forever.
			return changed, errFeedStuck
		}
		fail("mid-pull")
	}
}

// retryPull decides whether a failed feed request is tried again at once (after a short pause):
// a request that brought new changes resets the count, so a slow line that keeps breaking still
// finishes; pullAttempts requests in a row without progress, an answer asking for a long pause,
// or anything but the line or a busy server end the pull.
func (y *Syncer) retryPull(ctx context.Context, err error, progressed bool, fails *int) bool {
	if ctx.Err() != nil {
		return false
	}
	var re *client.RetryError
	switch {
	case errors.Is(err, client.ErrOffline):
	case errors.As(err, &re):
		if re.After > 10*time.Second {
			return false
		}
	default:
		return false
	}
	if progressed {
		*fails = 0
	} else {
		*fails++
	}
	if *fails >= pullAttempts {
		return false
	}
	wait := 250 * time.Millisecond << *fails
	if re != nil && re.After > wait {
		wait = re.After
	}
	y.log.Info("change feed interrupted; resuming", "failures", *fails, "err", err)
	select {
	case <-ctx.Done():
		return false
	case <-y.after(wait):
		return true
	}
}

// setProgress publishes the pull's progress, at most every publishEvery unless forced.
func (y *Syncer) setProgress(m *meter, force bool) {
	now := y.now()
	if !force && now.Sub(m.lastPublish) < publishEvery {
		return
	}
	m.lastPublish = now
	m.rate(now)
	p := m.p
	y.update(func(e *Event) { e.Progress = p })
}

// pageBatch collects the items of one streamed page and applies them in store transactions as
// they arrive.
type pageBatch struct {
	y      *Syncer
	m      *meter
	cursor string // the cursor the store holds after the last commit
	items  []api.Change
	opened time.Time
}

// add takes one item; deltas are resolved against the cache (or replaced by the whole case).
func (b *pageBatch) add(ctx context.Context, it api.Change) error {
	it, keep, err := b.y.resolveDelta(ctx, it, b.items)
	if err != nil {
		return err
	}
	if len(b.items) == 0 {
		b.opened = b.y.now()
	}
	if keep {
		b.items = append(b.items, it)
	} else {
		b.items = append(b.items, api.Change{Seq: it.Seq, Kind: "skip"})
	}
	if len(b.items) >= commitItems || b.y.now().Sub(b.opened) >= commitEvery {
		_, err := b.commit(b.lastCursor())
		return err
	}
	return nil
}

// lastCursor is the cursor after the last item held (an item's seq is a cursor), or the current
// one when none is held.
func (b *pageBatch) lastCursor() string {
	if n := len(b.items); n > 0 && b.items[n-1].Seq > 0 {
		return strconv.FormatInt(b.items[n-1].Seq, 10)
	}
	return b.cursor
}

// commit applies the held items with cursor next in one transaction.
func (b *pageBatch) commit(next string) (bool, error) {
	items := b.items[:0:0]
	for _, it := range b.items {
		if it.Kind != "skip" {
			items = append(items, it)
		}
	}
	n := len(b.items)
	b.items = b.items[:0]
	ch, err := b.y.apply(api.ChangePage{Items: items, NextCursor: next}, b.cursor)
	if err != nil {
		return false, err
	}
	b.cursor = next
	if n > 0 {
		b.m.p.Loaded += n
		if ch {
			b.y.update(func(e *Event) { e.Changed = true })
		}
		b.y.setProgress(b.m, true)
	}
	return ch, nil
}

// ErrSlowLine marks a pull that received data but stopped because the line broke or stalled
// before the feed was read to its end (errors.Is also matches client.ErrOffline). What arrived is
// kept; Event.Progress says how much.
var ErrSlowLine = errors.New("syncer: the line broke or stalled while the change feed was arriving")

type slowLineError struct{ err error }

func (e slowLineError) Error() string {
	return e.err.Error() + " (data was arriving: slow or interrupted line)"
}
func (e slowLineError) Unwrap() []error { return []error{ErrSlowLine, e.err} }

// errFeedStuck: the feed said hasMore but did not move its cursor.
var errFeedStuck = errors.New("syncer: the change feed did not advance")

func (y *Syncer) apply(page api.ChangePage, cursor string) (bool, error) {
	next := page.NextCursor
	if next == "" {
		next = cursor
	}
	if len(page.Items) == 0 && next == cursor {
		return false, nil
	}
	if err := y.st.ApplyChanges(page.Items, next); err != nil {
		return false, wrapStore(err)
	}
	y.applied += len(page.Items)
	return len(page.Items) > 0, nil
}

// maybeCompact compacts the store after a pull that drained the feed, once Options.CompactAfter
// changes have been applied since the last compaction. A failure is logged, never fatal: the
// cache is intact, only larger than it needs to be. The caller holds syncMu.
func (y *Syncer) maybeCompact() {
	if y.o.CompactAfter < 0 || y.applied < y.o.CompactAfter {
		return
	}
	n := y.applied
	y.applied = 0
	t0 := time.Now()
	if err := y.st.Compact(); err != nil {
		y.log.Warn("compacting the cache after a large pull failed", "changes", n, "err", err)
		return
	}
	y.log.Info("compacted the cache after a large pull", "changes", n, "took", time.Since(t0).Round(time.Millisecond))
}

// resolveDelta turns an upsert that carries a delta into one that carries the whole case: the
// delta applied to the cached server copy (or to an earlier item of the same batch), or, when
// that is not the delta's base or the result does not match, the case fetched whole. keep is
// false when the cache already holds this version or a newer one (nothing to apply) or the case
// is gone from the server (its tombstone follows in the feed).
func (y *Syncer) resolveDelta(ctx context.Context, it api.Change, held []api.Change) (api.Change, bool, error) {
	if it.Kind != api.ChangeUpsert || it.Delta == nil {
		return it, true, nil
	}
	d := it.Delta
	it.Delta = nil
	var target int64
	if v, ok := d.Set["version"]; ok {
		_ = jsonInt(v, &target)
	}
	var base *api.Case
	for i := len(held) - 1; i >= 0; i-- {
		if held[i].Case != nil && held[i].Case.ID == it.CaseID {
			base = held[i].Case
			break
		}
	}
	if base == nil {
		if c, err := y.st.ServerCase(it.CaseID); err == nil {
			base = &c
		} else if !errors.Is(err, store.ErrNotFound) {
			return it, false, wrapStore(err)
		}
	}
	if base != nil && target > 0 && base.Version >= target {
		return it, false, nil
	}
	if base != nil {
		if c, err := api.ApplyCaseDelta(*base, *d); err == nil {
			it.Case = &c
			return it, true, nil
		} else {
			y.log.Info("change-feed delta does not fit the cache; fetching the whole case", "err", err)
		}
	}
	c, err := y.c.Case(ctx, it.CaseID, "")
	if errors.Is(err, client.ErrNotFound) {
		return it, false, nil
	}
	if err != nil {
		return it, false, err
	}
	it.Case = &c
	return it, true, nil
}

// longPoll waits up to d on the change feed and applies what arrives. It holds no lock while
// waiting; a page is dropped if the cursor moved meanwhile (a concurrent SyncOnce applied it).
func (y *Syncer) longPoll(ctx context.Context, d time.Duration) (more bool, err error) {
	cursor, err := y.st.Cursor()
	if err != nil {
		return false, wrapStore(err)
	}
	var items []api.Change
	head, err := y.c.ChangesStream(ctx, client.FeedRequest{Cursor: cursor, Limit: min(firstPage, y.o.PageSize), Wait: d, Deltas: true},
		nil, func(it api.Change) error { items = append(items, it); return nil })
	if err != nil {
		return false, err
	}
	y.syncMu.Lock()
	defer y.syncMu.Unlock()
	now, err := y.st.Cursor()
	if err != nil {
		return false, wrapStore(err)
	}
	if now != cursor {
		return true, nil
	}
	kept := items[:0]
	for _, it := range items {
		it, keep, err := y.resolveDelta(ctx, it, kept)
		if err != nil {
			return false, err
		}
		if keep {
			kept = append(kept, it)
		}
	}
	changed, err := y.apply(api.ChangePage{Items: kept, NextCursor: head.NextCursor}, cursor)
	if err != nil {
		return false, err
	}
	if changed {
		y.publish(false, true, nil)
	}
	return head.HasMore, nil
}
