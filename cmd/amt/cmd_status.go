package main

import (
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
)

// statusTargets are the statuses `amt status` sets; withdrawal goes through
// `amt decide … withdrawn`, awaiting_documents through request-docs. From where each may be set
// is casework's rule.
var statusTargets = map[api.Status]bool{api.StatusInReview: true, api.StatusClosed: true}

// cmdStatus starts the review of a case (in_review), takes the clerk's own proposal back
// (in_review from decision_proposed) or closes a decided one (closed).
func cmdStatus(a *app, args []string) int {
	fs := a.newFlags("status")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 2 {
		a.errorf("%s", a.T("usage.status"))
		return exitUsage
	}
	to := api.Status(strings.ReplaceAll(strings.ToLower(pos[1]), "-", "_"))
	if !statusTargets[to] {
		a.errorf("%s", a.T("err.bad_target_status", sanitize.Line(pos[1])))
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if err := casework.StatusChangeAllowed(c, s.clerk(), to); err != nil {
		if rf, ok := err.(*casework.Refusal); ok && rf.Forbidden() {
			return a.refused(err)
		}
		a.errorf("%s", a.T("err.bad_transition", a.statusLabel(c.Status), a.statusLabel(to)))
		return exitErr
	}
	return a.queue(s, c, api.ActionStatus, api.StatusRequest{Status: to})
}
