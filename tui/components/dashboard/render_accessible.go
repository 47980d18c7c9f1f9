package dashboard

import (
	"strconv"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// AccessibleView renders the overview as linear text: numbers instead of tiles and bars, one fact
// per line ("Überfällig: 2"), each chart as one sentence (the deadline chart names the days that
// have deadlines). The cursor
// stands on the first line; the overview has nothing to select.
func (m Model) AccessibleView() access.Screen {
	var sc access.Screen
	w := max(m.w, 20)
	title := i18n.T("view.dashboard")
	if m.stats != nil {
		title = access.Sentence(title, i18n.Tf("dash.total", m.stats.Total, m.stats.Open))
	}
	sc.AddWrapped(title, w)
	switch {
	case m.err != nil:
		sc.AddWrapped(i18n.T("dash.err"), w)
		return sc
	case m.stats == nil:
		sc.Add(i18n.T("dash.loading"))
		return sc
	case m.stats.Total == 0:
		sc.AddWrapped(i18n.T("dash.empty"), w)
		return sc
	}
	s := m.stats
	n := strconv.Itoa
	sc.Add(access.Sentence(access.Field(i18n.T("dash.open"), n(s.Open)), i18n.Tf("dash.unassigned", s.Unassigned)))
	sc.Add(access.Field(i18n.T("dash.overdue"), n(s.Overdue)))
	sc.Add(access.Sentence(access.Field(i18n.T("dash.week"), n(s.DueWeek)), i18n.Tf("dash.weekUntil", shortDate(s.WeekEnd))))
	mine := access.Field(i18n.T("dash.mine"), n(s.Mine))
	if s.MineOverdue > 0 {
		mine = access.Sentence(mine, i18n.Tf("dash.mineOverdue", s.MineOverdue))
	}
	sc.Add(mine)
	// Lists as one wrapped sentence each, so the whole overview fits a 24-line screen.
	var by []string
	for _, st := range api.Statuses {
		by = append(by, common.StatusLabel(st)+" "+n(s.ByStatus[st]))
	}
	sc.AddWrapped(i18n.T("dash.byStatus")+": "+strings.Join(by, ", "), w)
	var svc []string
	for _, c := range s.Services {
		x := c.Name + " " + n(c.Open)
		if c.Overdue > 0 {
			x += " (" + i18n.Tf("dash.mineOverdue", c.Overdue) + ")"
		}
		svc = append(svc, x)
	}
	sc.AddWrapped(i18n.T("dash.byService")+": "+strings.Join(svc, ", "), w)
	var due []string
	for i, k := range s.Due {
		if k == 0 {
			continue
		}
		label := i18n.T("dash.overdue")
		if i > 0 {
			label = dueDay(s.Today, i-1)
		}
		due = append(due, label+" "+n(k))
	}
	if len(due) == 0 {
		due = append(due, i18n.T("a11y.dash.noDeadlines"))
	}
	sc.AddWrapped(i18n.T("dash.horizon")+": "+strings.Join(due, ", "), w)
	return sc
}

// dueDay names the day i days after today as a date ("26.11.2026").
func dueDay(today string, i int) string {
	t, err := time.Parse("2006-01-02", today)
	if err != nil {
		return ""
	}
	return common.FormatDate(t.AddDate(0, 0, i).Format("2006-01-02"))
}
