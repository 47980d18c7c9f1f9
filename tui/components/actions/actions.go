// Package actions owns the action dialogs of the TUI (comment, assign, Wiedervorlage,
// Nachforderung, decide, four-eyes approval): each turns the clerk's input into outbox actions.
package actions

import (
	"errors"
	"maps"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// ClosedMsg says a dialog is finished: the clerk cancelled it (Queued == 0) or its actions were
// queued. The root closes the dialog on it (as on common.CloseDialogMsg).
type ClosedMsg struct {
	Kind    common.DialogKind
	CaseIDs []string
	Queued  int
}

// loadedMsg carries the cases a dialog acts on, read from the store when it opens.
type loadedMsg struct {
	dialog int64
	cases  []api.Case
	err    error
}

type step int

const (
	stepLoading step = iota
	stepBlocked      // the action is not possible for this case; only Esc closes
	stepEdit
	stepConfirm    // decide / approval: restate and ask for explicit confirmation
	stepSubmitting // waiting for common.ActionQueuedMsg
)

// field is one focusable input of a dialog.
type field int

const (
	fText      field = iota // textarea: comment, reasoning, message, return comment
	fDocs                   // textarea: documents, one per line
	fDate                   // textinput: Wiedervorlage date, deadline
	fReason                 // textinput: Wiedervorlage reason
	fFee                    // textinput
	fValid                  // textinput: valid until
	fChoice                 // list: outcome, assignee, approve/return
	fConfirmIn              // textinput on the confirmation screen
)

// option is one entry of a choice list.
type option struct {
	label string // already sanitised / translated
	value string // outcome, clerk id, "approve"/"return"
}

var dialogSeq atomic.Int64

// Model is one open action dialog. The root owns it while it is open and routes every key to it.
type Model struct {
	ctx  *common.Ctx
	id   int64
	kind common.DialogKind
	ids  []string

	cases   []api.Case
	step    step
	blocked string // why the action is not possible (translated)
	errMsg  string // validation or store error (translated)
	warn    string // e.g. the case changed while the dialog was open
	escArm  bool

	fields  []field
	focus   int
	text    textarea.Model
	docs    textarea.Model
	date    textinput.Model
	reason  textinput.Model
	fee     textinput.Model
	valid   textinput.Model
	confirm textinput.Model
	options []option
	choice  int

	built   []store.Action  // built on submit and reused on retry, so a retry never duplicates
	queued  map[string]bool // ids of built actions already in the outbox
	restate []restateLine   // the confirmation text
	scroll  int             // first shown line of a long value on the confirmation screen

	w, h int
}

type restateLine struct{ label, value string }

// NewComment opens the comment (Notiz) dialog for one case.
func NewComment(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogComment, caseIDs, fText)
}

// NewAssign opens the assignment dialog for one or several cases (bulk assignment).
func NewAssign(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogAssign, caseIDs, fChoice)
}

// NewResubmission opens the Wiedervorlage dialog.
func NewResubmission(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogResubmission, caseIDs, fDate, fReason)
}

// NewDocumentRequest opens the Nachforderung dialog.
func NewDocumentRequest(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogDocumentRequest, caseIDs, fDocs, fDate, fText)
}

// NewDecide opens the decision dialog; it ends on a confirmation screen.
func NewDecide(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogDecide, caseIDs, fChoice, fText, fFee, fValid)
}

// NewApproval opens the four-eyes dialog (leads): approve or return a proposed decision.
func NewApproval(ctx *common.Ctx, caseIDs ...string) Model {
	return newModel(ctx, common.DialogApproval, caseIDs, fChoice, fText)
}

// New opens the dialog of kind (the root's dispatch); an unknown kind opens the comment dialog.
func New(ctx *common.Ctx, kind common.DialogKind, caseIDs ...string) Model {
	switch kind {
	case common.DialogAssign:
		return NewAssign(ctx, caseIDs...)
	case common.DialogResubmission:
		return NewResubmission(ctx, caseIDs...)
	case common.DialogDocumentRequest:
		return NewDocumentRequest(ctx, caseIDs...)
	case common.DialogDecide:
		return NewDecide(ctx, caseIDs...)
	case common.DialogApproval:
		return NewApproval(ctx, caseIDs...)
	}
	return NewComment(ctx, caseIDs...)
}

func newModel(ctx *common.Ctx, kind common.DialogKind, ids []string, fields ...field) Model {
	m := Model{ctx: ctx, id: dialogSeq.Add(1), kind: kind, ids: append([]string(nil), ids...), fields: fields}
	if kind != common.DialogAssign && len(m.ids) > 1 {
		m.ids = m.ids[:1] // only assignment works in bulk
	}
	th := ctx.Theme

	m.text = textarea.New()
	m.text.ShowLineNumbers = false
	m.text.CharLimit = api.MaxNoteRunes
	m.text.Prompt = "│ "
	m.docs = textarea.New()
	m.docs.ShowLineNumbers = false
	m.docs.Prompt = "│ "
	m.docs.CharLimit = 4000
	m.docs.Placeholder = i18n.T("act.docs.placeholder")
	for _, ta := range []*textarea.Model{&m.text, &m.docs} {
		// A steady cursor: no blink ticks over slow remote sessions, and deterministic tests.
		ta.Cursor.SetMode(cursor.CursorStatic)
		ta.FocusedStyle.CursorLine = ta.FocusedStyle.Text
		ta.FocusedStyle.Placeholder = th.Placeholder
		ta.BlurredStyle.Placeholder = th.Placeholder
	}
	ti := func(ph string, limit int) textinput.Model {
		t := textinput.New()
		t.Prompt = ""
		t.Placeholder = ph
		t.CharLimit = limit
		t.PlaceholderStyle = th.Placeholder
		t.TextStyle = th.Input
		t.Cursor.SetMode(cursor.CursorStatic)
		return t
	}
	m.date = ti(i18n.T("act.date.placeholder"), 20)
	m.reason = ti(i18n.T("act.resub.reason.placeholder"), 500)
	m.fee = ti(i18n.T("act.fee.placeholder"), 20)
	m.valid = ti(i18n.T("act.valid.placeholder"), 20)
	m.confirm = ti("", 5)

	switch kind {
	case common.DialogComment:
		m.text.Placeholder = i18n.T("act.comment.placeholder")
	case common.DialogDocumentRequest:
		m.text.Placeholder = i18n.T("act.docreq.message.placeholder")
	case common.DialogDecide:
		m.text.Placeholder = i18n.T("act.decide.reasoning.placeholder")
		for _, o := range api.Outcomes {
			m.options = append(m.options, option{label: OutcomeLabel(o), value: string(o)})
		}
	case common.DialogApproval:
		m.text.Placeholder = i18n.T("act.approval.comment.placeholder")
		m.options = []option{{label: i18n.T("act.approval.approve"), value: "approve"},
			{label: i18n.T("act.approval.return"), value: "return"}}
	case common.DialogAssign:
		m.options = assignOptions(ctx)
	}
	m.step = stepLoading
	if len(m.ids) == 0 {
		m.step = stepBlocked
		m.blocked = i18n.T("assign.none")
	}
	m.SetSize(ctx.Width, ctx.Height)
	return m
}

func assignOptions(ctx *common.Ctx) []option {
	opts := []option{{label: i18n.Tf("act.assign.me", common.Line(ctx.Me.Name)), value: ctx.Me.Clerk}}
	for _, c := range ctx.Clerks {
		if c.ID == ctx.Me.Clerk || c.ID == "" {
			continue
		}
		opts = append(opts, option{label: common.Line(c.Name), value: c.ID})
	}
	return append(opts, option{label: i18n.T("act.assign.nobody"), value: ""})
}

// OutcomeLabel is the clerk-facing label of a decision outcome.
func OutcomeLabel(o api.Outcome) string {
	k := "act.outcome." + string(o)
	if o.Valid() && i18n.Has(k) {
		return i18n.T(k)
	}
	return common.Line(string(o))
}

// Kind returns the dialog kind.
func (m Model) Kind() common.DialogKind { return m.kind }

// CaseIDs returns the cases the dialog acts on.
func (m Model) CaseIDs() []string { return append([]string(nil), m.ids...) }

// CapturingInput implements common.InputCapturer: a dialog always has the keyboard.
func (m Model) CapturingInput() bool { return true }

// Confirming reports whether the dialog shows its confirmation screen.
func (m Model) Confirming() bool { return m.step == stepConfirm }

// Init reads the cases from the store.
func (m Model) Init() tea.Cmd {
	if m.step != stepLoading {
		return nil
	}
	return m.load()
}

func (m Model) load() tea.Cmd {
	st, ids, id := m.ctx.Store, m.ids, m.id
	return func() tea.Msg {
		out := make([]api.Case, 0, len(ids))
		for _, cid := range ids {
			c, err := st.Case(cid)
			if err != nil {
				return loadedMsg{dialog: id, err: err}
			}
			out = append(out, c)
		}
		return loadedMsg{dialog: id, cases: out}
	}
}

// SetSize sets the area the dialog may use (the root centres it).
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	iw := m.innerWidth()
	m.text.SetWidth(iw)
	m.docs.SetWidth(iw)
	for _, t := range []*textinput.Model{&m.date, &m.reason, &m.fee, &m.valid, &m.confirm} {
		t.Width = max(iw-30, 8)
	}
	// Editor heights: generous on tall terminals, small enough on 24 lines for the whole dialog.
	short := h > 0 && h < 30
	switch m.kind {
	case common.DialogComment:
		m.text.SetHeight(pick(short, 5, 10))
	case common.DialogDecide:
		m.text.SetHeight(pick(short, 3, 8))
	case common.DialogApproval:
		m.text.SetHeight(pick(short, 3, 5))
	case common.DialogDocumentRequest:
		m.text.SetHeight(3)
		m.docs.SetHeight(pick(short, 3, 6))
	}
}

func pick(short bool, small, big int) int {
	if short {
		return small
	}
	return big
}

func (m Model) innerWidth() int {
	w := m.w
	if w <= 0 {
		w = 80
	}
	w = min(w-4, 76) // border and padding
	return max(w-4, 20)
}

// Update handles keys and the dialog's messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.dialog != m.id {
			return m, nil
		}
		return m.loaded(msg)
	case common.StoreChangedMsg:
		if m.step == stepLoading || len(m.cases) == 0 {
			return m, nil
		}
		return m, m.recheck()
	case recheckMsg:
		if msg.dialog == m.id && msg.changed {
			m.warn = i18n.T("act.warn.changed")
		}
		return m, nil
	case common.ActionQueuedMsg:
		if m.step != stepSubmitting {
			return m, nil
		}
		return m.onQueued(msg)
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m.forward(msg)
}

type recheckMsg struct {
	dialog  int64
	changed bool
}

// recheck notices a colleague's change while the dialog is open: the clerk's action keeps the
// version they saw (so the server reports a conflict), but the dialog warns at once.
func (m Model) recheck() tea.Cmd {
	st, id := m.ctx.Store, m.id
	seen := make(map[string]int64, len(m.cases))
	for _, c := range m.cases {
		seen[c.ID] = c.Version
	}
	return func() tea.Msg {
		for cid, v := range seen {
			if c, err := st.ServerCase(cid); err == nil && c.Version != v {
				return recheckMsg{dialog: id, changed: true}
			}
		}
		return recheckMsg{dialog: id}
	}
}

func (m Model) loaded(msg loadedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.step = stepBlocked
		m.blocked = i18n.T("act.err.load")
		return m, nil
	}
	m.cases = msg.cases
	if why := m.precondition(); why != "" {
		m.step = stepBlocked
		m.blocked = why
		return m, nil
	}
	m.step = stepEdit
	if m.kind == common.DialogAssign && len(m.cases) == 1 {
		// Start on the first option that changes something.
		for i, o := range m.options {
			if o.value != m.cases[0].Assignee {
				m.choice = i
				break
			}
		}
	}
	if m.kind == common.DialogApproval {
		m.fields = []field{fChoice, fText}
	}
	return m, m.focusField(0)
}

// precondition says why the action is impossible for the loaded case, or "" (casework decides;
// bulk assignment needs one assignable case).
func (m Model) precondition() string {
	if m.kind == common.DialogAssign {
		var err error
		for _, c := range m.cases {
			if err = casework.CanAssign(c, m.ctx.Clerk()); err == nil {
				return ""
			}
		}
		return BlockText(err)
	}
	return BlockText(Allowed(m.ctx, m.kind, m.cases[0]))
}

// ActionKind is the kind of action a dialog queues.
func ActionKind(k common.DialogKind) api.ActionKind {
	switch k {
	case common.DialogAssign:
		return api.ActionAssignment
	case common.DialogResubmission:
		return api.ActionResubmission
	case common.DialogDocumentRequest:
		return api.ActionDocumentRequest
	case common.DialogDecide:
		return api.ActionDecision
	case common.DialogApproval:
		return api.ActionApproval
	}
	return api.ActionNote
}

// Allowed asks casework whether the signed-in clerk may take the dialog's action on the case: nil,
// or the *casework.Refusal that says why not. Views offer a dialog's key only when it is allowed.
func Allowed(ctx *common.Ctx, k common.DialogKind, c api.Case) error {
	if d := c.Decision; d != nil && d.Actor == store.OverlayActor {
		// A proposal still in the outbox was made here: the signed-in clerk's own.
		dd := *d
		dd.Actor = ctx.Me.Clerk
		c.Decision = &dd
	}
	return casework.Allowed(ActionKind(k), c, ctx.Clerk())
}

// CanApprove reports whether the signed-in clerk may approve or return the case's proposed
// decision (a lead or deputy, and not the proposer).
func CanApprove(ctx *common.Ctx, c api.Case) bool {
	return Allowed(ctx, common.DialogApproval, c) == nil
}

// BlockText says in the clerk's language why casework refuses an action ("" for nil).
func BlockText(err error) string {
	if err == nil {
		return ""
	}
	var rf *casework.Refusal
	if !errors.As(err, &rf) {
		return i18n.T("act.err.unknown")
	}
	switch rf.Kind {
	case api.ActionDecision:
		if rf.Reason == casework.ReasonAwaitingApproval {
			return i18n.T("act.block.proposed")
		}
		return i18n.T("act.block.closed")
	case api.ActionDocumentRequest:
		return i18n.T("act.block.closedDocs")
	case api.ActionApproval:
		switch rf.Reason {
		case casework.ReasonNotApprover:
			return i18n.T("act.block.notLead")
		case casework.ReasonOwnProposal:
			return i18n.T("act.block.ownProposal")
		}
		return i18n.T("act.block.noProposal")
	case api.ActionNote:
		return i18n.T("act.block.noNotes")
	case api.ActionResubmission:
		return i18n.T("act.block.closedResub")
	case api.ActionAssignment:
		return i18n.T("act.block.closedAssign")
	}
	return i18n.T("act.err.unknown")
}

func (m Model) dirty() bool {
	return strings.TrimSpace(m.text.Value()) != "" || strings.TrimSpace(m.docs.Value()) != "" ||
		m.date.Value() != "" || m.reason.Value() != "" || m.fee.Value() != "" || m.valid.Value() != ""
}

func (m Model) closeCmd(queued int) tea.Cmd {
	msg := ClosedMsg{Kind: m.kind, CaseIDs: m.CaseIDs(), Queued: queued}
	return func() tea.Msg { return msg }
}

func (m Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys.Dialog
	switch m.step {
	case stepLoading, stepSubmitting:
		if m.step == stepLoading && key.Matches(msg, k.Cancel) {
			return m, m.closeCmd(0)
		}
		return m, nil
	case stepBlocked:
		if key.Matches(msg, k.Cancel) || key.Matches(msg, k.Confirm) {
			return m, m.closeCmd(0)
		}
		return m, nil
	case stepConfirm:
		return m.confirmKey(msg)
	}
	// stepEdit
	if key.Matches(msg, k.Cancel) {
		if m.dirty() && !m.escArm {
			m.escArm = true
			m.errMsg = i18n.T("act.escAgain")
			return m, nil
		}
		return m, m.closeCmd(0)
	}
	m.escArm = false
	switch {
	case key.Matches(msg, k.Submit):
		return m.submit()
	case key.Matches(msg, k.NextField):
		return m, m.focusField((m.focus + 1) % len(m.fields))
	case key.Matches(msg, k.PrevField):
		return m, m.focusField((m.focus + len(m.fields) - 1) % len(m.fields))
	}
	f := m.fields[m.focus]
	if f == fChoice {
		l := m.ctx.Keys.List
		switch {
		case key.Matches(msg, l.Up):
			m.choice = (m.choice + len(m.options) - 1) % len(m.options)
			return m, nil
		case key.Matches(msg, l.Down):
			m.choice = (m.choice + 1) % len(m.options)
			return m, nil
		case key.Matches(msg, l.Home):
			m.choice = 0
			return m, nil
		case key.Matches(msg, l.End):
			m.choice = len(m.options) - 1
			return m, nil
		case key.Matches(msg, k.Confirm):
			if len(m.fields) == 1 {
				return m.submit()
			}
			return m, m.focusField(m.focus + 1)
		}
		return m, nil
	}
	if key.Matches(msg, k.Confirm) && f != fText && f != fDocs {
		// Enter in a one-line field moves on; in the last field it submits (decide and approval
		// still stop at their confirmation screen).
		if m.focus == len(m.fields)-1 {
			return m.submit()
		}
		return m, m.focusField(m.focus + 1)
	}
	return m.forward(msg)
}

func (m Model) confirmKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys.Dialog
	switch {
	case key.Matches(msg, k.Cancel):
		// Back to the form, nothing sent; a second Esc there closes the dialog.
		m.step = stepEdit
		m.errMsg = ""
		m.confirm.Reset()
		return m, m.focusField(m.focus)
	case key.Matches(msg, m.ctx.Keys.List.PageDown):
		m.scroll = min(m.scroll+m.confirmBudget()-1, m.maxScroll())
		return m, nil
	case key.Matches(msg, m.ctx.Keys.List.PageUp):
		m.scroll = max(m.scroll-m.confirmBudget()+1, 0)
		return m, nil
	case key.Matches(msg, k.Confirm):
		if !confirmWord(m.confirm.Value()) {
			m.errMsg = i18n.T("act.confirm.wrong")
			return m, nil
		}
		return m.enqueue()
	}
	var cmd tea.Cmd
	m.confirm, cmd = m.confirm.Update(msg)
	m.errMsg = ""
	return m, cmd
}

// maxScroll is the largest useful scroll offset of the confirmation's long values.
func (m Model) maxScroll() int {
	n := 0
	for _, l := range m.restate {
		if l.label != "" {
			n = max(n, len(wrapLines(l.value, m.innerWidth()-16)))
		}
	}
	return max(n-m.confirmBudget(), 0)
}

// confirmWord accepts the typed confirmation: j / ja / y / yes.
func confirmWord(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "j", "ja", "y", "yes":
		return true
	}
	return false
}

func (m *Model) focusField(i int) tea.Cmd {
	if len(m.fields) == 0 {
		return nil
	}
	if i >= len(m.fields) {
		i = len(m.fields) - 1
	}
	m.focus = i
	m.text.Blur()
	m.docs.Blur()
	for _, t := range []*textinput.Model{&m.date, &m.reason, &m.fee, &m.valid, &m.confirm} {
		t.Blur()
	}
	switch m.fields[i] {
	case fText:
		return m.text.Focus()
	case fDocs:
		return m.docs.Focus()
	case fDate:
		return m.date.Focus()
	case fReason:
		return m.reason.Focus()
	case fFee:
		return m.fee.Focus()
	case fValid:
		return m.valid.Focus()
	}
	return nil
}

// forward passes a message (keys, blink) to the focused input.
func (m Model) forward(msg tea.Msg) (Model, tea.Cmd) {
	if m.step == stepConfirm {
		var cmd tea.Cmd
		m.confirm, cmd = m.confirm.Update(msg)
		return m, cmd
	}
	if m.step != stepEdit || len(m.fields) == 0 {
		return m, nil
	}
	if _, ok := msg.(tea.KeyMsg); ok {
		m.errMsg = ""
	}
	var cmd tea.Cmd
	switch m.fields[m.focus] {
	case fText:
		m.text, cmd = m.text.Update(msg)
	case fDocs:
		m.docs, cmd = m.docs.Update(msg)
	case fDate:
		m.date, cmd = m.date.Update(msg)
	case fReason:
		m.reason, cmd = m.reason.Update(msg)
	case fFee:
		m.fee, cmd = m.fee.Update(msg)
	case fValid:
		m.valid, cmd = m.valid.Update(msg)
	}
	return m, cmd
}

// submit validates the form and builds the actions; decide and approval go to the confirmation
// screen, every other dialog queues at once.
func (m Model) submit() (Model, tea.Cmd) {
	acts, restate, bad, err := m.build()
	if err != nil {
		m.errMsg = err.Error()
		if bad >= 0 {
			return m, m.focusField(bad)
		}
		return m, nil
	}
	m.errMsg = ""
	m.restate = restate
	if m.built == nil || !sameActions(m.built, acts) {
		m.built = acts
		m.queued = nil
	}
	if m.kind == common.DialogDecide || m.kind == common.DialogApproval {
		m.step = stepConfirm
		m.scroll = 0
		m.confirm.Reset()
		m.text.Blur()
		return m, m.confirm.Focus()
	}
	return m.enqueue()
}

// sameActions reports whether a rebuilt form equals the one already built (same kind, case and
// body), so a retry after a store error reuses the action ids.
func sameActions(a, b []store.Action) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].CaseID != b[i].CaseID || a[i].Kind != b[i].Kind || a[i].SubID != b[i].SubID ||
			string(a[i].Body) != string(b[i].Body) || a[i].BaseVersion != b[i].BaseVersion {
			return false
		}
	}
	return true
}

func (m Model) enqueue() (Model, tea.Cmd) {
	var todo []store.Action
	for _, a := range m.built {
		if !m.queued[a.ID] {
			todo = append(todo, a)
		}
	}
	if len(todo) == 0 {
		// Nothing to change (e.g. assigning cases to who already has them).
		return m, m.closeCmd(len(m.queued))
	}
	m.step = stepSubmitting
	m.errMsg = ""
	return m, common.Enqueue(m.ctx, todo...)
}

func (m Model) onQueued(msg common.ActionQueuedMsg) (Model, tea.Cmd) {
	if msg.Err != nil {
		// Keep the clerk's text; what was queued stays queued and a retry reuses the same ids.
		m.errMsg = i18n.Tf("act.err.store", msg.Err.Error())
		m.queued = maps.Clone(m.queued)
		if m.queued == nil {
			m.queued = map[string]bool{}
		}
		for _, a := range msg.Actions {
			m.queued[a.ID] = true
		}
		m.step = stepEdit
		if m.kind == common.DialogDecide || m.kind == common.DialogApproval {
			m.step = stepConfirm
		}
		return m, nil
	}
	return m, m.closeCmd(len(msg.Actions) + len(m.queued))
}

// validationError is a translated validation message.
type validationError string

func (e validationError) Error() string { return string(e) }

func verr(k string) error { return validationError(i18n.T(k)) }

// build validates the form and returns the actions, the confirmation restatement, or the
// validation error and the index of the field to focus.
func (m Model) build() ([]store.Action, []restateLine, int, error) {
	now := m.ctx.Now()
	at := func(f field) int {
		for i, x := range m.fields {
			if x == f {
				return i
			}
		}
		return -1
	}
	c := m.cases[0]
	ref := restateLine{i18n.T("act.label.case"), common.Line(c.Reference)}
	mk := func(kind api.ActionKind, c api.Case, sub string, body any) (store.Action, error) {
		a, err := common.NewAction(kind, c.ID, c.Version, sub, body)
		a.Actor = m.ctx.Me.Clerk
		return a, err
	}
	switch m.kind {
	case common.DialogComment:
		t := strings.TrimSpace(m.text.Value())
		if t == "" {
			return nil, nil, at(fText), verr("act.err.textEmpty")
		}
		if utf8.RuneCountInString(t) > api.MaxNoteRunes {
			return nil, nil, at(fText), verr("act.err.textLong")
		}
		a, err := mk(api.ActionNote, c, "", api.NoteRequest{Text: t})
		return one(a, err, ref)

	case common.DialogAssign:
		if len(m.options) == 0 {
			return nil, nil, -1, verr("act.err.noClerk")
		}
		who := m.options[m.choice].value
		var out []store.Action
		for _, c := range m.cases {
			if c.Assignee == who || casework.CanAssign(c, m.ctx.Clerk()) != nil {
				continue // nothing to change, or closed (the server refuses those)
			}
			a, err := mk(api.ActionAssignment, c, "", api.AssignmentRequest{Assignee: who})
			if err != nil {
				return nil, nil, -1, err
			}
			out = append(out, a)
		}
		return out, []restateLine{{i18n.T("act.label.assignee"), m.options[m.choice].label}}, -1, nil

	case common.DialogResubmission:
		d, err := casework.ParseFutureDate(m.date.Value(), now)
		if err != nil {
			return nil, nil, at(fDate), verr(err.Error())
		}
		a, err := mk(api.ActionResubmission, c, "", api.ResubmissionRequest{Date: d, Reason: strings.TrimSpace(m.reason.Value())})
		return one(a, err, ref)

	case common.DialogDocumentRequest:
		var docs []string
		for _, l := range strings.Split(m.docs.Value(), "\n") {
			l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "-•*"))
			if l != "" {
				docs = append(docs, l)
			}
		}
		if len(docs) == 0 {
			return nil, nil, at(fDocs), verr("act.err.docsEmpty")
		}
		d, err := casework.ParseFutureDate(m.date.Value(), now)
		if err != nil {
			return nil, nil, at(fDate), verr(err.Error())
		}
		a, err := mk(api.ActionDocumentRequest, c, "", api.DocumentRequestRequest{Documents: docs, Deadline: d,
			Message: strings.TrimSpace(m.text.Value())})
		return one(a, err, ref)

	case common.DialogDecide:
		o := api.Outcome(m.options[m.choice].value)
		reasoning := strings.TrimSpace(m.text.Value())
		if reasoning == "" {
			return nil, nil, at(fText), verr("act.err.reasoningEmpty")
		}
		if utf8.RuneCountInString(reasoning) > api.MaxNoteRunes {
			return nil, nil, at(fText), verr("act.err.textLong")
		}
		fee, err := casework.ParseFee(m.fee.Value())
		if err != nil {
			return nil, nil, at(fFee), verr(err.Error())
		}
		var valid string
		if strings.TrimSpace(m.valid.Value()) != "" {
			if valid, err = casework.ParseFutureDate(m.valid.Value(), now); err != nil {
				return nil, nil, at(fValid), verr(err.Error())
			}
		}
		body := api.DecisionRequest{Outcome: o, Reasoning: reasoning, FeeCents: fee, ValidUntil: valid}
		var acts []store.Action
		// The server decides only cases in review (a new case may only be withdrawn or forwarded):
		// a new case is taken into review first, in the same queue, so the decision follows it.
		startReview := casework.StartsReview(c, o)
		if startReview {
			s, err := mk(api.ActionStatus, c, "", api.StatusRequest{Status: api.StatusInReview})
			if err != nil {
				return nil, nil, -1, err
			}
			acts = append(acts, s)
		}
		a, err := mk(api.ActionDecision, c, "", body)
		if err != nil {
			return nil, nil, -1, err
		}
		acts = append(acts, a)
		rs := []restateLine{ref,
			{i18n.T("act.label.service"), common.Line(c.Service.Name)},
			{i18n.T("act.label.applicant"), common.Line(c.Applicant.Name)},
			{i18n.T("act.label.outcome"), OutcomeLabel(o)},
			{i18n.T("act.label.fee"), feeText(fee)},
			{i18n.T("act.label.valid"), dateOrNone(valid)},
			{i18n.T("act.label.reasoning"), reasoning},
		}
		if startReview {
			rs = append(rs, restateLine{"", i18n.T("act.decide.startReview")})
		}
		if casework.NeedsApproval(c, o) {
			rs = append(rs, restateLine{"", i18n.T("act.decide.fourEyes")})
		}
		return acts, rs, -1, nil

	case common.DialogApproval:
		approve := m.options[m.choice].value == "approve"
		comment := strings.TrimSpace(m.text.Value())
		if !approve && comment == "" {
			return nil, nil, at(fText), verr("act.err.returnComment")
		}
		d := c.Decision
		a, err := mk(api.ActionApproval, c, d.ID, api.ApprovalRequest{Approve: approve, Comment: comment})
		if err != nil {
			return nil, nil, -1, err
		}
		what := i18n.T("act.approval.approve")
		if !approve {
			what = i18n.T("act.approval.return")
		}
		rs := []restateLine{ref,
			{i18n.T("act.label.action"), what},
			{i18n.T("act.label.outcome"), OutcomeLabel(d.Outcome)},
			{i18n.T("act.label.proposer"), m.ctx.ClerkName(d.Actor)},
			{i18n.T("act.label.fee"), feeText(d.FeeCents)},
		}
		if comment != "" {
			rs = append(rs, restateLine{i18n.T("act.label.comment"), comment})
		}
		return []store.Action{a}, rs, -1, nil
	}
	return nil, nil, -1, verr("act.err.unknown")
}

func one(a store.Action, err error, ref restateLine) ([]store.Action, []restateLine, int, error) {
	if err != nil {
		return nil, nil, -1, err
	}
	return []store.Action{a}, []restateLine{ref}, -1, nil
}

func feeText(fee *int64) string {
	if fee == nil {
		return i18n.T("act.none")
	}
	return casework.FormatFee(*fee)
}

func dateOrNone(d string) string {
	if d == "" {
		return i18n.T("act.none")
	}
	return common.FormatDate(d)
}

// Describe renders an outbox action's intent for the clerk (pending view): a title and labelled
// lines, all sanitised.
func Describe(ctx *common.Ctx, a store.Action) (title string, lines [][2]string) {
	title = KindLabel(a.Kind)
	b, err := casework.Decode(a.Kind, a.Body)
	if err != nil {
		return title, nil
	}
	add := func(label, value string) { lines = append(lines, [2]string{i18n.T(label), value}) }
	switch b.Kind {
	case api.ActionNote:
		add("act.label.text", common.Text(b.Note.Text))
	case api.ActionDecision:
		r := b.Decision
		add("act.label.outcome", OutcomeLabel(r.Outcome))
		add("act.label.fee", feeText(r.FeeCents))
		if r.ValidUntil != "" {
			add("act.label.valid", common.FormatDate(r.ValidUntil))
		}
		add("act.label.reasoning", common.Text(r.Reasoning))
	case api.ActionApproval:
		what := i18n.T("act.approval.approve")
		if !b.Approval.Approve {
			what = i18n.T("act.approval.return")
		}
		add("act.label.action", what)
		if b.Approval.Comment != "" {
			add("act.label.comment", common.Text(b.Approval.Comment))
		}
	case api.ActionAssignment:
		who := ctx.ClerkName(b.Assignment.Assignee)
		if b.Assignment.Assignee == "" {
			who = i18n.T("act.assign.nobody")
		}
		add("act.label.assignee", who)
	case api.ActionStatus:
		add("act.label.status", common.StatusLabel(b.Status.Status))
	case api.ActionResubmission:
		add("act.label.date", common.FormatDate(b.Resubmission.Date))
		if b.Resubmission.Reason != "" {
			add("act.label.reason", common.Line(b.Resubmission.Reason))
		}
	case api.ActionDocumentRequest:
		r := b.DocumentRequest
		docs := make([]string, len(r.Documents))
		for i, d := range r.Documents {
			docs[i] = "• " + common.Line(d)
		}
		add("act.label.documents", strings.Join(docs, "\n"))
		add("act.label.deadline", common.FormatDate(r.Deadline))
		if r.Message != "" {
			add("act.label.message", common.Text(r.Message))
		}
	}
	return title, lines
}

// KindLabel is the clerk-facing name of an action kind.
func KindLabel(k api.ActionKind) string {
	key := "act.kind." + string(k)
	if i18n.Has(key) {
		return i18n.T(key)
	}
	return common.Line(string(k))
}
