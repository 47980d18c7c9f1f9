package casework

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		kind    api.ActionKind
		body    string
		wantErr string // substring; "" = decodes
	}{
		{api.ActionNote, `{"text":"Bitte prüfen"}`, ""},
		{api.ActionNote, ` {"text":"x"} `, ""},
		{api.ActionDecision, `{"outcome":"approved","reasoning":"ok","feeCents":1500,"validUntil":"2027-12-31"}`, ""},
		{api.ActionApproval, `{"approve":false,"comment":"c"}`, ""},
		{api.ActionAssignment, `{"assignee":""}`, ""},
		{api.ActionStatus, `{"status":"in_review"}`, ""},
		{api.ActionResubmission, `{"date":"2026-12-01"}`, ""},
		{api.ActionDocumentRequest, `{"documents":["A"],"deadline":"2026-12-01"}`, ""},
		{api.ActionNote, `{"text":`, "malformed JSON"},
		{api.ActionNote, `{"text":42}`, `wrong type for field "text"`},
		{api.ActionNote, `{"text":"x","extra":1}`, "unknown field"},
		{api.ActionNote, `{"Text":"x"}`, "case-sensitive"},
		{api.ActionNote, `{"text":"x","text":"y"}`, "duplicate field"},
		{api.ActionNote, `{"text":"x"} {}`, "after the JSON object"},
		{api.ActionNote, `["x"]`, "JSON object"},
		{api.ActionNote, ``, "JSON object"},
		{api.ActionNote, "{\"text\":\"\xff\"}", "UTF-8"},
		{"poke", `{}`, "unknown action kind"},
	}
	for _, tt := range tests {
		b, err := Decode(tt.kind, []byte(tt.body))
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s %s: %v", tt.kind, tt.body, err)
				continue
			}
			if b.Kind != tt.kind || b.Request() == nil || reflect.ValueOf(b.Request()).IsNil() {
				t.Errorf("%s %s: body %+v lacks its request", tt.kind, tt.body, b)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s %q: error %v, want %q", tt.kind, tt.body, err, tt.wantErr)
		}
		if err != nil && strings.Contains(tt.body, "extra") && strings.Contains(err.Error(), "extra") {
			t.Errorf("error echoes request data: %v", err)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	fee := int64(2650)
	for _, req := range []any{api.NoteRequest{Text: "n"}, &api.DecisionRequest{Outcome: api.OutcomeRejected, FeeCents: &fee},
		api.ApprovalRequest{Approve: true}, api.AssignmentRequest{Assignee: "a"}, api.StatusRequest{Status: api.StatusClosed},
		api.ResubmissionRequest{Date: "2026-12-01", Reason: "r"}, api.DocumentRequestRequest{Documents: []string{"A"}, Deadline: "2026-12-01"}} {
		kind, raw, err := Encode(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Decode(kind, raw)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		again, _ := json.Marshal(b.Request())
		if string(again) != string(raw) {
			t.Errorf("%s: %s → %s", kind, raw, again)
		}
	}
	if _, err := BodyOf("text"); err == nil {
		t.Error("BodyOf accepted a string")
	}
}

func TestValidate(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	fee := func(v int64) *int64 { return &v }
	tests := []struct {
		name string
		req  any
		want string // substring of the error; "" valid
	}{
		{"note", api.NoteRequest{Text: "ok"}, ""},
		{"empty note", api.NoteRequest{Text: "  "}, "text must not be empty"},
		{"long note", api.NoteRequest{Text: long(api.MaxNoteRunes + 1)}, "text is longer"},
		{"decision", api.DecisionRequest{Outcome: api.OutcomeApproved, FeeCents: fee(0), ValidUntil: "2027-01-01"}, ""},
		{"unknown outcome", api.DecisionRequest{Outcome: "maybe"}, "unknown outcome"},
		{"negative fee", api.DecisionRequest{Outcome: api.OutcomeApproved, FeeCents: fee(-1)}, "feeCents out of range"},
		{"huge fee", api.DecisionRequest{Outcome: api.OutcomeApproved, FeeCents: fee(MaxFeeCents + 1)}, "feeCents out of range"},
		{"bad valid-until", api.DecisionRequest{Outcome: api.OutcomeApproved, ValidUntil: "31.12.2027"}, "validUntil"},
		{"return without comment", api.ApprovalRequest{Approve: false}, "needs a comment"},
		{"long comment", api.ApprovalRequest{Approve: true, Comment: long(MaxReasonRunes + 1)}, "comment is longer"},
		{"assignee id", api.AssignmentRequest{Assignee: "../x"}, "not a clerk id"},
		{"unassign", api.AssignmentRequest{}, ""},
		{"unknown status", api.StatusRequest{Status: "done"}, "unknown status"},
		{"resubmission today", api.ResubmissionRequest{Date: "2026-11-24"}, ""},
		{"resubmission past", api.ResubmissionRequest{Date: "2026-11-23"}, "not be in the past"},
		{"resubmission format", api.ResubmissionRequest{Date: "+3"}, "date must be a date"},
		{"no documents", api.DocumentRequestRequest{Deadline: "2026-12-01"}, "documents must list"},
		{"too many documents", api.DocumentRequestRequest{Documents: make([]string, MaxDocuments+1), Deadline: "2026-12-01"}, "documents must list"},
		{"blank document", api.DocumentRequestRequest{Documents: []string{" "}, Deadline: "2026-12-01"}, "each document"},
		{"deadline past", api.DocumentRequestRequest{Documents: []string{"A"}, Deadline: "2026-01-01"}, "deadline must not be in the past"},
	}
	for _, tt := range tests {
		b, err := BodyOf(tt.req)
		if err != nil {
			t.Fatal(err)
		}
		err = Validate(b, "2026-11-24")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		var ie *InvalidError
		if err != nil && !errors.As(err, &ie) {
			t.Errorf("%s: %T is not an *InvalidError", tt.name, err)
		}
	}
	// Without today, the time-dependent checks are skipped (a replay the next day).
	b, _ := BodyOf(api.ResubmissionRequest{Date: "2020-01-01"})
	if err := Validate(b, ""); err != nil {
		t.Errorf("without today: %v", err)
	}
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{"01JD3": true, "a-b_c.d~e:f": true, "": false, "../x": false, "a b": false,
		"ä": false, strings.Repeat("a", MaxActionIDLen): true, strings.Repeat("a", MaxActionIDLen+1): false} {
		if got := ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v", id, got)
		}
	}
}

// FuzzDecode feeds arbitrary bodies to the decoder and the field validation of every action kind:
// they must never panic, and whatever decodes must survive a JSON round trip.
func FuzzDecode(f *testing.F) {
	f.Add(uint8(0), []byte(`{"text":"Bitte Nachweis prüfen"}`))
	f.Add(uint8(1), []byte(`{"outcome":"approved","reasoning":"ok","feeCents":1500,"validUntil":"2027-12-31"}`))
	f.Add(uint8(2), []byte(`{"approve":false,"comment":"Begründung fehlt"}`))
	f.Add(uint8(3), []byte(`{"assignee":"crivitz.schulz"}`))
	f.Add(uint8(4), []byte(`{"status":"in_review"}`))
	f.Add(uint8(5), []byte(`{"date":"2026-12-01","reason":"Rückruf"}`))
	f.Add(uint8(6), []byte(`{"documents":["Personalausweis"],"deadline":"2026-12-24","message":"Bitte nachreichen"}`))
	f.Add(uint8(0), []byte(`{"text":"a"} {}`))
	f.Add(uint8(1), []byte(`{"feeCents":1e400}`))
	f.Add(uint8(0), []byte("{\"text\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, k uint8, raw []byte) {
		kind := api.ActionKinds[int(k)%len(api.ActionKinds)]
		b, err := Decode(kind, raw)
		if err != nil {
			if b.Request() != nil {
				t.Fatal("value with error")
			}
			return
		}
		_ = Validate(b, "2026-11-24")
		_ = NoteText(b)
		again, err := json.Marshal(b.Request())
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if _, err := Decode(kind, again); err != nil {
			t.Fatalf("round trip of %q: %v", again, err)
		}
	})
}
