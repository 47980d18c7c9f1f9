package casework

import (
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// Issue 15 item 5: Wendt's Wiedervorlage does not replace Peters'; each clerk's new one replaces
// only their own; Case.Resubmission is the earliest; a case stored with only the single field
// keeps it.
func TestResubmissionsPerClerk(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	c := api.Case{ID: "c1", Status: api.StatusInReview,
		Resubmission: &api.Resubmission{ID: "r-peters", Date: "2026-12-16", Reason: "Rückruf Antragsteller", Actor: "crivitz.peters"}}
	set := func(id, actor, date, reason string) []api.Event {
		return Apply(&c, Act{ID: id, Actor: actor, At: at, Body: Body{Kind: api.ActionResubmission,
			Resubmission: &api.ResubmissionRequest{Date: date, Reason: reason}}})
	}
	evs := set("r-wendt", "crivitz.wendt", "2026-12-07", "Unterlagen prüfen")
	if len(evs) != 1 || evs[0].Summary != "2026-12-07" || evs[0].Detail != "Unterlagen prüfen" {
		t.Fatalf("events %+v", evs)
	}
	if got := Resubmissions(c); len(got) != 2 || got[0].Actor != "crivitz.peters" || got[1].Actor != "crivitz.wendt" {
		t.Fatalf("after Wendt: %+v", got)
	}
	if c.Resubmission == nil || c.Resubmission.ID != "r-wendt" {
		t.Fatalf("earliest = %+v, want Wendt's", c.Resubmission)
	}
	set("r-wendt2", "crivitz.wendt", "2026-12-21", "")
	got := Resubmissions(c)
	if len(got) != 2 || got[1].ID != "r-wendt2" || got[0].Date != "2026-12-16" {
		t.Fatalf("after Wendt's second: %+v", got)
	}
	if c.Resubmission.ID != "r-peters" {
		t.Fatalf("earliest = %+v, want Peters'", c.Resubmission)
	}
	if r, ok := ResubmissionOf(c, "crivitz.peters"); !ok || r.Reason != "Rückruf Antragsteller" {
		t.Fatalf("Peters' = %+v %v", r, ok)
	}
	for _, id := range []string{"r-peters", "r-wendt2"} {
		if !Shows(c, api.ActionResubmission, id) {
			t.Errorf("Shows(%s) = false", id)
		}
	}
	if Shows(c, api.ActionResubmission, "r-wendt") {
		t.Error("the replaced Wiedervorlage is still shown")
	}
}

// Issue 15 item 8: every event with a text beside its summary carries it in Detail.
func TestEventDetails(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	fee := int64(1500)
	c := api.Case{ID: "c1", Status: api.StatusInReview, Service: api.Service{FourEyes: true}}
	apply := func(id, actor string, b Body, dec string) []api.Event {
		return Apply(&c, Act{ID: id, DecisionID: dec, Actor: actor, At: at, Body: b})
	}
	evs := apply("d1", "crivitz.wendt", Body{Kind: api.ActionDecision, Decision: &api.DecisionRequest{
		Outcome: api.OutcomeApproved, Reasoning: "Alle Voraussetzungen liegen vor.", FeeCents: &fee}}, "")
	if len(evs) != 1 || evs[0].Detail != "Alle Voraussetzungen liegen vor." {
		t.Fatalf("proposal events %+v", evs)
	}
	evs = apply("a1", "crivitz.schulz", Body{Kind: api.ActionApproval, Approval: &api.ApprovalRequest{Comment: "Gebühr prüfen"}}, "d1")
	if len(evs) != 1 || evs[0].Detail != "Gebühr prüfen" {
		t.Fatalf("return events %+v", evs)
	}
	evs = apply("n1", "crivitz.wendt", Body{Kind: api.ActionDocumentRequest, DocumentRequest: &api.DocumentRequestRequest{
		Documents: []string{"Mietvertrag"}, Deadline: "2026-12-18", Message: "Bitte bis Freitag."}}, "")
	if len(evs) != 1 || evs[0].Detail != "Bitte bis Freitag." {
		t.Fatalf("Nachforderung events %+v", evs)
	}
}

// Issue 15 item 10: a Nachweis is marked as checked once, by whom and when; unknown or checked
// evidence is refused by Check.
func TestEvidenceChecked(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	base := api.Case{ID: "c1", Status: api.StatusInReview, Evidence: []api.Evidence{
		{ID: "ev1", Title: "Meldebestätigung", Verified: false}, {ID: "ev2", Title: "Gewerbeauskunft", Verified: true}}}
	b := Body{Kind: api.ActionEvidenceChecked, EvidenceCheck: &api.EvidenceCheckRequest{}}
	if err := CanCheckEvidence(base, clerk); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ev   string
		want Reason
	}{{"ev1", ""}, {"ev2", ReasonEvidenceChecked}, {"nope", ReasonOtherDecision}}
	for _, tt := range tests {
		if got := reasonOf(t, Check(base, clerk, b, tt.ev)); got != tt.want {
			t.Errorf("Check(%s) = %q, want %q", tt.ev, got, tt.want)
		}
	}
	c := base
	evs := Apply(&c, Act{ID: "x1", DecisionID: "ev1", Actor: "crivitz.wendt", At: at, Body: b})
	if len(evs) != 1 || evs[0].Kind != api.EventEvidenceChecked || !c.Evidence[0].Verified ||
		c.Evidence[0].CheckedBy != "crivitz.wendt" || c.Evidence[0].CheckedAt == nil || !c.Evidence[0].CheckedAt.Equal(at) {
		t.Fatalf("after check: %+v events %+v", c.Evidence[0], evs)
	}
	if base.Evidence[0].Verified {
		t.Fatal("Apply changed the base case's evidence")
	}
	if !Shows(c, api.ActionEvidenceChecked, "ev1") || Shows(base, api.ActionEvidenceChecked, "ev1") {
		t.Error("Shows")
	}
	if err := CanCheckEvidence(c, clerk); reasonOf(t, err) != ReasonEvidenceChecked {
		t.Errorf("all checked: %v", err)
	}
	closed := base
	closed.Status = api.StatusClosed
	if reasonOf(t, Check(closed, clerk, b, "ev1")) != ReasonFinished {
		t.Error("a closed case's evidence was checkable")
	}
}
