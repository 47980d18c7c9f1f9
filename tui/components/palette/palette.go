// Package palette owns the `:` command palette: fuzzy search over every command and view the
// root offers; choosing one sends its message back to the root.
package palette

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/sahilm/fuzzy"

	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// Command is one palette entry.
type Command struct {
	ID    string  // stable English name, also searchable: "offline", "sync", "view mine"
	Title string  // translated title
	Keys  string  // key hint from the live keymap, may be ""
	Msg   tea.Msg // sent to the root when chosen
}

// RunMsg is sent when the clerk picks a command; the root closes the palette and handles Msg.
type RunMsg struct{ Command Command }

// CloseMsg is sent when the palette is dismissed.
type CloseMsg struct{}

// MaxShown is how many matches the palette lists.
const MaxShown = 12

// Model is the palette.
type Model struct {
	ctx     *common.Ctx
	cmds    []Command
	input   textinput.Model
	matches []match
	cursor  int
}

type match struct {
	cmd     Command
	indexes []int // matched byte offsets within Title (for highlighting)
	pos     int   // index in the command list
}

type source []Command

func (s source) String(i int) string { return s[i].Title + " · " + s[i].ID }
func (s source) Len() int            { return len(s) }

// New builds a palette over cmds, focused and empty.
func New(ctx *common.Ctx, cmds []Command) Model {
	ti := textinput.New()
	ti.Prompt = ": "
	ti.Placeholder = i18n.T("palette.placeholder")
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.PromptStyle = ctx.Theme.Prompt
	ti.TextStyle = ctx.Theme.Input
	ti.PlaceholderStyle = ctx.Theme.Placeholder
	ti.Focus()
	m := Model{ctx: ctx, cmds: cmds, input: ti}
	m.refilter()
	return m
}

// CapturingInput is always true: the palette owns the keyboard while open.
func (m Model) CapturingInput() bool { return true }

// Update handles typing, moving and choosing.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case km.Type == tea.KeyEsc || key.Matches(km, m.ctx.Keys.Dialog.Cancel):
		return m, func() tea.Msg { return CloseMsg{} }
	case km.Type == tea.KeyEnter:
		if m.cursor < len(m.matches) {
			c := m.matches[m.cursor].cmd
			return m, func() tea.Msg { return RunMsg{Command: c} }
		}
		return m, nil
	case km.Type == tea.KeyUp || km.Type == tea.KeyCtrlP || km.Type == tea.KeyShiftTab:
		if m.cursor > 0 {
			m.cursor--
		}
		return m, nil
	case km.Type == tea.KeyDown || km.Type == tea.KeyCtrlN || km.Type == tea.KeyTab:
		if m.cursor < len(m.matches)-1 {
			m.cursor++
		}
		return m, nil
	}
	var cmd tea.Cmd
	before := m.input.Value()
	m.input, cmd = m.input.Update(km)
	if m.input.Value() != before {
		m.refilter()
	}
	return m, cmd
}

func (m *Model) refilter() {
	q := strings.TrimSpace(m.input.Value())
	m.cursor = 0
	m.matches = m.matches[:0]
	if q == "" {
		for _, c := range m.cmds {
			m.matches = append(m.matches, match{cmd: c})
		}
		return
	}
	// Exact id first (":offline" runs offline), then titles or ids starting with the text, then
	// those with a word starting with it, then containing it, and only then scattered fuzzy
	// matches ("schlie" finds "Abschließen" before "Sprache: Englisch").
	for _, c := range m.cmds {
		if strings.EqualFold(c.ID, q) {
			m.matches = append(m.matches, match{cmd: c})
		}
	}
	fq := sanitize.Fold(q)
	var tiers [4][]match
	for _, r := range fuzzy.FindFrom(q, source(m.cmds)) {
		c := m.cmds[r.Index]
		if strings.EqualFold(c.ID, q) {
			continue
		}
		var idx []int
		for _, i := range r.MatchedIndexes {
			if i < len(c.Title) {
				idx = append(idx, i)
			}
		}
		tier := rank(fq, c)
		if tier < 3 {
			idx = literalIndexes(c.Title, fq)
		}
		tiers[tier] = append(tiers[tier], match{cmd: c, indexes: idx, pos: r.Index})
	}
	for i, t := range tiers {
		if i < 3 { // literal matches keep the list's order (the open case's actions come first)
			slices.SortStableFunc(t, func(a, b match) int { return cmp.Compare(a.pos, b.pos) })
		}
		m.matches = append(m.matches, t...)
	}
}

// rank is the tier of a fuzzy match of the folded query fq: 0 title or id starts with it, 1 a
// word of either does, 2 either contains it, 3 only the fuzzy letters match.
func rank(fq string, c Command) int {
	title, id := sanitize.Fold(c.Title), sanitize.Fold(c.ID)
	switch {
	case strings.HasPrefix(title, fq) || strings.HasPrefix(id, fq):
		return 0
	case wordPrefix(title, fq) || wordPrefix(id, fq):
		return 1
	case strings.Contains(title, fq) || strings.Contains(id, fq):
		return 2
	}
	return 3
}

// wordPrefix reports whether a word of s (after a space or punctuation) starts with q.
func wordPrefix(s, q string) bool {
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], q)
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 {
			return true
		}
		if r, _ := utf8.DecodeLastRuneInString(s[:at]); !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[at:])
		i = at + size
	}
	return false
}

// literalIndexes marks the byte offsets of the first occurrence of the folded query in title
// for highlighting, when folding kept the title's byte offsets (else nothing is marked).
func literalIndexes(title, fq string) []int {
	lt := strings.ToLower(title)
	if len(lt) != len(title) {
		return nil
	}
	at := strings.Index(lt, fq)
	if at < 0 {
		return nil
	}
	var idx []int
	for i := range title[at : at+len(fq)] {
		idx = append(idx, at+i)
	}
	return idx
}

// Matches lists the commands currently matching, best first (for tests).
func (m Model) Matches() []Command {
	out := make([]Command, len(m.matches))
	for i, x := range m.matches {
		out[i] = x.cmd
	}
	return out
}

// View renders the palette box.
func (m Model) View() string {
	c, t := m.ctx, m.ctx.Theme
	w := min(72, max(30, c.ScreenWidth-6))
	inner := w - 4
	m.input.Width = inner - 3
	lines := []string{t.DialogTitle.Render(i18n.T("palette.title")), m.input.View(), ""}
	shown := min(MaxShown, max(1, c.ScreenHeight-10))
	start := 0
	if m.cursor >= shown {
		start = m.cursor - shown + 1
	}
	if len(m.matches) == 0 {
		lines = append(lines, t.Muted.Render(i18n.T("palette.empty")))
	}
	for i := start; i < len(m.matches) && i < start+shown; i++ {
		x := m.matches[i]
		hint := x.cmd.Keys
		tw := inner - 2 - common.Width(hint) - 1
		title := common.Truncate(x.cmd.Title, tw)
		var line string
		if i == m.cursor {
			line = t.RowCursor.Render(common.Fit("› "+title, inner-common.Width(hint)) + hint)
		} else {
			line = "  " + highlight(title, x.indexes, t.MatchChar.Render) + strings.Repeat(" ", max(0, tw-common.Width(title))) + " " + t.Muted.Render(hint)
		}
		lines = append(lines, line)
	}
	return t.Dialog.Width(w - 2).Render(strings.Join(lines, "\n"))
}

func highlight(s string, idx []int, style func(...string) string) string {
	if len(idx) == 0 {
		return s
	}
	set := map[int]bool{}
	for _, i := range idx {
		set[i] = true
	}
	var b strings.Builder
	for i, r := range s {
		if set[i] {
			b.WriteString(style(string(r)))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
