package syncer

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// Resolution is what the clerk chose for a conflicted action.
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

// ErrNotConflict is returned when resolving an action that is not in conflict.
var ErrNotConflict = errors.New("syncer: action is not in conflict")

// Resolve settles a conflicted (or, for Discard and AsNote, rejected) action in the store. The
// caller Kicks a running syncer afterwards. It returns the id of the note queued by AsNote.
func Resolve(st *store.Store, actionID string, r Resolution) (string, error) {
	out, err := st.Outbox()
	if err != nil {
		return "", err
	}
	var a *store.Action
	for i := range out {
		if out[i].ID == actionID {
			a = &out[i]
			break
		}
	}
	if a == nil {
		return "", fmt.Errorf("syncer: action %s: %w", actionID, store.ErrNotFound)
	}
	// The state checks above read a snapshot; the store checks again in the transaction that
	// resolves, so a double key press or a concurrent resolution cannot act twice.
	var err2 error
	switch r {
	case Reapply:
		if a.State != store.StateConflict || a.ServerCase == nil {
			return "", ErrNotConflict
		}
		err2 = st.RequeueConflict(a.ID)
	case AsNote:
		if a.State == store.StatePending {
			return "", ErrNotConflict
		}
		text := NoteText(*a)
		body, err := json.Marshal(api.NoteRequest{Text: text})
		if err != nil {
			return "", err
		}
		var base int64
		if a.ServerCase != nil {
			base = a.ServerCase.Version
		}
		n, err := st.ReplaceSettled(a.ID, store.Action{CaseID: a.CaseID, Kind: api.ActionNote, Body: body, BaseVersion: base, Actor: a.Actor})
		if err == nil {
			return n.ID, nil
		}
		err2 = err
	case Discard:
		if a.State == store.StatePending {
			return "", ErrNotConflict
		}
		err2 = st.DiscardSettled(a.ID)
	default:
		return "", fmt.Errorf("syncer: unknown resolution %d", r)
	}
	if errors.Is(err2, store.ErrNotSettled) {
		return "", ErrNotConflict
	}
	return "", err2
}

var outcomeDE = map[api.Outcome]string{
	api.OutcomeApproved:          "bewilligt",
	api.OutcomePartiallyApproved: "teilweise bewilligt",
	api.OutcomeRejected:          "abgelehnt",
	api.OutcomeWithdrawn:         "zurückgenommen",
	api.OutcomeForwarded:         "abgegeben (nicht zuständig)",
}

// NoteText describes an action's intent as German note text, for AsNote. Notes are read by
// colleagues in the Amt, so the text is German whatever the clerk's UI language.
func NoteText(a store.Action) string {
	var b strings.Builder
	b.WriteString("Nicht übernommen wegen zwischenzeitlicher Änderung: ")
	switch a.Kind {
	case api.ActionDecision:
		var d api.DecisionRequest
		_ = json.Unmarshal(a.Body, &d)
		o := outcomeDE[d.Outcome]
		if o == "" {
			o = string(d.Outcome)
		}
		fmt.Fprintf(&b, "Entscheidung „%s“.", o)
		if d.FeeCents != nil {
			fmt.Fprintf(&b, " Gebühr %d,%02d €.", *d.FeeCents/100, *d.FeeCents%100)
		}
		if d.ValidUntil != "" {
			fmt.Fprintf(&b, " Gültig bis %s.", d.ValidUntil)
		}
		if d.Reasoning != "" {
			b.WriteString("\nBegründung: " + d.Reasoning)
		}
	case api.ActionAssignment:
		var r api.AssignmentRequest
		_ = json.Unmarshal(a.Body, &r)
		if r.Assignee == "" {
			b.WriteString("Zuständigkeit aufheben.")
		} else {
			fmt.Fprintf(&b, "Zuweisen an %s.", r.Assignee)
		}
	case api.ActionStatus:
		var r api.StatusRequest
		_ = json.Unmarshal(a.Body, &r)
		fmt.Fprintf(&b, "Status auf „%s“ setzen.", r.Status)
	case api.ActionApproval:
		var r api.ApprovalRequest
		_ = json.Unmarshal(a.Body, &r)
		if r.Approve {
			b.WriteString("Entscheidung freigeben.")
		} else {
			b.WriteString("Entscheidung zurückgeben.")
		}
		if r.Comment != "" {
			b.WriteString("\nKommentar: " + r.Comment)
		}
	case api.ActionResubmission:
		var r api.ResubmissionRequest
		_ = json.Unmarshal(a.Body, &r)
		fmt.Fprintf(&b, "Wiedervorlage am %s.", r.Date)
		if r.Reason != "" {
			b.WriteString("\nGrund: " + r.Reason)
		}
	case api.ActionDocumentRequest:
		var r api.DocumentRequestRequest
		_ = json.Unmarshal(a.Body, &r)
		fmt.Fprintf(&b, "Nachforderung bis %s:\n- %s", r.Deadline, strings.Join(r.Documents, "\n- "))
		if r.Message != "" {
			b.WriteString("\nNachricht: " + r.Message)
		}
	case api.ActionNote:
		var r api.NoteRequest
		_ = json.Unmarshal(a.Body, &r)
		b.Reset()
		b.WriteString(r.Text)
	default:
		fmt.Fprintf(&b, "Aktion „%s“.", a.Kind)
	}
	s := b.String()
	if utf8.RuneCountInString(s) > api.MaxNoteRunes {
		r := []rune(s)
		s = string(r[:api.MaxNoteRunes-1]) + "…"
	}
	return s
}
