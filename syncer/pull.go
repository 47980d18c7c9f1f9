package syncer

import (
	"context"
	"errors"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
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

func (y *Syncer) pull(ctx context.Context) (changed bool, err error) {
	cursor, err := y.st.Cursor()
	if err != nil {
		return false, wrapStore(err)
	}
	resynced := false
	for {
		page, err := y.c.Changes(ctx, cursor, y.o.PageSize, 0)
		if errors.Is(err, client.ErrCursorExpired) && !resynced {
			y.log.Info("change cursor expired: full resync")
			if err := y.st.ResetForResync(); err != nil {
				return changed, wrapStore(err)
			}
			resynced, changed, cursor = true, true, ""
			continue
		}
		if err != nil {
			return changed, err
		}
		ch, err := y.apply(page, cursor)
		changed = changed || ch
		if err != nil {
			return changed, err
		}
		prev := cursor
		if page.NextCursor != "" {
			cursor = page.NextCursor
		}
		if !page.HasMore {
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

// longPoll waits up to d on the change feed and applies what arrives. It holds no lock while
// waiting; a page is dropped if the cursor moved meanwhile (a concurrent SyncOnce applied it).
func (y *Syncer) longPoll(ctx context.Context, d time.Duration) (more bool, err error) {
	cursor, err := y.st.Cursor()
	if err != nil {
		return false, wrapStore(err)
	}
	page, err := y.c.Changes(ctx, cursor, y.o.PageSize, d)
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
	changed, err := y.apply(page, cursor)
	if err != nil {
		return false, err
	}
	if changed {
		y.publish(false, true, nil)
	}
	return page.HasMore, nil
}
