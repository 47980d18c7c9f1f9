package main

import (
	"errors"
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

// cmdApprove: a lead approves a proposed four-eyes decision, or returns it with a comment.
func cmdApprove(a *app, args []string) int {
	fs := a.newFlags("approve")
	ret := fs.Bool("return", false, a.T("flag.return"))
	comment := fs.String("comment", "", a.T("flag.comment"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 {
		a.errorf("%s", a.T("usage.approve"))
		return exitUsage
	}
	if *ret && strings.TrimSpace(*comment) == "" {
		a.errorf("%s", a.T("err.return_needs_comment"))
		return exitUsage
	}
	if a.tooLong(*comment, casework.MaxReasonRunes) {
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanApprove(c, s.clerk()); err != nil {
		var rf *casework.Refusal
		// Who is signed in is unknown before the first sync: the server judges the rights then.
		if s.me.Clerk != "" || !errors.As(err, &rf) || !rf.Forbidden() {
			return a.refused(err)
		}
	}
	d := c.Decision
	return a.queueSub(s, c, api.ActionApproval, d.ID, api.ApprovalRequest{Approve: !*ret, Comment: *comment})
}
