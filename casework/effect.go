package casework

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
)

// OutcomeStatus is the case status after a final decision with outcome o.
func OutcomeStatus(o api.Outcome) api.Status {
	switch o {
	case api.OutcomeWithdrawn:
		return api.StatusWithdrawn
	case api.OutcomeForwarded:
		return api.StatusForwarded
	}
	return api.StatusDecided
}

// Act is one action to apply to a case.
type Act struct {
	ID         string    // the action's id: becomes the id of the note, decision, Wiedervorlage, …
	DecisionID string    // approvals: the decision approved or returned ("" = the current one); printed: the document
	Actor      string    // clerk id
	At         time.Time // when it is applied (server) or was queued (overlay)
	Body       Body
}

// Apply changes the case as the action does — the reference server applies it after Check, the
// cache's optimistic overlay applies queued actions with it — and returns the history events
// (without Seq). An approval of a decision that is not the case's current one changes nothing.
func Apply(c *api.Case, a Act) []api.Event {
	ev := func(kind api.EventKind, sum string) api.Event {
		return api.Event{Kind: kind, Actor: a.Actor, At: a.At, Summary: sum}
	}
	// withDetail adds the event's full text (reasoning, comment, reason, message).
	withDetail := func(e api.Event, detail string) api.Event {
		e.Detail = detail
		return e
	}
	b := a.Body
	switch b.Kind {
	case api.ActionNote:
		c.Notes = append(c.Notes, api.Note{ID: a.ID, Text: b.Note.Text, Actor: a.Actor, CreatedAt: a.At})
		return []api.Event{ev(api.EventNote, Summary(b.Note.Text))}

	case api.ActionDecision:
		q := b.Decision
		d := &api.Decision{ID: a.ID, Outcome: q.Outcome, Reasoning: q.Reasoning, FeeCents: q.FeeCents,
			ValidUntil: q.ValidUntil, Values: q.Values, Actor: a.Actor, CreatedAt: a.At}
		c.Decision = d
		if NeedsApproval(*c, q.Outcome) {
			d.State = api.DecisionProposed
			c.Status = api.StatusDecisionProposed
			return []api.Event{withDetail(ev(api.EventDecisionProposed, string(q.Outcome)), q.Reasoning)}
		}
		d.State = api.DecisionFinal
		c.Status = OutcomeStatus(q.Outcome)
		return []api.Event{withDetail(ev(api.EventDecided, string(q.Outcome)), q.Reasoning)}

	case api.ActionApproval:
		if c.Decision == nil || (a.DecisionID != "" && c.Decision.ID != a.DecisionID) {
			return nil
		}
		q := b.Approval
		d := *c.Decision
		c.Decision = &d
		if q.Approve {
			d.State = api.DecisionFinal
			d.ApprovedBy = a.Actor
			c.Status = OutcomeStatus(d.Outcome)
			return []api.Event{withDetail(ev(api.EventDecisionApproved, Summary(q.Comment)), q.Comment),
				withDetail(ev(api.EventDecided, string(d.Outcome)), d.Reasoning)}
		}
		d.State = api.DecisionReturned
		c.Status = api.StatusInReview
		return []api.Event{withDetail(ev(api.EventDecisionReturned, Summary(q.Comment)), q.Comment)}

	case api.ActionAssignment:
		c.Assignee = b.Assignment.Assignee
		return []api.Event{ev(api.EventAssigned, b.Assignment.Assignee)}

	case api.ActionStatus:
		to, from := b.Status.Status, c.Status
		c.Status = to
		kind := api.EventStatusChanged
		if from == api.StatusAwaitingDocuments && to == api.StatusInReview {
			kind = api.EventDocumentsReceived
		}
		if from == api.StatusDecisionProposed && to == api.StatusInReview && c.Decision != nil && c.Decision.State == api.DecisionProposed {
			// The proposer takes the proposal back: it is returned, the case is in review again.
			d := *c.Decision
			d.State = api.DecisionReturned
			c.Decision = &d
			return []api.Event{ev(api.EventDecisionWithdrawn, string(d.Outcome))}
		}
		if to == api.StatusWithdrawn && c.Decision != nil && c.Decision.State == api.DecisionProposed {
			// Withdrawing drops a pending proposal.
			d := *c.Decision
			d.State = api.DecisionReturned
			c.Decision = &d
		}
		return []api.Event{ev(kind, string(to))}

	case api.ActionResubmission:
		return applyResubmission(c, a)

	case api.ActionDocumentRequest:
		q := b.DocumentRequest
		c.DocumentRequests = append(c.DocumentRequests, api.DocumentRequest{ID: a.ID, Documents: q.Documents,
			Deadline: q.Deadline, Message: q.Message, Actor: a.Actor, CreatedAt: a.At})
		c.Status = api.StatusAwaitingDocuments
		return []api.Event{withDetail(ev(api.EventDocumentRequest, Summary(strings.Join(q.Documents, ", "))), q.Message)}

	case api.ActionPrinted:
		return applyPrinted(c, a)

	case api.ActionEvidenceChecked:
		return applyEvidenceChecked(c, a)
	}
	return nil
}

// Shows reports whether the case already carries the result of the action of this kind with this
// id (a note, decision, Wiedervorlage or Nachforderung of that id): applying it again would
// duplicate it.
func Shows(c api.Case, kind api.ActionKind, id string) bool {
	switch kind {
	case api.ActionNote:
		for _, n := range c.Notes {
			if n.ID == id {
				return true
			}
		}
	case api.ActionDocumentRequest:
		for _, d := range c.DocumentRequests {
			if d.ID == id {
				return true
			}
		}
	case api.ActionDecision:
		return c.Decision != nil && c.Decision.ID == id
	case api.ActionResubmission:
		return resubmissionShows(c, id)
	case api.ActionPrinted:
		return printedShows(c, id)
	case api.ActionEvidenceChecked:
		return evidenceCheckedShows(c, id)
	}
	return false
}

// Summary shortens free text for an event summary (200 characters).
func Summary(s string) string {
	const max = 200
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
