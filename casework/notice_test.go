package casework

import (
	"testing"

	"github.com/amt-mv/amt/api"
)

// TestNotices (issue 15 item 6): what a clerk is told about entries that reached them.
func TestNotices(t *testing.T) {
	const me, lead, colleague = "crivitz.wendt", "crivitz.schulz", "crivitz.peters"
	ev := func(seq int64, k api.EventKind, actor string) api.Event {
		return api.Event{Seq: seq, Kind: k, Actor: actor}
	}
	base := []api.Event{ev(1, api.EventReceived, "applicant"), ev(2, api.EventDecisionProposed, me)}
	tests := []struct {
		name     string
		assignee string
		proposer string
		reqBy    string
		events   []api.Event
		since    int64
		want     []NoticeKind
	}{
		{"proposal approved", me, me, "", []api.Event{ev(3, api.EventDecisionApproved, lead), ev(4, api.EventDecided, lead)}, 2, []NoticeKind{NoticeApproved}},
		{"proposal returned, not assigned", colleague, me, "", []api.Event{ev(3, api.EventDecisionReturned, lead)}, 2, []NoticeKind{NoticeReturned}},
		{"seen already", me, me, "", []api.Event{ev(3, api.EventDecisionApproved, lead), ev(4, api.EventDecided, lead)}, 4, nil},
		{"documents for my Nachforderung", colleague, "", me, []api.Event{ev(3, api.EventDocumentsReceived, "applicant")}, 2, []NoticeKind{NoticeDocuments}},
		{"documents for another's case", colleague, "", colleague, []api.Event{ev(3, api.EventDocumentsReceived, "applicant")}, 2, nil},
		{"colleague notes on my case", me, "", "", []api.Event{ev(3, api.EventNote, colleague)}, 2, []NoticeKind{NoticeChanged}},
		{"colleague decides my case", me, "", "", []api.Event{ev(3, api.EventDecided, colleague)}, 2, []NoticeKind{NoticeChanged}},
		{"colleague notes on another's case", colleague, "", "", []api.Event{ev(3, api.EventNote, lead)}, 2, nil},
		{"my own note", me, "", "", []api.Event{ev(3, api.EventNote, me)}, 2, nil},
		{"delivery entries are not news", me, "", "", []api.Event{ev(3, api.EventDocumentSent, "")}, 2, nil},
		{"approved and a note: both, most important first", me, me, "", []api.Event{ev(3, api.EventNote, colleague), ev(4, api.EventDecisionApproved, lead), ev(5, api.EventDecided, lead)}, 2, []NoticeKind{NoticeApproved, NoticeChanged}},
	}
	for _, tt := range tests {
		c := api.Case{Assignee: tt.assignee, History: append(append([]api.Event(nil), base...), tt.events...)}
		if tt.proposer != "" {
			c.Decision = &api.Decision{Actor: tt.proposer}
		}
		if tt.reqBy != "" {
			c.DocumentRequests = []api.DocumentRequest{{Actor: tt.reqBy}}
		}
		got := Notices(c, me, tt.since)
		var kinds []NoticeKind
		for _, n := range got {
			kinds = append(kinds, n.Kind)
		}
		if len(kinds) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, kinds, tt.want)
			continue
		}
		for i := range kinds {
			if kinds[i] != tt.want[i] {
				t.Errorf("%s: %v, want %v", tt.name, kinds, tt.want)
			}
		}
	}
	if LastSeq(api.Case{History: base}) != 2 {
		t.Error("LastSeq")
	}
}
