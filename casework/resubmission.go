package casework

import (
	"slices"

	"github.com/amt-mv/amt/api"
)

// Wiedervorlagen are per clerk: several per case, one of each clerk. A clerk's new Wiedervorlage
// replaces their own earlier one and never a colleague's.

// Resubmissions returns the Wiedervorlagen of the case, one per clerk: Case.Resubmissions, or the
// single Case.Resubmission of a case stored before the list existed.
func Resubmissions(c api.Case) []api.Resubmission {
	if len(c.Resubmissions) > 0 {
		return c.Resubmissions
	}
	if c.Resubmission != nil {
		return []api.Resubmission{*c.Resubmission}
	}
	return nil
}

// ResubmissionOf returns the clerk's Wiedervorlage on the case, if any.
func ResubmissionOf(c api.Case, clerk string) (api.Resubmission, bool) {
	for _, r := range Resubmissions(c) {
		if r.Actor == clerk {
			return r, true
		}
	}
	return api.Resubmission{}, false
}

// applyResubmission sets the actor's Wiedervorlage, keeping the colleagues' ones, and keeps
// Case.Resubmission as the earliest of them.
func applyResubmission(c *api.Case, a Act) []api.Event {
	q := a.Body.Resubmission
	r := api.Resubmission{ID: a.ID, Date: q.Date, Reason: q.Reason, Actor: a.Actor}
	list := slices.Clone(Resubmissions(*c))
	if i := slices.IndexFunc(list, func(x api.Resubmission) bool { return x.Actor == a.Actor }); i >= 0 {
		list[i] = r
	} else {
		list = append(list, r)
	}
	c.Resubmissions = list
	first := list[0]
	for _, x := range list[1:] {
		if x.Date < first.Date {
			first = x
		}
	}
	c.Resubmission = &first
	return []api.Event{{Kind: api.EventResubmission, Actor: a.Actor, At: a.At, Summary: q.Date, Detail: q.Reason}}
}

// resubmissionShows reports whether the case carries the Wiedervorlage of this id.
func resubmissionShows(c api.Case, id string) bool {
	return slices.ContainsFunc(Resubmissions(c), func(r api.Resubmission) bool { return r.ID == id })
}
