package main

import (
	"encoding/json"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
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
	if assignee != "" {
		var clerks []api.Clerk
		if b, err := s.st.Meta(metaClerks); err == nil && json.Unmarshal(b, &clerks) == nil && len(clerks) > 0 {
			found := false
			for _, k := range clerks {
				if k.ID == assignee {
					found = true
				}
			}
			if !found {
				a.errorf("%s", a.T("err.unknown_clerk", sanitize.Line(assignee)))
				return exitUsage
			}
		}
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
