package syncer

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

func TestNoteTextKeepsIntent(t *testing.T) {
	fee := int64(2650)
	tests := []struct {
		kind api.ActionKind
		body any
		want []string
	}{
		{api.ActionDecision, api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "Nachweis fehlt", FeeCents: &fee, ValidUntil: "2027-12-31"},
			[]string{"Nicht übernommen", "abgelehnt", "26,50 €", "2027-12-31", "Begründung: Nachweis fehlt"}},
		{api.ActionAssignment, api.AssignmentRequest{Assignee: "crivitz.meier"}, []string{"Zuweisen an crivitz.meier"}},
		{api.ActionAssignment, api.AssignmentRequest{}, []string{"Zuständigkeit aufheben"}},
		{api.ActionStatus, api.StatusRequest{Status: api.StatusInReview}, []string{"in_review"}},
		{api.ActionApproval, api.ApprovalRequest{Approve: false, Comment: "Gebühr prüfen"}, []string{"zurückgeben", "Gebühr prüfen"}},
		{api.ActionResubmission, api.ResubmissionRequest{Date: "2026-12-01", Reason: "Rückruf"}, []string{"Wiedervorlage am 2026-12-01", "Rückruf"}},
		{api.ActionDocumentRequest, api.DocumentRequestRequest{Documents: []string{"Meldebescheinigung"}, Deadline: "2026-12-15"}, []string{"Nachforderung bis 2026-12-15", "Meldebescheinigung"}},
		{api.ActionNote, api.NoteRequest{Text: "nur eine Notiz"}, []string{"nur eine Notiz"}},
		{api.ActionNote, api.NoteRequest{Text: strings.Repeat("ä", api.MaxNoteRunes+5)}, nil},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.body)
		got := NoteText(store.Action{Kind: tt.kind, Body: b})
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tt.kind, got, w)
			}
		}
		if n := utf8.RuneCountInString(got); n > api.MaxNoteRunes {
			t.Errorf("%s: %d runes, more than a note may hold", tt.kind, n)
		}
	}
}
