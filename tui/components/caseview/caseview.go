// Package caseview owns the Vorgang view: the case header and the tabs Antrag, Anlagen (download,
// open, save), Nachweise and Verlauf, read from the store (with the optimistic overlay).
package caseview

import (
	"errors"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions"
	"github.com/amt-mv/amt/tui/i18n"
)

// Tab is one tab of the case view.
type Tab int

// Tabs, in display order.
const (
	TabForm        Tab = iota // Antrag
	TabAttachments            // Anlagen
	TabEvidence               // Nachweise
	TabHistory                // Verlauf
	numTabs
)

// loadedMsg carries a case read from the store.
type loadedMsg struct {
	view    int64
	c       api.Case
	sum     store.Summary
	hasSum  bool
	pending map[string]bool // ids of this case's undelivered actions (queued notes show a mark)
	files   map[string]bool // attachment id → complete sealed file on disk
	err     error
}

var viewSeq atomic.Int64

// Model is the case view.
type Model struct {
	ctx *common.Ctx
	vid int64
	id  string

	c       *api.Case
	sum     store.Summary
	hasSum  bool
	pending map[string]bool
	files   map[string]bool
	err     error
	gone    bool

	tab       Tab
	attCursor int
	vp        viewport.Model
	w, h      int

	header string // rendered header, rebuilt on load and resize
	bodies [numTabs]string
	histN  int // entries of the Verlauf tab (its label's count)

	dl       *download
	bar      progress.Model
	saving   bool // the save-to-folder prompt is open
	saveAtt  int
	folder   textinput.Model
	notice   string // last attachment result (translated, sanitised)
	noticeOK bool

	search   search // the in-case search (/), workday.go
	evCursor int    // the chosen Nachweis (Nachweise tab)
	evLine   []int  // first line of each Nachweis in the tab's body
}

// New returns the case view for a case id; Init loads it.
func New(ctx *common.Ctx, id string) Model {
	m := Model{ctx: ctx, vid: viewSeq.Add(1), id: id, vp: viewport.New(0, 0)}
	m.vp.KeyMap = viewport.KeyMap{} // keys come from the shared keymap
	profile := lipgloss.ColorProfile()
	if ctx.Theme.NoColor {
		profile = termenv.Ascii
	}
	m.bar = progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'), progress.WithColorProfile(profile))
	m.folder = textinput.New()
	m.folder.Prompt = ""
	m.folder.CharLimit = 1024
	m.folder.Cursor.SetMode(cursor.CursorStatic)
	m.search.input = newSearchInput()
	m.search.cur = -1
	m.SetSize(ctx.Width, ctx.Height)
	return m
}

// ID returns the case id.
func (m Model) ID() string { return m.id }

// Case returns the loaded case (with the optimistic overlay) and whether it is loaded.
func (m Model) Case() (api.Case, bool) {
	if m.c == nil {
		return api.Case{}, false
	}
	return *m.c, true
}

// Tab returns the active tab.
func (m Model) Tab() Tab { return m.tab }

// CapturingInput implements common.InputCapturer: while the folder prompt is open every key
// belongs to the case view. A running download does not capture the keyboard: Esc cancels it
// (the root asks Busy), and the clerk may still switch views or quit, which cancels it via Close.
func (m Model) CapturingInput() bool { return m.saving || m.search.open }

// Busy reports whether a download runs; Esc then cancels it instead of leaving the view.
func (m Model) Busy() bool { return m.dl != nil }

// Close cancels a running download; the root calls it whenever it drops the view (back, another
// case, quit), so no download outlives the view that shows its progress.
func (m Model) Close() {
	if m.dl != nil {
		m.dl.cancel()
	}
}

// Init loads the case.
func (m Model) Init() tea.Cmd { return m.load() }

func (m Model) load() tea.Cmd {
	st, id, vid := m.store(), m.id, m.vid
	return func() tea.Msg {
		msg := loadedMsg{view: vid}
		c, err := st.Case(id)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.c = c
		if s, err := st.Summary(id); err == nil {
			msg.sum, msg.hasSum = s, true
		}
		if acts, err := st.CaseActions(id); err == nil {
			msg.pending = make(map[string]bool, len(acts))
			for _, a := range acts {
				msg.pending[a.ID] = true
			}
		}
		files := caseFiles(&c)
		msg.files = make(map[string]bool, len(files))
		for _, a := range files {
			msg.files[a.ID] = st.AttachmentComplete(id, a)
		}
		return msg
	}
}

// SetSize sets the view's area.
func (m *Model) SetSize(w, h int) {
	if w <= 0 || h <= 0 {
		return
	}
	if w == m.w && h == m.h {
		return
	}
	m.w, m.h = w, h
	m.bar.Width = max(w-56, 10)
	m.folder.Width = max(w-30, 10)
	m.rebuild()
}

// bodyHeight is the viewport height: the view minus header, tab bar, rule and footer.
func (m Model) bodyHeight() int {
	return max(m.h-lineCount(m.header)-3, 1)
}

// Update handles messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.view != m.vid {
			return m, nil
		}
		m.applyLoad(msg)
		return m, nil
	case common.StoreChangedMsg: // also after the clerk's own actions were queued
		return m, m.load()
	case common.ConfigChangedMsg:
		m.rebuild()
		return m, nil
	case dlProgressMsg, dlDoneMsg, fileDoneMsg:
		return m.updateFiles(msg)
	case tea.KeyMsg:
		return m.key(msg)
	case tea.MouseMsg:
		if msg.Action == tea.MouseActionPress {
			switch msg.Button {
			case tea.MouseButtonWheelUp:
				m.vp.ScrollUp(3)
			case tea.MouseButtonWheelDown:
				m.vp.ScrollDown(3)
			}
		}
	}
	return m, nil
}

func (m *Model) applyLoad(msg loadedMsg) {
	if msg.err != nil {
		m.err = msg.err
		m.gone = errors.Is(msg.err, store.ErrNotFound)
		m.rebuild()
		return
	}
	c := msg.c
	m.c, m.err, m.gone = &c, nil, false
	m.sum, m.hasSum = msg.sum, msg.hasSum
	m.pending, m.files = msg.pending, msg.files
	if n := len(caseFiles(&c)); m.attCursor >= n {
		m.attCursor = max(n-1, 0)
	}
	if n := len(c.Evidence); m.evCursor >= n {
		m.evCursor = max(n-1, 0)
	}
	if n := failedNotice(&c); n != "" && m.notice == "" {
		m.notice, m.noticeOK = n, false
	}
	m.rebuild()
}

func (m Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys
	if m.saving {
		return m.saveKey(msg)
	}
	if m.search.open {
		return m.searchKey(msg)
	}
	if key.Matches(msg, k.Case.Search) && m.c != nil {
		m.search.open, m.search.none = true, false
		m.notice = ""
		return m, m.search.input.Focus()
	}
	if m.dl != nil {
		if key.Matches(msg, k.Global.Back) || key.Matches(msg, k.Dialog.Cancel) {
			m.dl.cancel()
			return m, nil
		}
		// Scrolling and tabs still work while a download runs.
	}
	switch {
	case key.Matches(msg, k.Case.NextTab):
		m.setTab((m.tab + 1) % numTabs)
		return m, nil
	case key.Matches(msg, k.Case.PrevTab):
		m.setTab((m.tab + numTabs - 1) % numTabs)
		return m, nil
	}
	if m.dl == nil && m.c != nil {
		if cmd := m.actionKey(msg); cmd != nil {
			return m, cmd
		}
	}
	if m.tab == TabAttachments && m.c != nil {
		if mm, cmd, ok := m.attachmentKey(msg); ok {
			return mm, cmd
		}
	}
	if m.tab == TabEvidence && m.c != nil && m.dl == nil {
		if mm, cmd, ok := m.evidenceKey(msg); ok {
			return mm, cmd
		}
	}
	l := k.List
	switch {
	case key.Matches(msg, l.Up):
		m.vp.ScrollUp(1)
	case key.Matches(msg, l.Down):
		m.vp.ScrollDown(1)
	case key.Matches(msg, l.PageUp):
		m.vp.PageUp()
	case key.Matches(msg, l.PageDown):
		m.vp.PageDown()
	case key.Matches(msg, l.Home):
		m.vp.GotoTop()
	case key.Matches(msg, l.End):
		m.vp.GotoBottom()
	}
	return m, nil
}

// OfferedAction is an action dialog the case view offers, with its key.
type OfferedAction struct {
	Dialog common.DialogKind
	Key    key.Binding
}

// OfferedActions lists the action dialogs the signed-in clerk may open on the shown case, in the
// footer's order: casework's preconditions decide, so a key is offered only when the action will
// not be refused (no D on a decided case). A proposal awaiting this lead comes first: approving or
// returning it is what the case needs now.
func (m Model) OfferedActions() []OfferedAction {
	if m.c == nil {
		return nil
	}
	k := m.ctx.Keys.Case
	var out []OfferedAction
	for _, o := range []OfferedAction{{common.DialogApproval, k.FourEyes}, {common.DialogComment, k.Comment},
		{common.DialogAssign, k.Assign}, {common.DialogResubmission, k.Resubmission},
		{common.DialogDocumentRequest, k.DocRequest}, {common.DialogDecide, k.Decide}, {common.DialogStatus, k.Status}} {
		ok := actions.Allowed(m.ctx, o.Dialog, *m.c) == nil
		if o.Dialog == common.DialogStatus {
			ok = len(actions.StatusChoices(m.ctx, *m.c)) > 0
		}
		if o.Key.Enabled() && ok {
			out = append(out, o)
		}
	}
	return out
}

// actionKey opens an action dialog through the root.
func (m Model) actionKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.Keys.Case
	var kind common.DialogKind
	switch {
	case key.Matches(msg, k.Comment):
		kind = common.DialogComment
	case key.Matches(msg, k.Assign):
		kind = common.DialogAssign
	case key.Matches(msg, k.Resubmission):
		kind = common.DialogResubmission
	case key.Matches(msg, k.DocRequest):
		kind = common.DialogDocumentRequest
	case key.Matches(msg, k.Decide):
		kind = common.DialogDecide
	case key.Matches(msg, k.FourEyes) || slices.Contains(k.FourEyes.Keys(), msg.String()):
		// A clerk's help does not list the four-eyes key, but pressing it says why it does
		// nothing (the dialog opens blocked), never nothing at all.
		kind = common.DialogApproval
	case key.Matches(msg, k.Status):
		kind = common.DialogStatus
	default:
		return nil
	}
	open := common.OpenDialogMsg{Kind: kind, CaseIDs: []string{m.id}}
	return func() tea.Msg { return open }
}

func (m *Model) setTab(t Tab) {
	if t == m.tab {
		return
	}
	m.tab = t
	m.vp.SetContent(m.bodies[t])
	m.vp.GotoTop()
	if t == TabAttachments {
		m.scrollToCursor()
	}
}

// rebuild renders header and tab bodies for the current case and width. It runs in Update (on
// load, resize, cursor moves), never in View.
func (m *Model) rebuild() {
	if m.w <= 0 {
		return
	}
	m.header = m.renderHeader()
	m.histN = 0
	if m.c != nil {
		m.histN = len(m.history())
	}
	for t := Tab(0); t < numTabs; t++ {
		m.bodies[t] = m.renderBody(t)
	}
	m.vp.Width = m.w
	m.vp.Height = m.bodyHeight()
	m.vp.SetContent(m.bodies[m.tab])
	if m.tab == TabAttachments {
		m.scrollToCursor()
	}
}

// View renders the case view.
func (m Model) View() string {
	if m.w <= 0 {
		return ""
	}
	th := m.ctx.Theme
	var b strings.Builder
	b.WriteString(m.header)
	b.WriteString("\n")
	b.WriteString(m.tabBar())
	b.WriteString("\n")
	b.WriteString(th.TabSep.Render(strings.Repeat("─", m.w)))
	b.WriteString("\n")
	b.WriteString(m.vp.View()) // padded to its height by the viewport
	b.WriteString("\n")
	b.WriteString(m.footer())
	return b.String()
}

func (m Model) tabBar() string {
	th := m.ctx.Theme
	var parts []string
	for t := Tab(0); t < numTabs; t++ {
		label := m.tabLabel(t)
		if t == m.tab {
			parts = append(parts, th.TabActive.Render(label))
		} else {
			parts = append(parts, th.Tab.Render(label))
		}
	}
	return common.Truncate(strings.Join(parts, th.TabSep.Render("│")), m.w)
}

func (m Model) tabLabel(t Tab) string {
	name := i18n.T([numTabs]string{"case.tab.form", "case.tab.attachments", "case.tab.evidence", "case.tab.history"}[t])
	if m.c == nil {
		return name
	}
	n := -1
	switch t {
	case TabAttachments:
		n = len(caseFiles(m.c))
	case TabEvidence:
		n = len(m.c.Evidence)
	case TabHistory:
		n = m.histN // every entry, as the tab lists them (not just the notes)
	}
	if n > 0 {
		return name + " (" + itoa(n) + ")"
	}
	return name
}

func (m Model) footer() string {
	th := m.ctx.Theme
	switch {
	case m.saving:
		return common.Truncate(th.Prompt.Render(i18n.T("case.save.prompt")+" ")+m.folder.View(), m.w)
	case m.search.open:
		return m.searchFooter()
	case m.dl != nil:
		return m.progressLine()
	case m.notice != "":
		st := th.OK
		if !m.noticeOK {
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
	if m.tab == TabAttachments {
		hints = append(hints, common.Hint(k.Case.Download), common.Hint(k.Case.OpenFile), common.Hint(k.Case.SaveTo))
	}
	if m.canCheckEvidence() {
		hints = append(hints, common.Hint(k.Case.CheckEvidence))
	}
	for _, o := range m.OfferedActions() {
		hints = append(hints, common.Hint(o.Key))
	}
	hints = append(hints, common.Hint(k.Global.Back))
	return hints
}

func lineCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}
