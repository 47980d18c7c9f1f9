package syncer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/store"
)

// maxReasonRunes bounds the stored reason of a rejected action.
const maxReasonRunes = 500

// failpoint is called at named points of a sync; nil in production. Only the crash test sets it
// (to kill its own process there). Names: "after-server-commit" (action accepted by the server,
// not yet settled locally), "after-local-settle" (the action settled locally, nothing else done
// yet), "mid-pull" (a page applied, more to come).
var failpoint func(name string)

func fail(name string) {
	if failpoint != nil {
		failpoint(name)
	}
}

// offlineMark is the LastError of actions that failed because the connection was lost. Their
// backoff is lifted as soon as the syncer is online again: a clerk whose line returns should not
// wait minutes for a per-action timer.
const offlineMark = "offline"

// UnconfirmedMark is the LastError of actions whose request went out whole but whose answer was
// lost (client.ErrUnconfirmed): the server may have applied them. The next push sends them again
// with the same id, and the server's replay (or 409 already-applied) settles them; like offline
// actions, their backoff is lifted once the syncer is online again.
const UnconfirmedMark = "unconfirmed"

type pushResult struct {
	sent, settled int
	nextDue       time.Time // earliest NextAttempt of a retrying head-of-line action
}

// Push sends every due action once, in queue order per case, several cases at once. It is part of
// SyncOnce; exported for callers that want to push without pulling (the CLI after an action).
func (y *Syncer) Push(ctx context.Context) error {
	y.syncMu.Lock()
	defer y.syncMu.Unlock()
	_, err := y.cycle(ctx, false, false)
	return err
}

// outcome of one action send.
type outcome int

const (
	outDone outcome = iota
	outConflict
	outRejected
	outRetry
	outStop // connection-level failure or cancellation: stop pushing
	outSkip // the clerk took the action back before it left (store.Cancel): nothing sent
)

func (y *Syncer) push(ctx context.Context) (pushResult, error) {
	var res pushResult
	out, err := y.st.Outbox()
	if err != nil {
		return res, wrapStore(err)
	}
	now := y.now()
	y.mu.Lock()
	release := y.releaseOffline
	y.releaseOffline = false
	// Forget rebase knowledge for cases with nothing left in the outbox.
	live := map[string]bool{}
	for _, a := range out {
		live[a.CaseID] = true
	}
	for id := range y.rebase {
		if !live[id] {
			delete(y.rebase, id)
		}
	}
	y.mu.Unlock()

	// Build one chain of due actions per case. A conflict or a not-yet-due action blocks the
	// later actions of its case: they were queued on top of it.
	var order []string
	chains := map[string][]store.Action{}
	blocked := map[string]bool{}
	for _, a := range out {
		if blocked[a.CaseID] {
			continue
		}
		switch a.State {
		case store.StateConflict:
			blocked[a.CaseID] = true
			continue
		case store.StateRejected:
			continue // final; the clerk discards it, later actions do not depend on it
		case store.StatePending:
		default:
			continue
		}
		due := !a.NextAttempt.After(now) || (release && (a.LastError == offlineMark || a.LastError == UnconfirmedMark))
		if !due {
			blocked[a.CaseID] = true
			if res.nextDue.IsZero() || a.NextAttempt.Before(res.nextDue) {
				res.nextDue = a.NextAttempt
			}
			continue
		}
		if _, ok := chains[a.CaseID]; !ok {
			order = append(order, a.CaseID)
		}
		chains[a.CaseID] = append(chains[a.CaseID], a)
	}
	if len(order) == 0 {
		return res, nil
	}

	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, y.o.Concurrency)
	for _, caseID := range order {
		chain := chains[caseID]
		select {
		case sem <- struct{}{}:
		case <-pctx.Done():
		}
		if pctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			for _, a := range chain {
				if pctx.Err() != nil {
					return
				}
				oc, next, err := y.sendOne(pctx, a)
				if oc == outSkip {
					continue
				}
				mu.Lock()
				res.sent++
				if oc != outStop {
					res.settled++
				}
				if oc == outRetry && (res.nextDue.IsZero() || next.Before(res.nextDue)) {
					res.nextDue = next
				}
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
				// A rejection is final and later actions do not build on it; a conflict or a
				// retry holds back the rest of the case.
				if oc != outDone && oc != outRejected {
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return res, firstErr
}

// sendOne sends one action and records its outcome in the store. It returns a non-nil error only
// when pushing must stop (connection lost, token rejected, store failure, cancellation); next is
// the persisted retry time for outRetry.
func (y *Syncer) sendOne(ctx context.Context, a store.Action) (outcome, time.Time, error) {
	// From here on the action may reach the server: mark it in flight, checking in the same
	// transaction that the clerk has not taken it back (store.Cancel) since the outbox was read.
	if _, err := y.st.BeginSend(a.ID); errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrNotSettled) {
		y.log.Debug("action taken back before sending", "action", a.ID, "kind", a.Kind)
		return outSkip, time.Time{}, nil
	} else if err != nil {
		return outStop, time.Time{}, wrapStore(err)
	}
	var ifMatch int64
	if a.Kind.NeedsIfMatch() {
		ifMatch = y.rebased(a.CaseID, a.BaseVersion)
	}
	sctx, cancel := context.WithTimeout(ctx, y.o.SendTimeout)
	r, err := y.c.Send(sctx, client.Action{
		Kind: a.Kind, CaseID: a.CaseID, ID: a.ID, SubID: a.SubID, Body: a.Body, IfMatch: ifMatch,
	})
	timedOut := sctx.Err() != nil && ctx.Err() == nil
	cancel()
	if err == nil {
		fail("after-server-commit")
		before, after := y.remember(a, ifMatch, r.Case.Version)
		if serr := y.st.MarkDoneRebase(a.ID, &r.Case, before, after); serr != nil {
			return outStop, time.Time{}, wrapStore(serr)
		}
		fail("after-local-settle")
		y.log.Debug("action delivered", "action", a.ID, "kind", a.Kind)
		return outDone, time.Time{}, nil
	}
	if ctx.Err() != nil {
		// Cancelled by the caller or by a sibling that lost the connection: not this action's
		// fault, send it again next time (same id, so harmless if it did arrive). If it went out
		// whole, say so: it is unconfirmed, not merely queued.
		if errors.Is(err, client.ErrUnconfirmed) {
			if serr := y.st.MarkRetry(a.ID, a.Attempts+1, y.now(), UnconfirmedMark); serr != nil {
				return outStop, time.Time{}, wrapStore(serr)
			}
		} else if serr := y.st.MarkUnsent(a.ID, a.Attempts, a.NextAttempt, a.LastError); serr != nil {
			// It never went out whole: the clerk may still take it back (it stayed "in flight",
			// and `amt outbox cancel` refused it, when a sibling's failed dial cancelled it).
			return outStop, time.Time{}, wrapStore(serr)
		}
		return outStop, time.Time{}, ctx.Err()
	}
	var (
		ce *client.ConflictError
		re *client.RejectedError
		te *client.RetryError
	)
	switch {
	case errors.Is(err, client.ErrAlreadyApplied):
		// A resend of an action the server applied long ago (its answer was lost and is no
		// longer kept): delivered, neither rejected nor a conflict. No case comes with the
		// answer; the pull brings the current one.
		if serr := y.st.MarkDone(a.ID, nil); serr != nil {
			return outStop, time.Time{}, wrapStore(serr)
		}
		y.log.Info("action was applied earlier; delivered", "action", a.ID, "kind", a.Kind)
		return outDone, time.Time{}, nil
	case errors.As(err, &ce):
		if serr := y.st.MarkConflict(a.ID, ce.Case); serr != nil {
			return outStop, time.Time{}, wrapStore(serr)
		}
		y.log.Info("action conflicts with a newer case version", "action", a.ID, "kind", a.Kind)
		return outConflict, time.Time{}, nil
	case errors.Is(err, client.ErrUnauthorized):
		return outStop, time.Time{}, err
	case errors.As(err, &re):
		reason := rejectedReason(re.Problem, re.Status) // "[kind] server text", reason.go
		if serr := y.st.MarkRejected(a.ID, reason); serr != nil {
			return outStop, time.Time{}, wrapStore(serr)
		}
		y.log.Info("action rejected", "action", a.ID, "kind", a.Kind, "status", re.Status)
		return outRejected, time.Time{}, nil
	case errors.Is(err, client.ErrNotFound):
		if serr := y.st.MarkRejected(a.ID, "[not-found] Not Found: the case is not (or no longer) available to this Amt"); serr != nil {
			return outStop, time.Time{}, wrapStore(serr)
		}
		return outRejected, time.Time{}, nil
	case errors.Is(err, client.ErrOffline) || timedOut:
		next := y.now().Add(y.backoff(a.Attempts + 1))
		mark := offlineMark
		if errors.Is(err, client.ErrUnconfirmed) {
			mark = UnconfirmedMark
		}
		markFn := y.st.MarkRetry
		if neverSent(err) {
			markFn = y.st.MarkUnsent // the clerk may still take it back
		}
		if serr := markFn(a.ID, a.Attempts+1, next, mark); serr != nil {
			return outStop, time.Time{}, wrapStore(serr)
		}
		if timedOut && !errors.Is(err, client.ErrOffline) {
			err = fmt.Errorf("%w: request timed out", client.ErrOffline)
		}
		return outStop, next, err
	}
	// Retry later: 429/5xx (with Retry-After) and anything unexpected.
	d := y.backoff(a.Attempts + 1)
	status := "error"
	if errors.As(err, &te) {
		if te.After > d {
			d = te.After
		}
		status = fmt.Sprintf("HTTP %d", te.Status)
	}
	next := y.now().Add(d)
	if serr := y.st.MarkRetry(a.ID, a.Attempts+1, next, status); serr != nil {
		return outStop, time.Time{}, wrapStore(serr)
	}
	y.log.Info("action will be retried", "action", a.ID, "kind", a.Kind, "status", status, "in", d)
	return outRetry, next, nil
}

// neverSent reports a failure that certainly happened before the request left the machine: the
// connection could not be made (refused, unreachable, name not resolved).
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// backoff is the full-jitter exponential delay before attempt n+1 (n >= 1).
func (y *Syncer) backoff(n int) time.Duration {
	ceil := y.o.BackoffBase
	for i := 1; i < n && ceil < y.o.BackoffMax; i++ {
		ceil *= 2
	}
	if ceil > y.o.BackoffMax {
		ceil = y.o.BackoffMax
	}
	y.mu.Lock()
	d := time.Duration(y.rnd.Int64N(int64(ceil) + 1))
	y.mu.Unlock()
	return d
}

// rebased returns the If-Match version for an action the clerk queued having seen version base.
// If only this clerk's own earlier actions (already delivered) changed the case since base, the
// action is sent against the version they produced: the clerk's own note must not make their
// later decision a conflict. Any foreign change keeps base, so the server answers 412.
func (y *Syncer) rebased(caseID string, base int64) int64 {
	y.mu.Lock()
	defer y.mu.Unlock()
	if v, ok := y.rebase[caseID][base]; ok {
		return v
	}
	return base
}

// remember records that the server went from version before to after by this clerk's action
// alone, and returns the pair (0, 0 when there is nothing to record). For If-Match actions before
// is the matched version; appends (notes, …) carry none, so the server's one-step version
// increment is assumed (a wrong guess only costs a conflict). The store persists the same rebase
// for the queued actions when it settles the action (MarkDoneRebase); this map covers actions
// queued later against the version the clerk saw before the settle reached the screen.
func (y *Syncer) remember(a store.Action, ifMatch, after int64) (int64, int64) {
	before := ifMatch
	if !a.Kind.NeedsIfMatch() {
		before = after - 1
	}
	if before <= 0 || after <= before {
		return 0, 0
	}
	y.mu.Lock()
	defer y.mu.Unlock()
	m := y.rebase[a.CaseID]
	if m == nil {
		m = map[int64]int64{}
		y.rebase[a.CaseID] = m
	}
	for k, v := range m {
		if v == before {
			m[k] = after
		}
	}
	m[before] = after
	return before, after
}
