package main

import (
	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

// cmdResubmit sets a Wiedervorlage.
func cmdResubmit(a *app, args []string) int {
	fs := a.newFlags("resubmit")
	reason := fs.String("reason", "", a.T("flag.resubmit_reason"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 2 {
		a.errorf("%s", a.T("usage.resubmit"))
		return exitUsage
	}
	date, ok := a.workingDate(pos[1])
	if !ok {
		return exitUsage
	}
	if a.tooLong(*reason, casework.MaxReasonRunes) {
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanResubmit(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	return a.queue(s, c, api.ActionResubmission, api.ResubmissionRequest{Date: date, Reason: *reason})
}
