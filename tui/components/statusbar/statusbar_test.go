package statusbar

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
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

// The help hint is the live binding of the help key: rebound, the hint follows (in both
// languages and in the accessible status line); without a key there is no hint.
func TestHelpHintFollowsBinding(t *testing.T) {
	defer i18n.SetLang(i18n.DE)
	for _, tc := range []struct {
		name  string
		keys  []string
		lang  i18n.Lang
		want  string
		wrong string
	}{
		{"default", nil, i18n.DE, "? Hilfe", ""},
		{"rebound", []string{"f1"}, i18n.DE, "f1 Hilfe", "? Hilfe"},
		{"rebound, English", []string{"ctrl+h"}, i18n.EN, "Ctrl+H help", "? help"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i18n.SetLang(tc.lang)
			c := common.NewCtx(nil, tuitest.Me, tuitest.Clock)
			c.ScreenWidth = 120
			if tc.keys != nil {
				if err := c.Keys.Rebind(map[string][]string{"help": tc.keys}); err != nil {
					t.Fatal(err)
				}
			}
			c.Keys.Relabel()
			if got := HelpHint(c); got != tc.want {
				t.Fatalf("HelpHint = %q, want %q", got, tc.want)
			}
			for name, v := range map[string]string{"visual": New(c).View(), "accessible": New(c).AccessibleView()} {
				if !strings.Contains(v, tc.want) || (tc.wrong != "" && strings.Contains(v, tc.wrong)) {
					t.Fatalf("%s status line %q: want %q", name, v, tc.want)
				}
			}
		})
	}
	c := common.NewCtx(nil, tuitest.Me, tuitest.Clock)
	c.Keys.Global.Help.SetEnabled(false)
	if h := HelpHint(c); h != "" {
		t.Fatalf("hint for a disabled help key: %q", h)
	}
}
