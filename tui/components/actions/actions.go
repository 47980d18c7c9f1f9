// Package actions owns the action dialogs of the TUI (comment, assign, Wiedervorlage,
// Nachforderung, decide, four-eyes approval, status change): each turns the clerk's input into
// outbox actions.
package actions

import (
	"sync/atomic"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
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

	// fValue0+i is the decision's i-th service field in Values (valueSpecs[i], values[i]).
	fValue0 field = 1000
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
	// The service's further decision fields (catalogue, api.Service.Decision), in the decision
	// dialog: one input each, fields fValue0+i.
	valueSpecs []api.DecisionField
	values     []textinput.Model

	options []option
	choice  int
	pick    *picker // the open Textbaustein picker (textblocks.go), nil when closed
	preset  string  // option value to start on (Preselect)

	built   []store.Action  // built on submit and reused on retry, so a retry never duplicates
	queued  map[string]bool // ids of built actions already in the outbox
	restate []restateLine   // the confirmation text
	scroll  int             // first shown line of a long value on the confirmation screen

	w, h int
}

type restateLine struct{ label, value string }

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
	case common.DialogStatus:
		return NewStatus(ctx, caseIDs...)
	}
	return NewComment(ctx, caseIDs...)
}

func newModel(ctx *common.Ctx, kind common.DialogKind, ids []string, fields ...field) Model {
	m := Model{ctx: ctx, id: dialogSeq.Add(1), kind: kind, ids: append([]string(nil), ids...), fields: fields}
	if !Bulk(kind) && len(m.ids) > 1 {
		m.ids = m.ids[:1] // the others act on one case
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

// Preselect makes the dialog start on the option with value v once its case is loaded (the
// palette's "Vorgang: Abschließen" opens the status dialog on "closed").
func (m *Model) Preselect(v string) { m.preset = v }

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
	st, ids, id := m.store(), m.ids, m.id
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
	for i := range m.values {
		m.values[i].Width = max(iw-30, 8)
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
	st, id := m.store(), m.id
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
	if m.kind == common.DialogStatus {
		if why := m.statusOptions(); why != "" {
			m.step = stepBlocked
			m.blocked = why
			return m, nil
		}
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
	if m.kind == common.DialogDecide {
		m.addValueFields()
	}
	for i, o := range m.options {
		if m.preset != "" && o.value == m.preset {
			m.choice = i
		}
	}
	return m, m.focusField(0)
}
