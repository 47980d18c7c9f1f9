// Package help owns the `?` overlay: it shows the help of the component that has the keyboard
// (common.Component: each view and dialog builds its own from the live keymap, so rebinding in
// config is what the clerk reads).
package help

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/keys"
)

// CloseMsg asks the root to close the help overlay.
type CloseMsg struct{}

// Model is the help overlay for one component.
type Model struct {
	ctx    *common.Ctx
	of     common.Component
	scroll int
}

// New builds the help of a view or dialog.
func New(ctx *common.Ctx, of common.Component) Model { return Model{ctx: ctx, of: of} }

// Update scrolls and closes.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	k := m.ctx.Keys
	switch {
	case key.Matches(km, k.Global.Help), key.Matches(km, k.Global.Back), key.Matches(km, k.Global.Quit), km.Type == tea.KeyEnter:
		return m, func() tea.Msg { return CloseMsg{} }
	case key.Matches(km, k.List.Down):
		m.scroll++
	case key.Matches(km, k.List.Up):
		m.scroll = max(0, m.scroll-1)
	case key.Matches(km, k.List.PageDown):
		m.scroll += 10
	case key.Matches(km, k.List.PageUp):
		m.scroll = max(0, m.scroll-10)
	case key.Matches(km, k.List.Home):
		m.scroll = 0
	}
	return m, nil
}

// Lines returns the help text lines (key, description) per group, unstyled (for tests).
func (m Model) Lines() []string {
	var out []string
	for _, g := range append(m.of.HelpGroups(), m.below()...) {
		out = append(out, g.Title)
		for _, b := range g.Bindings {
			out = append(out, b.Help().Key+"  "+b.Help().Desc)
		}
	}
	return out
}

// View renders the overlay box, sized to fit within the screen.
func (m Model) View() string {
	c, t := m.ctx, m.ctx.Theme
	groups := append(m.of.HelpGroups(), m.below()...)
	blocks := make([]string, 0, len(groups))
	for _, g := range groups {
		kw := 0
		for _, b := range g.Bindings {
			kw = max(kw, common.Width(b.Help().Key))
		}
		lines := []string{t.HelpGroup.Render(g.Title)}
		for _, b := range g.Bindings {
			lines = append(lines, t.HelpKey.Render(common.Fit(b.Help().Key, kw))+"  "+t.HelpDesc.Render(b.Help().Desc))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	maxW := max(20, c.ScreenWidth-4)
	maxH := max(5, c.ScreenHeight-4)
	// Side by side when it fits, else stacked and scrollable.
	// Reference groups (the inbox's filter language) go below the keys, so they never push the
	// keys out of sight.
	var below []string
	if n := len(m.below()); n > 0 && n < len(blocks) {
		blocks, below = blocks[:len(blocks)-n], blocks[len(blocks)-n:]
	}
	body := lipgloss.JoinHorizontal(lipgloss.Top, joinGap(blocks)...)
	if w, _ := common.Size(body); w > maxW-4 {
		body = strings.Join(blocks, "\n\n")
	}
	body = strings.Join(append([]string{body}, below...), "\n\n")
	lines := strings.Split(body, "\n")
	avail := maxH - 4 // border, title, footer
	if avail < 1 {
		avail = 1
	}
	scroll := min(m.scroll, max(0, len(lines)-avail))
	if len(lines) > avail {
		lines = lines[scroll : scroll+avail]
	}
	for i := range lines {
		lines[i] = common.Truncate(lines[i], maxW-4)
	}
	title := t.DialogTitle.Render(i18n.T("help.title"))
	foot := i18n.T("help.close")
	if len(strings.Split(body, "\n")) > avail {
		foot += " · " + i18n.T("help.more")
	}
	content := title + "\n" + strings.Join(lines, "\n") + "\n" + t.Muted.Render(common.Truncate(foot, maxW-4)) +
		"\n" + t.Muted.Render(common.Truncate(i18n.T("help.a11y"), maxW-4))
	return t.Dialog.Render(content)
}

// below is the reference help of the component (the inbox's filter language), shown under its
// keys so it never pushes them out of sight.
func (m Model) below() []keys.Group {
	if b, ok := m.of.(interface{ HelpBelow() []keys.Group }); ok {
		return b.HelpBelow()
	}
	return nil
}

func joinGap(blocks []string) []string {
	out := make([]string, 0, 2*len(blocks))
	for i, b := range blocks {
		if i > 0 {
			out = append(out, "    ")
		}
		out = append(out, b)
	}
	return out
}
