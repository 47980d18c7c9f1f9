package tui

import (
	"testing"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/palette"
)

// The `:` palette offers the open case's actions ("entsch" → Entscheiden) and runs them like
// their keys; in the inbox they act on the case under the cursor.
func TestPaletteCaseActions(t *testing.T) {
	d := newDeps(t, 12)
	m := newRoot(t, d, 80, 24)
	m, _ = press(t, m, "5")
	id := m.Inbox().CurrentID()
	m, _ = press(t, m, "enter")
	if m.State() != common.ViewCase {
		t.Fatal("case view not open")
	}
	tests := []struct {
		typed, first string
		kind         common.DialogKind
	}{
		{"entsch", "case decide", common.DialogDecide},
		{"notiz", "case comment", common.DialogComment},
		{"wiederv", "case resubmission", common.DialogResubmission},
		{"nachford", "case document request", common.DialogDocumentRequest},
	}
	for _, tc := range tests {
		p, _ := press(t, m, ":")
		p = typeText(t, p, tc.typed)
		got := p.palette.Matches()
		if len(got) == 0 || got[0].ID != tc.first {
			t.Fatalf("%q: first of %v, want %q", tc.typed, ids(got), tc.first)
		}
		p, _ = press(t, p, "enter")
		if p.Overlay() != "dialog" || p.dialog.Kind() != tc.kind || p.dialog.CaseIDs()[0] != id {
			t.Fatalf("%q: overlay %q, view:\n%s", tc.typed, p.Overlay(), p.View())
		}
	}
	// From the inbox, the same command acts on the case under the cursor.
	in, _ := press(t, m, "esc")
	in, _ = press(t, in, ":")
	in = typeText(t, in, "entsch")
	in, _ = press(t, in, "enter")
	if in.Overlay() != "dialog" || in.dialog.CaseIDs()[0] != in.Inbox().CurrentID() {
		t.Fatalf("inbox: overlay %q", in.Overlay())
	}
}

func ids(cs []palette.Command) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
