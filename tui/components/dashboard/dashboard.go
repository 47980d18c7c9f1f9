// Package dashboard owns the Übersicht view: case counts by status, overdue, due this week and
// mine, and a bar chart of open cases per service, computed from the store's list index.
package dashboard

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// ServiceCount is the open and overdue cases of one service.
type ServiceCount struct {
	Name          string // sanitised
	Open, Overdue int
}

// Stats are the dashboard's numbers.
type Stats struct {
	Total, Open             int
	ByStatus                map[api.Status]int
	Overdue, DueWeek, Mine  int // DueWeek: open and due (casework.IsDue), overdue included
	MineOverdue, Unassigned int
	Pending, Conflicts      int
	Services                []ServiceCount // by open cases, descending
	// Due[0] counts overdue open cases, Due[1+i] open cases due i days from today (i < 14).
	Due        [15]int
	WeekEnd    string // the last deadline that counts as due (casework.DueBy)
	Today      string
	computedAt time.Time
}

// Compute derives the statistics from list rows. Only open cases count as overdue, due this week,
// mine and unassigned. Due (DueWeek) is casework.IsDue, the inbox's Fällig tab: overdue or
// within casework.DueDays.
func Compute(rows []store.Summary, me string, now time.Time) Stats {
	today := common.Today(now)
	s := Stats{ByStatus: map[api.Status]int{}, Today: today, WeekEnd: casework.DueBy(now), computedAt: now}
	horizon := make(map[string]int, 14)
	for i := 0; i < 14; i++ {
		horizon[common.AddDays(now, i)] = i
	}
	svc := map[string]*ServiceCount{}
	for i := range rows {
		r := &rows[i]
		s.Total++
		s.ByStatus[r.Status]++
		s.Pending += r.Pending
		if r.Conflict {
			s.Conflicts++
		}
		if !r.Status.Open() {
			continue
		}
		s.Open++
		overdue := r.DueDate != "" && r.DueDate < today
		if i, ok := horizon[r.DueDate]; ok {
			s.Due[1+i]++
		}
		if overdue {
			s.Due[0]++
			s.Overdue++
		}
		if casework.IsDue(r.Status, r.DueDate, now) { // the inbox's Fällig tab: one definition
			s.DueWeek++
		}
		switch {
		case r.Assignee == "":
			s.Unassigned++
		case r.Assignee == me:
			s.Mine++
			if overdue {
				s.MineOverdue++
			}
		}
		c := svc[r.ServiceName]
		if c == nil {
			c = &ServiceCount{Name: common.Line(r.ServiceName)}
			svc[r.ServiceName] = c
		}
		c.Open++
		if overdue {
			c.Overdue++
		}
	}
	for _, c := range svc {
		s.Services = append(s.Services, *c)
	}
	sort.Slice(s.Services, func(i, j int) bool {
		a, b := s.Services[i], s.Services[j]
		if a.Open != b.Open {
			return a.Open > b.Open
		}
		return a.Name < b.Name
	})
	return s
}

type loadedMsg struct {
	view  int64
	stats Stats
	err   error
}

var viewSeq atomic.Int64

// Model is the Übersicht view.
type Model struct {
	ctx      *common.Ctx
	vid      int64
	stats    *Stats
	err      error
	loading  bool
	reload   bool // a change arrived while loading
	w, h     int
	rendered string
}

// New returns the dashboard; Init computes the statistics.
func New(ctx *common.Ctx) Model {
	m := Model{ctx: ctx, vid: viewSeq.Add(1)}
	m.SetSize(ctx.Width, ctx.Height)
	return m
}

// Stats returns the latest statistics (false before the first load).
func (m Model) Stats() (Stats, bool) {
	if m.stats == nil {
		return Stats{}, false
	}
	return *m.stats, true
}

// Init starts the first computation.
func (m Model) Init() tea.Cmd {
	return m.load()
}

func (m *Model) loadCmd() tea.Cmd {
	m.loading = true
	return m.load()
}

func (m Model) load() tea.Cmd {
	st, me, now, vid := m.store(), m.ctx.Me.Clerk, m.ctx.Now, m.vid
	return func() tea.Msg {
		rows, err := st.AllSummaries()
		if err != nil {
			return loadedMsg{view: vid, err: err}
		}
		return loadedMsg{view: vid, stats: Compute(rows, me, now())}
	}
}

// SetSize sets the view's area.
func (m *Model) SetSize(w, h int) {
	if w <= 0 || h <= 0 || (w == m.w && h == m.h) {
		return
	}
	m.w, m.h = w, h
	m.rebuild()
}

// Update handles messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.view != m.vid {
			return m, nil
		}
		m.loading = false
		m.err = msg.err
		if msg.err == nil {
			s := msg.stats
			m.stats = &s
		}
		m.rebuild()
		if m.reload {
			m.reload = false
			return m, m.loadCmd()
		}
		return m, nil
	case common.StoreChangedMsg: // also after the clerk's own actions were queued
		if m.loading {
			m.reload = true
			return m, nil
		}
		return m, m.loadCmd()
	case common.ConfigChangedMsg:
		m.rebuild()
	}
	return m, nil
}

// View renders the dashboard (prepared in Update).
func (m Model) View() string { return m.rendered }

func (m *Model) rebuild() {
	if m.w <= 0 || m.h <= 0 {
		return
	}
	m.rendered = m.render()
}

func (m *Model) render() string {
	th := m.ctx.Theme
	w, h := m.w, m.h
	var out []string
	title := th.Title.Render(i18n.T("view.dashboard"))
	if m.stats != nil {
		title += th.Muted.Render(" · " + i18n.Tf("dash.total", m.stats.Total, m.stats.Open))
	}
	out = append(out, common.Truncate(title, w))
	switch {
	case m.err != nil:
		out = append(out, th.Error.Render(common.Truncate(i18n.T("dash.err"), w)))
	case m.stats == nil:
		out = append(out, th.Muted.Render(i18n.T("dash.loading")))
	case m.stats.Total == 0:
		out = append(out, "", th.Muted.Render(common.Truncate(i18n.T("dash.empty"), w)))
	default:
		s := m.stats
		out = append(out, strings.Split(m.tiles(s), "\n")...)
		if w >= 110 {
			lw := w * 2 / 5
			left := m.statusBars(s, lw-2)
			right := m.serviceBars(s, w-lw-2, max(len(api.Statuses)+1, (h-len(out))/2))
			out = append(out, "")
			out = append(out, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, left, "  ", right), "\n")...)
			if left := h - len(out) - 1; left >= 6 {
				out = append(out, "")
				out = append(out, strings.Split(m.dueChart(s, min(left-3, 10)), "\n")...)
			}
		} else {
			out = append(out, "")
			out = append(out, strings.Split(m.statusBars(s, w), "\n")...)
			left := h - len(out) - 1
			if left >= 3 {
				out = append(out, "")
				out = append(out, strings.Split(m.serviceBars(s, w, left-1), "\n")...)
			}
			if left := h - len(out) - 1; left >= 7 {
				out = append(out, "")
				out = append(out, strings.Split(m.dueChart(s, min(left-4, 8)), "\n")...)
			}
		}
	}
	if len(out) > h {
		out = out[:h]
	}
	for i := range out {
		out[i] = common.Fit(out[i], w)
	}
	for len(out) < h {
		out = append(out, strings.Repeat(" ", w))
	}
	return strings.Join(out, "\n")
}

// tiles renders the four headline numbers as boxes.
func (m *Model) tiles(s *Stats) string {
	th := m.ctx.Theme
	type tile struct {
		label string
		n     int
		sub   string
		alert bool
	}
	ts := []tile{
		{i18n.T("dash.open"), s.Open, i18n.Tf("dash.unassigned", s.Unassigned), false},
		{i18n.T("dash.overdue"), s.Overdue, "", s.Overdue > 0},
		{i18n.T("dash.week"), s.DueWeek, i18n.Tf("dash.weekUntil", shortDate(s.WeekEnd)), false},
		{i18n.T("dash.mine"), s.Mine, "", false},
	}
	if s.MineOverdue > 0 {
		ts[3].sub = i18n.Tf("dash.mineOverdue", s.MineOverdue)
	}
	gap := 1
	tw := (m.w - gap*(len(ts)-1)) / len(ts)
	inner := max(tw-th.Pane.GetHorizontalFrameSize(), 6)
	var boxes []string
	for i, t := range ts {
		num := strconv.Itoa(t.n)
		numStyle := th.Bold
		if t.alert {
			numStyle = th.Overdue
		}
		line1 := th.Label.Render(common.Fit(t.label, max(inner-len(num)-1, 1))) + " " + numStyle.Render(num)
		sub := th.Muted.Render(common.Fit(t.sub, inner))
		box := th.Pane.Render(line1 + "\n" + sub)
		if i > 0 {
			boxes = append(boxes, strings.Repeat(" ", gap))
		}
		boxes = append(boxes, box)
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, boxes...)
}

// statusBars renders one bar per status, lifecycle order.
func (m *Model) statusBars(s *Stats, w int) string {
	th := m.ctx.Theme
	lines := []string{th.Header.Render(common.Truncate(i18n.T("dash.byStatus"), w))}
	maxN := 0
	for _, st := range api.Statuses {
		maxN = max(maxN, s.ByStatus[st])
	}
	lw := 0 // the longest label in the current language, plus the indent
	for _, st := range api.Statuses {
		lw = max(lw, common.Width(common.StatusLabel(st)))
	}
	lw = min(lw, max(w/3, 12)) + 2
	nw := len(strconv.Itoa(maxN))
	bw := max(w-lw-nw-3, 4)
	for _, st := range api.Statuses {
		n := s.ByStatus[st]
		style := th.Bar
		if !st.Open() {
			style = th.Muted
		}
		lines = append(lines, "  "+common.Fit(common.StatusLabel(st), lw-2)+" "+
			common.FitRight(strconv.Itoa(n), nw)+" "+style.Render(Bar(n, maxN, bw)))
	}
	return strings.Join(lines, "\n")
}

// serviceBars renders open cases per service (overdue part drawn with ▓), at most rows lines.
func (m *Model) serviceBars(s *Stats, w, rows int) string {
	th := m.ctx.Theme
	lines := []string{th.Header.Render(common.Truncate(i18n.T("dash.byService")+"  "+th.Muted.Render(i18n.T("dash.legend")), w))}
	maxN := 0
	for _, c := range s.Services {
		maxN = max(maxN, c.Open)
	}
	nameW := 0
	for _, c := range s.Services {
		nameW = max(nameW, common.Width(c.Name))
	}
	nameW = min(nameW, max(w/3, 12))
	nw := len(strconv.Itoa(maxN))
	bw := max(w-nameW-nw-4, 4)
	show := s.Services
	if rows > 1 && len(show) > rows-1 {
		show = show[:max(rows-2, 1)]
	}
	for _, c := range show {
		// The overdue share first in ▓ (visible without colour), then the other open cases.
		total := Bar(c.Open, maxN, bw)
		k := 0
		if c.Overdue > 0 {
			k = max(int(math.Round(float64(c.Overdue)/float64(maxN)*float64(bw))), 1)
			k = min(k, len([]rune(total)))
		}
		bar := th.Overdue.Render(strings.Repeat("▓", k)) + th.Bar.Render(trimCells(total, k))
		lines = append(lines, "  "+common.Fit(c.Name, nameW)+" "+common.FitRight(strconv.Itoa(c.Open), nw)+" "+bar)
	}
	if len(show) < len(s.Services) {
		others := 0
		for _, c := range s.Services[len(show):] {
			others += c.Open
		}
		lines = append(lines, th.Muted.Render("  "+i18n.Tf("dash.others", len(s.Services)-len(show), others)))
	}
	return strings.Join(lines, "\n")
}

// dueChart draws open cases by due date over the next two weeks as columns, overdue first.
func (m *Model) dueChart(s *Stats, height int) string {
	th := m.ctx.Theme
	lines := []string{th.Header.Render(i18n.T("dash.horizon"))}
	maxN := 0
	for _, n := range s.Due {
		maxN = max(maxN, n)
	}
	colW := min(max((m.w-4)/len(s.Due), 4), 8)
	rows := make([]string, height)
	for c, n := range s.Due {
		cells := Column(n, maxN, height)
		style := th.Bar
		if c == 0 {
			style = th.Overdue
		}
		for r := 0; r < height; r++ {
			rows[r] += " " + style.Render(strings.Repeat(string(cells[r]), colW-2)) + " "
		}
	}
	for _, r := range rows {
		lines = append(lines, "  "+r)
	}
	var nums, days strings.Builder
	for c, n := range s.Due {
		nums.WriteString(center(strconv.Itoa(n), colW))
		label := i18n.T("dash.overdueShort")
		if c > 0 {
			label = dayLabel(s.Today, c-1)
		}
		days.WriteString(center(label, colW))
	}
	lines = append(lines, "  "+th.Muted.Render(nums.String()), "  "+th.Label.Render(days.String()))
	return strings.Join(lines, "\n")
}

// center pads s to w cells, centred.
func center(s string, w int) string {
	l := max((w-common.Width(s))/2, 0)
	return common.Fit(strings.Repeat(" ", l)+s, w)
}

var vEighths = []rune{' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'}

// Column returns a vertical bar of n of maxN as height cells, top first, in eighths.
func Column(n, maxN, height int) []rune {
	out := make([]rune, height)
	e := 0
	if n > 0 && maxN > 0 {
		e = max(int(math.Round(float64(n)/float64(maxN)*float64(height*8))), 1)
	}
	for r := height - 1; r >= 0; r-- {
		switch {
		case e >= 8:
			out[r] = '█'
			e -= 8
		default:
			out[r] = vEighths[e]
			e = 0
		}
	}
	return out
}

// dayLabel is the day of month of today+i ("24").
func dayLabel(today string, i int) string {
	t, err := time.Parse("2006-01-02", today)
	if err != nil {
		return ""
	}
	return strconv.Itoa(t.AddDate(0, 0, i).Day())
}

// shortDate renders "2026-11-29" as "29.11." (German) or "11-29".
func shortDate(ymd string) string {
	if len(ymd) != 10 {
		return ymd
	}
	if i18n.Current() == i18n.EN {
		return ymd[5:]
	}
	return ymd[8:10] + "." + ymd[5:7] + "."
}

// trimCells drops the first n cells of a bar made of single-cell block characters.
func trimCells(bar string, n int) string {
	r := []rune(bar)
	if n >= len(r) {
		return ""
	}
	return string(r[n:])
}

var eighths = []rune{' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'}

// Bar draws n of maxN as a horizontal bar of at most width cells, in eighths of a cell. A
// non-zero count always shows at least a sliver.
func Bar(n, maxN, width int) string {
	if n <= 0 || maxN <= 0 || width <= 0 {
		return ""
	}
	e := int(math.Round(float64(n) / float64(maxN) * float64(width*8)))
	e = max(e, 1)
	full, part := e/8, e%8
	s := strings.Repeat("█", full)
	if part > 0 {
		s += string(eighths[part])
	}
	return s
}
