package caseview

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions"
	"github.com/amt-mv/amt/tui/i18n"
)

func itoa(n int) string { return strconv.Itoa(n) }

// renderHeader: reference and service, then status, deadline, assignee and sync mark, then the
// applicant. Every untrusted value passes common.Line.
func (m Model) renderHeader() string {
	th := m.ctx.Theme
	w := m.w
	if m.c == nil {
		switch {
		case m.gone:
			return th.Warn.Render(common.Truncate(i18n.T("case.gone"), w))
		case m.err != nil:
			return th.Error.Render(common.Truncate(i18n.T("case.loadFailed"), w))
		}
		return th.Muted.Render(common.Truncate(i18n.T("case.loading"), w))
	}
	c := m.c
	now := m.ctx.Now()
	title := th.Title.Render(common.Line(c.Reference)) + th.Muted.Render(" · ") + th.Bold.Render(common.Line(c.Service.Name))
	if c.Service.FourEyes {
		title += th.Muted.Render(" · " + i18n.T("case.fourEyes"))
	}
	if mark := m.syncMark(); mark != "" {
		gap := w - common.Width(title) - common.Width(mark)
		if gap >= 2 {
			title += strings.Repeat(" ", gap) + mark
		} else {
			title += "  " + mark
		}
	}

	var meta []string
	meta = append(meta, th.Label.Render(i18n.T("case.status")+" ")+th.Value.Render(common.StatusLabel(c.Status)))
	due := common.DueState(c.DueDate, common.Today(now), common.AddDays(now, m.ctx.DueSoonDays()))
	dueText := common.FormatDate(c.DueDate)
	if c.DueDate == "" {
		dueText = i18n.T("due.none")
	}
	switch {
	case !c.Status.Open():
		dueText = th.Value.Render(dueText)
	case due == common.DueOverdue:
		dueText = th.Overdue.Render(dueText + " " + due.Symbol() + " " + due.Label())
	case due == common.DueSoon:
		dueText = th.DueSoon.Render(dueText + " " + due.Symbol() + " " + due.Label())
	default:
		dueText = th.Value.Render(dueText)
	}
	meta = append(meta, th.Label.Render(i18n.T("case.due")+" ")+dueText)
	assignee := m.ctx.ClerkName(c.Assignee)
	if c.Assignee == "" {
		assignee = i18n.T("nobody")
	}
	meta = append(meta, th.Label.Render(i18n.T("case.assignee")+" ")+th.Value.Render(assignee))
	if c.Resubmission != nil && c.Resubmission.Date != "" {
		meta = append(meta, th.Label.Render(i18n.T("case.resub")+" ")+th.Value.Render(common.FormatDate(c.Resubmission.Date)))
	}
	meta = append(meta, th.Label.Render(i18n.T("case.submitted")+" ")+th.Value.Render(common.FormatDay(c.SubmittedAt)))
	metaLines := flow(meta, th.Muted.Render(" · "), w)

	app := th.Label.Render(i18n.T("case.applicant")+" ") + th.Value.Render(common.Line(c.Applicant.Name))
	if c.Applicant.Address != "" {
		app += th.Muted.Render(", " + common.Line(c.Applicant.Address))
	}
	return common.Truncate(title, w) + "\n" + metaLines + "\n" + common.Truncate(app, w)
}

// flow joins parts with sep into as few lines of at most w cells as it takes, never splitting a
// part (a part wider than w is cut), so no fact of the header is lost on narrow screens.
func flow(parts []string, sep string, w int) string {
	var lines []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case common.Width(cur)+common.Width(sep)+common.Width(p) <= w:
			cur += sep + p
		default:
			lines = append(lines, common.Truncate(cur, w))
			cur = p
		}
	}
	return strings.Join(append(lines, common.Truncate(cur, w)), "\n")
}

func (m Model) syncMark() string {
	th := m.ctx.Theme
	if !m.hasSum {
		return ""
	}
	var parts []string
	if m.sum.Conflict {
		parts = append(parts, th.Conflict.Render(common.MarkConflict+" "+i18n.T("sync.conflict")))
	}
	if m.sum.Rejected {
		parts = append(parts, th.Rejected.Render(common.MarkRejected+" "+i18n.T("sync.rejected")))
	}
	if m.sum.Pending > 0 {
		parts = append(parts, th.Pending.Render(common.MarkPending+" "+i18n.Tf("case.pending", m.sum.Pending)))
	}
	return strings.Join(parts, " ")
}

func (m Model) renderBody(t Tab) string {
	th := m.ctx.Theme
	if m.c == nil {
		if m.gone {
			return th.Muted.Render(wrap(i18n.T("case.goneHelp"), m.w))
		}
		if m.err != nil {
			return th.Muted.Render(wrap(i18n.T("case.loadFailedHelp"), m.w))
		}
		return ""
	}
	switch t {
	case TabForm:
		return m.renderForm()
	case TabAttachments:
		return m.renderAttachments()
	case TabEvidence:
		return m.renderEvidence()
	}
	return m.renderHistory()
}

// fields renders labelled values in two columns; long values wrap under their column.
type fieldWriter struct {
	b      *strings.Builder
	m      *Model
	labelW int
	indent string
}

func (m *Model) newFields(b *strings.Builder, labels []string, indent string) fieldWriter {
	lw := 0
	for _, l := range labels {
		lw = max(lw, common.Width(l))
	}
	lw = min(lw+2, max(m.w/3, 12))
	return fieldWriter{b: b, m: m, labelW: lw, indent: indent}
}

func (f fieldWriter) add(label, value string) {
	th := f.m.ctx.Theme
	if f.m.ctx.Accessible() {
		f.addAccessible(label, value)
		return
	}
	vw := max(f.m.w-len(f.indent)-f.labelW, 10)
	lines := strings.Split(wrap(value, vw), "\n")
	for i, l := range lines {
		f.b.WriteString(f.indent)
		if i == 0 {
			// Two cells always part label and value, even when a long label is cut.
			f.b.WriteString(th.Label.Render(common.Fit(label, f.labelW-2)) + "  ")
		} else {
			f.b.WriteString(strings.Repeat(" ", f.labelW))
		}
		f.b.WriteString(th.Value.Render(strings.TrimRight(l, " ")))
		f.b.WriteString("\n")
	}
}

func wrap(s string, w int) string { return ansi.Wrap(s, max(w, 1), "") }

func (m *Model) section(b *strings.Builder, title string) {
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	b.WriteString(m.ctx.Theme.Title.Render(common.Truncate(title, m.w)))
	b.WriteString("\n")
}

func (m *Model) renderForm() string {
	c := m.c
	var b strings.Builder
	m.section(&b, i18n.T("case.applicant"))
	a := c.Applicant
	f := m.newFields(&b, []string{i18n.T("case.f.name"), i18n.T("case.f.address"), i18n.T("case.f.email"), i18n.T("case.f.phone")}, "  ")
	f.add(i18n.T("case.f.name"), common.Line(a.Name))
	if a.Address != "" {
		f.add(i18n.T("case.f.address"), common.Line(a.Address))
	}
	if a.Email != "" {
		f.add(i18n.T("case.f.email"), common.Line(a.Email))
	}
	if a.Phone != "" {
		f.add(i18n.T("case.f.phone"), common.Line(a.Phone))
	}
	for _, s := range c.Sections {
		m.section(&b, common.Line(s.Title))
		labels := make([]string, len(s.Fields))
		for i, fl := range s.Fields {
			labels[i] = common.Line(fl.Label)
		}
		f := m.newFields(&b, labels, "  ")
		for i, fl := range s.Fields {
			f.add(labels[i], common.Text(fl.Value))
		}
	}
	if p := c.Payment; p != nil {
		m.section(&b, i18n.T("case.payment"))
		f := m.newFields(&b, []string{i18n.T("case.f.amount"), i18n.T("case.f.payStatus"), i18n.T("case.f.method"), i18n.T("case.f.payRef")}, "  ")
		f.add(i18n.T("case.f.amount"), casework.FormatFee(p.AmountCents))
		f.add(i18n.T("case.f.payStatus"), payStatus(p.Status))
		if p.Method != "" {
			f.add(i18n.T("case.f.method"), common.Line(p.Method))
		}
		if p.Reference != "" {
			f.add(i18n.T("case.f.payRef"), common.Line(p.Reference))
		}
	}
	if d := c.Decision; d != nil {
		m.section(&b, i18n.T("case.decision")+" ("+decisionState(d.State)+")")
		f := m.newFields(&b, []string{i18n.T("act.label.outcome"), i18n.T("act.label.reasoning"), i18n.T("case.f.by")}, "  ")
		f.add(i18n.T("act.label.outcome"), actions.OutcomeLabel(d.Outcome))
		if d.FeeCents != nil {
			f.add(i18n.T("act.label.fee"), casework.FormatFee(*d.FeeCents))
		}
		if d.ValidUntil != "" {
			f.add(i18n.T("act.label.valid"), common.FormatDate(d.ValidUntil))
		}
		f.add(i18n.T("act.label.reasoning"), common.Text(d.Reasoning))
		by := m.ctx.ClerkName(d.Actor)
		if !d.CreatedAt.IsZero() {
			by += ", " + common.FormatTime(d.CreatedAt)
		}
		f.add(i18n.T("case.f.by"), by)
		if d.ApprovedBy != "" {
			f.add(i18n.T("case.f.approvedBy"), m.ctx.ClerkName(d.ApprovedBy))
		}
		if m.pending[d.ID] {
			f.add("", m.ctx.Theme.Pending.Render(common.MarkPending+" "+i18n.T("sync.pending")))
		}
	}
	if rs := casework.Resubmissions(*c); len(rs) > 0 {
		// One per clerk: the date, who set it and why.
		m.section(&b, i18n.T("case.resubs"))
		labels := make([]string, len(rs))
		for i, r := range rs {
			labels[i] = common.FormatDate(r.Date)
		}
		f := m.newFields(&b, labels, "  ")
		for _, r := range rs {
			v := m.ctx.ClerkName(r.Actor)
			if r.Reason != "" {
				v += " · " + common.Line(r.Reason)
			}
			if m.pending[r.ID] {
				v += " " + m.ctx.Theme.Pending.Render(common.MarkPending)
			}
			f.add(common.FormatDate(r.Date), v)
		}
	}
	for _, d := range c.DocumentRequests {
		m.section(&b, i18n.T("case.docreq")+" · "+common.FormatDay(d.CreatedAt))
		f := m.newFields(&b, []string{i18n.T("act.label.documents"), i18n.T("act.label.deadline")}, "  ")
		docs := make([]string, len(d.Documents))
		for i, x := range d.Documents {
			docs[i] = "• " + common.Line(x)
		}
		f.add(i18n.T("act.label.documents"), strings.Join(docs, "\n"))
		f.add(i18n.T("act.label.deadline"), common.FormatDate(d.Deadline))
		if d.Message != "" {
			f.add(i18n.T("act.label.message"), common.Text(d.Message))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func payStatus(s string) string {
	k := "case.pay." + s
	if i18n.Has(k) {
		return i18n.T(k)
	}
	return common.Line(s)
}

func decisionState(s string) string {
	k := "case.decision." + s
	if i18n.Has(k) {
		return i18n.T(k)
	}
	return common.Line(s)
}

// attachmentColumns returns the widths of name, type, size and hash.
func (m *Model) attachmentColumns() (name, typ, size, hash int) {
	size, hash = 9, 10
	rest := m.w - 2 - size - hash - 3 - 10 // cursor, gaps, status
	typ = min(max(rest/3, 8), 22)
	name = max(rest-typ, 10)
	return
}

func (m *Model) renderAttachments() string {
	th := m.ctx.Theme
	c := m.c
	files := caseFiles(c)
	if len(files) == 0 {
		return th.Muted.Render(i18n.T("case.att.none"))
	}
	nw, tw, sw, hw := m.attachmentColumns()
	var b strings.Builder
	if m.ctx.Accessible() {
		b.WriteString(i18n.T("case.tab.attachments") + ", " + i18n.Tf("a11y.of", m.attCursor+1, len(files)))
	} else {
		b.WriteString(th.Header.Render("  " + common.Fit(i18n.T("case.att.name"), nw) + " " + common.Fit(i18n.T("case.att.type"), tw) + " " +
			common.FitRight(i18n.T("case.att.size"), sw) + " " + common.Fit("SHA-256", hw)))
	}
	for i, a := range files {
		b.WriteString("\n")
		hash := common.Line(a.SHA256)
		if len(hash) > 8 {
			hash = hash[:8] + "…"
		}
		status := ""
		if m.files[a.ID] {
			status = "✓ " + i18n.T("case.att.local")
		}
		if m.dl != nil && m.dl.att.ID == a.ID {
			status = "↓ " + i18n.T("case.att.loading")
		}
		if m.ctx.Accessible() {
			if d, ok := documentOf(c, a.ID); ok {
				b.WriteString(common.Line(a.Name) + ", " + DeliveryText(d))
			} else {
				b.WriteString(m.accessibleAttachment(i, hash, status))
			}
			continue
		}
		name, typ := common.Line(a.Name), common.Line(a.ContentType)
		if d, ok := documentOf(c, a.ID); ok {
			// An outgoing document: its delivery instead of the file type.
			name, typ = "↗ "+name, DeliveryText(d)
		}
		row := common.Fit(name, nw) + " " + common.Fit(typ, tw) + " " +
			common.FitRight(FormatSize(a.Size), sw) + " " + common.Fit(hash, hw) + " " + status
		row = common.Fit(row, m.w-2)
		if i == m.attCursor {
			b.WriteString(th.RowCursor.Render("› " + row))
		} else {
			b.WriteString(th.Row.Render("  " + row))
		}
	}
	return b.String()
}

// scrollToCursor keeps the attachment cursor (line cursor+1, after the header) visible.
func (m *Model) scrollToCursor() {
	line := m.attCursor + 1
	if line < m.vp.YOffset {
		m.vp.SetYOffset(line)
	} else if line >= m.vp.YOffset+m.vp.Height {
		m.vp.SetYOffset(line - m.vp.Height + 1)
	}
}

func (m *Model) renderEvidence() string {
	th := m.ctx.Theme
	c := m.c
	if len(c.Evidence) == 0 {
		return th.Muted.Render(i18n.T("case.ev.none"))
	}
	var b strings.Builder
	m.evLine = m.evLine[:0]
	for i, e := range c.Evidence {
		mark := th.Warn.Render("? ")
		if e.Verified {
			mark = th.OK.Render("✓ ")
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		m.evLine = append(m.evLine, strings.Count(b.String(), "\n"))
		if len(c.Evidence) > 1 && i == m.evCursor { // several records: the check key acts on this one
			mark = th.Accent.Render("› ") + mark
		}
		b.WriteString(mark + th.Title.Render(common.Truncate(common.Line(e.Title), m.w-2)) + "\n")
		labels := []string{i18n.T("case.ev.register"), i18n.T("case.ev.issuer"), i18n.T("case.ev.retrieved"), i18n.T("case.ev.verified")}
		for _, f := range e.Fields {
			labels = append(labels, common.Line(f.Label))
		}
		f := m.newFields(&b, labels, "  ")
		f.add(i18n.T("case.ev.register"), common.Line(e.Register))
		f.add(i18n.T("case.ev.issuer"), common.Line(e.Issuer))
		f.add(i18n.T("case.ev.retrieved"), common.FormatTime(e.RetrievedAt))
		verified := i18n.T("case.ev.no")
		if e.Verified {
			verified = "✓ " + i18n.T("case.ev.yes")
		}
		if e.CheckedBy != "" && e.CheckedAt != nil {
			verified += " · " + i18n.Tf("case.ev.checkedBy", m.ctx.ClerkName(e.CheckedBy), common.FormatDay(*e.CheckedAt))
		}
		f.add(i18n.T("case.ev.verified"), verified)
		for _, fl := range e.Fields {
			f.add(common.Line(fl.Label), common.Text(fl.Value))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// historyItem is one line of the Verlauf tab.
type historyItem struct {
	at    time.Time
	seq   int
	what  string // translated kind
	actor string // sanitised display name
	text  string // sanitised, may be multi-line
	mark  string
}

func (m *Model) history() []historyItem {
	c := m.c
	var items []historyItem
	add := func(it historyItem) {
		it.seq = len(items)
		items = append(items, it)
	}
	actor := func(id string) string {
		switch id {
		case "system":
			return i18n.T("case.h.system")
		case "applicant":
			return i18n.T("case.h.applicant")
		case "me":
			return m.ctx.ClerkName(m.ctx.Me.Clerk)
		}
		return m.ctx.ClerkName(id)
	}
	docRequest := func(d api.DocumentRequest) historyItem {
		docs := make([]string, len(d.Documents))
		for i, x := range d.Documents {
			docs[i] = common.Line(x)
		}
		text := strings.Join(docs, ", ") + " · " + i18n.T("act.label.deadline") + " " + common.FormatDate(d.Deadline)
		if d.Message != "" {
			text += "\n" + common.Text(d.Message)
		}
		return historyItem{at: d.CreatedAt, what: eventLabel(api.EventDocumentRequest), actor: actor(d.Actor),
			text: text, mark: m.pendingMark(d.ID)}
	}
	decision := func(d *api.Decision) historyItem {
		kind := api.EventDecided
		if d.State == api.DecisionProposed {
			kind = api.EventDecisionProposed
		}
		return historyItem{at: d.CreatedAt, what: eventLabel(kind), actor: actor(d.Actor), text: withReason(actions.OutcomeLabel(d.Outcome), d.Reasoning), mark: m.pendingMark(d.ID)}
	}
	events := c.History
	if len(events) > 0 {
		// The server's history; notes come from the case with their full text (event summaries
		// are shortened), and queued requests and decisions the server has not seen yet are
		// added from the case with their pending mark.
		lastDecided := -1 // the newest decision event: it is about the case's current decision
		for i, e := range events {
			if e.Kind == api.EventDecided || e.Kind == api.EventDecisionProposed {
				lastDecided = i
			}
		}
		for i, e := range events {
			if e.Kind == api.EventNote {
				continue
			}
			add(historyItem{at: e.At, what: eventLabel(e.Kind), actor: actor(e.Actor), text: m.eventText(e, i == lastDecided)})
		}
		for _, d := range c.DocumentRequests {
			if m.pending[d.ID] {
				add(docRequest(d))
			}
		}
		if d := c.Decision; d != nil && m.pending[d.ID] {
			add(decision(d))
		}
	} else {
		add(historyItem{at: c.SubmittedAt, what: eventLabel(api.EventReceived), actor: common.Line(c.Applicant.Name)})
		for _, d := range c.DocumentRequests {
			add(docRequest(d))
		}
		if d := c.Decision; d != nil {
			add(decision(d))
		}
	}
	for _, n := range c.Notes {
		add(historyItem{at: n.CreatedAt, what: eventLabel(api.EventNote), actor: actor(n.Actor), text: common.Text(n.Text), mark: m.pendingMark(n.ID)})
	}
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].at.Equal(items[j].at) {
			return items[i].at.Before(items[j].at)
		}
		return items[i].seq < items[j].seq
	})
	return items
}

// eventText renders an event for a clerk: its summary (status, outcome, clerk and date values get
// their labels; free text as is) followed by its full text (reasoning, comment, reason, message).
// Events stored before Event.Detail existed take it from the case where it still shows it: the
// current decision (newestDecision) and the clerks' Wiedervorlagen.
func (m *Model) eventText(e api.Event, newestDecision bool) string {
	detail := e.Detail
	if detail == "" {
		switch {
		case (e.Kind == api.EventDecided || e.Kind == api.EventDecisionProposed) && newestDecision && m.c.Decision != nil &&
			string(m.c.Decision.Outcome) == e.Summary:
			detail = m.c.Decision.Reasoning
		case e.Kind == api.EventResubmission:
			for _, r := range casework.Resubmissions(*m.c) {
				if r.Actor == e.Actor && r.Date == e.Summary {
					detail = r.Reason
				}
			}
		}
	}
	sum := m.eventSummary(e)
	if detail == "" || strings.TrimSpace(detail) == strings.TrimSpace(e.Summary) {
		return sum
	}
	if e.Kind == api.EventDecisionReturned || e.Kind == api.EventDecisionApproved {
		return common.Text(detail) // the summary is the comment's shortened start
	}
	return withReason(sum, detail)
}

// withReason appends a reason or text to an event's summary: on the same line when short.
func withReason(sum, reason string) string {
	reason = common.Text(reason)
	switch {
	case reason == "":
		return sum
	case sum == "":
		return reason
	case !strings.Contains(reason, "\n") && common.Width(sum)+common.Width(reason) < 60:
		return sum + " · " + reason
	}
	return sum + "\n" + reason
}

// eventSummary renders an event's summary for a clerk: status, outcome, clerk and date values
// get their labels; free text (comments, document lists) is shown as is.
func (m *Model) eventSummary(e api.Event) string {
	switch e.Kind {
	case api.EventStatusChanged, api.EventDocumentsReceived:
		if st := api.Status(e.Summary); st.Valid() {
			return common.StatusLabel(st)
		}
	case api.EventDecided, api.EventDecisionProposed:
		if o := api.Outcome(e.Summary); o.Valid() {
			return actions.OutcomeLabel(o)
		}
	case api.EventAssigned:
		return m.ctx.ClerkName(e.Summary)
	case api.EventResubmission:
		return common.FormatDate(e.Summary)
	}
	return common.Text(e.Summary)
}

func (m *Model) pendingMark(id string) string {
	if m.pending[id] {
		return common.MarkPending + " " + i18n.T("sync.pending")
	}
	return ""
}

func eventLabel(k api.EventKind) string {
	key := "case.event." + string(k)
	if i18n.Has(key) {
		return i18n.T(key)
	}
	return common.Line(string(k))
}

func (m *Model) renderHistory() string {
	th := m.ctx.Theme
	items := m.history()
	if len(items) == 0 {
		return th.Muted.Render(i18n.T("case.h.none"))
	}
	const tw = 17 // "24.11.2026 10:00 "
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("\n")
		}
		head := th.Bold.Render(it.what)
		if it.actor != "" {
			head += th.Muted.Render(" · " + it.actor)
		}
		if it.mark != "" {
			head += " " + th.Pending.Render(it.mark)
		}
		b.WriteString(th.Label.Render(common.Fit(common.FormatTime(it.at), tw)) + common.Truncate(head, m.w-tw))
		if it.text != "" {
			for _, l := range strings.Split(wrap(it.text, m.w-tw-2), "\n") {
				b.WriteString("\n" + strings.Repeat(" ", tw+2) + th.Value.Render(strings.TrimRight(l, " ")))
			}
		}
	}
	return b.String()
}

// FormatSize renders a byte count as clerks read it: "812 B", "179 KB", "1,1 MB".
func FormatSize(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1024*1024:
		return strconv.FormatInt((n+512)/1024, 10) + " KB"
	}
	mb := float64(n) / (1024 * 1024)
	s := strconv.FormatFloat(mb, 'f', 1, 64)
	if i18n.Current() == i18n.DE {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " MB"
}
