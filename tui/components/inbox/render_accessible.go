package inbox

import (
	"strconv"
	"strings"

	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// accessibleHead is the number of lines above the list in the accessible inbox: the title with
// counts and sort, the saved views (up to two lines), and the filter.
const accessibleHead = 4

// accessibleLayout is the inbox layout of the accessible mode: no preview, no columns, and as many
// list rows as fit when each sentence takes two lines (the window then always holds the cursor).
func accessibleLayout(w, h int) layout {
	return layout{listWidth: w, listTop: accessibleHead, listRows: max(1, (h-accessibleHead)/2)}
}

// RowSentence reads one list row as one sentence: reference, service, applicant, deadline with
// its state in words, status, assignee, marks, sync state; pos (e.g. "3 von 29") is added on the
// selected row only.
func (m *Model) RowSentence(s *store.Summary, marked bool, pos string, e *env) string {
	due := ""
	if s.DueDate != "" {
		due = i18n.Tf("a11y.due", common.FormatDate(s.DueDate))
		if s.Status.Open() {
			if d := common.DueState(s.DueDate, e.today, e.soon); d == common.DueOverdue || d == common.DueSoon {
				due += " " + d.Label()
			}
		}
	}
	assignee := i18n.T("a11y.unassigned")
	if s.Assignee != "" {
		assignee = i18n.Tf("a11y.assignee", m.ctx.ClerkName(s.Assignee))
	}
	var flags []string
	if marked {
		flags = append(flags, i18n.T("a11y.marked"))
	}
	if s.Conflict {
		flags = append(flags, i18n.T("sync.conflict"))
	}
	if s.Rejected {
		flags = append(flags, i18n.T("sync.rejected"))
	}
	if s.Pending > 0 {
		flags = append(flags, i18n.Tf("case.pending", s.Pending))
	}
	if s.DeliveryFailed {
		flags = append(flags, i18n.T("a11y.deliveryFailed"))
	}
	if len(m.ctx.Notices[s.ID]) > 0 {
		flags = append(flags, i18n.T("a11y.notice"))
	}
	parts := []string{common.Line(s.Reference), common.Line(s.ServiceName), common.Line(s.ApplicantName), due,
		common.StatusLabel(s.Status), assignee}
	return access.Sentence(append(append(parts, flags...), pos)...)
}

// AccessibleView renders the inbox as linear text: what is shown and how it is sorted, the views
// to switch to, the filter, then one sentence per case. The cursor stands on the selected case
// (or in the filter while typing).
func (m Model) AccessibleView() access.Screen {
	var sc access.Screen
	if m.width <= 0 || m.height <= 0 {
		return sc
	}
	e := newEnv(m.ctx)
	w := m.width
	title := i18n.T("view.inbox")
	if m.tab < len(m.views) {
		title = access.Sentence(title, i18n.Tf("a11y.inbox.view", m.views[m.tab].Title()))
	}
	sc.Add(common.Truncate(access.Sentence(title, strings.ReplaceAll(m.infoRight(), " · ", ", ")), w))
	views := make([]string, 0, len(m.views))
	for i, v := range m.views {
		l := v.Title()
		if i < len(m.counts) {
			l += " " + strconv.Itoa(m.counts[i])
		}
		views = append(views, l)
	}
	sc.AddWrapped(i18n.Tf("a11y.inbox.views", strings.Join(views, ", ")), w)
	filter := i18n.T("a11y.inbox.noFilter")
	if m.focused || m.query != "" {
		filter = i18n.T("filter.prompt") + common.Line(m.input.Value())
	}
	fi := sc.Add(common.Truncate(filter, w))
	sc.Focus(fi, 0)
	if m.focused {
		sc.Focus(fi, min(common.Width(i18n.T("filter.prompt"))+m.input.Position(), w-1))
	}
	if len(m.rows) == 0 {
		sc.AddWrapped(m.emptyText(), w)
		return sc.Window(m.height)
	}
	end := min(len(m.rows), m.offs+m.lay.listRows)
	for i := m.offs; i < end; i++ {
		s := &m.rowsAll[m.rows[i]]
		pos := ""
		if i == m.cursor {
			pos = i18n.Tf("a11y.of", i+1, len(m.rows))
		}
		at := sc.AddWrapped(m.RowSentence(s, m.marked[s.ID], pos, &e), w)
		if i == m.cursor && !m.focused {
			sc.FocusItem(at, len(sc.Lines)-at)
		}
	}
	return sc.Window(m.height)
}
