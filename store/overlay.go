package store

import (
	"encoding/json"
	"fmt"

	"github.com/amt-mv/amt/api"
)

// OverlayActor is the actor shown on optimistic notes, decisions etc. when Action.Actor is empty.
const OverlayActor = "me"

// overlay applies the pending and conflicting actions (Seq order) to a copy of base. Rejected
// actions have no effect. An action whose result the base already shows (same id) is skipped, so
// a case pulled from the feed before MarkDone does not show a note twice.
func overlay(base api.Case, acts []Action) api.Case {
	c := base
	// Copy the slices we append to, so base stays untouched.
	c.Notes = append([]api.Note(nil), base.Notes...)
	c.DocumentRequests = append([]api.DocumentRequest(nil), base.DocumentRequests...)
	for i := range acts {
		a := &acts[i]
		if a.State == StateRejected {
			continue
		}
		_ = applyAction(&c, a)
	}
	return c
}

// applyAction applies the optimistic effect of one action. Bodies were validated at Enqueue.
func applyAction(c *api.Case, a *Action) error {
	actor := a.Actor
	if actor == "" {
		actor = OverlayActor
	}
	switch a.Kind {
	case api.ActionNote:
		var r api.NoteRequest
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return err
		}
		for _, n := range c.Notes {
			if n.ID == a.ID {
				return nil
			}
		}
		c.Notes = append(c.Notes, api.Note{ID: a.ID, Text: r.Text, Actor: actor, CreatedAt: a.CreatedAt})
	case api.ActionDecision:
		var r api.DecisionRequest
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return err
		}
		if c.Decision != nil && c.Decision.ID == a.ID {
			return nil
		}
		d := &api.Decision{ID: a.ID, Outcome: r.Outcome, Reasoning: r.Reasoning, FeeCents: r.FeeCents,
			ValidUntil: r.ValidUntil, State: api.DecisionFinal, Actor: actor, CreatedAt: a.CreatedAt}
		c.Status = outcomeStatus(r.Outcome)
		// Like the server: withdrawing and forwarding need no second pair of eyes.
		if c.Service.FourEyes && r.Outcome != api.OutcomeWithdrawn && r.Outcome != api.OutcomeForwarded {
			d.State = api.DecisionProposed
			c.Status = api.StatusDecisionProposed
		}
		c.Decision = d
	case api.ActionApproval:
		var r api.ApprovalRequest
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return err
		}
		if c.Decision == nil || (a.SubID != "" && c.Decision.ID != a.SubID) {
			return nil
		}
		d := *c.Decision
		if r.Approve {
			d.State = api.DecisionFinal
			d.ApprovedBy = actor
			c.Status = outcomeStatus(d.Outcome)
		} else {
			d.State = api.DecisionReturned
			c.Status = api.StatusInReview
		}
		c.Decision = &d
	case api.ActionAssignment:
		var r api.AssignmentRequest
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return err
		}
		c.Assignee = r.Assignee
	case api.ActionStatus:
		var r api.StatusRequest
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return err
		}
		if r.Status == api.StatusWithdrawn && c.Decision != nil && c.Decision.State == api.DecisionProposed {
			d := *c.Decision
			d.State = api.DecisionReturned
			c.Decision = &d
		}
		c.Status = r.Status
	case api.ActionResubmission:
		var r api.ResubmissionRequest
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return err
		}
		c.Resubmission = &api.Resubmission{ID: a.ID, Date: r.Date, Reason: r.Reason, Actor: actor}
	case api.ActionDocumentRequest:
		var r api.DocumentRequestRequest
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return err
		}
		for _, d := range c.DocumentRequests {
			if d.ID == a.ID {
				return nil
			}
		}
		c.DocumentRequests = append(c.DocumentRequests, api.DocumentRequest{ID: a.ID, Documents: r.Documents,
			Deadline: r.Deadline, Message: r.Message, Actor: actor, CreatedAt: a.CreatedAt})
		c.Status = api.StatusAwaitingDocuments
	default:
		return fmt.Errorf("unknown action kind %q", a.Kind)
	}
	return nil
}

// validateBody checks that an action body is JSON of the kind's request type.
func validateBody(kind api.ActionKind, body []byte) error {
	if !json.Valid(body) {
		return fmt.Errorf("%w: action body is not valid JSON", ErrInvalid)
	}
	dst, err := kind.NewRequest()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return fmt.Errorf("%w: %s body: %v", ErrInvalid, kind, err)
	}
	return nil
}

// outcomeStatus is the case status after a final decision with outcome o (as the server sets it).
func outcomeStatus(o api.Outcome) api.Status {
	switch o {
	case api.OutcomeWithdrawn:
		return api.StatusWithdrawn
	case api.OutcomeForwarded:
		return api.StatusForwarded
	}
	return api.StatusDecided
}
