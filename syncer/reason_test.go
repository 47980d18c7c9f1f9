package syncer

import (
	"testing"

	"github.com/amt-mv/amt/api"
)

func TestRejectedReasonKind(t *testing.T) {
	tests := []struct {
		p          api.Problem
		stored     string
		kind, text string
	}{
		{api.Problem{Type: api.ProblemConflict, Title: "Action not allowed in this state", Detail: "case is withdrawn"},
			"[invalid-transition] Action not allowed in this state: case is withdrawn", "invalid-transition", "Action not allowed in this state: case is withdrawn"},
		{api.Problem{Type: "https://elsewhere/x", Title: "Odd"}, "Odd", "", "Odd"},
		{api.Problem{Type: api.ProblemValidation}, "[validation] HTTP 422", "validation", "HTTP 422"},
		{api.Problem{Title: "[fake] x"}, "[fake] x", "fake", "x"}, // a server title cannot pass for a kind we know: the catalogue has none
	}
	for _, tt := range tests {
		got := rejectedReason(tt.p, 422)
		if got != tt.stored {
			t.Errorf("rejectedReason(%+v) = %q, want %q", tt.p, got, tt.stored)
		}
		if k, s := SplitRejected(got); k != tt.kind || s != tt.text {
			t.Errorf("SplitRejected(%q) = %q, %q", got, k, s)
		}
	}
}
