package casework

import (
	"slices"

	"github.com/amt-mv/amt/api"
)

// Nachweise (evidence retrieved from registers, Once-Only) are marked as checked by a clerk once.

// ReasonEvidenceChecked: every Nachweis of the case is checked already (or it has none).
const ReasonEvidenceChecked Reason = "evidence_checked"

// CanCheckEvidence answers whether some Nachweis of the case may be marked as checked: an
// unchecked one on an open case.
func CanCheckEvidence(c api.Case, _ Clerk) error {
	if !c.Status.Open() {
		return refuse(api.ActionEvidenceChecked, ReasonFinished, c, "evidence of a "+string(c.Status)+" case is not checked any more")
	}
	if !slices.ContainsFunc(c.Evidence, func(e api.Evidence) bool { return !e.Verified }) {
		return refuse(api.ActionEvidenceChecked, ReasonEvidenceChecked, c, "every evidence of the case is checked")
	}
	return nil
}

// EvidenceCheckAllowed answers whether the Nachweis evID of the case may be marked as checked.
func EvidenceCheckAllowed(c api.Case, evID string) error {
	if !c.Status.Open() {
		return refuse(api.ActionEvidenceChecked, ReasonFinished, c, "evidence of a "+string(c.Status)+" case is not checked any more")
	}
	i := slices.IndexFunc(c.Evidence, func(e api.Evidence) bool { return e.ID == evID })
	if i < 0 {
		return refuse(api.ActionEvidenceChecked, ReasonOtherDecision, c, "the case has no such evidence")
	}
	if c.Evidence[i].Verified {
		return refuse(api.ActionEvidenceChecked, ReasonEvidenceChecked, c, "the evidence is checked already")
	}
	return nil
}

// applyEvidenceChecked marks the Nachweis (a.DecisionID, else a.ID) as checked by the actor.
func applyEvidenceChecked(c *api.Case, a Act) []api.Event {
	evID := a.DecisionID
	if evID == "" {
		evID = a.ID
	}
	i := slices.IndexFunc(c.Evidence, func(e api.Evidence) bool { return e.ID == evID })
	if i < 0 || c.Evidence[i].Verified {
		return nil
	}
	ev := slices.Clone(c.Evidence)
	at := a.At
	ev[i].Verified, ev[i].CheckedBy, ev[i].CheckedAt = true, a.Actor, &at
	c.Evidence = ev
	return []api.Event{{Kind: api.EventEvidenceChecked, Actor: a.Actor, At: a.At, Summary: Summary(ev[i].Title)}}
}

// evidenceCheckedShows reports whether the Nachweis evID is checked already.
func evidenceCheckedShows(c api.Case, evID string) bool {
	return slices.ContainsFunc(c.Evidence, func(e api.Evidence) bool { return e.ID == evID && e.Verified })
}
