package main

import (
	"errors"
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
	case rf.Kind == api.ActionApproval:
		a.errorf("%s", a.T("err.nothing_to_approve", st))
	case rf.Kind == api.ActionDecision:
		a.errorf("%s", a.T("err.not_decidable", st))
	case rf.Kind == api.ActionDocumentRequest:
		a.errorf("%s", a.T("err.no_docs_now", st))
	case rf.Kind == api.ActionStatus:
		a.errorf("%s", a.T("err.no_status_change", st))
	default:
		a.errorf("%s", a.T("err.case_closed", st))
	}
	return exitErr
}

// clerk is the signed-in clerk as casework's preconditions see them.
func (s *session) clerk() casework.Clerk { return casework.Clerk{ID: s.me.Clerk, Role: s.me.Role} }

// stringsFlag is a repeatable string flag.
type stringsFlag []string

func (f *stringsFlag) String() string     { return strings.Join(*f, ", ") }
func (f *stringsFlag) Set(v string) error { *f = append(*f, v); return nil }

// tooLong reports (and says) that s has more than max characters.
func (a *app) tooLong(s string, max int) bool {
	if utf8.RuneCountInString(s) > max {
		a.errorf("%s", a.T("err.text_too_long", max))
		return true
	}
	return false
}

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
	date, ok := a.futureDate(pos[1])
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

// cmdRequestDocs asks the applicant for documents (Nachforderung).
func cmdRequestDocs(a *app, args []string) int {
	fs := a.newFlags("request-docs")
	var docs stringsFlag
	fs.Var(&docs, "doc", a.T("flag.doc"))
	deadline := fs.String("deadline", "", a.T("flag.deadline"))
	message := fs.String("message", "", a.T("flag.message"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 || len(docs) == 0 || *deadline == "" {
		a.errorf("%s", a.T("usage.request_docs"))
		return exitUsage
	}
	if len(docs) > casework.MaxDocuments {
		a.errorf("%s", a.T("err.too_many_docs", casework.MaxDocuments))
		return exitUsage
	}
	for _, d := range docs {
		if strings.TrimSpace(d) == "" {
			a.errorf("%s", a.T("err.empty_text"))
			return exitUsage
		}
		if a.tooLong(d, casework.MaxDocumentRunes) {
			return exitUsage
		}
	}
	if a.tooLong(*message, api.MaxNoteRunes) {
		return exitUsage
	}
	date, ok := a.futureDate(*deadline)
	if !ok {
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanRequestDocuments(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	return a.queue(s, c, api.ActionDocumentRequest, api.DocumentRequestRequest{Documents: docs, Deadline: date, Message: *message})
}

// statusTargets are the statuses `amt status` sets; withdrawal goes through
// `amt decide … withdrawn`, awaiting_documents through request-docs. From where each may be set
// is casework's rule.
var statusTargets = map[api.Status]bool{api.StatusInReview: true, api.StatusClosed: true}

// cmdStatus starts the review of a case (in_review) or closes a decided one (closed).
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
		a.errorf("%s", a.T("err.bad_transition", a.statusLabel(c.Status), a.statusLabel(to)))
		return exitErr
	}
	return a.queue(s, c, api.ActionStatus, api.StatusRequest{Status: to})
}
