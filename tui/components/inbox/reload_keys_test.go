package inbox

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/tui/common"
)

// A key that moves the cursor while a background reload is being filtered is not undone when
// the reload's result arrives: the cursor stays where the clerk put it (seen as lost keystrokes
// during syncs: G, j or Home seemed to do nothing under load).
func TestKeyDuringReloadIsKept(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
		want func(n int) int // the cursor after the reload, given the number of rows
	}{
		{"G", []string{"G"}, func(n int) int { return n - 1 }},
		{"j j", []string{"j", "j"}, func(int) int { return 2 }},
		{"G then g", []string{"G", "g"}, func(int) int { return 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := loaded(t, 30, 80, 23)
			rows := len(m.rows)
			if rows < 3 || m.cursor != 0 {
				t.Fatalf("start: %d rows, cursor %d", rows, m.cursor)
			}
			// A sync changed the store: the reload reads the data ...
			m, cmd := m.Update(common.StoreChangedMsg{})
			loadMsg := runOne(t, cmd, func(msg tea.Msg) bool { _, ok := msg.(loadedMsg); return ok })
			m, cmd = m.Update(loadMsg)
			// ... and, while its filter runs, the clerk presses keys.
			filter := runOne(t, cmd, func(msg tea.Msg) bool { _, ok := msg.(filterMsg); return ok })
			for _, k := range tc.keys {
				m, _ = m.Update(keyMsg(k))
			}
			want := tc.want(rows)
			if m.cursor != want {
				t.Fatalf("before the filter result: cursor %d, want %d", m.cursor, want)
			}
			m, _ = m.Update(filter)
			if m.cursor != want {
				t.Fatalf("the reload moved the cursor back: %d, want %d", m.cursor, want)
			}
		})
	}
}

// runOne runs cmd (and the batches it returns) until a message that want accepts.
func runOne(t *testing.T, cmd tea.Cmd, want func(tea.Msg) bool) tea.Msg {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		if want(msg) {
			return msg
		}
	}
	t.Fatal("the command never produced the message")
	return nil
}
