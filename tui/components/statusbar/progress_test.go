package statusbar

import (
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/tuitest"
)

// TestStatusBarSlowLine: while a pull runs the bar says how far it got (and that the line is
// slow); after a pull broke off it says how much arrived, not "offline"; the background download
// queue shows its progress.
func TestStatusBarSlowLine(t *testing.T) {
	c := common.NewCtx(nil, tuitest.Me, tuitest.Clock)
	slow := i18n.SyncFacts{Loaded: 1240, Total: 4812, Bytes: 600 << 10, Rate: 3.9 * 1024, Left: 17 * time.Minute, Slow: true}
	tests := []struct {
		name string
		st   common.SyncStatus
		q    common.QueueStatus
		want []string
		not  []string
	}{
		{"syncing slowly", common.SyncStatus{Online: true, Syncing: true, Progress: slow}, common.QueueStatus{},
			[]string{"Leitung sehr langsam – 1.240 von 4.812 Vorgängen geladen · 3,9 KB/s · noch etwa 17 min"}, []string{"synchronisiere"}},
		{"syncing, nothing measured yet", common.SyncStatus{Online: true, Syncing: true, Progress: i18n.SyncFacts{Total: -1}}, common.QueueStatus{},
			[]string{"synchronisiere"}, nil},
		{"broke off on a slow line", common.SyncStatus{Online: true, ErrKind: errKindSlowLine, Progress: slow}, common.QueueStatus{},
			[]string{"Leitung sehr langsam – 1.240 von 4.812 Vorgängen geladen; der Rest folgt"}, []string{"OFFLINE", "nicht erreichbar"}},
		{"download queue", common.SyncStatus{Online: true}, common.QueueStatus{Queued: 2, Bytes: 45, Total: 100, Rate: 2048},
			[]string{"↓ 2 Anlagen · 45 % · 2,0 KB/s"}, nil},
		{"download queue waiting", common.SyncStatus{}, common.QueueStatus{Queued: 1, Waiting: true},
			[]string{"↓ 1 Anlage · wartet auf Verbindung"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.ScreenWidth = 200
			c.Status, c.QueueStatus = tc.st, tc.q
			v := New(c).View()
			for _, s := range tc.want {
				if !strings.Contains(v, s) {
					t.Errorf("%q lacks %q", v, s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(v, s) {
					t.Errorf("%q has %q", v, s)
				}
			}
		})
	}
}

func TestCountsAndSizes(t *testing.T) {
	tests := []struct {
		l    i18n.Lang
		n    int
		b    int64
		want string
	}{
		{i18n.DE, 4812, 1536, "4.812 1,5 KB"},
		{i18n.EN, 4812, 1536, "4,812 1.5 KB"},
		{i18n.DE, 1234567, 3 << 20, "1.234.567 3,0 MB"},
		{i18n.DE, 999, 999, "999 999 B"},
		{i18n.DE, 0, 0, "0 0 B"},
	}
	for _, tc := range tests {
		if got := i18n.Count(tc.l, tc.n) + " " + i18n.ByteSize(tc.l, tc.b); got != tc.want {
			t.Errorf("%v %d %d: %q, want %q", tc.l, tc.n, tc.b, got, tc.want)
		}
	}
}
