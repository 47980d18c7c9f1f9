package inbox

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/tuitest"
)

func TestNavigation(t *testing.T) {
	m := loaded(t, 60, 80, 23)
	m = press(t, m, "5")
	n := len(m.Rows())
	if n == 0 {
		t.Fatal("no rows")
	}
	rows := m.lay.listRows
	tests := []struct {
		keys []string
		want int
	}{
		{[]string{"j"}, 1},
		{[]string{"j", "j", "k"}, 1},
		{[]string{"down", "down", "down"}, 3},
		{[]string{"k"}, 0}, // clamps at the top
		{[]string{"pgdown"}, rows - 1},
		{[]string{"pgdown", "pgup"}, 0},
		{[]string{"G"}, n - 1},
		{[]string{"end", "j"}, n - 1}, // clamps at the bottom
		{[]string{"G", "g"}, 0},
		{[]string{"end", "home"}, 0},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.keys, ","), func(t *testing.T) {
			got := press(t, m, tc.keys...)
			if got.Cursor() != tc.want {
				t.Fatalf("cursor %d, want %d", got.Cursor(), tc.want)
			}
			// The cursor is always inside the visible window.
			if got.cursor < got.offs || got.cursor >= got.offs+got.lay.listRows {
				t.Fatalf("cursor %d outside window [%d,%d)", got.cursor, got.offs, got.offs+got.lay.listRows)
			}
		})
	}
	// Enter opens the case under the cursor.
	m = press(t, m, "j")
	want := m.CurrentID()
	_, fx := send(t, m, keyMsg("enter"))
	if !slices.Equal(fx.opened, []string{want}) {
		t.Fatalf("opened %v, want %s", fx.opened, want)
	}
}

func TestTabs(t *testing.T) {
	m := loaded(t, 80, 80, 23)
	e := newEnv(m.ctx)
	check := map[int]func(s store.Summary) bool{
		0: func(s store.Summary) bool { return s.Assignee == tuitest.Me.Clerk && s.Status.Open() },
		1: func(s store.Summary) bool { return s.Status == api.StatusNew },
		2: func(s store.Summary) bool { return s.Status.Open() && s.DueDate != "" && s.DueDate <= e.week },
		3: func(s store.Summary) bool {
			d := s.ResubmissionOf(tuitest.Me.Clerk)
			return s.Status.Open() && d != "" && d <= e.today
		},
		4: func(s store.Summary) bool { return s.Status.Open() },
		5: func(s store.Summary) bool { return !s.Status.Open() },
	}
	for tab, pred := range check {
		got := press(t, m, string(rune('1'+tab)))
		if got.Tab() != tab {
			t.Fatalf("tab %d, want %d", got.Tab(), tab)
		}
		want := 0
		for _, s := range got.Summaries() {
			if pred(s) {
				want++
			}
		}
		rows := got.Rows()
		if len(rows) != want || want == 0 {
			t.Fatalf("tab %d: %d rows, want %d (>0)", tab, len(rows), want)
		}
		for _, s := range rows {
			if !pred(s) {
				t.Fatalf("tab %d shows %s (%s, %s)", tab, s.ID, s.Status, s.Assignee)
			}
		}
		if got.counts[tab] != want {
			t.Fatalf("tab %d count %d, want %d", tab, got.counts[tab], want)
		}
	}
	// tab / shift+tab cycle and wrap.
	if got := press(t, m, "tab", "tab"); got.Tab() != 2 {
		t.Fatalf("tab tab: %d", got.Tab())
	}
	if got := press(t, m, "shift+tab"); got.Tab() != len(m.SavedViews())-1 {
		t.Fatalf("shift+tab wraps to %d", got.Tab())
	}
}

func TestFilter(t *testing.T) {
	m := loaded(t, 120, 80, 23)
	m = press(t, m, "5", "/")
	if !m.CapturingInput() {
		t.Fatal("filter input not focused")
	}
	m = typeText(t, m, "Bäckerei  CRIVITZ")
	rows := m.Rows()
	if len(rows) == 0 {
		t.Fatal("no match")
	}
	for _, s := range rows {
		if !strings.Contains(s.Search, "bäckerei") || !strings.Contains(s.Search, "crivitz") || !s.Status.Open() {
			t.Fatalf("%s does not match: %q", s.ID, s.Search)
		}
	}
	// Enter keeps the filter and leaves the input; j moves again.
	m = press(t, m, "enter")
	if m.CapturingInput() || m.Query() == "" {
		t.Fatal("enter should blur and keep the filter")
	}
	m = press(t, m, "j")
	if m.Cursor() != 1 {
		t.Fatalf("cursor %d", m.Cursor())
	}
	// Narrowing then widening again (backspace) gives the full result back.
	m = press(t, m, "/")
	m = typeText(t, m, "x")
	if len(m.Rows()) != 0 {
		t.Fatalf("'x' appended should match nothing, got %d", len(m.Rows()))
	}
	if !strings.Contains(m.View(), "Kein Vorgang passt") {
		t.Fatal("no empty-result message")
	}
	m = press(t, m, "backspace")
	if len(m.Rows()) != len(rows) {
		t.Fatalf("after backspace %d rows, want %d", len(m.Rows()), len(rows))
	}
	// Esc clears the filter.
	m = press(t, m, "esc")
	if m.Query() != "" || m.CapturingInput() {
		t.Fatal("esc should clear the filter")
	}
	all := 0
	for _, s := range m.Summaries() {
		if s.Status.Open() {
			all++
		}
	}
	if len(m.Rows()) != all {
		t.Fatalf("%d rows after clearing, want %d", len(m.Rows()), all)
	}
}

func TestFilterStaleGenerationDropped(t *testing.T) {
	m := loaded(t, 120, 80, 23)
	m = press(t, m, "5", "/")
	// Two keystrokes; their filter commands finish in the wrong order.
	m, cmdA := m.Update(keyMsg("G"))
	m, cmdB := m.Update(keyMsg("E"))
	resA, resB := filterResult(t, cmdA), filterResult(t, cmdB)
	if resA.gen >= resB.gen {
		t.Fatalf("generations %d, %d", resA.gen, resB.gen)
	}
	m, _ = m.Update(resB)
	want := m.Rows()
	m, _ = m.Update(resA) // stale: must not replace the newer result
	if got := m.Rows(); !slices.EqualFunc(got, want, func(a, b store.Summary) bool { return a.ID == b.ID }) {
		t.Fatalf("stale result applied: %d rows, want %d", len(got), len(want))
	}
	if m.Query() != "GE" {
		t.Fatalf("query %q", m.Query())
	}
	for _, s := range m.Rows() {
		if !strings.Contains(s.Search, "ge") {
			t.Fatalf("%s does not contain ge", s.ID)
		}
	}
	// A result computed for data that has since been replaced is dropped too.
	m, cmdC := m.Update(keyMsg("W"))
	resC := filterResult(t, cmdC)
	m, _ = send(t, m, common.StoreChangedMsg{}) // reload bumps the data generation and refilters
	before := m.Rows()
	m, _ = m.Update(resC)
	if got := m.Rows(); !slices.EqualFunc(got, before, func(a, b store.Summary) bool { return a.ID == b.ID }) {
		t.Fatal("result for old data applied")
	}
}

// TestFilterNarrowsUpperCase: typing on after an applied query searches only its result, also when
// the clerk types capitals (an Aktenzeichen): the comparison is on the normalised query.
func TestFilterNarrowsUpperCase(t *testing.T) {
	m := loaded(t, 120, 80, 23)
	m = press(t, m, "5", "/")
	m = typeText(t, m, "G")
	m, cmd := m.Update(keyMsg("E"))
	res := filterResult(t, cmd)
	if !res.narrowed {
		t.Fatal(`"GE" after "G" searched everything instead of narrowing`)
	}
	m, _ = m.Update(res)
	m = press(t, m, "backspace", "backspace")
	_, cmd = m.Update(keyMsg("x"))
	if res := filterResult(t, cmd); res.narrowed {
		t.Fatal(`"x" after clearing must search everything`)
	}
}

// filterResult runs the filter command inside a keystroke's batch.
func filterResult(t *testing.T, cmd tea.Cmd) filterMsg {
	t.Helper()
	var found []filterMsg
	var walk func(c tea.Cmd)
	walk = func(c tea.Cmd) {
		if c == nil {
			return
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				walk(c)
			}
		case filterMsg:
			found = append(found, msg)
		}
	}
	walk(cmd)
	if len(found) != 1 {
		t.Fatalf("%d filter results", len(found))
	}
	return found[0]
}

func TestSort(t *testing.T) {
	m := loaded(t, 80, 80, 23)
	m = press(t, m, "5")
	tests := []struct {
		presses int
		key     SortKey
		less    func(a, b store.Summary) bool // must hold (non-strictly) between neighbours
	}{
		{0, SortDue, func(a, b store.Summary) bool {
			return a.DueDate == "" && b.DueDate == "" || b.DueDate == "" || a.DueDate <= b.DueDate && a.DueDate != ""
		}},
		{1, SortSubmitted, func(a, b store.Summary) bool { return !a.SubmittedAt.Before(b.SubmittedAt) }},
		{2, SortReference, func(a, b store.Summary) bool { return a.Reference <= b.Reference }},
		{3, SortStatus, func(a, b store.Summary) bool { return statusRank[a.Status] <= statusRank[b.Status] }},
		{4, SortDue, nil},
	}
	for _, tc := range tests {
		got := m
		var fx *effects
		for i := 0; i < tc.presses; i++ {
			got, fx = send(t, got, keyMsg("s"))
		}
		if got.Sort() != tc.key {
			t.Fatalf("%d presses: sort %v, want %v", tc.presses, got.Sort(), tc.key)
		}
		if tc.presses > 0 && (fx == nil || len(fx.toasts) != 1) {
			t.Fatalf("sorting should toast")
		}
		rows := got.Rows()
		if len(rows) < 10 {
			t.Fatal("too few rows")
		}
		for i := 1; tc.less != nil && i < len(rows); i++ {
			if !tc.less(rows[i-1], rows[i]) {
				t.Fatalf("sort %v: %s before %s", tc.key, rows[i-1].ID, rows[i].ID)
			}
		}
	}
	// The palette's SortMsg does the same.
	if got, _ := send(t, m, SortMsg{Key: SortReference}); got.Sort() != SortReference {
		t.Fatal("SortMsg ignored")
	}
}

func TestMultiSelectBulkAssign(t *testing.T) {
	m := loaded(t, 40, 80, 23)
	m = press(t, m, "5")
	ids := []string{m.Rows()[0].ID, m.Rows()[1].ID, m.Rows()[3].ID}
	m = press(t, m, " ", " ", "j", " ")
	if got := m.MarkedIDs(); !slices.Equal(got, ids) {
		t.Fatalf("marked %v, want %v", got, ids)
	}
	if !strings.Contains(m.View(), "3 markiert") {
		t.Fatal("no selection count shown")
	}
	_, fx := send(t, m, keyMsg("a"))
	if len(fx.dialogs) != 1 || fx.dialogs[0].Kind != common.DialogAssign || !slices.Equal(fx.dialogs[0].CaseIDs, ids) {
		t.Fatalf("dialog %+v", fx.dialogs)
	}
	// Space again unmarks.
	m2 := press(t, m, "g", " ")
	if slices.Contains(m2.MarkedIDs(), ids[0]) {
		t.Fatal("space should unmark")
	}
	// Queued assignments clear the marks of those cases.
	var acts []store.Action
	for _, id := range ids[:2] {
		acts = append(acts, store.Action{CaseID: id, Kind: api.ActionAssignment})
	}
	m3, _ := send(t, m, common.ActionQueuedMsg{Actions: acts})
	if got := m3.MarkedIDs(); !slices.Equal(got, ids[2:]) {
		t.Fatalf("after queue: %v", got)
	}
	// Esc clears the rest.
	if got := press(t, m3, "esc").MarkedIDs(); len(got) != 0 {
		t.Fatalf("esc left %v", got)
	}
	// Without marks, a assigns the case under the cursor.
	_, fx = send(t, press(t, m, "esc"), keyMsg("a"))
	if len(fx.dialogs) != 1 || len(fx.dialogs[0].CaseIDs) != 1 {
		t.Fatalf("single assign %+v", fx.dialogs)
	}
}

func TestStoreChangeReloadsAndKeepsCursor(t *testing.T) {
	st := tuitest.OpenStore(t, tuitest.Cases(30)...)
	m := New(newCtx(st, 140, 39))
	m, _ = drain(t, m, m.Init())
	m = press(t, m, "5", "j", "j", "j")
	cur, _ := m.Current()
	body, _ := common.NewAction(api.ActionAssignment, cur.ID, cur.Version, "", api.AssignmentRequest{Assignee: "crivitz.oezdemir"})
	if _, err := st.Enqueue(body); err != nil {
		t.Fatal(err)
	}
	m, _ = send(t, m, common.StoreChangedMsg{})
	got, ok := m.Current()
	if !ok || got.ID != cur.ID {
		t.Fatalf("cursor moved to %s, want %s", got.ID, cur.ID)
	}
	if got.Pending != 1 || got.Assignee != "crivitz.oezdemir" {
		t.Fatalf("overlay not shown: pending %d assignee %q", got.Pending, got.Assignee)
	}
	v := m.View()
	if !strings.Contains(v, common.MarkPending) || !strings.Contains(v, "Ayşe Özdemir") {
		t.Fatalf("row not re-rendered:\n%s", v)
	}
}

func TestFirstFrameReadsOnlyFirstPage(t *testing.T) {
	st := tuitest.OpenStore(t, tuitest.Cases(FirstPage+50)...)
	m := New(newCtx(st, 80, 23))
	msg := m.Init()()
	first, ok := msg.(firstPageMsg)
	if !ok || len(first.rows) != m.lay.listRows || first.total != FirstPage+50 {
		t.Fatalf("first page: %T %d rows of %d", msg, len(first.rows), first.total)
	}
	m, cmd := m.Update(first)
	// Run only the filter of the first page, not the full load.
	var full tea.Cmd
	for _, c := range cmd().(tea.BatchMsg) {
		if c == nil {
			continue
		}
		switch r := c().(type) {
		case filterMsg:
			m, _ = m.Update(r)
		case loadedMsg:
			full = func() tea.Msg { return r }
		}
	}
	if m.Loaded() || len(m.Rows()) == 0 {
		t.Fatalf("first frame: loaded=%v rows=%d", m.Loaded(), len(m.Rows()))
	}
	if !strings.Contains(m.View(), "Lade Vorgänge") {
		t.Fatal("first frame should say it is still loading")
	}
	m, _ = drain(t, m, full)
	if !m.Loaded() || len(m.Summaries()) != FirstPage+50 {
		t.Fatalf("full load: %d", len(m.Summaries()))
	}
}

func TestUserViews(t *testing.T) {
	st := tuitest.OpenStore(t, tuitest.Cases(60)...)
	c := newCtx(st, 100, 30)
	c.Config.Views = []common.ViewConfig{
		{Name: "Gewerbe\x1b[2J", Filter: "service:gewerbe status:open", Sort: "-reference"},
		{Name: "Kaputt", Filter: "farbe:rot"},
	}
	m := New(c)
	m, _ = drain(t, m, m.Init())
	if n := len(m.SavedViews()); n != 8 {
		t.Fatalf("%d views", n)
	}
	m = press(t, m, "7")
	rows := m.Rows()
	if len(rows) == 0 {
		t.Fatal("user view empty")
	}
	for i, s := range rows {
		if !strings.Contains(strings.ToLower(s.ServiceName), "gewerbe") {
			t.Fatalf("%s in Gewerbe view", s.ServiceName)
		}
		if i > 0 && rows[i-1].Reference < s.Reference {
			t.Fatal("user view sort -reference not applied")
		}
	}
	if v := m.View(); strings.ContainsRune(v, '\x1b') || !strings.Contains(v, "[Gewerbe 7]") {
		t.Fatalf("view name not sanitised:\n%q", v[:200])
	}
	m2, fx := send(t, m, keyMsg("8"))
	if len(m2.Rows()) != 0 || len(fx.toasts) != 1 || !strings.Contains(fx.toasts[0].Text, "farbe:rot") {
		t.Fatalf("bad view: rows %d toasts %+v", len(m2.Rows()), fx.toasts)
	}
}

func TestHostileTextNeverReachesTerminal(t *testing.T) {
	for _, sz := range [][2]int{{80, 23}, {140, 39}, {200, 59}} {
		m := loaded(t, 5, sz[0], sz[1], tuitest.Hostile()...)
		m = press(t, m, "1") // Meine: the hostile cases are assigned to me and due today
		ids := ""
		for _, s := range m.Rows() {
			ids += s.ID + " "
		}
		if !strings.Contains(ids, "hostile-1") || !strings.Contains(ids, "hostile-3") {
			t.Fatalf("hostile cases not listed: %s", ids)
		}
		for i := range m.Rows() {
			m.cursor = i // preview every case
			m.clamp()
			assertClean(t, m.View())
			mm := press(t, m, " ")
			assertClean(t, mm.View())
		}
		// The filter echo is sanitised as well.
		f := press(t, m, "/")
		f = typeText(t, f, "\x1b]52;c;AAAA\x07\u202e")
		assertClean(t, f.View())
	}
}

// assertClean fails if s holds anything that could drive the terminal. With the Ascii profile
// even lipgloss adds no escape codes, so there must be no ESC at all.
func assertClean(t *testing.T, s string) {
	t.Helper()
	for _, r := range s {
		switch {
		case r == 0x1b:
			t.Fatalf("ESC in output: %q", s)
		case r < 0x20 && r != '\n':
			t.Fatalf("C0 control %U in output: %q", r, s)
		case r >= 0x80 && r <= 0x9f:
			t.Fatalf("C1 control %U in output", r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			t.Fatalf("bidi control %U in output", r)
		}
	}
}

func TestNarrowAndTinyScreens(t *testing.T) {
	for _, sz := range [][2]int{{80, 23}, {60, 15}, {40, 10}, {120, 30}, {200, 59}} {
		m := loaded(t, 30, sz[0], sz[1])
		v := m.View()
		lines := strings.Split(v, "\n")
		if len(lines) > sz[1] {
			t.Fatalf("%v: %d lines", sz, len(lines))
		}
		for _, l := range lines {
			if w := common.Width(l); w > sz[0] {
				t.Fatalf("%v: line of %d cells: %q", sz, w, l)
			}
		}
	}
}

func TestUmlautsAlign(t *testing.T) {
	m := loaded(t, 40, 140, 39)
	m = press(t, m, "5")
	lines := strings.Split(m.View(), "\n")
	want := -1
	for _, l := range lines[3:20] {
		// Every row is exactly as wide as the screen, umlauts or not.
		w := common.Width(l)
		if want < 0 {
			want = w
		}
		if w != want {
			t.Fatalf("row width %d, want %d: %q", w, want, l)
		}
	}
}

func TestMouse(t *testing.T) {
	m := loaded(t, 40, 140, 39)
	m = press(t, m, "5")
	wheel := func(m Model, b tea.MouseButton) Model {
		m, _ = send(t, m, tea.MouseMsg{X: 10, Y: 10, Action: tea.MouseActionPress, Button: b})
		return m
	}
	m = wheel(m, tea.MouseButtonWheelDown)
	if m.Cursor() != 3 {
		t.Fatalf("wheel down: %d", m.Cursor())
	}
	if m = wheel(m, tea.MouseButtonWheelUp); m.Cursor() != 0 {
		t.Fatalf("wheel up: %d", m.Cursor())
	}
	click := tea.MouseMsg{X: 20, Y: m.lay.listTop + 5, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft}
	m, fx := send(t, m, click)
	if m.Cursor() != 5 || len(fx.opened) != 0 {
		t.Fatalf("click: cursor %d opened %v", m.Cursor(), fx.opened)
	}
	_, fx = send(t, m, click) // a second click on the cursor row opens it
	if len(fx.opened) != 1 || fx.opened[0] != m.CurrentID() {
		t.Fatalf("second click opened %v", fx.opened)
	}
	// A click on a tab selects it: " Meine 3 │ Neu 5 │ …" — column 12 is inside "Neu".
	if got, _ := send(t, m, tea.MouseMsg{X: 12, Y: 0, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft}); got.Tab() != 1 {
		t.Fatalf("tab click: tab %d\n%s", got.Tab(), strings.Split(got.View(), "\n")[0])
	}
	// Clicks on the preview pane or below the list do nothing.
	if got, _ := send(t, m, tea.MouseMsg{X: 130, Y: 5, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft}); got.Cursor() != 5 {
		t.Fatal("click on preview moved the cursor")
	}
}

func TestWidePreviewShowsForm(t *testing.T) {
	wide := loaded(t, 10, 140, 39)
	wide = press(t, wide, "5", "j")
	cur, _ := wide.Current()
	c, err := wide.ctx.Store.Case(cur.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := c.Sections[0].Fields[0].Value
	if v := wide.View(); !strings.Contains(v, want) || !strings.Contains(v, c.Sections[0].Title) {
		t.Fatalf("wide preview lacks the form (%q):\n%s", want, v)
	}
	// Narrow screens keep to the summary and never read the case.
	narrow := loaded(t, 10, 80, 23)
	_, cmd := narrow.Update(keyMsg("j"))
	if cmd != nil {
		if _, ok := cmd().(detailMsg); ok {
			t.Fatal("narrow inbox read the case")
		}
	}
}
