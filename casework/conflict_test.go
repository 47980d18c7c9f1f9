package casework

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
)

// TestNoteTextKeepsIntent: the note that keeps a conflicted action names everything the clerk
// wanted, German and with German dates and amounts.
func TestNoteTextKeepsIntent(t *testing.T) {
	fee := int64(123450)
	tests := []struct {
		body any
		want []string
	}{
		{api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "Nachweis fehlt", FeeCents: &fee, ValidUntil: "2027-12-31"},
			[]string{"Nicht übernommen: ", "abgelehnt", "1.234,50 €", "Gültig bis 31.12.2027", "Begründung: Nachweis fehlt"}},
		{api.DecisionRequest{Outcome: api.OutcomeForwarded}, []string{"abgegeben (nicht zuständig)"}},
		{api.AssignmentRequest{Assignee: "crivitz.meier"}, []string{"Zuweisen an crivitz.meier"}},
		{api.AssignmentRequest{}, []string{"Zuständigkeit aufheben"}},
		{api.StatusRequest{Status: api.StatusInReview}, []string{"Status auf „In Prüfung“ setzen"}},
		{api.ApprovalRequest{Approve: false, Comment: "Gebühr prüfen"}, []string{"zurückgeben", "Kommentar: Gebühr prüfen"}},
		{api.ApprovalRequest{Approve: true}, []string{"Entscheidung freigeben."}},
		{api.ResubmissionRequest{Date: "2026-12-01", Reason: "Rückruf"}, []string{"Wiedervorlage am 01.12.2026", "Grund: Rückruf"}},
		{api.DocumentRequestRequest{Documents: []string{"Meldebescheinigung", "Foto"}, Deadline: "2026-12-15", Message: "Bitte bald"},
			[]string{"Nachforderung bis 15.12.2026", "\n- Meldebescheinigung\n- Foto", "Nachricht: Bitte bald"}},
		{api.NoteRequest{Text: "nur eine Notiz"}, []string{"nur eine Notiz"}},
		{api.NoteRequest{Text: strings.Repeat("ä", api.MaxNoteRunes+5)}, nil},
	}
	for _, tt := range tests {
		b, err := BodyOf(tt.body)
		if err != nil {
			t.Fatal(err)
		}
		got := NoteText(b)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", b.Kind, got, w)
			}
		}
		if n := utf8.RuneCountInString(got); n > api.MaxNoteRunes {
			t.Errorf("%s: %d runes, more than a note may hold", b.Kind, n)
		}
		if b.Kind == api.ActionNote && strings.HasPrefix(got, "Nicht übernommen") {
			t.Errorf("a note kept as a note gained a prefix: %q", got)
		}
		if err := Validate(Body{Kind: api.ActionNote, Note: &api.NoteRequest{Text: got}}, ""); err != nil {
			t.Errorf("%s: the note would be refused: %v", b.Kind, err)
		}
	}
}

func TestResolutionAllowed(t *testing.T) {
	type state struct{ settled, conflict, server bool }
	pending := state{}
	rejected := state{settled: true}
	conflict := state{settled: true, conflict: true, server: true}
	conflictNoCase := state{settled: true, conflict: true}
	tests := []struct {
		r    Resolution
		s    state
		want error
	}{
		{Reapply, conflict, nil},
		{Reapply, conflictNoCase, ErrNotConflict},
		{Reapply, rejected, ErrNotConflict},
		{Reapply, pending, ErrNotConflict},
		{AsNote, conflict, nil},
		{AsNote, rejected, nil},
		{AsNote, pending, ErrNotConflict},
		{Discard, conflict, nil},
		{Discard, rejected, nil},
		{Discard, pending, ErrNotConflict},
	}
	for _, tt := range tests {
		if got := ResolutionAllowed(tt.r, tt.s.settled, tt.s.conflict, tt.s.server); got != tt.want {
			t.Errorf("%d on %+v: %v, want %v", tt.r, tt.s, got, tt.want)
		}
	}
	if ResolutionAllowed(0, true, true, true) == nil {
		t.Error("unknown resolution accepted")
	}
	for _, k := range api.ActionKinds {
		want := k == api.ActionDecision || k == api.ActionApproval
		if NeedsConfirmation(Reapply, k) != want || !NeedsConfirmation(Discard, k) || NeedsConfirmation(AsNote, k) {
			t.Errorf("%s: confirmation rule", k)
		}
	}
}

// TestReapplyAllowed (issue 15 item 4): a conflicted action may be sent again only when the
// server's current case still takes it — never a decision on a case a colleague decided.
func TestReapplyAllowed(t *testing.T) {
	enc := func(req any) (api.ActionKind, []byte) {
		k, b, err := Encode(req)
		if err != nil {
			t.Fatal(err)
		}
		return k, b
	}
	decided := api.Case{ID: "c1", Status: api.StatusDecided, Decision: &api.Decision{ID: "d9", State: api.DecisionFinal, Outcome: api.OutcomeApproved}}
	review := api.Case{ID: "c1", Status: api.StatusInReview}
	tests := []struct {
		name   string
		server api.Case
		req    any
		want   Reason
	}{
		{"decision on a decided case", decided, api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "x"}, ReasonFinished},
		{"decision on a case still in review", review, api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "x"}, ""},
		{"assignment of a decided case", decided, api.AssignmentRequest{Assignee: "a"}, ReasonFinished},
		{"assignment of an open case", review, api.AssignmentRequest{Assignee: "a"}, ""},
		{"start review of a case in review", review, api.StatusRequest{Status: api.StatusInReview}, ReasonTransition},
	}
	for _, tt := range tests {
		k, b := enc(tt.req)
		err := ReapplyAllowed(tt.server, Clerk{ID: "k", Role: api.RoleClerk}, k, b, "")
		var got Reason
		if rf, ok := err.(*Refusal); ok {
			got = rf.Reason
		} else if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
