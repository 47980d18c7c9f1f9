package main

import (
	"context"
	"errors"
	"time"

	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/i18n"
)

func cmdSync(a *app, args []string) int {
	fs := a.newFlags("sync")
	timeout := fs.Duration("timeout", 5*time.Minute, a.T("flag.timeout"))
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	return a.syncNow(*timeout)
}

// syncNow pushes the outbox and pulls the change feed once, and reports the result.
func (a *app) syncNow(timeout time.Duration) int {
	s, ok := a.openSession(true)
	if !ok {
		return a.fail()
	}
	defer s.close()
	ctx, cancel := context.WithTimeout(a.ctx, timeout)
	defer cancel()
	events := s.y.Events()
	if s.borrowed {
		events = nil // the running app reads its syncer's events; the progress line stays quiet
	}
	rep := startSyncReporter(a.stderr, a.lang, events, writerIsTerminal(a.stderr))
	err := s.y.SyncOnce(ctx)
	rep.finish()
	ev := s.y.Status()
	if p := ev.Progress; p.SlowLine && (err == nil || errors.Is(err, syncer.ErrSlowLine)) {
		// Say what is true: the server answered, the line is slow (or broke halfway).
		if err == nil {
			a.errorf("%s", i18n.SyncProgress(i18n.Parse(a.lang), factsOf(p)))
		}
	}
	switch {
	case err == nil:
		a.refreshMe(s, 10*time.Second)
		purged := 0
		if !s.borrowed { // the running app purges at its start; never under its feet
			purged = a.autoPurge(s.st)
		}
		n, _ := s.st.Count()
		a.printf("%s\n", a.T("sync.ok", n, ev.Pending, ev.Conflicts, ev.Rejected))
		if purged > 0 {
			a.printf("%s\n", a.T("purge.auto", purged, a.retentionDays()))
		}
		a.tokenNotice(s.me)
		return exitOK
	case errors.Is(err, client.ErrUnauthorized):
		a.errorf("%s", a.unauthorizedText(err))
		return exitErr
	case errors.Is(err, syncer.ErrSlowLine):
		a.errorf("%s", i18n.SyncCut(i18n.Parse(a.lang), factsOf(ev.Progress)))
		a.errorf("%s", a.T("sync.queued", ev.Pending))
		return exitOffline
	case errors.Is(err, client.ErrTLS):
		what, fix, _ := a.tlsFailure(err, a.serverURL(s.st))
		a.errorf("%s %s\n     %s", what, a.T("tls.queued", ev.Pending), fix)
		return exitOffline
	case errors.Is(err, client.ErrOffline), errors.Is(err, context.DeadlineExceeded):
		a.errorf("%s", a.T("sync.offline", ev.Pending))
		return exitOffline
	case errors.Is(err, store.ErrCorrupt):
		return a.storeErr(err)
	}
	a.errorf("%s", a.T("sync.failed", sanitize.Line(err.Error())))
	return exitErr
}
