// Package pending owns the Ausstehend view: the outbox with each action's state, conflicts side by
// side (the colleague's change vs the clerk's intent) with re-apply / keep as note / discard, and
// rejections with the server's reason.
package pending

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions"
	"github.com/amt-mv/amt/tui/i18n"
)

// row is one outbox action with what the list shows about its case.
type row struct {
	a         store.Action
	reference string // sanitised
	service   string // sanitised
}

type loadedMsg struct {
	view int64
	rows []row
	err  error
}

// op is a resolution the clerk chose.
type op = casework.Resolution

const (
	opReapply = casework.Reapply
	opAsNote  = casework.AsNote
	opDiscard = casework.Discard
)

// doneMsg reports a resolution's result.
type doneMsg struct {
	view   int64
	op     op
	id     string // the action resolved
	err    error
	cancel bool // a waiting action was taken back (store.Cancel), not a settled one resolved
}

var viewSeq atomic.Int64

// Model is the Ausstehend view.
type Model struct {
	ctx *common.Ctx
	vid int64

	rows    []row
	loaded  bool
	err     error
	cursor  int
	offset  int
	w, h    int
	detail  string // rendered detail of the selected row, rebuilt in Update
	notice  string
	noticeE bool

	noticeFor string // the action a "will be sent again" notice is about; cleared when it settles again

	confirming op // opDiscard or opReapply (for decisions) while asking
	confirmID  string
	confirm    textinput.Model
	busy       bool
}

// New returns the pending view; Init loads the outbox.
func New(ctx *common.Ctx) Model {
	m := Model{ctx: ctx, vid: viewSeq.Add(1)}
	m.confirm = textinput.New()
	m.confirm.Prompt = "> "
	m.confirm.CharLimit = 5
	m.confirm.Cursor.SetMode(cursor.CursorStatic)
	m.SetSize(ctx.Width, ctx.Height)
	return m
}

// Init loads the outbox.
func (m Model) Init() tea.Cmd { return m.load() }

func (m Model) load() tea.Cmd {
	st, vid := m.store(), m.vid
	return func() tea.Msg {
		acts, err := st.Outbox()
		if err != nil {
			return loadedMsg{view: vid, err: err}
		}
		refs := map[string][2]string{}
		rows := make([]row, 0, len(acts))
		for _, a := range acts {
			r, ok := refs[a.CaseID]
			if !ok {
				if s, err := st.Summary(a.CaseID); err == nil {
					r = [2]string{common.Line(s.Reference), common.Line(s.ServiceName)}
				} else if a.ServerCase != nil {
					r = [2]string{common.Line(a.ServerCase.Reference), common.Line(a.ServerCase.Service.Name)}
				} else {
					r = [2]string{common.Line(a.CaseID), ""}
				}
				refs[a.CaseID] = r
			}
			rows = append(rows, row{a: a, reference: r[0], service: r[1]})
		}
		return loadedMsg{view: vid, rows: rows}
	}
}

// SetSize sets the view's area.
func (m *Model) SetSize(w, h int) {
	if w <= 0 || h <= 0 {
		return
	}
	m.w, m.h = w, h
	m.confirm.Width = max(w-10, 5)
	m.clamp()
	m.rebuild()
}

// CapturingInput implements common.InputCapturer: the confirmation prompt holds the keyboard.
func (m Model) CapturingInput() bool { return m.confirming != 0 }

// Selected returns the selected outbox action.
func (m Model) Selected() (store.Action, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return store.Action{}, false
	}
	return m.rows[m.cursor].a, true
}

// Update handles messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.view != m.vid {
			return m, nil
		}
		m.loaded, m.err = true, msg.err
		if msg.err == nil {
			sel, hadSel := m.Selected()
			m.rows = msg.rows
			if hadSel {
				for i, r := range m.rows {
					if r.a.ID == sel.ID {
						m.cursor = i
					}
				}
			}
		}
		m.clearStaleNotice()
		m.clamp()
		m.rebuild()
		return m, nil
	case doneMsg:
		if msg.view != m.vid {
			return m, nil
		}
		m.busy = false
		if errors.Is(msg.err, store.ErrInFlight) {
			m.notice, m.noticeE = i18n.T("pend.err.inFlight"), true
		} else if msg.cancel && msg.err == nil {
			m.notice, m.noticeE = i18n.T("toast.undoneOne"), false
		} else if errors.Is(msg.err, store.ErrNotSettled) || errors.Is(msg.err, store.ErrNotFound) || errors.Is(msg.err, casework.ErrNotConflict) {
			m.notice, m.noticeE = i18n.T("pend.err.settled"), true
		} else if msg.err != nil {
			m.notice, m.noticeE = i18n.T("pend.err.resolve"), true
		} else {
			m.notice, m.noticeE = i18n.T([...]string{"", "pend.done.reapply", "pend.done.asNote", "pend.done.discard"}[msg.op]), false
			if msg.op == opReapply {
				m.noticeFor = msg.id
			}
		}
		return m, tea.Batch(m.load(), common.Toast(map[bool]common.ToastKind{true: common.ToastError, false: common.ToastSuccess}[m.noticeE], m.notice))
	case common.StoreChangedMsg, common.SyncEventMsg: // the store changes after queuing too
		return m, m.load()
	case common.ConfigChangedMsg:
		m.rebuild()
		return m, nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m *Model) clamp() {
	if m.cursor >= len(m.rows) {
		m.cursor = len(m.rows) - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	n := m.listRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	if m.offset < 0 {
		m.offset = 0
	}
}

// listRows is how many outbox rows the list shows: up to a third of the view.
func (m Model) listRows() int {
	return max(min(len(m.rows), max(m.h/3-1, 3)), 1)
}

func (m Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys
	if m.confirming != 0 {
		switch {
		case key.Matches(msg, k.Dialog.Cancel), key.Matches(msg, k.Global.Back):
			m.confirming, m.confirmID = 0, ""
			m.confirm.Blur()
			m.notice = ""
			return m, nil
		case key.Matches(msg, k.Dialog.Confirm):
			if !confirmWord(m.confirm.Value()) {
				m.notice, m.noticeE = i18n.T("pend.confirm.wrong"), true
				return m, nil
			}
			o, id := m.confirming, m.confirmID
			m.confirming, m.confirmID = 0, ""
			m.confirm.Blur()
			return m.resolve(o, id)
		}
		var cmd tea.Cmd
		m.confirm, cmd = m.confirm.Update(msg)
		return m, cmd
	}
	l := k.List
	switch {
	case key.Matches(msg, l.Up):
		m.move(-1)
	case key.Matches(msg, l.Down):
		m.move(1)
	case key.Matches(msg, l.PageUp):
		m.move(-m.listRows())
	case key.Matches(msg, l.PageDown):
		m.move(m.listRows())
	case key.Matches(msg, l.Home):
		m.move(-len(m.rows))
	case key.Matches(msg, l.End):
		m.move(len(m.rows))
	case key.Matches(msg, l.Open):
		if a, ok := m.Selected(); ok {
			id := a.CaseID
			return m, func() tea.Msg { return common.OpenCaseMsg{ID: id} }
		}
	case key.Matches(msg, k.Pending.Reapply):
		return m.ask(opReapply)
	case key.Matches(msg, k.Pending.AsNote):
		return m.ask(opAsNote)
	case key.Matches(msg, k.Pending.Discard):
		return m.ask(opDiscard)
	}
	return m, nil
}

func (m *Model) move(d int) {
	if len(m.rows) == 0 {
		return
	}
	m.cursor = min(max(m.cursor+d, 0), len(m.rows)-1)
	m.notice = ""
	m.clamp()
	m.rebuild()
}

// ask checks that the resolution applies and asks for confirmation where it is final: discarding,
// and re-applying a decision or approval.
func (m Model) ask(o op) (Model, tea.Cmd) {
	a, ok := m.Selected()
	if !ok || m.busy {
		return m, nil
	}
	switch {
	case a.State == store.StatePending && o == opDiscard && a.InFlight:
		m.notice, m.noticeE = i18n.T("pend.err.inFlight"), true
		return m, nil
	case a.State == store.StatePending && o == opDiscard:
		// Taking back what has not left the machine (store.Cancel checks again when it runs).
	case a.State == store.StatePending:
		m.notice, m.noticeE = i18n.T("pend.notYet"), true
		return m, nil
	case casework.ResolutionAllowed(o, true, a.State == store.StateConflict, a.ServerCase != nil) != nil:
		m.notice, m.noticeE = i18n.T("pend.reapplyOnlyConflict"), true
		return m, nil
	case o == opReapply && m.reapplyRefused(a):
		m.notice, m.noticeE = i18n.Tf("pend.reapplyImpossible", common.StatusLabel(a.ServerCase.Status)), true
		return m, nil
	}
	if !casework.NeedsConfirmation(o, a.Kind) {
		return m.resolve(o, a.ID)
	}
	m.confirming, m.confirmID = o, a.ID
	m.confirm.Reset()
	m.notice = ""
	return m, m.confirm.Focus()
}

// reapplyRefused reports whether a conflicted action can no longer be applied to the server's
// current case (casework's rules, as the server would answer): a decision on a case a colleague
// decided. Re-applying is then not offered.
func (m Model) reapplyRefused(a store.Action) bool {
	if a.State != store.StateConflict || a.ServerCase == nil {
		return false
	}
	return casework.ReapplyAllowed(*a.ServerCase, m.ctx.Clerk(), a.Kind, a.Body, a.SubID) != nil
}

// clearStaleNotice drops the "will be sent again" notice once its action settled again (the
// server rejected it or it conflicted anew) or was delivered, so the footer never contradicts
// the list and the toasts.
func (m *Model) clearStaleNotice() {
	if m.noticeFor == "" {
		return
	}
	for _, r := range m.rows {
		if r.a.ID == m.noticeFor && r.a.State == store.StatePending {
			return
		}
	}
	m.notice, m.noticeFor = "", ""
}

func confirmWord(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "j", "ja", "y", "yes":
		return true
	}
	return false
}

// resolve runs a resolution in a command: the store writes happen off Update.
func (m Model) resolve(o op, id string) (Model, tea.Cmd) {
	var a *store.Action
	for i := range m.rows {
		if m.rows[i].a.ID == id {
			a = &m.rows[i].a
		}
	}
	if a == nil {
		return m, nil
	}
	act := *a
	st, c, vid := m.store(), m.ctx, m.vid
	m.busy = true
	if act.State == store.StatePending && o == opDiscard {
		return m, func() tea.Msg {
			_, err := st.Cancel(act.ID)
			return doneMsg{view: vid, op: o, err: err, cancel: true}
		}
	}
	return m, func() tea.Msg {
		_, err := syncer.Resolve(st, act.ID, o)
		if err == nil {
			c.Kick()
		}
		return doneMsg{view: vid, op: o, id: act.ID, err: err}
	}
}

// rebuild renders the detail of the selected row (in Update, not View).
func (m *Model) rebuild() {
	if m.w <= 0 {
		return
	}
	a, ok := m.Selected()
	if !ok {
		m.detail = ""
		return
	}
	m.detail = m.renderDetail(a, m.detailHeight())
}

func (m Model) detailHeight() int {
	// title, column header, list rows, rule, footer
	return max(m.h-m.listRows()-4, 3)
}

// View renders the view.
func (m Model) View() string {
	if m.w <= 0 {
		return ""
	}
	th := m.ctx.Theme
	var b strings.Builder
	lines := 0
	emit := func(s string) {
		if lines > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s)
		lines++
	}
	emit(m.title())
	switch {
	case !m.loaded:
		emit(th.Muted.Render(i18n.T("pend.loading")))
	case m.err != nil:
		emit(th.Error.Render(common.Truncate(i18n.T("pend.err.load"), m.w)))
	case len(m.rows) == 0:
		emit("")
		for _, l := range strings.Split(ansi.Wrap(i18n.T("pend.empty"), max(m.w-2, 10), ""), "\n") {
			emit("  " + th.Muted.Render(l))
		}
	default:
		emit(th.Header.Render(m.rowText(nil)))
		for i := m.offset; i < min(m.offset+m.listRows(), len(m.rows)); i++ {
			emit(m.renderRow(i))
		}
		emit(th.TabSep.Render(strings.Repeat("─", m.w)))
		for _, l := range strings.Split(m.detail, "\n") {
			emit(l)
		}
	}
	// The footer may wrap (a question the clerk must answer is never cut off): the body yields.
	foot := strings.Split(m.footer(), "\n")
	for lines < m.h-len(foot) {
		emit("")
	}
	out := b.String()
	if n := m.h - len(foot); lines > n && n > 0 {
		out = strings.Join(strings.Split(out, "\n")[:n], "\n")
	}
	return out + "\n" + strings.Join(foot, "\n")
}

func (m Model) title() string {
	th := m.ctx.Theme
	var conflicts, rejected int
	for _, r := range m.rows {
		switch r.a.State {
		case store.StateConflict:
			conflicts++
		case store.StateRejected:
			rejected++
		}
	}
	t := th.Title.Render(i18n.T("view.pending"))
	if m.loaded {
		t += th.Muted.Render(" · " + i18n.Tf("pend.count", len(m.rows), conflicts, rejected))
	}
	return common.Truncate(t, m.w)
}

// column widths: state, kind, reference, attempts, next
func (m Model) cols() (st, kind, ref, att, next int) {
	st, kind, att, next = 12, 15, 8, 16
	ref = max(m.w-2-st-kind-att-next-4, 10)
	return
}

func (m Model) rowText(r *row) string {
	cs, ck, cr, ca, cn := m.cols()
	if r == nil {
		return "  " + common.Fit(i18n.T("pend.col.state"), cs) + " " + common.Fit(i18n.T("pend.col.kind"), ck) + " " +
			common.Fit(i18n.T("pend.col.case"), cr) + " " + common.FitRight(i18n.T("pend.col.attempts"), ca) + " " + common.Fit(i18n.T("pend.col.next"), cn)
	}
	next := ""
	switch {
	case r.a.State != store.StatePending:
		next = ""
	case (r.a.NextAttempt.IsZero() || !r.a.NextAttempt.After(m.ctx.Now())) && m.ctx.Status.Online:
		next = i18n.T("pend.next.soon")
	case r.a.NextAttempt.IsZero() || !r.a.NextAttempt.After(m.ctx.Now()):
		next = i18n.T("pend.next.now")
	default:
		next = common.FormatTime(r.a.NextAttempt)
	}
	ref := r.reference
	if r.service != "" {
		ref += " · " + r.service
	}
	return common.Fit(stateLabel(r.a.State), cs) + " " + common.Fit(actions.KindLabel(r.a.Kind), ck) + " " + common.Fit(ref, cr) + " " +
		common.FitRight(fmt.Sprint(r.a.Attempts), ca) + " " + common.Fit(next, cn)
}

func stateLabel(s store.ActionState) string {
	switch s {
	case store.StateConflict:
		return common.MarkConflict + " " + i18n.T("pend.state.conflict")
	case store.StateRejected:
		return common.MarkRejected + " " + i18n.T("pend.state.rejected")
	}
	return common.MarkPending + " " + i18n.T("pend.state.pending")
}

func (m Model) renderRow(i int) string {
	th := m.ctx.Theme
	r := &m.rows[i]
	text := m.rowText(r)
	if i == m.cursor {
		return th.RowCursor.Render(common.Fit("› "+text, m.w))
	}
	st := th.Row
	switch r.a.State {
	case store.StateConflict:
		st = th.Conflict
	case store.StateRejected:
		st = th.Rejected
	}
	return st.Render(common.Fit("  "+text, m.w))
}

func (m Model) footer() string {
	th := m.ctx.Theme
	if m.confirming != 0 {
		q := i18n.T("pend.confirm.discard")
		if m.confirming == opReapply {
			q = i18n.T("pend.confirm.reapply")
		}
		// Wrapped, not cut: the question ends with how to answer it ("»j« + Enter bestätigt, Esc
		// bricht ab"); the input follows on the last line.
		qs := strings.Split(ansi.Wrap(q, max(m.w-8, 10), ""), "\n")
		for i := range qs {
			qs[i] = th.Warn.Render(qs[i])
		}
		last := len(qs) - 1
		qs[last] = common.Truncate(qs[last]+" "+m.confirm.View(), m.w)
		if m.notice != "" && m.noticeE {
			qs = append(qs, th.Error.Render(common.Truncate(m.notice, m.w)))
		}
		return strings.Join(qs, "\n")
	}
	if m.notice != "" {
		st := th.OK
		if m.noticeE {
			st = th.Error
		}
		return st.Render(common.Truncate(m.notice, m.w))
	}
	return th.Muted.Render(common.FitHints(m.hints(), m.w))
}

// hints are the footer's key hints, most important first (the accessible footer reads them too).
func (m Model) hints() []string {
	k := m.ctx.Keys
	var hints []string
	if len(m.rows) > 0 { // nothing to resolve or open in an empty list
		if a, ok := m.Selected(); !ok || !m.reapplyRefused(a) {
			hints = append(hints, common.Hint(k.Pending.Reapply))
		}
		hints = append(hints, common.Hint(k.Pending.AsNote), common.Hint(k.Pending.Discard), common.Hint(k.List.Open))
	}
	return append(hints, common.Hint(k.Global.Back))
}

// lastErrorText says in the clerk's language why the last attempt of a waiting action failed.
// The syncer records "offline", "HTTP <status>" or "error"; anything else is shown sanitised.
func lastErrorText(e string) string {
	switch {
	case e == "offline":
		return i18n.T("pend.err.offline")
	case e == "unconfirmed": // syncer.UnconfirmedMark
		return i18n.T("pend.err.unconfirmed")
	case e == "error":
		return i18n.T("pend.err.other")
	case strings.HasPrefix(e, "HTTP 5"), e == "HTTP 429":
		return i18n.Tf("pend.err.server", strings.TrimPrefix(e, "HTTP "))
	}
	return common.Line(e)
}

// renderDetail: for a conflict the colleague's change and the clerk's intent side by side (stacked
// when narrow); for a rejection the server's reason and the intent; for a waiting action the
// intent and the last error.
func (m Model) renderDetail(a store.Action, h int) string {
	th := m.ctx.Theme
	var head []string
	// wrapped, at most n lines: what the clerk must read is not cut at 80 columns
	wrap := func(st lipgloss.Style, s string, n int) {
		ls := strings.Split(ansi.Wrap(s, m.w, ""), "\n")
		if len(ls) > n {
			ls = ls[:n]
			ls[n-1] = common.Truncate(ls[n-1]+" …", m.w)
		}
		for _, l := range ls {
			head = append(head, st.Render(l))
		}
	}
	switch a.State {
	case store.StateConflict:
		v := int64(0)
		if a.ServerCase != nil {
			v = a.ServerCase.Version
		}
		wrap(th.Conflict, i18n.Tf("pend.conflict.head", a.BaseVersion, v), 3)
	case store.StateRejected:
		wrap(th.Rejected, i18n.T("pend.rejected.head"), 2)
		reason := common.RejectText(a.LastError)
		if reason == "" {
			reason = i18n.T("pend.rejected.noReason")
		}
		for _, l := range strings.Split(ansi.Wrap(i18n.T("pend.rejected.reason")+" "+reason, m.w-2, ""), "\n") {
			head = append(head, "  "+th.Value.Render(l))
		}
	default:
		wrap(th.Pending, i18n.Tf("pend.waiting.head", common.FormatTime(a.CreatedAt)), 2)
		if a.LastError != "" {
			// On lines of its own: appended to another line it was cut off and went unread.
			wrap(th.Muted, i18n.T("pend.waiting.lastError")+" "+lastErrorText(a.LastError), 2)
		}
	}
	avail := max(h-len(head), 4)
	intent := m.intentLines(a)
	var body string
	if a.State == store.StateConflict && a.ServerCase != nil {
		theirs := m.serverLines(*a.ServerCase)
		if m.w >= 64 {
			pw := (m.w - 1) / 2
			lc := paneContent(th.Pane, i18n.T("pend.theirs"), theirs, pw)
			rc := paneContent(th.PaneFocused, i18n.T("pend.mine"), intent, m.w-1-pw)
			ph := max(paneHeight(th.Pane, lc, avail), paneHeight(th.PaneFocused, rc, avail))
			body = lipgloss.JoinHorizontal(lipgloss.Top, pane(th.Pane, lc, pw, ph), " ", pane(th.PaneFocused, rc, m.w-1-pw, ph))
		} else {
			lc := paneContent(th.Pane, i18n.T("pend.theirs"), theirs, m.w)
			rc := paneContent(th.PaneFocused, i18n.T("pend.mine"), intent, m.w)
			lh := paneHeight(th.Pane, lc, max(avail/2, 4))
			body = pane(th.Pane, lc, m.w, lh) + "\n" + pane(th.PaneFocused, rc, m.w, paneHeight(th.PaneFocused, rc, max(avail-lh, 4)))
		}
	} else {
		c := paneContent(th.PaneFocused, i18n.T("pend.mine"), intent, m.w)
		body = pane(th.PaneFocused, c, m.w, paneHeight(th.PaneFocused, c, avail))
	}
	return strings.Join(head, "\n") + "\n" + body
}

// kvLine is one labelled value of a pane; an empty label continues the previous value.
type kvLine struct{ label, value string }

const labelW = 14

// paneContent wraps a pane's title and labelled values to the pane's inner width; values wrap
// with a hanging indent under their label column.
func paneContent(st lipgloss.Style, title string, lines []kvLine, w int) []string {
	inner := max(w-st.GetHorizontalFrameSize(), 4)
	out := []string{common.Truncate(title, inner)}
	lw := labelW
	if inner < 2*labelW {
		lw = inner / 3
	}
	for _, l := range lines {
		if l.label == "" && l.value == "" {
			continue
		}
		for _, vl := range strings.Split(l.value, "\n") {
			for i, wl := range strings.Split(ansi.Wrap(vl, max(inner-lw, 4), ""), "\n") {
				label := ""
				if i == 0 {
					label = l.label
					l.label = ""
				}
				out = append(out, common.Fit(label, lw)+strings.TrimRight(wl, " "))
			}
		}
	}
	return out
}

// paneHeight is the height (borders included) that shows content, at most max.
func paneHeight(st lipgloss.Style, content []string, maxH int) int {
	return min(len(content)+st.GetVerticalFrameSize(), maxH)
}

// pane renders content in a box of exactly h lines (borders included) and width w, saying how
// many lines did not fit.
func pane(st lipgloss.Style, content []string, w, h int) string {
	inner := max(w-st.GetHorizontalFrameSize(), 4)
	rows := max(h-st.GetVerticalFrameSize(), 2)
	out := append([]string(nil), content...)
	if len(out) > rows {
		out = append(out[:rows-1], common.Truncate(i18n.Tf("pend.more", len(out)-rows+1), inner))
	}
	for len(out) < rows {
		out = append(out, "")
	}
	for i := range out {
		out[i] = common.Fit(out[i], inner)
	}
	return st.Render(strings.Join(out, "\n"))
}

// serverLines describes the server's current case: status, assignee, decision, latest notes.
func (m Model) serverLines(c api.Case) []kvLine {
	kv := func(k, v string) kvLine { return kvLine{k, v} }
	lines := []kvLine{
		kv(i18n.T("pend.f.version"), fmt.Sprint(c.Version)),
		kv(i18n.T("act.label.status"), common.StatusLabel(c.Status)),
		kv(i18n.T("act.label.assignee"), m.ctx.ClerkName(c.Assignee)),
	}
	if !c.UpdatedAt.IsZero() {
		lines = append(lines, kv(i18n.T("pend.f.updated"), common.FormatTime(c.UpdatedAt)))
	}
	if d := c.Decision; d != nil {
		lines = append(lines, kv(i18n.T("case.decision"), actions.OutcomeLabel(d.Outcome)+" ("+m.ctx.ClerkName(d.Actor)+")"))
		if d.Reasoning != "" {
			lines = append(lines, kv("", common.Text(d.Reasoning)))
		}
	}
	if c.Resubmission != nil {
		lines = append(lines, kv(i18n.T("case.resub"), common.FormatDate(c.Resubmission.Date)))
	}
	// The latest notes first: they usually explain the colleague's change.
	for i := len(c.Notes) - 1; i >= 0 && i >= len(c.Notes)-3; i-- {
		n := c.Notes[i]
		lines = append(lines, kv(i18n.T("case.event.note"), m.ctx.ClerkName(n.Actor)+": "+common.Line(n.Text)))
	}
	return lines
}

func (m Model) intentLines(a store.Action) []kvLine {
	title, fields := actions.Describe(m.ctx, a)
	lines := []kvLine{{i18n.T("act.label.action"), title}}
	for _, f := range fields {
		lines = append(lines, kvLine{f[0], f[1]})
	}
	return append(lines, kvLine{i18n.T("pend.f.created"), common.FormatTime(a.CreatedAt)})
}
