package store

import (
	"fmt"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
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

// applyAction applies the optimistic effect of one action, as the server will (casework.Apply).
// Bodies were validated at Enqueue.
func applyAction(c *api.Case, a *Action) error {
	b, err := casework.Decode(a.Kind, a.Body)
	if err != nil {
		return err
	}
	if casework.Shows(*c, a.Kind, a.ID) {
		return nil
	}
	actor := a.Actor
	if actor == "" {
		actor = OverlayActor
	}
	casework.Apply(c, casework.Act{ID: a.ID, DecisionID: a.SubID, Actor: actor, At: a.CreatedAt, Body: b})
	return nil
}

// validateBody checks that an action body is what the server accepts for the kind
// (casework.Decode), so a malformed body is refused at once rather than after delivery.
func validateBody(kind api.ActionKind, body []byte) error {
	if _, err := casework.Decode(kind, body); err != nil {
		return fmt.Errorf("%w: %s body: %v", ErrInvalid, kind, err)
	}
	return nil
}
