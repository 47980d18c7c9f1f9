package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestNewRequestCoversEveryKind(t *testing.T) {
	want := map[ActionKind]any{
		ActionNote: &NoteRequest{}, ActionDecision: &DecisionRequest{}, ActionApproval: &ApprovalRequest{},
		ActionAssignment: &AssignmentRequest{}, ActionStatus: &StatusRequest{},
		ActionResubmission: &ResubmissionRequest{}, ActionDocumentRequest: &DocumentRequestRequest{},
		ActionPrinted: &PrintedRequest{}, ActionEvidenceChecked: &EvidenceCheckRequest{},
	}
	for _, k := range ActionKinds {
		got, err := k.NewRequest()
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if reflect.TypeOf(got) != reflect.TypeOf(want[k]) {
			t.Errorf("%s: %T, want %T", k, got, want[k])
		}
		if err := json.Unmarshal([]byte(`{}`), got); err != nil {
			t.Errorf("%s: not decodable: %v", k, err)
		}
	}
	if _, err := ActionKind("bogus").NewRequest(); err == nil {
		t.Error("unknown kind accepted")
	}
}
