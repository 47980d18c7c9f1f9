package syncer

import (
	"context"
	"errors"
	"time"

	"github.com/amt-mv/amt/client"
)

// Run syncs until ctx is done and then returns ctx.Err(). Each round pushes due actions, pulls the
// change feed and then, online and idle, long-polls the feed (Options.LongPoll) or waits for the
// next retrying action. Kick interrupts the wait. Offline, it probes with exponential backoff
// (jittered, capped by Options.ProbeMax); a rejected token stops syncing until the next Kick.
func (y *Syncer) Run(ctx context.Context) error {
	failures := 0
	needPull := true
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if failures > 0 {
			// This round is a probe: if the line is back, actions that failed for want of a
			// connection go at once instead of waiting out their backoff.
			y.mu.Lock()
			y.releaseOffline = true
			y.mu.Unlock()
		}
		y.syncMu.Lock()
		nextDue, err := y.cycle(ctx, needPull, true)
		y.syncMu.Unlock()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			needPull = true
			var wake <-chan time.Time // nil: wait for Kick only
			kind, _ := classify(err)
			switch kind {
			case ErrKindUnauthorized:
			case ErrKindLocal:
				wake = y.after(y.o.ProbeMax)
			default:
				failures++
				wake = y.after(y.retryDelay(err, failures))
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-y.kick:
			case <-wake:
			}
			continue
		}
		if failures > 0 {
			failures = 0
			// Actions that failed while offline were released for this round only if the round
			// began as a probe; push again at once in case the pull was the first success.
			y.mu.Lock()
			y.releaseOffline = true
			y.mu.Unlock()
			needPull = false
			continue
		}

		wait := y.o.LongPoll
		if y.o.LongPoll < 0 {
			wait = y.o.ProbeMax
		}
		if !nextDue.IsZero() {
			if until := nextDue.Sub(y.now()); until < wait {
				wait = until
			}
		}
		if wait <= 0 {
			needPull = false
			continue
		}
		if y.o.LongPoll < 0 || wait < time.Second {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-y.kick:
				needPull = false
			case <-y.after(wait):
				needPull = y.o.LongPoll < 0
			}
			continue
		}
		more, kicked, err := y.waitChanges(ctx, wait.Truncate(time.Second))
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case kicked:
			needPull = false
		case err != nil:
			y.publish(false, false, err)
			needPull = true
			failures++
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-y.kick:
			case <-y.after(y.retryDelay(err, failures)):
			}
		default:
			needPull = more
		}
	}
}

// waitChanges long-polls the change feed; a Kick cancels the wait.
func (y *Syncer) waitChanges(ctx context.Context, d time.Duration) (more, kicked bool, err error) {
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	stopped := make(chan bool, 1)
	go func() {
		select {
		case <-y.kick:
			cancel()
			stopped <- true
		case <-done:
			stopped <- false
		}
	}()
	more, err = y.longPoll(lctx, d)
	close(done)
	kicked = <-stopped
	cancel()
	if kicked {
		return false, true, nil
	}
	return more, false, err
}

// retryDelay is the wait after a failed round: the probe backoff, or the server's Retry-After
// when it asks for longer (a 429/503 storm must not be answered with probes every few seconds).
func (y *Syncer) retryDelay(err error, n int) time.Duration {
	d := y.probeDelay(n)
	var te *client.RetryError
	if errors.As(err, &te) && te.After > d {
		d = te.After
	}
	return d
}

// probeDelay is the wait before connection probe n (n >= 1): exponential from BackoffBase, capped
// at ProbeMax, with "equal jitter" (half fixed, half random) so probes never bunch up at zero.
func (y *Syncer) probeDelay(n int) time.Duration {
	d := y.o.BackoffBase
	for i := 1; i < n && d < y.o.ProbeMax; i++ {
		d *= 2
	}
	if d > y.o.ProbeMax {
		d = y.o.ProbeMax
	}
	y.mu.Lock()
	j := time.Duration(y.rnd.Int64N(int64(d/2) + 1))
	y.mu.Unlock()
	return d/2 + j
}
