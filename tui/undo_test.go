package tui

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/tui/tuitest"
)

// fakeClock is a settable clock for the root (Deps.Now).
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// queueNote opens the inbox's first case at 80x24, writes a note and saves it.
func queueNote(t *testing.T, m Model, text string) Model {
	t.Helper()
	m, _ = press(t, m, "enter", "c")
	if m.Overlay() != "dialog" {
		t.Fatalf("no comment dialog:\n%s", m.View())
	}
	m = typeText(t, m, text)
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyCtrlS})
	return m
}

// Issue 15 item 3: the toast after queuing offers the undo key; z within the window takes the
// action back (outbox empty, the note gone from the case), after the window it says so.
func TestUndoQueuedAction(t *testing.T) {
	clk := &fakeClock{t: tuitest.Now}
	d := newDeps(t, 5)
	d.Now = clk.Now
	m := newRoot(t, d, 80, 24)
	m = queueNote(t, m, "Versehentlicher Vermerk")
	if !strings.Contains(strings.Join(m.Toasts(), "|"), "z rückgängig") {
		t.Fatalf("the toast does not offer the undo key: %v", m.Toasts())
	}
	if !strings.Contains(m.View(), "z rückgängig") {
		t.Fatalf("undo hint not on screen:\n%s", m.View())
	}
	clk.Advance(2 * time.Second)
	m, _ = press(t, m, "z")
	if out, _ := d.Store.Outbox(); len(out) != 0 {
		t.Fatalf("outbox after undo: %+v", out)
	}
	if !strings.Contains(strings.Join(m.Toasts(), "|"), "Zurückgenommen") {
		t.Fatalf("toasts after undo: %v", m.Toasts())
	}
	if strings.Contains(m.View(), "Versehentlicher Vermerk") {
		t.Fatalf("the note is still shown:\n%s", m.View())
	}

	// Too late: the window has passed; the action stays.
	m = queueNote(t, m, "Bleibt stehen")
	clk.Advance(UndoWindow + time.Second)
	m, _ = press(t, m, "z")
	if out, _ := d.Store.Outbox(); len(out) != 1 {
		t.Fatalf("outbox after a late z: %+v", out)
	}
	if !strings.Contains(strings.Join(m.Toasts(), "|"), "Nichts zurückzunehmen") {
		t.Fatalf("toasts after a late z: %v", m.Toasts())
	}
}

// An action the syncer has begun sending is not taken back, and the clerk is told why.
func TestUndoRefusedInFlight(t *testing.T) {
	clk := &fakeClock{t: tuitest.Now}
	d := newDeps(t, 5)
	d.Now = clk.Now
	m := newRoot(t, d, 80, 24)
	m = queueNote(t, m, "Schon unterwegs")
	out, _ := d.Store.Outbox()
	if len(out) != 1 {
		t.Fatalf("outbox %+v", out)
	}
	if _, err := d.Store.BeginSend(out[0].ID); err != nil { // what the syncer does before sending
		t.Fatal(err)
	}
	m, _ = press(t, m, "z")
	if out, _ := d.Store.Outbox(); len(out) != 1 {
		t.Fatalf("an action in flight was taken back: %+v", out)
	}
	if got := strings.Join(m.Toasts(), "|"); !strings.Contains(got, "bereits unterwegs") {
		t.Fatalf("toasts: %v\n%s", m.Toasts(), m.View())
	}
}

// `?` lists the undo key among the global keys.
func TestHelpShowsUndo(t *testing.T) {
	m := newRoot(t, newDeps(t, 3), 80, 24)
	m, _ = press(t, m, "?")
	if v := m.View(); !strings.Contains(v, "z") || !strings.Contains(v, "rückgängig") {
		t.Fatalf("help lacks the undo key:\n%s", v)
	}
}
