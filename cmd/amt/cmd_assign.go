package main

import (
	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

func cmdAssign(a *app, args []string) int {
	fs := a.newFlags("assign")
	to := fs.String("to", "", a.T("flag.to"))
	me := fs.Bool("me", false, a.T("flag.me"))
	none := fs.Bool("none", false, a.T("flag.none"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	n := 0
	for _, b := range []bool{*to != "", *me, *none} {
		if b {
			n++
		}
	}
	if len(pos) != 1 || n != 1 {
		a.errorf("%s", a.T("usage.assign"))
		return exitUsage
	}
	s, ok := a.openSession(false)
	if !ok {
		return a.fail()
	}
	defer s.close()
	assignee := *to
	if *me {
		if s.me.Clerk == "" {
			a.errorf("%s", a.T("err.not_logged_in"))
			return exitErr
		}
		assignee = s.me.Clerk
	}
	if clerks := storedClerks(s.st); assignee != "" && len(clerks) > 0 {
		id, err := a.resolveClerk(clerks, assignee) // an id, or a name: --to Krüger
		if err != nil {
			a.errorf("%v", err)
			return exitUsage
		}
		assignee = id
	}
	c, ok := a.findCase(s.st, pos[0])
	if !ok {
		return a.fail()
	}
	if err := casework.CanAssign(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	return a.queue(s, c, api.ActionAssignment, api.AssignmentRequest{Assignee: assignee})
}
