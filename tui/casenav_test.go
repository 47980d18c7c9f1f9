package tui

import (
	"strings"
	"testing"

	"github.com/amt-mv/amt/tui/common"
)

// Issue 15 item 8: inside a case, J/] open the next case of the list and K/[ the previous one,
// without going back; the ends of the list are said; Esc returns to the list on the case shown.
func TestNextPreviousCaseInside(t *testing.T) {
	d := newDeps(t, 12)
	d.Config.StartView = "all"
	m := newRoot(t, d, 80, 24)
	rows := m.Inbox().Rows()
	if len(rows) < 3 {
		t.Fatalf("rows %d", len(rows))
	}
	m, _ = press(t, m, "enter")
	if m.State() != common.ViewCase || !strings.Contains(m.View(), rows[0].Reference) {
		t.Fatalf("first case not open:\n%s", m.View())
	}
	m, _ = press(t, m, "J")
	if m.State() != common.ViewCase || !strings.Contains(m.View(), rows[1].Reference) {
		t.Fatalf("J did not open the second case:\n%s", m.View())
	}
	m, _ = press(t, m, "]")
	if !strings.Contains(m.View(), rows[2].Reference) {
		t.Fatalf("] did not open the third case:\n%s", m.View())
	}
	m, _ = press(t, m, "K", "[")
	if !strings.Contains(m.View(), rows[0].Reference) {
		t.Fatalf("K [ did not go back to the first case:\n%s", m.View())
	}
	m, _ = press(t, m, "K")
	if !strings.Contains(strings.Join(m.Toasts(), "|"), "Erster Vorgang der Liste") || !strings.Contains(m.View(), rows[0].Reference) {
		t.Fatalf("K on the first case: toasts %v\n%s", m.Toasts(), m.View())
	}
	m, _ = press(t, m, "J", "esc")
	if m.State() != common.ViewInbox || m.Inbox().CurrentID() != rows[1].ID {
		t.Fatalf("Esc: state %v, cursor on %s, want %s", m.State(), m.Inbox().CurrentID(), rows[1].ID)
	}
	// ? inside a case lists the new keys.
	m, _ = press(t, m, "enter", "?")
	for _, w := range []string{"nächster Vorgang", "voriger Vorgang", "im Vorgang suchen"} {
		if !strings.Contains(m.View(), w) {
			t.Errorf("help lacks %q:\n%s", w, m.View())
		}
	}
}
