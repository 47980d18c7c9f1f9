package main

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
)

// futureDate reads a date argument for an action that must not lie in the past, in every form
// the clerk guide documents (casework.ParseDate: heute, morgen, +3, +2w, +1m, TT.MM.JJ,
// TT.MM.JJJJ, JJJJ-MM-TT); it reports a usage error itself.
func (a *app) futureDate(s string) (string, bool) {
	d, err := casework.ParseFutureDate(s, time.Now())
	switch {
	case errors.Is(err, casework.ErrDatePast):
		a.errorf("%s", a.T("err.date_past", sanitize.Line(strings.TrimSpace(s))))
		return "", false
	case err != nil:
		a.errorf("%s", a.T("err.bad_date_any", sanitize.Line(s)))
		return "", false
	}
	return d, true
}

// workingDate is futureDate for a date to act on (Wiedervorlage, Nachforderung deadline): a
// weekend or public holiday of Mecklenburg-Vorpommern moves to the next working day, and the
// clerk is told on stderr (casework.NextWorkingDay, the rule the terminal app shows too).
func (a *app) workingDate(s string) (string, bool) {
	d, ok := a.futureDate(s)
	if !ok {
		return "", false
	}
	to, shift := casework.NextWorkingDay(d)
	if shift != nil {
		lang := casework.German
		if a.lang == "en" {
			lang = casework.English
		}
		fmt.Fprintf(a.stderr, "amt: %s\n", casework.ShiftHint(*shift, to, lang))
	}
	return to, true
}

// refused says why casework refuses an action on the case (err from a casework precondition) in
// the clerk's language, and returns the exit code.
func (a *app) refused(err error) int {
	var rf *casework.Refusal
	if !errors.As(err, &rf) {
		a.errorf("%v", err)
		return exitErr
	}
	st := a.statusLabel(rf.From)
	switch {
	case rf.Reason == casework.ReasonNotApprover:
		a.errorf("%s", a.T("err.not_lead"))
	case rf.Reason == casework.ReasonOwnProposal:
		a.errorf("%s", a.T("err.own_proposal"))
	case rf.Reason == casework.ReasonNeedsApprover:
		a.errorf("%s", a.T("err.needs_approver"))
	case rf.Reason == casework.ReasonNotProposer:
		a.errorf("%s", a.T("err.not_proposer"))
	case rf.Kind == api.ActionApproval:
		a.errorf("%s", a.T("err.nothing_to_approve", st))
	case rf.Kind == api.ActionDecision:
		a.errorf("%s", a.T("err.not_decidable", st))
	case rf.Kind == api.ActionDocumentRequest:
		a.errorf("%s", a.T("err.no_docs_now", st))
	case rf.Kind == api.ActionStatus:
		a.errorf("%s", a.T("err.no_status_change", st))
	case rf.Kind == api.ActionEvidenceChecked && rf.Reason == casework.ReasonEvidenceChecked:
		a.errorf("%s", a.T("err.evidence_all_checked"))
	default:
		a.errorf("%s", a.T("err.case_closed", st))
	}
	return exitErr
}

// clerk is the signed-in clerk as casework's preconditions see them.
func (s *session) clerk() casework.Clerk { return casework.Clerk{ID: s.me.Clerk, Role: s.me.Role} }

// stringsFlag is a repeatable string flag.
type stringsFlag []string

func (f *stringsFlag) String() string { return strings.Join(*f, ", ") }

func (f *stringsFlag) Set(v string) error { *f = append(*f, v); return nil }

// tooLong reports (and says) that s has more than max characters.
func (a *app) tooLong(s string, max int) bool {
	if utf8.RuneCountInString(s) > max {
		a.errorf("%s", a.T("err.text_too_long", max))
		return true
	}
	return false
}
