package main

import (
	"encoding/json"
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
)

func cmdDecide(a *app, args []string) int {
	fs := a.newFlags("decide")
	reason := fs.String("reason", "", a.T("flag.reason"))
	fee := fs.Int64("fee-cents", -1, a.T("flag.fee"))
	valid := fs.String("valid-until", "", a.T("flag.valid_until"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 2 {
		a.errorf("%s", a.T("usage.decide"))
		return exitUsage
	}
	outcome, ok := parseOutcome(pos[1])
	if !ok {
		a.errorf("%s", a.T("err.bad_outcome", sanitize.Line(pos[1]), strings.Join(outcomeWords(), ", ")))
		return exitUsage
	}
	if strings.TrimSpace(*reason) == "" {
		a.errorf("%s", a.T("err.need_reason"))
		return exitUsage
	}
	if a.tooLong(*reason, api.MaxNoteRunes) {
		return exitUsage
	}
	validUntil := ""
	if *valid != "" {
		var ok bool
		if validUntil, ok = a.futureDate(*valid); !ok {
			return exitUsage
		}
	}
	req := api.DecisionRequest{Outcome: outcome, Reasoning: *reason, ValidUntil: validUntil}
	if *fee >= 0 {
		req.FeeCents = fee
	}
	s, c, found := a.openCase(pos[0])
	if !found {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanDecide(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	if casework.StartsReview(c, outcome) {
		// Like the terminal app: a new case is taken into review first, in the same queue.
		if _, err := a.enqueue(s, c, api.ActionStatus, "", api.StatusRequest{Status: api.StatusInReview}); err != nil {
			return a.storeErr(err)
		}
	}
	if casework.NeedsApproval(c, outcome) {
		var clerks []api.Clerk
		if b, err := s.st.Meta(metaClerks); err == nil && json.Unmarshal(b, &clerks) == nil && len(clerks) > 0 &&
			len(casework.Approvers(clerks, s.me.Clerk)) == 0 {
			a.errorf("%s", a.T("warn.no_approver"))
		}
	}
	return a.queue(s, c, api.ActionDecision, req)
}
