// Package inbox owns the Posteingang: a virtualised case list over store summaries with saved-view
// tabs, sorting, an instant filter run off the UI goroutine, multi-select and a preview pane.
package inbox

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/query"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// SavedView is one inbox tab.
type SavedView struct {
	Name    string // display name (translated for built-ins, sanitised for user views)
	NameKey string // i18n key of a built-in, "" for user views
	Expr    string
	Filter  Filter
	Sort    SortKey
	Desc    bool
	Err     string // parse error of a user view (the view then shows nothing)
}

// BuiltinViews returns the built-in saved views in tab order.
func BuiltinViews() []SavedView {
	def := []struct{ key, expr string }{
		{"tab.mine", "assignee:me status:open"},
		{"tab.new", "status:new"},
		{"tab.due", "status:open due:week"},
		{"tab.resub", "status:open resub:due"},
		{"tab.all", "status:open"},
		{"tab.done", "status:done"},
	}
	out := make([]SavedView, 0, len(def))
	for _, d := range def {
		f := query.MustParse(d.expr)
		out = append(out, SavedView{NameKey: d.key, Expr: d.expr, Filter: f})
	}
	return out
}

// withApproval adds the "Zur Freigabe" tab (proposals waiting for approval) after the built-in
// views for those who may approve: leads and deputies.
func withApproval(ctx *common.Ctx, vs []SavedView) []SavedView {
	if !ctx.IsLead() {
		return vs
	}
	const expr = "status:freigabe"
	v := SavedView{NameKey: "tab.approval", Expr: expr, Filter: query.MustParse(expr)}
	n := len(BuiltinViews())
	return append(vs[:n:n], append([]SavedView{v}, vs[n:]...)...)
}

// Views returns built-in plus configured views. Invalid user views are kept (with Err) so the
// clerk sees the mistake instead of a silently missing tab.
func Views(cfg []common.ViewConfig, now time.Time) []SavedView {
	vs := BuiltinViews()
	for _, c := range cfg {
		v := SavedView{Name: common.Line(c.Name), Expr: c.Filter}
		f, err := ParseFilter(c.Filter, now)
		if err != nil {
			v.Err = i18n.Tf("filter.bad", v.Name, filterError(err))
			v.Filter = query.Nothing() // matches nothing
		} else {
			v.Filter = f
		}
		if k, desc, err := ParseSort(c.Sort); err == nil {
			v.Sort, v.Desc = k, desc
		}
		vs = append(vs, v)
	}
	return vs
}

// Title is the tab label in the current language.
func (v SavedView) Title() string {
	if v.NameKey != "" {
		return i18n.T(v.NameKey)
	}
	return v.Name
}

// Messages the root (palette) may send to the inbox.
type (
	// SelectViewMsg switches to tab Index.
	SelectViewMsg struct{ Index int }
	// SortMsg sorts by Key.
	SortMsg struct{ Key SortKey }
	// FocusFilterMsg focuses the filter input.
	FocusFilterMsg struct{}
	// ClearFilterMsg clears the filter.
	ClearFilterMsg struct{}
	// ClearSelectionMsg unmarks every case.
	ClearSelectionMsg struct{}
	// AssignMsg opens the assign dialog for the marked cases (or the one under the cursor).
	AssignMsg struct{}
	// ReverseSortMsg reverses the sort order.
	ReverseSortMsg struct{}
	// SelectAllMsg marks every case the list shows.
	SelectAllMsg struct{}
	// SaveViewMsg asks for a name and saves the typed filter and the sort as a new tab.
	SaveViewMsg struct{}
)

// Internal messages.
type (
	firstPageMsg struct {
		gen   uint64
		rows  []store.Summary
		total int
		err   error
		// tab >= 0: the automatic start tab ("Meine") has no rows at all, rows are this tab's.
		tab int
	}
	loadedMsg struct {
		gen    uint64
		rows   []store.Summary
		counts []int
		corp   *corpus
		err    error
	}
	detailMsg struct {
		c   api.Case
		err error
	}
	filterMsg struct {
		gen   uint64
		data  uint64
		key   orderKey
		order []int32 // the sort permutation used (cached by the model)
		corp  *corpus // the search corpus used (cached by the model)
		rows  []int32
		query string
		typed Filter
		view  int
		// narrowed: only the previous result was searched (the query extended the applied one).
		narrowed bool
	}
)

type orderKey struct {
	sort SortKey
	desc bool
}

// FirstPage is how many rows the first frame reads when the screen height is not known yet
// (Bubble Tea reports the size after Init); with a known height it reads just the visible window.
const FirstPage = 100

// Model is the inbox. It is a value; Update returns the new one.
type Model struct {
	ctx   *common.Ctx
	views []SavedView
	tab   int

	sortKey SortKey
	desc    bool

	all      []store.Summary // immutable once loaded; replaced wholesale
	full     bool            // all holds every summary (not just the first page)
	total    int             // Count() at first load
	counts   []int           // per tab, for the tab bar; nil until full load
	loadGen  uint64
	dataGen  uint64 // bumps whenever all is replaced
	loadErr  string
	loading  bool
	reloadQd bool // a store change arrived while loading

	corp     *corpus // search corpus of all (dataGen)
	order    []int32 // sort permutation of all for orderKey
	orderFor orderKey
	orderGen uint64

	input     textinput.Model
	focused   bool
	nameInput textinput.Model // the name of a view being saved (naming)
	naming    bool
	query     string
	queryErr  string // why the typed filter cannot be read ("" when it can)
	gen       uint64 // filter generation; results of older ones are dropped
	filtering bool

	applied      appliedFilter
	rows         []int32         // visible list: indices into rowsAll
	rowsAll      []store.Summary // the data rows index (all, or the previous all until refiltered)
	keepID       string          // case to keep the cursor on across a reload
	cursor, offs int
	marked       map[string]bool

	toTop     bool // the next filter result starts at the top (a new tab), not at the old case
	autoStart bool // the start tab is still the automatic choice (see common.Config.StartView)

	width, height int
	lay           layout
	cache         map[rowKey]string
	pv            *previewCache // shared across copies of the model, like cache
	detail        *api.Case     // the case under the cursor, for the wide preview
	detailFor     string        // "id@version" last asked for
	header        string
}

type appliedFilter struct {
	data  uint64
	view  int
	key   orderKey
	query string
	typed Filter
	ok    bool
}

// New builds the inbox; call Init for the first load.
func New(ctx *common.Ctx) Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = i18n.T("filter.placeholder")
	ti.CharLimit = 200
	ti.Cursor.SetMode(cursor.CursorStatic)
	ni := textinput.New()
	ni.Prompt = ""
	ni.CharLimit = 40
	ni.Cursor.SetMode(cursor.CursorStatic)
	m := Model{
		ctx:       ctx,
		views:     withApproval(ctx, Views(ctx.Config.Views, ctx.Now())),
		input:     ti,
		nameInput: ni,
		marked:    map[string]bool{},
		cache:     map[rowKey]string{},
		pv:        &previewCache{},
		loading:   true,
		loadGen:   1,
	}
	m.applyTheme()
	m.tab, m.autoStart = startTab(m.views, ctx.Config.StartView)
	m.sortKey, m.desc = m.views[m.tab].Sort, m.views[m.tab].Desc
	m.SetSize(ctx.Width, ctx.Height)
	return m
}

// startTab picks the tab shown at start. A configured StartView (built-in key such as "all", or a
// user view's name, case-insensitive) wins. Without one the inbox opens on "Meine" and auto is
// true: once every case is counted, an empty "Meine" gives way to "Alle" (see autoSwitch), so the
// first screen always has cases to work on. An unknown name falls back to the automatic choice.
func startTab(views []SavedView, want string) (tab int, auto bool) {
	want = strings.ToLower(strings.TrimSpace(want))
	if want != "" && want != "auto" {
		for i, v := range views {
			if strings.TrimPrefix(v.NameKey, "tab.") == want || strings.ToLower(v.Title()) == want ||
				(v.NameKey == "" && strings.ToLower(v.Name) == want) {
				return i, false
			}
		}
	}
	return 0, true
}

// autoSwitch leaves an empty "Meine" for "Alle" after the first full load, unless the clerk has
// already picked a tab.
func (m *Model) autoSwitch() tea.Cmd {
	if !m.autoStart || m.counts == nil {
		return nil
	}
	m.autoStart = false
	if m.tab != 0 || m.views[0].NameKey != "tab.mine" || m.counts[0] > 0 {
		return nil
	}
	for i, v := range m.views {
		if v.NameKey == "tab.all" {
			return m.selectView(i)
		}
	}
	return nil
}

func (m *Model) applyTheme() {
	t := m.ctx.Theme
	m.input.PromptStyle = t.Prompt
	m.input.TextStyle = t.Input
	m.input.PlaceholderStyle = t.Placeholder
	m.input.Cursor.Style = t.Bold
	m.input.Cursor.TextStyle = t.Input
	m.nameInput.TextStyle, m.nameInput.Cursor.Style, m.nameInput.Cursor.TextStyle = t.Input, t.Bold, t.Input
}

// Init reads the first window of the list, then everything. (Init cannot change the model, so
// New already reserved load generation 1 for it.)
func (m Model) Init() tea.Cmd { return m.loadFirst() }

func (m Model) loadFirst() tea.Cmd {
	gen, st := m.loadGen, m.store()
	limit := FirstPage
	if m.lay.listRows > 0 {
		limit = m.lay.listRows
	}
	f, e := m.views[m.tab].Filter, newEnv(m.ctx)
	part := f.Part()
	// The automatic start: when "Meine" turns out empty, "Alle" is shown at once (autoSwitch would
	// do it only after the full load). Its rows are gathered in the same scan.
	alt := -1
	var af Filter
	if m.autoStart && m.views[m.tab].NameKey == "tab.mine" {
		for i, v := range m.views {
			if v.NameKey == "tab.all" {
				alt, af = i, v.Filter
			}
		}
		if alt >= 0 && af.Part() != part {
			alt = -1
		}
	}
	return func() tea.Msg {
		if st == nil {
			return firstPageMsg{gen: gen, tab: -1}
		}
		n, err := st.Count()
		if err != nil {
			return firstPageMsg{gen: gen, err: err, tab: -1}
		}
		// Open cases come first in the index, each part by due date: the first screen of a tab
		// is its first matching rows, read without decoding the rest of the cache.
		var rows, altRows []store.Summary
		err = st.ScanSummaries(part, func(s store.Summary) bool {
			if f.Match(&s, e.q) {
				rows = append(rows, s)
			}
			if alt >= 0 && len(altRows) < limit && af.Match(&s, e.q) {
				altRows = append(altRows, s)
			}
			return len(rows) < limit
		})
		msg := firstPageMsg{gen: gen, rows: rows, total: n, err: err, tab: -1}
		if err == nil && alt >= 0 && len(rows) == 0 && len(altRows) > 0 {
			msg.rows, msg.tab = altRows, alt
		}
		return msg
	}
}

func (m *Model) loadAll() tea.Cmd {
	m.loadGen++
	m.loading = true
	gen, st, views, e := m.loadGen, m.store(), m.views, newEnv(m.ctx)
	return func() tea.Msg {
		if st == nil {
			return loadedMsg{gen: gen}
		}
		rows, err := st.AllSummaries()
		if err != nil {
			return loadedMsg{gen: gen, err: err}
		}
		return loadedMsg{gen: gen, rows: rows, counts: countViews(rows, views, &e), corp: buildCorpus(rows)}
	}
}

func countViews(rows []store.Summary, views []SavedView, e *env) []int {
	counts := make([]int, len(views))
	for i := range rows {
		s := &rows[i]
		for v := range views {
			if views[v].Filter.Match(s, e.q) {
				counts[v]++
			}
		}
	}
	return counts
}

// Reload re-reads every summary (after a store change). Results of older loads are dropped.
func (m *Model) Reload() tea.Cmd {
	if m.loading {
		m.reloadQd = true
		return nil
	}
	return m.loadAll()
}

// refilter starts a filter run for the current tab, sort and query.
func (m *Model) refilter() tea.Cmd {
	m.gen++
	m.filtering = true
	gen, data, all := m.gen, m.dataGen, m.all
	view := m.tab
	f := m.views[view].Filter
	key := orderKey{m.sortKey, m.desc}
	var order []int32
	if m.orderGen == data && m.orderFor == key && m.order != nil {
		order = m.order
	}
	corp := m.corp
	e := newEnv(m.ctx)
	typed, err := ParseFilter(m.query, m.ctx.Now())
	m.queryErr = ""
	if err != nil {
		// A term being typed ("frist<1") or mistyped: say what is wrong, show nothing.
		m.queryErr = filterError(err)
		typed = query.Nothing()
	}
	q := m.query
	// Narrowing: a query that extends the applied one only needs to look at its result.
	var base []int32
	if a := m.applied; a.ok && a.data == data && a.view == view && a.key == key && !a.typed.Empty() &&
		a.typed.Narrows(&typed) {
		base = m.rows
	}
	return func() tea.Msg {
		if order == nil {
			order = sortOrder(all, key.sort, key.desc)
		}
		if corp == nil && len(typed.Words()) > 0 {
			corp = buildCorpus(all)
		}
		src := order
		if base != nil {
			src = base
		}
		return filterMsg{gen: gen, data: data, key: key, order: order, corp: corp,
			rows: run(all, corp, src, &f, &typed, &e), query: q, typed: typed, view: view, narrowed: base != nil}
	}
}

// CapturingInput reports whether the filter input has focus.
func (m Model) CapturingInput() bool { return m.focused || m.naming }

// Update handles a message.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if d, ok := msg.(detailMsg); ok {
		if d.err == nil && d.c.ID == m.CurrentID() {
			c := d.c
			m.detail = &c
		}
		return m, nil
	}
	m, cmd := m.update(msg)
	m.fitInput()
	if dc := m.wantDetail(); dc != nil {
		return m, tea.Batch(cmd, dc)
	}
	return m, cmd
}

// wantDetail starts reading the case under the cursor for the wide preview (form fields), once
// per case and version; narrow screens show only the summary.
func (m *Model) wantDetail() tea.Cmd {
	cur, ok := m.Current()
	if !ok || !m.lay.wide || m.store() == nil {
		return nil
	}
	if m.detail != nil && m.detail.ID == cur.ID && m.detail.Version == cur.Version {
		return nil
	}
	if m.detailFor == cur.ID+"@"+strconv.FormatInt(cur.Version, 10) {
		return nil // already asked
	}
	m.detailFor = cur.ID + "@" + strconv.FormatInt(cur.Version, 10)
	st, id := m.store(), cur.ID
	return func() tea.Msg {
		c, err := st.Case(id)
		return detailMsg{c: c, err: err}
	}
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case firstPageMsg:
		if msg.gen != m.loadGen {
			return m, nil
		}
		if msg.err != nil {
			m.loadErr = msg.err.Error()
		}
		m.total = msg.total
		m.setData(msg.rows, false)
		if msg.tab >= 0 && m.autoStart && m.tab != msg.tab {
			// "Meine" is empty (the whole part of the index that could hold its rows was read).
			m.autoStart = false
			m.tab = msg.tab
			m.sortKey, m.desc = m.views[msg.tab].Sort, m.views[msg.tab].Desc
			m.cursor, m.offs, m.toTop = 0, 0, true
		}
		return m, tea.Batch(m.refilter(), m.loadAll())
	case loadedMsg:
		if msg.gen != m.loadGen {
			return m, nil
		}
		m.loading = false
		if msg.err != nil {
			m.loadErr = msg.err.Error()
			m.reloadQd = false
			return m, common.Toast(common.ToastError, i18n.Tf("toast.loadFailed", common.Line(msg.err.Error())))
		}
		m.loadErr = ""
		m.total = len(msg.rows)
		m.counts = msg.counts
		m.setData(msg.rows, true)
		m.corp = msg.corp
		cmds := []tea.Cmd{m.refilter()}
		if cmd := m.autoSwitch(); cmd != nil {
			cmds = []tea.Cmd{cmd} // selectView refilters for the new tab
		}
		if m.reloadQd {
			m.reloadQd = false
			cmds = append(cmds, m.loadAll())
		}
		return m, tea.Batch(cmds...)
	case filterMsg:
		if msg.gen != m.gen || msg.data != m.dataGen {
			return m, nil // stale: a newer keystroke, tab or load superseded it
		}
		m.filtering = false
		m.order, m.orderFor, m.orderGen = msg.order, msg.key, msg.data
		if msg.corp != nil {
			m.corp = msg.corp
		}
		sameData := len(m.rowsAll) > 0 && len(m.rowsAll) == len(m.all) && &m.rowsAll[0] == &m.all[0]
		curIdx := int32(-1)
		if sameData && m.cursor >= 0 && m.cursor < len(m.rows) {
			curIdx = m.rows[m.cursor]
		}
		cur := m.CurrentID()
		m.rows, m.rowsAll = msg.rows, m.all
		m.applied = appliedFilter{data: msg.data, view: msg.view, key: msg.key, query: msg.query, typed: msg.typed, ok: true}
		switch {
		case m.toTop:
			m.toTop, m.keepID = false, ""
			m.cursor, m.offs = 0, 0
			m.clamp()
		case curIdx >= 0 && m.keepID == "":
			m.keepCursorAt(curIdx) // same data: compare row numbers, not ids
		default:
			m.keepCursorOn(cur)
		}
		return m, nil
	case common.StoreChangedMsg:
		return m, m.Reload()
	case common.ConfigChangedMsg:
		m.lay = computeLayout(m.width, m.height)
		m.clearCache()
		m.header = m.renderHeader()
		m.applyTheme()
		m.input.Placeholder = i18n.T("filter.placeholder")
		return m, nil
	case common.ActionQueuedMsg:
		if msg.Err == nil && len(m.marked) > 0 {
			for _, a := range msg.Actions {
				delete(m.marked, a.CaseID)
			}
			m.clearCache()
		}
		return m, nil
	case SelectViewMsg:
		return m, m.selectView(msg.Index)
	case SortMsg:
		return m, m.setSort(msg.Key)
	case FocusFilterMsg:
		return m, m.focus()
	case ClearFilterMsg:
		return m, m.clearFilter()
	case ClearSelectionMsg:
		m.marked = map[string]bool{}
		m.clearCache()
		return m, nil
	case AssignMsg:
		return m, m.assign()
	case ReverseSortMsg:
		return m, m.reverse()
	case SelectAllMsg:
		return m, m.selectAll()
	case SaveViewMsg:
		return m, m.startNaming()
	case tea.MouseMsg:
		return m.mouse(msg)
	case tea.KeyMsg:
		return m.key(msg)
	}
	if m.focused {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) setData(rows []store.Summary, full bool) {
	// The old rows stay on screen (indexing the old data) until the new filter result arrives,
	// so a sync never blanks the list.
	if id := m.CurrentID(); id != "" {
		m.keepID = id
	}
	m.all = rows
	m.full = full
	m.dataGen++
	m.order = nil
	m.corp = nil
	m.applied.ok = false
}

// keepCursorAt puts the cursor on data row idx if it is still listed, else clamps it.
func (m *Model) keepCursorAt(idx int32) {
	if i := slices.Index(m.rows, idx); i >= 0 {
		m.cursor = i
		m.scrollTo()
		return
	}
	m.clamp()
}

// keepCursorOn puts the cursor on case id (the case under the cursor now) if it is still
// listed, else clamps it. The case noted when the data arrived (keepID) counts only when no row
// is under the cursor: a key the clerk pressed while a reload was filtered moved the cursor on
// purpose, and the reload must not undo it.
func (m *Model) keepCursorOn(id string) {
	if id == "" {
		id = m.keepID
	}
	m.keepID = ""
	if id != "" {
		for i, r := range m.rows {
			if m.rowsAll[r].ID == id {
				m.cursor = i
				m.scrollTo()
				return
			}
		}
	}
	m.clamp()
}

func (m Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys
	if m.naming {
		return m.nameKey(msg)
	}
	if m.focused {
		switch {
		case msg.Type == tea.KeyEnter:
			m.focused = false
			m.input.Blur()
			return m, nil
		case msg.Type == tea.KeyEsc:
			return m, m.clearFilter()
		case msg.Type == tea.KeyUp:
			m.move(-1)
			return m, nil
		case msg.Type == tea.KeyDown:
			m.move(1)
			return m, nil
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		if v := m.input.Value(); v != common.Line(v) { // pasted control characters never echo
			m.input.SetValue(common.Line(v))
		}
		if v := m.input.Value(); v != m.query {
			m.query = v
			return m, tea.Batch(cmd, m.refilter())
		}
		return m, cmd
	}
	switch {
	case key.Matches(msg, k.List.Up):
		m.move(-1)
	case key.Matches(msg, k.List.Down):
		m.move(1)
	case key.Matches(msg, k.List.PageUp):
		m.move(-max(1, m.lay.listRows-1))
	case key.Matches(msg, k.List.PageDown):
		m.move(max(1, m.lay.listRows-1))
	case key.Matches(msg, k.List.Home):
		m.move(-len(m.rows))
	case key.Matches(msg, k.List.End):
		m.move(len(m.rows))
	case key.Matches(msg, k.List.Open):
		if id := m.CurrentID(); id != "" {
			return m, func() tea.Msg { return common.OpenCaseMsg{ID: id} }
		}
	case key.Matches(msg, k.List.Filter):
		return m, m.focus()
	case key.Matches(msg, k.List.Sort):
		return m, m.setSort((m.sortKey + 1) % numSortKeys)
	case key.Matches(msg, k.List.Reverse):
		return m, m.reverse()
	case key.Matches(msg, k.List.SelectAll):
		return m, m.selectAll()
	case key.Matches(msg, k.List.Select):
		if id := m.CurrentID(); id != "" {
			if m.marked[id] {
				delete(m.marked, id)
			} else {
				m.marked[id] = true
			}
			m.move(1)
		}
	case key.Matches(msg, k.List.Assign):
		return m, m.assign()
	case key.Matches(msg, k.List.Resubmission):
		return m, m.bulk(common.DialogResubmission)
	case key.Matches(msg, k.List.DocRequest):
		return m, m.bulk(common.DialogDocumentRequest)
	case key.Matches(msg, k.List.Status):
		return m, m.bulk(common.DialogStatus)
	case key.Matches(msg, k.List.NextView):
		return m, m.selectView((m.tab + 1) % len(m.views))
	case key.Matches(msg, k.List.PrevView):
		return m, m.selectView((m.tab + len(m.views) - 1) % len(m.views))
	case key.Matches(msg, k.Global.Back):
		switch {
		case m.query != "":
			return m, m.clearFilter()
		case len(m.marked) > 0:
			m.marked = map[string]bool{}
			m.clearCache()
		}
	default:
		for i := range k.List.Views {
			if key.Matches(msg, k.List.Views[i]) && i < len(m.views) {
				return m, m.selectView(i)
			}
		}
	}
	return m, nil
}

func (m Model) mouse(msg tea.MouseMsg) (Model, tea.Cmd) {
	if msg.Action != tea.MouseActionPress {
		return m, nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		m.move(-3)
	case tea.MouseButtonWheelDown:
		m.move(3)
	case tea.MouseButtonLeft:
		if msg.Y == 0 {
			return m, m.selectView(m.tabAt(msg.X))
		}
		r := msg.Y - m.lay.listTop
		if msg.X < m.lay.listWidth && r >= 0 && r < m.lay.listRows && m.offs+r < len(m.rows) {
			if m.cursor == m.offs+r {
				return m, func() tea.Msg { return common.OpenCaseMsg{ID: m.CurrentID()} }
			}
			m.cursor = m.offs + r
		}
	}
	return m, nil
}

func (m *Model) focus() tea.Cmd {
	m.focused = true
	return m.input.Focus()
}

func (m *Model) clearFilter() tea.Cmd {
	m.focused = false
	m.input.Blur()
	m.input.SetValue("")
	if m.query == "" {
		return nil
	}
	m.query = ""
	return m.refilter()
}

func (m *Model) selectView(i int) tea.Cmd {
	if i < 0 || i >= len(m.views) {
		return nil
	}
	m.autoStart = false // the clerk chose (or the automatic choice is made): keep it
	if i == m.tab && m.applied.ok {
		return nil
	}
	m.tab = i
	m.sortKey, m.desc = m.views[i].Sort, m.views[i].Desc
	m.cursor, m.offs = 0, 0
	m.toTop = true
	cmd := m.refilter()
	if e := m.views[i].Err; e != "" {
		return tea.Batch(cmd, common.Toast(common.ToastError, e))
	}
	return cmd
}

func (m *Model) setSort(k SortKey) tea.Cmd {
	m.sortKey, m.desc = k, false
	return tea.Batch(m.refilter(), common.KeyedToast("sort", common.ToastInfo, i18n.Tf("toast.sorted", i18n.T(k.LabelKey()))))
}

// reverse flips the sort order of the list.
func (m *Model) reverse() tea.Cmd {
	m.desc = !m.desc
	text := i18n.Tf("toast.sorted", i18n.T(m.sortKey.LabelKey()))
	if m.desc {
		text = i18n.Tf("toast.sortedDesc", i18n.T(m.sortKey.LabelKey()))
	}
	return tea.Batch(m.refilter(), common.KeyedToast("sort", common.ToastInfo, text))
}

// selectAll marks every case the list shows (the filter's result in this tab).
func (m *Model) selectAll() tea.Cmd {
	for _, r := range m.rows {
		m.marked[m.rowsAll[r].ID] = true
	}
	m.clearCache()
	return common.KeyedToast("select", common.ToastInfo, i18n.Tf("toast.selectedAll", len(m.marked)))
}

// startNaming asks for the name of a view holding the typed filter.
func (m *Model) startNaming() tea.Cmd {
	if strings.TrimSpace(m.query) == "" {
		return common.Toast(common.ToastWarn, i18n.T("view.saveEmpty"))
	}
	if m.queryErr != "" {
		return common.Toast(common.ToastError, m.queryErr)
	}
	m.focused = false
	m.input.Blur()
	m.naming = true
	m.nameInput.SetValue("")
	return m.nameInput.Focus()
}

func (m Model) nameKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEsc:
		m.naming = false
		m.nameInput.Blur()
		return m, nil
	case tea.KeyEnter:
		return m, m.saveView(common.Line(strings.TrimSpace(m.nameInput.Value())))
	}
	var cmd tea.Cmd
	m.nameInput, cmd = m.nameInput.Update(msg)
	return m, cmd
}

// saveView adds what the list shows (the tab's expression plus the typed filter) and its sort as
// tab name, shows it, and tells the root.
func (m *Model) saveView(name string) tea.Cmd {
	if name == "" {
		return nil
	}
	for _, v := range m.views {
		if strings.EqualFold(v.Title(), name) {
			return common.Toast(common.ToastWarn, i18n.Tf("view.nameTaken", name))
		}
	}
	expr := strings.TrimSpace(strings.TrimSpace(m.views[m.tab].Expr) + " " + strings.TrimSpace(m.query))
	f, err := ParseFilter(expr, m.ctx.Now())
	if err != nil {
		return common.Toast(common.ToastError, filterError(err))
	}
	sortName := m.sortKey.Name()
	if m.desc {
		sortName = "-" + sortName
	}
	vc := common.ViewConfig{Name: name, Filter: expr, Sort: sortName}
	m.views = append(m.views, SavedView{Name: name, Expr: vc.Filter, Filter: f, Sort: m.sortKey, Desc: m.desc})
	m.naming = false
	m.nameInput.Blur()
	m.input.SetValue("")
	m.query = ""
	m.header = m.renderHeader()
	cmds := []tea.Cmd{m.selectView(len(m.views) - 1), func() tea.Msg { return common.ViewSavedMsg{View: vc} }}
	if m.full {
		cmds = append(cmds, m.Reload()) // counts for the new tab
	}
	return tea.Batch(cmds...)
}

func (m *Model) assign() tea.Cmd { return m.bulk(common.DialogAssign) }

// bulk opens an action dialog for the marked cases (or the one under the cursor).
func (m *Model) bulk(kind common.DialogKind) tea.Cmd {
	ids := m.MarkedIDs()
	if len(ids) == 0 {
		if id := m.CurrentID(); id != "" {
			ids = []string{id}
		}
	}
	if len(ids) == 0 {
		return common.Toast(common.ToastWarn, i18n.T("assign.none"))
	}
	return func() tea.Msg { return common.OpenDialogMsg{Kind: kind, CaseIDs: ids} }
}

func (m *Model) move(d int) {
	m.cursor += d
	m.clamp()
}

func (m *Model) clamp() {
	if m.cursor >= len(m.rows) {
		m.cursor = len(m.rows) - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	m.scrollTo()
}

// scrollTo keeps the cursor inside the visible window.
func (m *Model) scrollTo() {
	n := max(1, m.lay.listRows)
	if m.cursor < m.offs {
		m.offs = m.cursor
	}
	if m.cursor >= m.offs+n {
		m.offs = m.cursor - n + 1
	}
	if m.offs > max(0, len(m.rows)-n) {
		m.offs = max(0, len(m.rows)-n)
	}
	if m.offs < 0 {
		m.offs = 0
	}
}

// SetSize sets the inbox area.
func (m *Model) SetSize(w, h int) {
	if w == m.width && h == m.height {
		return
	}
	m.width, m.height = w, h
	m.lay = computeLayout(w, h)
	if m.ctx.Accessible() {
		m.lay = accessibleLayout(w, h)
	}
	m.fitInput()
	m.clearCache()
	m.header = m.renderHeader()
	m.scrollTo()
}

func (m *Model) clearCache() {
	if len(m.cache) > 0 {
		m.cache = map[rowKey]string{}
	}
	m.pv = &previewCache{}
}

// CurrentID is the case id under the cursor, or "".
func (m Model) CurrentID() string {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return ""
	}
	return m.rowsAll[m.rows[m.cursor]].ID
}

// Current is the summary under the cursor.
func (m Model) Current() (store.Summary, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return store.Summary{}, false
	}
	return m.rowsAll[m.rows[m.cursor]], true
}

// MarkedIDs lists the marked case ids in list order (then any marked ids not visible, sorted).
func (m Model) MarkedIDs() []string {
	if len(m.marked) == 0 {
		return nil
	}
	out := make([]string, 0, len(m.marked))
	seen := map[string]bool{}
	for _, r := range m.rows {
		if id := m.rowsAll[r].ID; m.marked[id] {
			out = append(out, id)
			seen[id] = true
		}
	}
	var rest []string
	for id := range m.marked {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Rows returns the visible list as summaries (for tests and the dashboard).
func (m Model) Rows() []store.Summary {
	out := make([]store.Summary, len(m.rows))
	for i, r := range m.rows {
		out[i] = m.rowsAll[r]
	}
	return out
}

// Tab is the index of the active saved view.
func (m Model) Tab() int { return m.tab }

// SavedViews returns the tabs.
func (m Model) SavedViews() []SavedView { return m.views }

// Sort returns the active sort key.
func (m Model) Sort() SortKey { return m.sortKey }

// Query is the typed filter.
func (m Model) Query() string { return m.query }

// Cursor is the cursor's row index.
func (m Model) Cursor() int { return m.cursor }

// Loaded reports whether every summary has been read.
func (m Model) Loaded() bool { return m.full }

// Summaries returns every loaded summary in index order (shared; do not modify).
func (m Model) Summaries() []store.Summary { return m.all }
