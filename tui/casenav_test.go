package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/tuitest"
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

// Issue 15 item 5 as seen: on Friday 04.12.2026 a clerk's "+1" meant Saturday 05.12. without
// saying so and replaced a colleague's "16.12.2026 Rückruf Antragsteller". Now the dialog shows
// the date meant and moves it to Monday with a hint, and both Wiedervorlagen stay.
func TestWiedervorlageDoesNotReplaceColleagues(t *testing.T) {
	c := tuitest.Case(1)
	c.Status = api.StatusInReview
	c.Resubmission = &api.Resubmission{ID: "rs-mueller", Date: "2026-12-16", Reason: "Rückruf Antragsteller", Actor: "crivitz.mueller"}
	d := newDeps(t, 0, c)
	friday := &fakeClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.Local)}
	d.Now = friday.Now
	d.Config.StartView = "all"
	m := newRoot(t, d, 80, 24)
	m, _ = press(t, m, "enter", "w")
	if m.Overlay() != "dialog" {
		t.Fatalf("no Wiedervorlage dialog:\n%s", m.View())
	}
	m = typeText(t, m, "+1")
	v := strings.Join(strings.Fields(m.View()), " ")
	if !strings.Contains(v, "→ Montag, 07.12.2026") || !strings.Contains(v, "Samstag, 05.12.2026 ist kein Arbeitstag") {
		t.Fatalf("date meant or hint missing:\n%s", m.View())
	}
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyCtrlS})
	_, _ = send(t, m, common.StoreChangedMsg{})
	got, err := d.Store.Case(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	rs := casework.Resubmissions(got)
	if len(rs) != 2 || rs[0].Reason != "Rückruf Antragsteller" || rs[1].Date != "2026-12-07" || rs[1].Actor != tuitest.Me.Clerk {
		t.Fatalf("Wiedervorlagen %+v", rs)
	}
}
