// Package toast owns short-lived result messages shown above the status bar.
package toast

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/amt-mv/amt/tui/common"
)

// Lifetime is how long a toast stays.
const Lifetime = 4 * time.Second

// MaxShown is how many toasts stack at most.
const MaxShown = 3

type item struct {
	id   int
	text string
	key  string
	kind common.ToastKind
}

// ExpireMsg removes the toast with ID.
type ExpireMsg struct{ ID int }

// Model is the toast stack, newest last.
type Model struct {
	ctx   *common.Ctx
	items []item
	next  int
	tick  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// New builds an empty stack.
func New(ctx *common.Ctx) Model { return Model{ctx: ctx, tick: tea.Tick} }

// WithoutExpiry returns a stack whose toasts never expire on their own (tests send ExpireMsg).
func (m Model) WithoutExpiry() Model {
	m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	return m
}

// Push adds a toast and returns the command that expires it.
func (m Model) Push(t common.ToastMsg) (Model, tea.Cmd) {
	text := common.Line(t.Text)
	if text == "" {
		return m, nil
	}
	// The same text (or key) again refreshes instead of stacking.
	for i, it := range m.items {
		if it.text == text || (t.Key != "" && it.key == t.Key) {
			m.items = append(m.items[:i:i], m.items[i+1:]...)
			break
		}
	}
	m.next++
	m.items = append(m.items, item{id: m.next, text: text, key: t.Key, kind: t.Kind})
	if len(m.items) > MaxShown {
		m.items = m.items[len(m.items)-MaxShown:]
	}
	id := m.next
	return m, m.tick(Lifetime, func(time.Time) tea.Msg { return ExpireMsg{ID: id} })
}

// Update handles ToastMsg and ExpireMsg.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ToastMsg:
		return m.Push(msg)
	case ExpireMsg:
		for i, it := range m.items {
			if it.id == msg.ID {
				m.items = append(m.items[:i:i], m.items[i+1:]...)
				break
			}
		}
	}
	return m, nil
}

// Len is the number of toasts shown.
func (m Model) Len() int { return len(m.items) }

// Texts lists the toasts' texts, oldest first (for tests).
func (m Model) Texts() []string {
	out := make([]string, len(m.items))
	for i, it := range m.items {
		out[i] = it.text
	}
	return out
}

// View renders the stack (empty when there is none), at most maxW cells wide.
func (m Model) View(maxW int) string {
	boxes := m.Boxes(maxW)
	if len(boxes) == 0 {
		return ""
	}
	return lipgloss.JoinVertical(lipgloss.Right, boxes...) // flush right, above the status bar
}

// Boxes renders each toast as its own box, oldest first, at most maxW cells wide. The root lays
// them over the view one by one, so a narrow toast does not blank the text beside it (as the
// padding of a joined block would).
func (m Model) Boxes(maxW int) []string {
	if len(m.items) == 0 || maxW < 8 {
		return nil
	}
	t := m.ctx.Theme
	var boxes []string
	for _, it := range m.items {
		st := t.ToastInfo
		prefix := "i "
		switch it.kind {
		case common.ToastSuccess:
			st, prefix = t.ToastSuccess, "✓ "
		case common.ToastWarn:
			st, prefix = t.ToastWarn, "! "
		case common.ToastError:
			st, prefix = t.ToastError, "✗ "
		}
		boxes = append(boxes, st.Render(wrapToast(prefix+it.text, maxW-4)))
	}
	return boxes
}

// maxToastLines bounds a toast's height; a longer text ends in "…" on the last line.
const maxToastLines = 3

// wrapToast wraps s to w cells so that the advice at the end of a message ("– siehe Ausstehend
// (P)") is read, not cut off at 80 columns.
func wrapToast(s string, w int) string {
	lines := strings.Split(ansi.Wrap(s, w, ""), "\n")
	if len(lines) > maxToastLines {
		lines = lines[:maxToastLines]
		lines[maxToastLines-1] = common.Truncate(lines[maxToastLines-1]+" …", w)
	}
	return strings.Join(lines, "\n")
}
