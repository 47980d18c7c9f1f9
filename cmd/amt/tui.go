package main

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui"
)

// tuiProgramOptions are passed to the TUI's Bubble Tea program (tests: input and output).
var tuiProgramOptions []tea.ProgramOption

// runTUI opens the configured session and starts the terminal app with a background syncer.
func runTUI(a *app) int {
	s, code := a.openForTUI()
	if s == nil {
		return code
	}
	defer s.close()
	if s.c == nil {
		if n, err := s.st.Count(); err == nil && n == 0 {
			a.errorf("%s", a.T("err.no_token"))
			a.errorf("%s", a.T("hint.demo"))
			return exitErr
		}
	}
	a.refreshMe(s, 3*time.Second)
	a.autoPurge(s.st)
	return a.startTUI(s, nil)
}

// openForTUI opens the session for the terminal app. A damaged cache is explained and, on an
// interactive terminal, the clerk is asked whether to re-sync into a fresh cache (the old file is
// kept and its outbox carried over); otherwise the command to run is printed.
func (a *app) openForTUI() (*session, int) {
	for attempt := 0; ; attempt++ {
		s, ok := a.openSession(false)
		opened := ok
		if ok {
			err := probeStore(s.st)
			if err == nil {
				return s, exitOK
			}
			s.close()
			a.storeErr(err)
		}
		// Only a cache this process opened and closed again can be checked for other users: a
		// failed open may leave bbolt's lock behind here (and then no one else has the file).
		if attempt > 0 || !a.askRescue(a.fail(), opened) {
			return nil, a.fail()
		}
	}
}

// startTUI runs the TUI with the syncer loop in the background until the TUI exits.
func (a *app) startTUI(s *session, demo *demoNet) int {
	err := launchTUI(a, s, demo)
	if demo == nil {
		a.sayQueued(s.st)
	}
	if err != nil {
		if errors.Is(err, store.ErrCorrupt) {
			return a.storeErr(err)
		}
		a.errorf("%s", a.T("err.tui", err))
		return exitErr
	}
	return exitOK
}

// sayQueued tells the clerk leaving the app how many actions have not reached the server yet
// (they stay queued and go with the next start or amt sync), and how many need a decision.
func (a *app) sayQueued(st *store.Store) {
	out, err := st.Outbox()
	if err != nil {
		return
	}
	pending, open := 0, 0
	for _, x := range out {
		switch x.State {
		case store.StatePending:
			pending++
		case store.StateConflict, store.StateRejected:
			open++
		}
	}
	if pending > 0 {
		a.errorf("%s", a.T("quit.pending", pending, a.commandLine("sync")))
	}
	if open > 0 {
		a.errorf("%s", a.T("quit.open", open, a.commandLine("outbox")))
	}
}

func launchTUI(a *app, s *session, demo *demoNet) error {
	var cfg tui.Config
	if a.cfgPath != "" {
		c, err := tui.LoadConfig(a.cfgPath)
		if err != nil {
			return err
		}
		cfg = c
	}
	if a.g.accessible {
		cfg.Accessible = true
	}
	var clerks []api.Clerk
	if b, err := s.st.Meta(metaClerks); err == nil {
		_ = json.Unmarshal(b, &clerks)
	}
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	d := tui.Deps{Store: s.st, Me: s.me, Clerks: clerks, Lang: a.lang, Config: cfg, Now: time.Now,
		ProgramOptions: tuiProgramOptions}
	if path := a.cfgPath; path != "" && demo == nil {
		d.SaveView = func(v tui.ViewConfig) error { return tui.AppendView(path, v) }
	}
	var wg sync.WaitGroup
	if s.c != nil {
		d.Syncer = s.y
		c := s.c
		// The case view opens the store's writer (sealed, resumable) and the client fills it.
		d.Download = func(ctx context.Context, caseID string, att api.Attachment, dst *store.AttachmentWriter, progress func(done, total int64)) error {
			return c.Download(ctx, caseID, att, dst, progress)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.y.Run(ctx)
		}()
		// Background downloads (d in a case's Anlagen tab): they outlive the case view.
		q := syncer.NewDownloadQueue(c, s.st, nil)
		d.Downloads = q
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = q.Run(ctx)
		}()
	}
	if a.signinSource != nil {
		d.SignIn = a.tuiSignIn(a.signinSource)
	}
	if demo != nil {
		d.Demo = &tui.DemoControls{SetOffline: func(off bool) {
			demo.SetOffline(off)
			if !off {
				s.y.Kick() // probe at once instead of waiting out the offline backoff
			}
		}}
	}
	stopRelay := func() {}
	if demo == nil {
		stopRelay = a.serveRelay(ctx, s) // amt list, show, comment … beside the app (relay.go)
	}
	err := tui.Run(ctx, d)
	cancel()
	stopRelay()
	wg.Wait() // the store must outlive the syncer
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
