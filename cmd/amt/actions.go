package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/sanitize"
)

// Limits the server enforces (422) that package api does not name; checked here so a clerk
// hears about them at once rather than after the action was queued and rejected.
const (
	maxReasonRunes   = 2000 // approval comment, resubmission reason
	maxDocuments     = 50   // documents per request
	maxDocumentRunes = 300  // characters per document
	maxDaysAhead     = 3650 // "+N" dates: at most ten years ahead
)

// parseDate reads a calendar date as YYYY-MM-DD, DD.MM.YYYY (also D.M.YYYY) or +N / +Nd / +Nw
// (days or weeks from today), and returns it as YYYY-MM-DD.
func parseDate(s string, today time.Time) (string, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("invalid date %q", s)
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		unit := 1
		if n, ok := strings.CutSuffix(rest, "w"); ok {
			rest, unit = n, 7
		} else if n, ok := strings.CutSuffix(rest, "d"); ok {
			rest = n
		}
		if rest == "" || len(rest) > 5 || strings.TrimLeft(rest, "0123456789") != "" {
			return "", bad
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n*unit > maxDaysAhead {
			return "", bad
		}
		y, m, d := today.Date()
		return time.Date(y, m, d+n*unit, 12, 0, 0, 0, time.UTC).Format(time.DateOnly), nil
	}
	if len(s) == 10 && s[4] == '-' {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil || t.Year() < 1000 {
			return "", bad
		}
		return t.Format(time.DateOnly), nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return "", bad
	}
	var v [3]int
	for i, p := range parts {
		if strings.TrimLeft(p, "0123456789") != "" {
			return "", bad
		}
		v[i], _ = strconv.Atoi(p)
	}
	t := time.Date(v[2], time.Month(v[1]), v[0], 12, 0, 0, 0, time.UTC)
	if v[2] < 1000 || t.Day() != v[0] || int(t.Month()) != v[1] {
		return "", bad // 31.02.2027 and the like
	}
	return t.Format(time.DateOnly), nil
}

// futureDate parses a date flag for an action that must not lie in the past; it reports a usage
// error itself.
func (a *app) futureDate(s string) (string, bool) {
	d, err := parseDate(s, time.Now())
	if err != nil {
		a.errorf("%s", a.T("err.bad_date_any", sanitize.Line(s)))
		return "", false
	}
	if d < today() {
		a.errorf("%s", a.T("err.date_past", d))
		return "", false
	}
	return d, true
}

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
	if a.tooLong(*comment, maxReasonRunes) {
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	d := c.Decision
	if c.Status != api.StatusDecisionProposed || d == nil || d.State != api.DecisionProposed || d.ID == "" {
		a.errorf("%s", a.T("err.nothing_to_approve", a.statusLabel(c.Status)))
		return exitErr
	}
	if s.me.Clerk != "" {
		if s.me.Role != api.RoleLead {
			a.errorf("%s", a.T("err.not_lead"))
			return exitErr
		}
		if d.Actor == s.me.Clerk {
			a.errorf("%s", a.T("err.own_proposal"))
			return exitErr
		}
	}
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
	if a.tooLong(*reason, maxReasonRunes) {
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if !c.Status.Open() {
		a.errorf("%s", a.T("err.case_closed", a.statusLabel(c.Status)))
		return exitErr
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
	if len(docs) > maxDocuments {
		a.errorf("%s", a.T("err.too_many_docs", maxDocuments))
		return exitUsage
	}
	for _, d := range docs {
		if strings.TrimSpace(d) == "" {
			a.errorf("%s", a.T("err.empty_text"))
			return exitUsage
		}
		if a.tooLong(d, maxDocumentRunes) {
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
	switch c.Status {
	case api.StatusNew, api.StatusInReview, api.StatusAwaitingDocuments:
	default:
		a.errorf("%s", a.T("err.no_docs_now", a.statusLabel(c.Status)))
		return exitErr
	}
	return a.queue(s, c, api.ActionDocumentRequest, api.DocumentRequestRequest{Documents: docs, Deadline: date, Message: *message})
}

// statusChanges are the changes `amt status` offers, from where (as the server allows them);
// withdrawal goes through `amt decide … withdrawn`, awaiting_documents through request-docs.
var statusChanges = map[api.Status][]api.Status{
	api.StatusInReview: {api.StatusNew, api.StatusAwaitingDocuments},
	api.StatusClosed:   {api.StatusDecided},
}

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
	from, ok := statusChanges[to]
	if !ok {
		a.errorf("%s", a.T("err.bad_target_status", sanitize.Line(pos[1])))
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	allowed := false
	for _, f := range from {
		allowed = allowed || c.Status == f
	}
	if !allowed {
		a.errorf("%s", a.T("err.bad_transition", a.statusLabel(c.Status), a.statusLabel(to)))
		return exitErr
	}
	return a.queue(s, c, api.ActionStatus, api.StatusRequest{Status: to})
}
