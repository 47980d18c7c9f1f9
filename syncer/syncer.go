// Package syncer moves data between the local store and the central API: it pushes the outbox in
// order per case reusing action ids, and pulls the change feed one page per store transaction.
package syncer

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/store"
)

// Options tune a Syncer. The zero value is usable.
type Options struct {
	Now  func() time.Time // nil = time.Now
	Rand *rand.Rand       // jitter source; nil = a randomly seeded one
	// PageSize caps the change-feed page size; 0 = api.MaxChangePageSize (1,000). The size in use
	// follows the measured line (PageTarget): large pages keep an initial sync within a few
	// percent of one gzip stream (each page restarts the compressor's dictionary), and what
	// arrives is applied every two seconds, so a large page on a slow line loses little when cut.
	PageSize int
	// LongPoll is how long an idle, online Run waits on the change feed; 0 = 25 s, <0 = no long-poll
	// (Run then polls every ProbeMax).
	LongPoll time.Duration
	// Concurrency is how many cases are pushed at once (actions of one case always go one after the
	// other, in queue order); 0 = 32, enough to drain 1,000 actions over a 200 ms link in ~7 s.
	Concurrency int
	Logger      *slog.Logger // nil = discard; never receives tokens or applicant data
	// BackoffBase and BackoffMax bound the persisted per-action retry delay (exponential, full
	// jitter); 0 = 1 s and 5 min. A larger Retry-After from the server wins.
	BackoffBase, BackoffMax time.Duration
	// ProbeMax caps the wait between connection probes while offline; 0 = 30 s.
	ProbeMax time.Duration
	// SendTimeout bounds one action request; 0 = 30 s.
	SendTimeout time.Duration
	// CompactAfter: once a pull has drained the feed and at least this many changes were applied
	// since the last compaction (an initial sync, a resync after 410, a week offline), the store is
	// compacted (store.Compact): pages written in feed order are scattered and half full, and every
	// inbox load would map them all. 0 = DefaultCompactAfter; <0 = never.
	CompactAfter int
	// After returns a channel that fires after d; nil = time.After. Tests inject a fake to avoid
	// real sleeps.
	After func(d time.Duration) <-chan time.Time
	// PageTarget is how long one page of the change feed should take on the line; the page size
	// follows the measured rate between 20 cases and PageSize. 0 = DefaultPageTarget.
	PageTarget time.Duration
}

// DefaultCompactAfter is Options.CompactAfter's default: a few thousand cases, so the steady
// trickle of a working day never triggers a compaction, an initial sync always does.
const DefaultCompactAfter = 5000

// Error kinds reported in Event.ErrKind, so a UI can say what to do without parsing text.
const (
	ErrKindNone         = ""
	ErrKindOffline      = "offline"      // no connection; work continues locally
	ErrKindUnauthorized = "unauthorized" // token invalid or revoked: sign in again
	ErrKindServer       = "server"       // server busy or failing; retried later
	ErrKindLocal        = "local"        // the local store failed
	// ErrKindSlowLine: the server answered and data arrived, but the line broke or stalled
	// before the feed was read to its end. What arrived is kept (Progress says how much); the
	// rest follows with the next sync. Not "server not reachable".
	ErrKindSlowLine = "slowline"
	// ErrKindTLS: the server's certificate (or the clerk's) was not accepted: nothing was sent,
	// work stays queued, and someone must fix a certificate or the configuration (amt doctor
	// says what). Not "server not reachable".
	ErrKindTLS = "tls"
)

// Event is the syncer's state as the UI shows it. Events are delivered latest-wins: a slow reader
// misses intermediate states, never the newest one.
type Event struct {
	Online   bool
	Syncing  bool
	LastSync time.Time // last fully successful push+pull
	// Pending, Conflicts and Rejected count the outbox by state.
	Pending, Conflicts, Rejected int
	Err                          string // short description, no personal data; "" when fine
	ErrKind                      string // one of the ErrKind constants
	// Changed is set when the last step changed the store (pulled cases or settled actions).
	Changed bool
	// Progress is how far the running pull got (or the last one, once Syncing is false).
	Progress Progress
}

// Syncer pushes a store's outbox and pulls the change feed into it.
type Syncer struct {
	c   Remote // nil: a store-only syncer
	st  Store
	o   Options
	log *slog.Logger

	syncMu sync.Mutex // one push/pull at a time
	// applied counts changes applied since the last compaction (guarded by syncMu).
	applied int
	// pager sizes the pages of the change feed (guarded by syncMu, read unlocked by longPoll).
	pager pager

	kick   chan struct{}
	events chan Event

	mu             sync.Mutex // guards the fields below
	status         Event
	rnd            *rand.Rand
	rebase         map[string]map[int64]int64 // case → seen version → version after our own actions
	releaseOffline bool                       // next push ignores backoffs caused by lost connections
}

// New returns a Syncer for the remote API (a *client.Client) and the cache (a *store.Store). c may
// be nil for a store-only syncer (every sync then reports offline).
func New(c Remote, s Store, o Options) *Syncer {
	if cc, ok := c.(*client.Client); ok && cc == nil {
		c = nil // a nil *client.Client is no client
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PageSize <= 0 {
		o.PageSize = api.MaxChangePageSize
	}
	if o.PageSize > api.MaxChangePageSize {
		o.PageSize = api.MaxChangePageSize
	}
	if o.LongPoll == 0 {
		o.LongPoll = 25 * time.Second
	}
	if o.LongPoll > api.MaxWaitSeconds*time.Second {
		o.LongPoll = api.MaxWaitSeconds * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 5 * time.Minute
	}
	if o.ProbeMax <= 0 {
		o.ProbeMax = 30 * time.Second
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.PageTarget <= 0 {
		o.PageTarget = DefaultPageTarget
	}
	if o.CompactAfter == 0 {
		o.CompactAfter = DefaultCompactAfter
	}
	rnd := o.Rand
	if rnd == nil {
		rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	y := &Syncer{
		c: c, st: s, o: o, log: log,
		kick:   make(chan struct{}, 1),
		events: make(chan Event, 1),
		rnd:    rnd,
		rebase: map[string]map[int64]int64{},
		pager:  newPager(o.PageSize, o.PageTarget),
		// A new process does not know whether the line is still down: its first push tries the
		// actions that failed for want of a connection.
		releaseOffline: true,
	}
	if ss, err := s.SyncState(); err == nil {
		y.status.LastSync = ss.LastSync
	}
	y.status.Pending, y.status.Conflicts, y.status.Rejected = y.counts()
	return y
}

// Events returns the event channel (capacity 1, latest wins). The syncer never blocks on it.
func (y *Syncer) Events() <-chan Event { return y.events }

// Status returns the newest event.
func (y *Syncer) Status() Event {
	y.mu.Lock()
	defer y.mu.Unlock()
	return y.status
}

// Kick tells a running Run loop that an action was queued: it pushes at once, even while offline
// (the push doubles as a connection probe). Kick never blocks.
func (y *Syncer) Kick() {
	y.mu.Lock()
	y.releaseOffline = true
	y.mu.Unlock()
	select {
	case y.kick <- struct{}{}:
	default:
	}
}

// update changes the status under the lock and publishes it, replacing an unread older event.
func (y *Syncer) update(f func(e *Event)) {
	y.mu.Lock()
	defer y.mu.Unlock()
	f(&y.status)
	ev := y.status
	for {
		select {
		case y.events <- ev:
			return
		default:
		}
		select {
		case <-y.events: // drop the stale event
		default:
		}
	}
}

func (y *Syncer) counts() (pending, conflicts, rejected int) {
	out, err := y.st.Outbox()
	if err != nil {
		return 0, 0, 0
	}
	for _, a := range out {
		switch a.State {
		case store.StatePending:
			pending++
		case store.StateConflict:
			conflicts++
		case store.StateRejected:
			rejected++
		}
	}
	return
}

// publish refreshes the outbox counts and reports the outcome of a step.
func (y *Syncer) publish(syncing, changed bool, err error) {
	p, c, r := y.counts()
	kind, text := classify(err)
	y.update(func(e *Event) {
		e.Syncing = syncing
		e.Pending, e.Conflicts, e.Rejected = p, c, r
		e.Changed = changed
		if err == nil {
			e.Err, e.ErrKind = "", ErrKindNone
			if !syncing {
				e.Online = y.c != nil
			}
			return
		}
		e.Err, e.ErrKind = text, kind
		switch kind {
		case ErrKindOffline, ErrKindUnauthorized, ErrKindTLS:
			e.Online = false
		}
	})
}

// classify maps an error to an ErrKind and a short text without personal data.
func classify(err error) (kind, text string) {
	switch {
	case err == nil:
		return ErrKindNone, ""
	case errors.Is(err, ErrSlowLine):
		return ErrKindSlowLine, "line too slow or interrupted"
	case errors.Is(err, client.ErrTLS):
		return ErrKindTLS, "server certificate not accepted"
	case errors.Is(err, ErrNoClient), errors.Is(err, client.ErrOffline),
		errors.Is(err, context.DeadlineExceeded):
		return ErrKindOffline, "offline"
	case errors.Is(err, client.ErrUnauthorized):
		return ErrKindUnauthorized, "token rejected by the server"
	case errors.Is(err, client.ErrRetryLater):
		return ErrKindServer, "server busy"
	case errors.Is(err, errStore):
		return ErrKindLocal, "local store error"
	}
	return ErrKindServer, "server error"
}

// ErrNoClient is returned by syncs of a Syncer made without a client.
var ErrNoClient = errors.New("syncer: no server configured")

// errStore marks local store failures.
var errStore = errors.New("store")

type storeError struct{ err error }

func (e storeError) Error() string   { return "syncer: store: " + e.err.Error() }
func (e storeError) Unwrap() []error { return []error{errStore, e.err} }

func wrapStore(err error) error { return storeError{err} }

func (y *Syncer) now() time.Time { return y.o.Now() }

func (y *Syncer) after(d time.Duration) <-chan time.Time { return y.o.After(d) }

// SyncOnce pushes every due action and then pulls the change feed to its end. It reports the first
// connection-level error (client.ErrOffline, client.ErrUnauthorized, …); per-action outcomes are
// recorded in the store, not returned.
func (y *Syncer) SyncOnce(ctx context.Context) error {
	y.syncMu.Lock()
	defer y.syncMu.Unlock()
	_, err := y.cycle(ctx, true, true)
	return err
}

// cycle pushes and (if pull) pulls, publishing events; it returns the earliest time a retrying
// action becomes due (zero if none). current says the cache is up to date with the feed when the
// cycle succeeds (it pulled, or Run's long-poll just did), so LastSync moves.
func (y *Syncer) cycle(ctx context.Context, pull, current bool) (time.Time, error) {
	if y.c == nil {
		y.publish(false, false, ErrNoClient)
		return time.Time{}, ErrNoClient
	}
	y.update(func(e *Event) { e.Syncing, e.Progress = true, Progress{Total: -1} })
	res, err := y.push(ctx)
	changed := res.settled > 0
	if err == nil && pull {
		var ch bool
		ch, err = y.pull(ctx)
		changed = changed || ch
	}
	if err == nil && current {
		now := y.now()
		if serr := y.st.SetLastSync(now, ""); serr != nil {
			err = wrapStore(serr)
		} else {
			y.update(func(e *Event) { e.LastSync = now })
		}
	} else if err != nil && ctx.Err() == nil {
		// A failed attempt: LastSync keeps the last success, LastAttempt/LastError say what
		// happened now. (A push-only round that succeeded records nothing.)
		kind, text := classify(err)
		if kind != ErrKindLocal {
			_ = y.st.SetLastSync(y.now(), text)
		}
	}
	if ctx.Err() != nil && err != nil {
		p, c, r := y.counts()
		y.update(func(e *Event) {
			e.Syncing, e.Changed = false, changed
			e.Pending, e.Conflicts, e.Rejected = p, c, r
		})
		return res.nextDue, ctx.Err()
	}
	y.publish(false, changed, err)
	return res.nextDue, err
}
