package main

import (
	"errors"
	"strings"

	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
)

func cmdConflicts(a *app, args []string) int {
	if len(args) == 0 || args[0] == "list" || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && args[0] == "list" {
			args = args[1:]
		}
		fs := a.newFlags("conflicts")
		asJSON := fs.Bool("json", false, a.T("flag.json"))
		if _, err := parseFlags(fs, args); err != nil {
			return flagExit(err)
		}
		return a.listActions(*asJSON, store.StateConflict)
	}
	if args[0] != "resolve" {
		a.errorf("%s", a.T("usage.conflicts"))
		return exitUsage
	}
	fs := a.newFlags("conflicts resolve")
	reapply := fs.Bool("reapply", false, a.T("flag.reapply"))
	asNote := fs.Bool("as-note", false, a.T("flag.as_note"))
	discard := fs.Bool("discard", false, a.T("flag.discard"))
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return flagExit(err)
	}
	var r syncer.Resolution
	n := 0
	if *reapply {
		r, n = syncer.Reapply, n+1
	}
	if *asNote {
		r, n = syncer.AsNote, n+1
	}
	if *discard {
		r, n = syncer.Discard, n+1
	}
	if len(pos) != 1 || n != 1 {
		a.errorf("%s", a.T("usage.conflicts"))
		return exitUsage
	}
	s, ok := a.openSession(false)
	if !ok {
		return a.fail()
	}
	defer s.close()
	noteID, err := syncer.Resolve(s.st, pos[0], r)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.errorf("%s", a.T("err.action_not_found", sanitize.Line(pos[0])))
		return exitErr
	case errors.Is(err, syncer.ErrNotConflict):
		a.errorf("%s", a.T("err.not_conflict"))
		return exitErr
	case err != nil:
		return a.storeErr(err)
	}
	switch r {
	case syncer.Reapply:
		return a.deliver(s, pos[0])
	case syncer.AsNote:
		return a.deliver(s, noteID)
	}
	a.printf("%s\n", a.T("resolve.discarded"))
	return exitOK
}
