package inbox

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// WideMin is the width from which list and preview sit side by side.
const WideMin = 120

type colID int

const (
	colRef colID = iota
	colService
	colApplicant
	colSubmitted
	colDue
	colStatus
	colAssignee
	numCols
)

type colSpec struct {
	id         colID
	title      string // i18n key
	min, ideal int
	flex       bool
}

// specs in display order; prio gives the order in which columns are kept as width shrinks.
var specs = [numCols]colSpec{
	{colRef, "col.reference", 15, 15, false},
	{colService, "col.service", 10, 24, true},
	{colApplicant, "col.applicant", 12, 22, true},
	{colSubmitted, "col.submitted", 10, 10, false},
	{colDue, "col.due", 11, 11, false},
	{colStatus, "col.status", 10, 17, false},
	{colAssignee, "col.assignee", 8, 16, false},
}

var prio = []colID{colRef, colDue, colApplicant, colStatus, colService, colAssignee, colSubmitted}

const markWidth = 3 // cursor ›, marked ✓, sync mark

type layout struct {
	wide                bool
	listWidth, listRows int
	listTop             int // screen row of the first list row, relative to the inbox
	previewW, previewH  int
	widths              [numCols]int // 0 = hidden
}

func computeLayout(w, h int) layout {
	l := layout{listWidth: w, listTop: 3}
	body := h - 3 // tabs, info line, header
	switch {
	case w >= WideMin:
		l.wide = true
		l.previewW = min(60, max(38, w*30/100))
		l.listWidth = w - l.previewW - 1
		l.previewH = h - 2
		l.listRows = body
	case h >= 20:
		l.previewH = 7
		l.listRows = body - l.previewH
	default:
		l.listRows = body
	}
	l.listRows = max(0, l.listRows)
	l.widths = columnWidths(l.listWidth)
	return l
}

func columnWidths(w int) [numCols]int {
	var out [numCols]int
	avail := w - markWidth
	used := 0
	statusIdeal := specs[colStatus].ideal
	for _, s := range api.Statuses {
		statusIdeal = max(statusIdeal, common.Width(common.StatusLabel(s)))
	}
	ideal := func(c colID) int {
		if c == colStatus {
			return statusIdeal
		}
		return specs[c].ideal
	}
	for _, c := range prio {
		if used+1+specs[c].min > avail {
			break
		}
		out[c] = specs[c].min
		used += 1 + specs[c].min
	}
	extra := avail - used
	// Grow every shown column towards its ideal width one cell at a time, in priority order, so
	// no column starves; what is left goes to the flexible text columns.
	for grew := true; grew && extra > 0; {
		grew = false
		for _, c := range prio {
			if extra > 0 && out[c] > 0 && out[c] < ideal(c) {
				out[c]++
				extra--
				grew = true
			}
		}
	}
	var flex []colID
	for _, c := range prio {
		if out[c] > 0 && specs[c].flex {
			flex = append(flex, c)
		}
	}
	for len(flex) > 0 && extra > 0 {
		for _, c := range flex {
			if extra == 0 {
				break
			}
			out[c]++
			extra--
		}
	}
	return out
}

type rowKey struct {
	id, status, assignee string
	day                  string // deadline marks change at midnight
	version              int64
	width, pending       int
	cursor, marked       bool
	conflict, rejected   bool
	notice               bool
}

// row renders one list row, cached by id, version, width, cursor/marked and sync state.
func (m *Model) row(s *store.Summary, cursor, marked bool, e *env) string {
	k := rowKey{id: s.ID, status: string(s.Status), assignee: s.Assignee, day: e.today, version: s.Version,
		width: m.lay.listWidth, pending: s.Pending, cursor: cursor, marked: marked,
		conflict: s.Conflict, rejected: s.Rejected, notice: len(m.ctx.Notices[s.ID]) > 0}
	if r, ok := m.cache[k]; ok {
		return r
	}
	if len(m.cache) > 4096 {
		m.cache = map[rowKey]string{}
	}
	r := m.renderRow(s, cursor, marked, e)
	m.cache[k] = r
	return r
}

func (m *Model) renderRow(s *store.Summary, cursor, marked bool, e *env) string {
	t := m.ctx.Theme
	plain := cursor || marked // one style for the whole row keeps the highlight unbroken
	style := func(st lipgloss.Style, txt string) string {
		if plain {
			return txt
		}
		return st.Render(txt)
	}
	var b strings.Builder
	if cursor {
		b.WriteString("›")
	} else {
		b.WriteByte(' ')
	}
	if marked {
		b.WriteString("✓")
	} else {
		b.WriteByte(' ')
	}
	switch {
	case s.Conflict:
		b.WriteString(style(t.Conflict, common.MarkConflict))
	case s.Rejected:
		b.WriteString(style(t.Rejected, common.MarkRejected))
	case s.Pending > 0:
		b.WriteString(style(t.Pending, common.MarkPending))
	case s.DeliveryFailed:
		b.WriteString(style(t.Rejected, common.MarkDeliveryFailed))
	case len(m.ctx.Notices[s.ID]) > 0:
		b.WriteString(style(t.Accent, common.MarkNotice))
	default:
		b.WriteByte(' ')
	}
	w := &m.lay.widths
	for c := colID(0); c < numCols; c++ {
		if w[c] == 0 {
			continue
		}
		b.WriteByte(' ')
		switch c {
		case colRef:
			b.WriteString(common.Fit(common.Line(s.Reference), w[c]))
		case colService:
			b.WriteString(common.Fit(common.Line(s.ServiceName), w[c]))
		case colApplicant:
			b.WriteString(common.Fit(common.Line(s.ApplicantName), w[c]))
		case colSubmitted:
			b.WriteString(common.Fit(common.FormatDay(s.SubmittedAt), w[c]))
		case colDue:
			d := common.DueOK
			if s.Status.Open() {
				d = common.DueState(s.DueDate, e.today, e.soon)
			}
			cell := common.Fit(d.Symbol()+common.FormatDate(s.DueDate), w[c])
			switch d {
			case common.DueOverdue:
				cell = style(t.Overdue, cell)
			case common.DueSoon:
				cell = style(t.DueSoon, cell)
			}
			b.WriteString(cell)
		case colStatus:
			b.WriteString(common.Fit(common.StatusLabelFit(s.Status, w[c]), w[c]))
		case colAssignee:
			b.WriteString(common.Fit(shortName(m.ctx.ClerkName(s.Assignee), w[c]), w[c]))
		}
	}
	line := common.Fit(b.String(), m.lay.listWidth)
	switch {
	case cursor && marked:
		return t.RowCursorMarked.Render(line)
	case cursor:
		return t.RowCursor.Render(line)
	case marked:
		return t.RowMarked.Render(line)
	}
	return line
}

// shortName fits a person's name into w cells the way an office writes it when space is short:
// "Kerstin Schulz" becomes "K. Schulz" (initials of the given names, the family name whole).
func shortName(name string, w int) string {
	if common.Width(name) <= w {
		return name
	}
	parts := strings.Fields(name)
	if len(parts) < 2 {
		return name
	}
	var b strings.Builder
	for _, p := range parts[:len(parts)-1] {
		r := []rune(p)
		b.WriteString(string(r[0]) + ". ")
	}
	return b.String() + parts[len(parts)-1]
}

// renderHeader renders the column titles (on resize and config change, not per frame).
func (m *Model) renderHeader() string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", markWidth))
	for c := colID(0); c < numCols; c++ {
		if w := m.lay.widths[c]; w > 0 {
			b.WriteByte(' ')
			b.WriteString(common.Fit(i18n.T(specs[c].title), w))
		}
	}
	return m.ctx.Theme.Header.Render(common.Fit(b.String(), m.lay.listWidth))
}

// tabLabels returns the tab labels, with counts when they fit the width.
func (m *Model) tabLabels() []string {
	labels := func(withCounts bool) ([]string, int) {
		out := make([]string, len(m.views))
		w := 0
		for i, v := range m.views {
			l := v.Title()
			if withCounts && i < len(m.counts) {
				l += " " + strconv.Itoa(m.counts[i])
			}
			if i == m.tab && m.ctx.Theme.Plain {
				l = "[" + l + "]"
			}
			out[i] = l
			w += common.Width(l) + 3 // padding both sides and the separator
		}
		return out, w
	}
	ls, w := labels(m.counts != nil)
	if w > m.width {
		ls, _ = labels(false)
	}
	return ls
}

func (m *Model) tabBar() string {
	t := m.ctx.Theme
	ls := m.tabLabels()
	parts := make([]string, len(ls))
	for i, l := range ls {
		if i == m.tab {
			parts[i] = t.TabActive.Render(l)
		} else {
			parts[i] = t.Tab.Render(l)
		}
	}
	return common.Fit(strings.Join(parts, t.TabSep.Render("│")), m.width)
}

// tabAt returns the tab under screen column x of the tab bar, or -1.
func (m *Model) tabAt(x int) int {
	pos := 0
	for i, l := range m.tabLabels() {
		w := common.Width(l) + 2
		if x >= pos && x < pos+w {
			return i
		}
		pos += w + 1
	}
	return -1
}

// infoRight is the plain text right of the filter: loading/filtering, marked, counts and sort.
func (m *Model) infoRight() string {
	var right []string
	switch {
	case m.loading && !m.full:
		right = append(right, i18n.T("inbox.loading"))
	case m.filtering:
		right = append(right, i18n.T("inbox.filtering"))
	}
	if len(m.marked) > 0 {
		right = append(right, i18n.Tf("inbox.selected", len(m.marked)))
	}
	base := len(m.all)
	if m.tab < len(m.counts) {
		base = m.counts[m.tab]
	}
	if m.full {
		if m.query != "" {
			right = append(right, i18n.Tf("inbox.countOf", len(m.rows), base))
		} else if len(m.rows) == 1 {
			right = append(right, i18n.T("inbox.count1"))
		} else {
			right = append(right, i18n.Tf("inbox.count", len(m.rows)))
		}
	}
	label := i18n.T(m.sortKey.LabelKey())
	if m.desc {
		label = i18n.Tf("sort.desc", label)
	}
	right = append(right, i18n.Tf("sort.by", label))
	return strings.Join(right, " · ")
}

// filterWidth is the width left of the counters for the filter prompt and input; on narrow
// screens the filter takes the whole line.
func (m *Model) filterWidth(right string) int {
	lw := max(0, m.width-common.Width(right)-1)
	if lw < 20 {
		return m.width
	}
	return lw
}

// fitInput sizes the filter input to the room left of the counters, so its padding never pushes
// the counters off the line (the input pads itself to its width). Update calls it after every
// message; the counters change with typing, loading, marking and sorting.
func (m *Model) fitInput() {
	w := m.filterWidth(m.infoRight()) - common.Width(i18n.T("filter.prompt")) - 1 // the cursor cell
	if w = max(w, 5); m.input.Width != w {
		m.input.Width = w
	}
}

func (m *Model) infoLine() string {
	t := m.ctx.Theme
	right := m.infoRight()
	var left string
	switch {
	case m.naming:
		left = t.Prompt.Render(i18n.T("view.namePrompt")) + m.nameInput.View()
		if lw := m.filterWidth(right); lw == m.width {
			return common.Fit(left, m.width)
		}
	case m.focused || m.query != "":
		left = t.Prompt.Render(i18n.T("filter.prompt")) + m.input.View()
		if lw := m.filterWidth(right); lw == m.width { // the filter wins on narrow screens
			return common.Fit(left, m.width)
		}
	}
	lw := max(0, m.width-common.Width(right)-1)
	return common.Truncate(common.Fit(left, lw)+" "+t.Muted.Render(right), m.width)
}

// View renders the inbox in exactly Width x Height cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	e := newEnv(m.ctx)
	lines := make([]string, 0, m.height)
	lines = append(lines, m.tabBar(), m.infoLine())
	list := make([]string, 0, m.lay.listRows+1)
	list = append(list, m.header)
	end := min(len(m.rows), m.offs+m.lay.listRows)
	for i := m.offs; i < end; i++ {
		s := &m.rowsAll[m.rows[i]]
		list = append(list, m.row(s, i == m.cursor, m.marked[s.ID], &e))
	}
	if len(m.rows) == 0 && m.lay.listRows > 0 {
		list = append(list, common.Fit("  "+m.emptyText(), m.lay.listWidth))
	}
	for len(list) < m.lay.listRows+1 {
		list = append(list, strings.Repeat(" ", m.lay.listWidth))
	}
	cur, ok := m.Current()
	switch {
	case m.lay.wide:
		pv := strings.Split(m.cachedPreview(cur, ok, m.lay.previewW, m.lay.previewH, &e), "\n")
		for i, l := range list {
			if i < len(pv) {
				l += " " + pv[i]
			}
			lines = append(lines, l)
		}
	default:
		lines = append(lines, list...)
		if m.lay.previewH > 0 {
			lines = append(lines, m.cachedPreview(cur, ok, m.width, m.lay.previewH, &e))
		}
	}
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}

type previewKey struct {
	row    rowKey
	h      int
	ok     bool
	detail int64 // version of the loaded case detail, -1 without
}

type previewCache struct {
	key previewKey
	out string
}

// cachedPreview renders the preview once per case state and size.
func (m *Model) cachedPreview(s store.Summary, ok bool, w, h int, e *env) string {
	k := previewKey{row: rowKey{id: s.ID, status: string(s.Status), assignee: s.Assignee, day: e.today, version: s.Version,
		width: w, pending: s.Pending, conflict: s.Conflict, rejected: s.Rejected}, h: h, ok: ok, detail: -1}
	if d := m.detailOf(s); d != nil {
		k.detail = d.Version
	}
	if m.pv != nil && m.pv.key == k && m.pv.out != "" {
		return m.pv.out
	}
	out := m.preview(s, ok, w, h, e)
	if m.pv != nil {
		*m.pv = previewCache{key: k, out: out}
	}
	return out
}

func (m *Model) emptyText() string {
	switch {
	case m.views[m.tab].Err != "":
		return m.views[m.tab].Err
	case m.loadErr != "":
		return i18n.Tf("toast.loadFailed", common.Line(m.loadErr))
	case !m.full && m.loading:
		return i18n.T("inbox.loading")
	case m.queryErr != "":
		return m.queryErr
	case m.query != "":
		return i18n.Tf("inbox.nomatch", common.Line(m.query))
	}
	return i18n.T("inbox.empty")
}

// preview renders the summary of the case under the cursor in a w x h box.
func (m *Model) preview(s store.Summary, ok bool, w, h int, e *env) string {
	t := m.ctx.Theme
	inner := max(1, w-4) // border and padding
	var lines []string
	if ok {
		kv := func(labelKey, v string) string {
			l := i18n.T(labelKey)
			return t.Label.Render(common.Fit(l, 13)) + " " + common.Truncate(v, max(1, inner-14))
		}
		d := common.DueOK
		if s.Status.Open() {
			d = common.DueState(s.DueDate, e.today, e.soon)
		}
		due := common.FormatDate(s.DueDate)
		if lbl := d.Label(); lbl != "" && d != common.DueOK {
			due += " " + lbl // in words (the row beside it has the symbol); fits the stacked preview's half
		}
		lines = append(lines,
			t.Title.Render(common.Truncate(common.Line(s.Reference), inner)),
			kv("preview.service", common.Line(s.ServiceName)),
			kv("preview.applicant", common.Line(s.ApplicantName)),
			kv("preview.status", common.StatusLabel(s.Status)),
			kv("preview.due", due),
			kv("preview.submitted", common.FormatDay(s.SubmittedAt)),
			kv("preview.assignee", m.ctx.ClerkName(s.Assignee)),
		)
		if s.ResubmissionDate != "" {
			lines = append(lines, kv("preview.resub", common.FormatDate(s.ResubmissionDate)))
		}
		switch {
		case s.Conflict:
			lines = append(lines, t.Conflict.Render(common.Truncate(common.MarkConflict+" "+i18n.T("preview.conflict"), inner)))
		case s.Rejected:
			lines = append(lines, t.Rejected.Render(common.Truncate(common.MarkRejected+" "+i18n.T("preview.rejected"), inner)))
		case s.Pending > 0:
			lines = append(lines, t.Pending.Render(common.Truncate(common.MarkPending+" "+i18n.Tf("preview.pending", s.Pending), inner)))
		}
		if s.DeliveryFailed {
			lines = append(lines, t.Rejected.Render(common.Truncate(common.MarkDeliveryFailed+" "+i18n.T("preview.deliveryFailed"), inner)))
		}
		if m.lay.wide {
			lines = append(lines, "", t.Muted.Render(common.Truncate(i18n.T("preview.open"), inner)))
			if d := m.detailOf(s); d != nil {
				lines = append(lines, m.detailLines(d, inner, max(0, h-2-len(lines)))...)
			}
		}
	}
	ih := max(1, h-2)
	if !m.lay.wide && len(lines) > ih {
		// Stacked preview: two columns of facts to fit the short box.
		lines = compact(lines, ih, inner)
	}
	if len(lines) > ih {
		lines = lines[:ih]
	}
	return t.Pane.Width(w - 2).Height(ih).MaxHeight(h).Render(strings.Join(lines, "\n"))
}

// detailOf returns the loaded case for s, if it is the one under the cursor.
func (m *Model) detailOf(s store.Summary) *api.Case {
	if m.detail != nil && m.detail.ID == s.ID {
		return m.detail
	}
	return nil
}

// detailLines renders the case's form sections into at most n lines.
func (m *Model) detailLines(c *api.Case, w, n int) []string {
	t := m.ctx.Theme
	var out []string
	for _, sec := range c.Sections {
		if len(out)+2 > n {
			break
		}
		out = append(out, "", t.Bold.Render(common.Truncate(common.Line(sec.Title), w)))
		lw := 0
		for _, f := range sec.Fields {
			lw = max(lw, common.Width(common.Line(f.Label)))
		}
		lw = min(lw, w/2)
		for _, f := range sec.Fields {
			if len(out) >= n {
				break
			}
			out = append(out, t.Label.Render(common.Fit(common.Line(f.Label), lw))+" "+
				common.Truncate(common.Line(f.Value), max(1, w-lw-1)))
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// compact folds the fact lines (after the title) into two columns.
func compact(lines []string, h, w int) []string {
	if len(lines) <= 1 || h < 2 {
		return lines
	}
	title, facts := lines[0], lines[1:]
	rows := h - 1
	half := (w - 1) / 2
	out := []string{title}
	for i := 0; i < rows; i++ {
		var l, r string
		if i < len(facts) {
			l = facts[i]
		}
		if i+rows < len(facts) {
			r = facts[i+rows]
		}
		out = append(out, common.Fit(l, half)+" "+common.Truncate(r, half))
	}
	return out
}
