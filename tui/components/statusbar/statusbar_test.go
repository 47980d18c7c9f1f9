package statusbar

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/tuitest"
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

func TestStatusBar(t *testing.T) {
	c := common.NewCtx(nil, tuitest.Me, tuitest.Clock)
	c.Demo = true
	tests := []struct {
		w    int
		st   common.SyncStatus
		want []string
		not  []string
	}{
		{120, common.SyncStatus{Online: true, LastSync: tuitest.Now.Add(-3 * time.Hour)},
			[]string{"online", "Sync vor 3 Std.", "DEMO", "Petra Schulz · Amt Crivitz", "? Hilfe"}, []string{"ausstehend"}},
		{120, common.SyncStatus{Pending: 4, Conflicts: 2, Rejected: 1},
			[]string{"OFFLINE", "Sync noch nie", "⟳ 4 ausstehend", "⚠ 2 Konflikte", "✗ 1 abgelehnt"}, nil},
		// Narrow: the clerk segment gives way before the sync state does.
		{60, common.SyncStatus{Pending: 4, Conflicts: 1}, []string{"OFFLINE", "⟳ 4 ausstehend", "⚠ 1 Konflikt"}, []string{"Amt Crivitz"}},
	}
	for _, tc := range tests {
		c.ScreenWidth = tc.w
		c.Status = tc.st
		v := New(c).View()
		if w := common.Width(v); w > tc.w {
			t.Fatalf("%d cells at width %d: %q", w, tc.w, v)
		}
		for _, s := range tc.want {
			if !strings.Contains(v, s) {
				t.Fatalf("%q lacks %q", v, s)
			}
		}
		for _, s := range tc.not {
			if strings.Contains(v, s) {
				t.Fatalf("%q has %q", v, s)
			}
		}
	}
}

func TestSpinnerRunsOnlyWhileSyncing(t *testing.T) {
	c := common.NewCtx(nil, tuitest.Me, tuitest.Clock)
	c.ScreenWidth = 100
	m := New(c)
	c.Status.Syncing = true
	m, cmd := m.Update(common.SyncEventMsg(c.Status))
	if !m.Spinning() || cmd == nil {
		t.Fatal("spinner did not start")
	}
	tick, ok := cmd().(spinner.TickMsg)
	if !ok {
		t.Fatal("no tick")
	}
	if !strings.Contains(m.View(), "synchronisiere") {
		t.Fatal("no syncing label")
	}
	c.Status.Syncing = false
	m, cmd = m.Update(tick)
	if m.Spinning() || cmd != nil {
		t.Fatal("spinner kept ticking after the sync")
	}
}
