package casework

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
)

// Limits of free-text fields beyond api.MaxNoteRunes. The server enforces them (422); clients
// check them before queueing, so a clerk hears about them at once.
const (
	MaxReasonRunes   = 2000           // approval comment, Wiedervorlage reason
	MaxDocuments     = 50             // documents per Nachforderung
	MaxDocumentRunes = 300            // characters per document
	MaxFeeCents      = 100_000_000_00 // a fee of at most 100 million euros
)

// InvalidError says which field value of an action body is not acceptable (the server answers
// 422 with its text). The text names the field, never its value.
type InvalidError struct{ Detail string }

func (e *InvalidError) Error() string { return e.Detail }

func invalid(format string, a ...any) error { return &InvalidError{Detail: fmt.Sprintf(format, a...)} }

// Validate checks the field values of a decoded body. today is the date (YYYY-MM-DD) that
// Wiedervorlage dates and Nachforderung deadlines must not lie before; "" skips those checks.
func Validate(b Body, today string) error {
	runes := utf8.RuneCountInString
	if b.missing != "" {
		return invalid("%s is required", b.missing)
	}
	if f := nulField(b); f != "" {
		return invalid("%s must not contain NUL characters", f)
	}
	switch b.Kind {
	case api.ActionNote:
		q := b.Note
		if strings.TrimSpace(q.Text) == "" {
			return invalid("text must not be empty")
		}
		if runes(q.Text) > api.MaxNoteRunes {
			return invalid("text is longer than %d characters", api.MaxNoteRunes)
		}
	case api.ActionDecision:
		q := b.Decision
		if !q.Outcome.Valid() {
			return invalid("unknown outcome")
		}
		if runes(q.Reasoning) > api.MaxNoteRunes {
			return invalid("reasoning is longer than %d characters", api.MaxNoteRunes)
		}
		if q.FeeCents != nil && (*q.FeeCents < 0 || *q.FeeCents > MaxFeeCents) {
			return invalid("feeCents out of range")
		}
		if q.ValidUntil != "" && !IsISODate(q.ValidUntil) {
			return invalid("validUntil must be a date YYYY-MM-DD")
		}
	case api.ActionApproval:
		q := b.Approval
		if runes(q.Comment) > MaxReasonRunes {
			return invalid("comment is longer than %d characters", MaxReasonRunes)
		}
		if !q.Approve && strings.TrimSpace(q.Comment) == "" {
			return invalid("returning a decision needs a comment")
		}
	case api.ActionAssignment:
		if q := b.Assignment; q.Assignee != "" && !ValidID(q.Assignee) {
			return invalid("assignee is not a clerk id (\"\" unassigns)")
		}
	case api.ActionStatus:
		if !b.Status.Status.Valid() {
			return invalid("unknown status")
		}
	case api.ActionResubmission:
		q := b.Resubmission
		if !IsISODate(q.Date) {
			return invalid("date must be a date YYYY-MM-DD")
		}
		if today != "" && q.Date < today {
			return invalid("date must not be in the past")
		}
		if runes(q.Reason) > MaxReasonRunes {
			return invalid("reason is longer than %d characters", MaxReasonRunes)
		}
	case api.ActionDocumentRequest:
		q := b.DocumentRequest
		if len(q.Documents) == 0 || len(q.Documents) > MaxDocuments {
			return invalid("documents must list 1 to %d entries", MaxDocuments)
		}
		for _, d := range q.Documents {
			if strings.TrimSpace(d) == "" || runes(d) > MaxDocumentRunes {
				return invalid("each document must have 1 to %d characters", MaxDocumentRunes)
			}
		}
		if !IsISODate(q.Deadline) {
			return invalid("deadline must be a date YYYY-MM-DD")
		}
		if today != "" && q.Deadline < today {
			return invalid("deadline must not be in the past")
		}
		if runes(q.Message) > api.MaxNoteRunes {
			return invalid("message is longer than %d characters", api.MaxNoteRunes)
		}
	case api.ActionPrinted, api.ActionEvidenceChecked:
		// An empty object: nothing to check.
	default:
		return invalid("unknown action kind")
	}
	return nil
}

// nulField names the first free-text field of b that contains a NUL character: no text of a
// case may carry one (it ends strings in C tools, PDFs and terminals downstream).
func nulField(b Body) string {
	has := func(s string) bool { return strings.IndexByte(s, 0) >= 0 }
	switch b.Kind {
	case api.ActionNote:
		if has(b.Note.Text) {
			return "text"
		}
	case api.ActionDecision:
		if has(b.Decision.Reasoning) {
			return "reasoning"
		}
		for k, v := range b.Decision.Values {
			if has(k) || has(v) {
				return "values"
			}
		}
	case api.ActionApproval:
		if has(b.Approval.Comment) {
			return "comment"
		}
	case api.ActionResubmission:
		if has(b.Resubmission.Reason) {
			return "reason"
		}
	case api.ActionDocumentRequest:
		if has(b.DocumentRequest.Message) {
			return "message"
		}
		for _, d := range b.DocumentRequest.Documents {
			if has(d) {
				return "documents"
			}
		}
	}
	return ""
}

// IsISODate reports whether s is a calendar date written YYYY-MM-DD.
func IsISODate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
