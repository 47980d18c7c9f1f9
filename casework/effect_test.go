package casework

import (
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

func TestOutcomeStatus(t *testing.T) {
	want := map[api.Outcome]api.Status{
		api.OutcomeApproved: api.StatusDecided, api.OutcomePartiallyApproved: api.StatusDecided,
		api.OutcomeRejected: api.StatusDecided, api.OutcomeWithdrawn: api.StatusWithdrawn,
		api.OutcomeForwarded: api.StatusForwarded,
	}
	if len(want) != len(api.Outcomes) {
		t.Fatal("table misses an outcome")
	}
	for o, st := range want {
		if got := OutcomeStatus(o); got != st {
			t.Errorf("OutcomeStatus(%s) = %s, want %s", o, got, st)
		}
	}
}

// TestApply: the effect of each action on a case — status, four-eyes states and the events.
func TestApply(t *testing.T) {
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	body := func(req any) Body {
		b, err := BodyOf(req)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name       string
		status     api.Status
		fourEyes   bool
		req        any
		wantStatus api.Status
		wantDec    string // decision state after, "" none
		wantEvents []api.EventKind
	}{
		{"note", api.StatusInReview, false, api.NoteRequest{Text: "n"}, api.StatusInReview, "", []api.EventKind{api.EventNote}},
		{"final decision", api.StatusInReview, false, api.DecisionRequest{Outcome: api.OutcomeRejected}, api.StatusDecided, api.DecisionFinal, []api.EventKind{api.EventDecided}},
		{"four-eyes proposal", api.StatusInReview, true, api.DecisionRequest{Outcome: api.OutcomeApproved}, api.StatusDecisionProposed, api.DecisionProposed, []api.EventKind{api.EventDecisionProposed}},
		{"four-eyes withdrawal is proposed", api.StatusNew, true, api.DecisionRequest{Outcome: api.OutcomeWithdrawn}, api.StatusDecisionProposed, api.DecisionProposed, []api.EventKind{api.EventDecisionProposed}},
		{"four-eyes forwarding is proposed", api.StatusNew, true, api.DecisionRequest{Outcome: api.OutcomeForwarded}, api.StatusDecisionProposed, api.DecisionProposed, []api.EventKind{api.EventDecisionProposed}},
		{"withdrawal without four-eyes is final", api.StatusNew, false, api.DecisionRequest{Outcome: api.OutcomeWithdrawn}, api.StatusWithdrawn, api.DecisionFinal, []api.EventKind{api.EventDecided}},
		{"approve", api.StatusDecisionProposed, true, api.ApprovalRequest{Approve: true}, api.StatusDecided, api.DecisionFinal, []api.EventKind{api.EventDecisionApproved, api.EventDecided}},
		{"return", api.StatusDecisionProposed, true, api.ApprovalRequest{Comment: "Gebühr?"}, api.StatusInReview, api.DecisionReturned, []api.EventKind{api.EventDecisionReturned}},
		{"assign", api.StatusNew, false, api.AssignmentRequest{Assignee: "a"}, api.StatusNew, "", []api.EventKind{api.EventAssigned}},
		{"start review", api.StatusNew, false, api.StatusRequest{Status: api.StatusInReview}, api.StatusInReview, "", []api.EventKind{api.EventStatusChanged}},
		{"documents received", api.StatusAwaitingDocuments, false, api.StatusRequest{Status: api.StatusInReview}, api.StatusInReview, "", []api.EventKind{api.EventDocumentsReceived}},
		{"the proposer takes the proposal back", api.StatusDecisionProposed, true, api.StatusRequest{Status: api.StatusInReview}, api.StatusInReview, api.DecisionReturned, []api.EventKind{api.EventDecisionWithdrawn}},
		{"withdrawal drops the proposal", api.StatusDecisionProposed, true, api.StatusRequest{Status: api.StatusWithdrawn}, api.StatusWithdrawn, api.DecisionReturned, []api.EventKind{api.EventStatusChanged}},
		{"Wiedervorlage", api.StatusInReview, false, api.ResubmissionRequest{Date: "2026-12-01"}, api.StatusInReview, "", []api.EventKind{api.EventResubmission}},
		{"Nachforderung", api.StatusInReview, false, api.DocumentRequestRequest{Documents: []string{"A"}, Deadline: "2026-12-01"}, api.StatusAwaitingDocuments, "", []api.EventKind{api.EventDocumentRequest}},
	}
	for _, tt := range tests {
		c := api.Case{ID: "c1", Status: tt.status, Service: api.Service{FourEyes: tt.fourEyes}}
		if tt.status == api.StatusDecisionProposed {
			c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, State: api.DecisionProposed, Actor: "p"}
		}
		before := c.Decision
		evs := Apply(&c, Act{ID: "a1", Actor: "crivitz.schulz", At: at, Body: body(tt.req)})
		if c.Status != tt.wantStatus {
			t.Errorf("%s: status %s, want %s", tt.name, c.Status, tt.wantStatus)
		}
		got := ""
		if c.Decision != nil {
			got = c.Decision.State
		}
		if got != tt.wantDec {
			t.Errorf("%s: decision state %q, want %q", tt.name, got, tt.wantDec)
		}
		if before != nil && before.State != api.DecisionProposed {
			t.Errorf("%s: the case's earlier decision was changed in place", tt.name)
		}
		if len(evs) != len(tt.wantEvents) {
			t.Fatalf("%s: events %+v, want %v", tt.name, evs, tt.wantEvents)
		}
		for i, e := range evs {
			if e.Kind != tt.wantEvents[i] || e.Actor != "crivitz.schulz" || !e.At.Equal(at) {
				t.Errorf("%s: event %d = %+v, want kind %s by the actor at %v", tt.name, i, e, tt.wantEvents[i], at)
			}
		}
		if tt.name == "approve" && c.Decision.ApprovedBy != "crivitz.schulz" {
			t.Errorf("approve: approvedBy %q", c.Decision.ApprovedBy)
		}
	}
}

func TestApplyRecordsWhatItAdds(t *testing.T) {
	c := api.Case{ID: "c1", Status: api.StatusInReview}
	for _, req := range []any{api.NoteRequest{Text: "n"}, api.DecisionRequest{Outcome: api.OutcomeRejected},
		api.ResubmissionRequest{Date: "2026-12-01"}, api.DocumentRequestRequest{Documents: []string{"A"}, Deadline: "2026-12-01"}} {
		b, _ := BodyOf(req)
		if Shows(c, b.Kind, "x-"+string(b.Kind)) {
			t.Fatalf("%s shown before it was applied", b.Kind)
		}
		Apply(&c, Act{ID: "x-" + string(b.Kind), Actor: "me", Body: b})
		if !Shows(c, b.Kind, "x-"+string(b.Kind)) {
			t.Errorf("%s not shown after it was applied", b.Kind)
		}
	}
	// An approval of another decision changes nothing.
	c = api.Case{Status: api.StatusDecisionProposed, Decision: &api.Decision{ID: "d1", State: api.DecisionProposed}}
	b, _ := BodyOf(api.ApprovalRequest{Approve: true})
	if evs := Apply(&c, Act{DecisionID: "d0", Body: b}); evs != nil || c.Status != api.StatusDecisionProposed {
		t.Errorf("approval of another decision applied: %v %s", evs, c.Status)
	}
}

func TestSummary(t *testing.T) {
	if s := Summary("kurz"); s != "kurz" {
		t.Error(s)
	}
	long := strings.Repeat("ä", 250)
	if s := Summary(long); len([]rune(s)) != 201 || !strings.HasSuffix(s, "…") {
		t.Errorf("%d runes", len([]rune(s)))
	}
}
