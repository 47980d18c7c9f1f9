package casework

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
)

// Resolution is what the clerk chose for a conflicted (or rejected) action.
type Resolution int

// Resolutions of a conflict. Decisions are never merged automatically; the clerk picks one.
const (
	// Reapply sends the clerk's action again against the server's current version.
	Reapply Resolution = iota + 1
	// AsNote keeps the clerk's intent as a note on the case and drops the action.
	AsNote
	// Discard drops the action.
	Discard
)

// ErrNotConflict says a resolution does not apply to the action in its state: waiting actions
// are not settled yet, and only a conflict (with the server's case) can be re-applied.
var ErrNotConflict = errors.New("casework: action is not in conflict")

// ResolutionAllowed answers whether resolution r applies to an action that is settled (conflict
// or rejected: settled) and, for a conflict, knows the server's case (hasServerCase).
func ResolutionAllowed(r Resolution, settled, conflict, hasServerCase bool) error {
	switch r {
	case Reapply:
		if !conflict || !hasServerCase {
			return ErrNotConflict
		}
	case AsNote, Discard:
		if !settled {
			return ErrNotConflict
		}
	default:
		return fmt.Errorf("casework: unknown resolution %d", r)
	}
	return nil
}

// NeedsConfirmation reports whether a resolution is final enough that the clerk confirms it
// first: discarding, and re-applying a decision or approval.
func NeedsConfirmation(r Resolution, kind api.ActionKind) bool {
	return r == Discard || (r == Reapply && (kind == api.ActionDecision || kind == api.ActionApproval))
}

var outcomeDE = map[api.Outcome]string{
	api.OutcomeApproved:          "bewilligt",
	api.OutcomePartiallyApproved: "teilweise bewilligt",
	api.OutcomeRejected:          "abgelehnt",
	api.OutcomeWithdrawn:         "zurückgenommen",
	api.OutcomeForwarded:         "abgegeben (nicht zuständig)",
}

var statusDE = map[api.Status]string{
	api.StatusNew:               "Neu",
	api.StatusInReview:          "In Prüfung",
	api.StatusAwaitingDocuments: "Unterlagen fehlen",
	api.StatusDecisionProposed:  "Zur Freigabe",
	api.StatusDecided:           "Entschieden",
	api.StatusClosed:            "Abgeschlossen",
	api.StatusWithdrawn:         "Zurückgenommen",
	api.StatusForwarded:         "Abgegeben",
}

// NoteText is the note that keeps a conflicted or rejected action's intent when the clerk keeps
// it as a note (AsNote): German whatever the clerk's language, because colleagues in the Amt read
// it; dates and amounts are written the German way. A note keeps its text. The text is cut to
// what a note may hold. Applicant data in it is the clerk's own input; callers sanitise it for
// display like any note.
func NoteText(b Body) string {
	var s strings.Builder
	s.WriteString("Nicht übernommen: ")
	switch b.Kind {
	case api.ActionNote:
		s.Reset()
		s.WriteString(b.Note.Text)
	case api.ActionDecision:
		d := b.Decision
		o := outcomeDE[d.Outcome]
		if o == "" {
			o = string(d.Outcome)
		}
		fmt.Fprintf(&s, "Entscheidung „%s“.", o)
		if d.FeeCents != nil {
			fmt.Fprintf(&s, " Gebühr %s.", FormatFee(*d.FeeCents))
		}
		if d.ValidUntil != "" {
			fmt.Fprintf(&s, " Gültig bis %s.", FormatDate(d.ValidUntil, German))
		}
		if d.Reasoning != "" {
			s.WriteString("\nBegründung: " + d.Reasoning)
		}
	case api.ActionAssignment:
		if b.Assignment.Assignee == "" {
			s.WriteString("Zuständigkeit aufheben.")
		} else {
			fmt.Fprintf(&s, "Zuweisen an %s.", b.Assignment.Assignee)
		}
	case api.ActionStatus:
		st := statusDE[b.Status.Status]
		if st == "" {
			st = string(b.Status.Status)
		}
		fmt.Fprintf(&s, "Status auf „%s“ setzen.", st)
	case api.ActionApproval:
		if b.Approval.Approve {
			s.WriteString("Entscheidung freigeben.")
		} else {
			s.WriteString("Entscheidung zurückgeben.")
		}
		if b.Approval.Comment != "" {
			s.WriteString("\nKommentar: " + b.Approval.Comment)
		}
	case api.ActionResubmission:
		fmt.Fprintf(&s, "Wiedervorlage am %s.", FormatDate(b.Resubmission.Date, German))
		if b.Resubmission.Reason != "" {
			s.WriteString("\nGrund: " + b.Resubmission.Reason)
		}
	case api.ActionDocumentRequest:
		r := b.DocumentRequest
		fmt.Fprintf(&s, "Nachforderung bis %s:\n- %s", FormatDate(r.Deadline, German), strings.Join(r.Documents, "\n- "))
		if r.Message != "" {
			s.WriteString("\nNachricht: " + r.Message)
		}
	default:
		fmt.Fprintf(&s, "Aktion „%s“.", b.Kind)
	}
	out := s.String()
	if utf8.RuneCountInString(out) > api.MaxNoteRunes {
		out = string([]rune(out)[:api.MaxNoteRunes-1]) + "…"
	}
	return out
}

// ReapplyAllowed answers whether a conflicted action (its kind, queued body and sub id) may be
// sent again against the server's current case: nil, or the *Refusal the server would answer.
// Clients offer "re-apply" only when it is nil, so a clerk is never offered a resend that can only
// be rejected (a decision on a case a colleague already decided).
func ReapplyAllowed(server api.Case, who Clerk, kind api.ActionKind, body []byte, subID string) error {
	b, err := Decode(kind, body)
	if err != nil {
		return err
	}
	return Check(server, who, b, subID)
}
