package tui

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions"
	"github.com/amt-mv/amt/tui/components/caseview"
	"github.com/amt-mv/amt/tui/components/help"
	"github.com/amt-mv/amt/tui/components/inbox"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/tuitest"
)

func TestViewSwitchingAndBack(t *testing.T) {
	m := newRoot(t, newDeps(t, 30), 100, 30)
	m, _ = press(t, m, "5", "j")
	id := m.Inbox().CurrentID()
	tests := []struct {
		keys []string
		want common.ViewID
	}{
		{[]string{"enter"}, common.ViewCase},
		{[]string{"enter", "esc"}, common.ViewInbox},
		{[]string{"enter", "q"}, common.ViewInbox}, // q inside a case goes back (mutt, aerc); it quit the app
		{[]string{"P"}, common.ViewPending},
		{[]string{"O"}, common.ViewDashboard},
		{[]string{"O", "I"}, common.ViewInbox},
		{[]string{"P", "esc"}, common.ViewInbox},
		{[]string{"P", "O", "P"}, common.ViewPending},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.keys, ","), func(t *testing.T) {
			got, msgs := press(t, m, tc.keys...)
			if got.State() != tc.want {
				t.Fatalf("state %v, want %v", got.State(), tc.want)
			}
			if quit(msgs) {
				t.Fatal("quit")
			}
		})
	}
	got, msgs := press(t, m, "enter")
	if !slices.ContainsFunc(msgs, func(x tea.Msg) bool { o, ok := x.(common.OpenCaseMsg); return ok && o.ID == id }) {
		t.Fatalf("OpenCaseMsg{%s} not sent", id)
	}
	if got.View() == "" {
		t.Fatal("empty case view")
	}
}

func TestQuitAndTextInput(t *testing.T) {
	m := newRoot(t, newDeps(t, 10), 80, 24)
	if _, msgs := press(t, m, "q"); !quit(msgs) {
		t.Fatal("q should quit")
	}
	if _, msgs := press(t, m, "ctrl+c"); !quit(msgs) {
		t.Fatal("ctrl+c should quit")
	}
	// In the filter, q, P, ? and : are text.
	f, msgs := press(t, m, "/", "q", "P", "?", ":")
	if quit(msgs) || f.State() != common.ViewInbox || f.Overlay() != "" {
		t.Fatalf("global keys fired inside the filter: state %v overlay %q", f.State(), f.Overlay())
	}
	if q := f.Inbox().Query(); q != "qP?:" {
		t.Fatalf("query %q", q)
	}
	if _, msgs := press(t, f, "ctrl+c"); !quit(msgs) {
		t.Fatal("ctrl+c must quit even while typing")
	}
}

func TestHelpShowsRealBindings(t *testing.T) {
	d := newDeps(t, 10)
	d.Config.Keys = map[string][]string{"case.decide": {"ctrl+d"}, "quit": {"Q"}, "list.filter": {"f"}}
	m := newRoot(t, d, 120, 40)
	if len(m.Toasts()) != 0 {
		t.Fatalf("valid rebinding toasted: %v", m.Toasts())
	}
	m, _ = press(t, m, "?")
	if m.Overlay() != "help" {
		t.Fatal("? did not open help")
	}
	lines := help.New(m.Ctx(), m.Inbox()).Lines()
	for _, want := range []string{"f  filtern", "Q  beenden"} {
		if !slices.Contains(lines, want) {
			t.Fatalf("help lacks %q: %v", want, lines)
		}
	}
	if slices.Contains(lines, "/  filtern") || slices.Contains(lines, "q/Strg+C  beenden") {
		t.Fatal("help shows the old keys")
	}
	caseLines := help.New(m.Ctx(), caseview.New(m.Ctx(), "")).Lines()
	if !slices.Contains(caseLines, "Strg+D  entscheiden") {
		t.Fatalf("case help lacks the rebound decide: %v", caseLines)
	}
	// Four-eyes is for leads only: a clerk's help does not offer it.
	if slices.ContainsFunc(caseLines, func(s string) bool { return strings.Contains(s, "freigeben") }) {
		t.Fatal("four-eyes key shown to a clerk")
	}
	v := m.View()
	if !strings.Contains(v, "Tastenkürzel") || !strings.Contains(v, "1…9") || !strings.Contains(v, "Q       beenden") {
		t.Fatalf("help overlay not rendered:\n%s", v)
	}
	// Esc closes it; the rebinding works: q no longer quits, Q does, f filters.
	m, _ = press(t, m, "esc")
	if m.Overlay() != "" {
		t.Fatal("esc did not close help")
	}
	if _, msgs := press(t, m, "q"); quit(msgs) {
		t.Fatal("q still quits after rebinding")
	}
	if _, msgs := press(t, m, "Q"); !quit(msgs) {
		t.Fatal("Q does not quit")
	}
	if f, _ := press(t, m, "f"); !f.Inbox().CapturingInput() {
		t.Fatal("f does not filter")
	}
}

func TestBadKeyConfigToasts(t *testing.T) {
	d := newDeps(t, 5)
	d.Config.Keys = map[string][]string{"frobnicate": {"x"}, "list.sort": {"j"}}
	m := newRoot(t, d, 80, 24)
	ts := strings.Join(m.Toasts(), " ")
	if !strings.Contains(ts, "frobnicate") || !strings.Contains(ts, "doppelt") {
		t.Fatalf("toasts %q", ts)
	}
}

func TestPalette(t *testing.T) {
	var offline []bool
	d := newDeps(t, 30)
	d.Demo = &DemoControls{SetOffline: func(b bool) { offline = append(offline, b) }}
	m := newRoot(t, d, 100, 30)

	m, _ = press(t, m, ":")
	if m.Overlay() != "palette" {
		t.Fatal(": did not open the palette")
	}
	if n := len(m.palette.Matches()); n < 20 {
		t.Fatalf("only %d commands", n)
	}
	tests := []struct {
		typed string
		first string // expected best match id
	}{
		{"offline", "offline"},
		{"onl", "online"},
		{"sync", "sync"},
		{"erledigt", "view done"},
		{"sortakt", "sort reference"},
		{"kontrast", "theme high-contrast"},
		{"rot-grün", "theme red-green"},
		{"blau-gelb", "theme blue-yellow"},
		{"english", "lang en"},
		{"ausst", "pending"},
	}
	for _, tc := range tests {
		p := typeText(t, m, tc.typed)
		got := p.palette.Matches()
		if len(got) == 0 || got[0].ID != tc.first {
			ids := []string{}
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			t.Fatalf("%q: matches %v, want first %q", tc.typed, ids, tc.first)
		}
	}
	// Running commands (from a closed palette: ":" opens it, the text picks the command).
	m, _ = press(t, m, "esc")
	run := func(typed string) Model {
		t.Helper()
		r, _ := press(t, m, ":")
		r = typeText(t, r, typed)
		r, _ = press(t, r, "enter")
		if r.Overlay() != "" {
			t.Fatalf("%q: palette still open", typed)
		}
		return r
	}
	r := run("offline")
	if !slices.Equal(offline, []bool{true}) || !slices.Contains(r.Toasts(), "Demo: Verbindung getrennt") {
		t.Fatalf("offline: calls %v toasts %v", offline, r.Toasts())
	}
	run("online")
	if !slices.Equal(offline, []bool{true, false}) {
		t.Fatalf("online: calls %v", offline)
	}
	if r := run("erledigt"); r.Inbox().Tab() != 5 {
		t.Fatalf("view done: tab %d", r.Inbox().Tab())
	}
	if r := run("sortakt"); r.Inbox().Sort() != inbox.SortReference {
		t.Fatal("sort by reference not applied")
	}
	if r := run("ausst"); r.State() != common.ViewPending {
		t.Fatal("pending not shown")
	}
	if r := run("kontrast"); r.Ctx().Theme.Name != "high-contrast" {
		t.Fatal("theme not switched")
	}
	if r := run("sync"); !slices.Contains(r.Toasts(), "Keine Verbindung zum Server konfiguriert") {
		t.Fatalf("sync without syncer: %v", r.Toasts())
	}
	r = run("english")
	if !strings.Contains(r.View(), "Inbox") && !strings.Contains(r.View(), "All") {
		t.Fatalf("language not switched:\n%s", r.View())
	}
	if !slices.Contains(help.New(r.Ctx(), r.Inbox()).Lines(), "/  filter") {
		t.Fatal("help not relabelled in English")
	}
	i18n.SetLang(i18n.DE)
	// Esc closes without running.
	c, _ := press(t, m, ":", "esc")
	if c.Overlay() != "" {
		t.Fatal("esc did not close the palette")
	}
	// Without --demo there are no offline/online commands.
	plain := newRoot(t, newDeps(t, 3), 80, 24)
	plain, _ = press(t, plain, ":")
	for _, c := range plain.palette.Matches() {
		if c.ID == "offline" || c.ID == "online" {
			t.Fatal("demo command outside demo mode")
		}
	}
}

func TestSyncStatusAndToasts(t *testing.T) {
	m := newRoot(t, newDeps(t, 10), 100, 30)
	now := tuitest.Now
	steps := []struct {
		ev        common.SyncStatus
		bar       []string
		toastPart string
	}{
		{common.SyncStatus{Online: true, LastSync: now.Add(-5 * time.Minute)}, []string{"online", "Sync vor 5 Min."}, ""},
		{common.SyncStatus{Online: false, ErrKind: "offline", LastSync: now.Add(-5 * time.Minute), Pending: 2},
			[]string{"OFFLINE", "⟳ 2 ausstehend"}, "Keine Verbindung"},
		{common.SyncStatus{Online: true, Syncing: true, LastSync: now.Add(-5 * time.Minute), Pending: 2},
			[]string{"synchronisiere"}, "Wieder online"},
		{common.SyncStatus{Online: true, LastSync: now, Pending: 0, Conflicts: 1},
			[]string{"⚠ 1 Konflikt"}, "Konflikt"},
		{common.SyncStatus{Online: true, LastSync: now, Pending: 0, Conflicts: 1, Rejected: 2, ErrKind: "unauthorized"},
			[]string{"✗ 2 abgelehnt", "neu anmelden"}, "abgelehnt"},
		// A certificate that is not accepted says so, not "Keine Verbindung" (issue #16 item 8).
		{common.SyncStatus{Online: false, ErrKind: "tls", LastSync: now, Pending: 1},
			[]string{"OFFLINE", "Zertifikat des Servers nicht anerkannt"}, "Zertifikat des Servers wird nicht anerkannt"},
	}
	for i, s := range steps {
		before := len(m.Toasts())
		m, _ = send(t, m, common.SyncEventMsg(s.ev))
		bar := m.status.View()
		for _, want := range s.bar {
			if !strings.Contains(bar, want) {
				t.Fatalf("step %d: status bar %q lacks %q", i, bar, want)
			}
		}
		if s.toastPart != "" && !strings.Contains(strings.Join(m.Toasts(), "|"), s.toastPart) {
			t.Fatalf("step %d: toasts %v lack %q", i, m.Toasts(), s.toastPart)
		}
		_ = before
	}
	// All delivered: "Alle Aktionen übertragen".
	m, _ = send(t, m, common.SyncEventMsg{Online: true, Pending: 3, LastSync: now})
	m, _ = send(t, m, common.SyncEventMsg{Online: true, Pending: 0, LastSync: now})
	if !slices.Contains(m.Toasts(), "Alle Aktionen übertragen") {
		t.Fatalf("toasts %v", m.Toasts())
	}
	if !strings.Contains(m.View(), "Petra Schulz · Amt Crivitz") {
		t.Fatal("clerk and Amt missing from the status bar")
	}
}

func TestOfflineCountsFromOutbox(t *testing.T) {
	d := newDeps(t, 10)
	enqueue(t, d.Store, "case-000001", api.ActionNote, api.NoteRequest{Text: "Rückruf"})
	m := newRoot(t, d, 100, 30)
	if m.Ctx().Status.Pending != 1 || !strings.Contains(m.View(), "1 ausstehend") {
		t.Fatalf("pending %d", m.Ctx().Status.Pending)
	}
	enqueue(t, d.Store, "case-000002", api.ActionNote, api.NoteRequest{Text: "Noch eine"})
	m, _ = send(t, m, common.StoreChangedMsg{})
	if m.Ctx().Status.Pending != 2 {
		t.Fatalf("pending %d after store change", m.Ctx().Status.Pending)
	}
}

func TestEnqueueToastsAndBulkAssignDialog(t *testing.T) {
	d := newDeps(t, 20)
	m := newRoot(t, d, 120, 40)
	m, _ = press(t, m, "5", " ", " ")
	ids := m.Inbox().MarkedIDs()
	m, msgs := press(t, m, "a")
	if m.Overlay() != "dialog" {
		t.Fatalf("no dialog; msgs %v", msgs)
	}
	if !slices.ContainsFunc(msgs, func(x tea.Msg) bool {
		o, ok := x.(common.OpenDialogMsg)
		return ok && o.Kind == common.DialogAssign && slices.Equal(o.CaseIDs, ids)
	}) {
		t.Fatal("no bulk OpenDialogMsg")
	}
	// While the dialog is open, global keys go to it (q must not quit).
	m2, msgs := press(t, m, "q")
	if quit(msgs) || m2.Overlay() != "dialog" {
		t.Fatal("q escaped the dialog")
	}
	// The dialog closes on its ClosedMsg.
	m2, _ = send(t, m, actions.ClosedMsg{Kind: common.DialogAssign, CaseIDs: ids})
	if m2.Overlay() != "" {
		t.Fatal("dialog not closed")
	}
	// Enqueue through the shared helper: toast depends on the connection.
	a, _ := common.NewAction(api.ActionNote, ids[0], 1, "", api.NoteRequest{Text: "Hallo"})
	m3, _ := drain(t, m2, common.Enqueue(m2.Ctx(), a))
	if !slices.Contains(m3.Toasts(), "Vorgemerkt – wird gesendet, sobald wieder online · z rückgängig") {
		t.Fatalf("toasts %v", m3.Toasts())
	}
	out, _ := d.Store.Outbox()
	if len(out) != 1 || out[0].CaseID != ids[0] || out[0].Kind != api.ActionNote {
		t.Fatalf("outbox %+v", out)
	}
	m4, _ := send(t, m2, common.ActionQueuedMsg{Err: errors.New("disk full")})
	if !strings.Contains(strings.Join(m4.Toasts(), ""), "Nicht gespeichert: disk full") {
		t.Fatalf("error toast %v", m4.Toasts())
	}
}

func TestStoreSubscriptionReloadsInbox(t *testing.T) {
	d := newDeps(t, 10)
	m := New(d)
	defer m.Close()
	m, _ = m.update(tea.WindowSizeMsg{Width: 100, Height: 30})
	listen := m.listenStore()
	a := enqueue(t, d.Store, "case-000004", api.ActionAssignment, api.AssignmentRequest{Assignee: "crivitz.mueller"})
	if msg := listen(); msg != (common.StoreChangedMsg{}) {
		t.Fatalf("listener returned %T", msg)
	}
	_ = a
}

func TestHostileDataRootView(t *testing.T) {
	d := newDeps(t, 5, tuitest.Hostile()...)
	d.Me.Name = "Petra\x1b]52;c;AAAA\x07 Schulz"
	d.Me.AmtName = "Amt \u202eztivirC"
	for _, sz := range [][2]int{{80, 24}, {140, 40}} {
		m := newRoot(t, d, sz[0], sz[1])
		m, _ = send(t, m, common.ToastMsg{Text: "Fehler \x1b[2J\u009b31m\u202e", Kind: common.ToastError})
		m, _ = press(t, m, "1")
		for i := 0; i < 4; i++ {
			assertClean(t, m.View())
			m, _ = press(t, m, "j")
		}
		h, _ := press(t, m, "?")
		assertClean(t, h.View())
		p, _ := press(t, m, ":")
		assertClean(t, p.View())
	}
}

func assertClean(t *testing.T, s string) {
	t.Helper()
	for _, r := range s {
		switch {
		case r == 0x1b:
			t.Fatalf("ESC in output: %q", s)
		case r < 0x20 && r != '\n':
			t.Fatalf("C0 control %U in output", r)
		case r >= 0x80 && r <= 0x9f:
			t.Fatalf("C1 control %U in output", r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			t.Fatalf("bidi control %U in output", r)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	p := t.TempDir() + "/config.yaml"
	if c, err := LoadConfig(p); err != nil || c.Theme != "" {
		t.Fatalf("missing file: %+v %v", c, err)
	}
	y := "theme: high-contrast\nlang: en\nmouse: true\nkeys:\n  case.decide: [ctrl+d]\nviews:\n  - name: Gewerbe\n    filter: service:gewerbe status:open\n    sort: -submitted\n"
	if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(p)
	if err != nil || c.Theme != "high-contrast" || c.Lang != "en" || !c.Mouse || c.Keys["case.decide"][0] != "ctrl+d" ||
		len(c.Views) != 1 || c.Views[0].Sort != "-submitted" {
		t.Fatalf("%+v %v", c, err)
	}
}

// TestCommentFlowThroughRoot drives the real views: open a case from the inbox, press c, type a
// note, save; the note is in the outbox, the toast says it is queued, the inbox row shows ⟳.
func TestCommentFlowThroughRoot(t *testing.T) {
	d := newDeps(t, 12)
	m := newRoot(t, d, 120, 40)
	m, _ = press(t, m, "5")
	id := m.Inbox().CurrentID()
	m, _ = press(t, m, "enter")
	if m.State() != common.ViewCase {
		t.Fatal("case view not open")
	}
	c, _ := d.Store.Case(id)
	if !strings.Contains(m.View(), c.Reference) {
		t.Fatalf("case view lacks %s:\n%s", c.Reference, m.View())
	}
	m, _ = press(t, m, "c")
	if m.Overlay() != "dialog" {
		t.Fatalf("c did not open the comment dialog:\n%s", m.View())
	}
	m = typeText(t, m, "Rückruf am Montag")
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyCtrlS})
	if m.Overlay() != "" {
		t.Fatalf("dialog still open:\n%s", m.View())
	}
	out, err := d.Store.Outbox()
	if err != nil || len(out) != 1 || out[0].CaseID != id || out[0].Kind != api.ActionNote ||
		!strings.Contains(string(out[0].Body), "Rückruf am Montag") {
		t.Fatalf("outbox %+v %v", out, err)
	}
	if !slices.Contains(m.Toasts(), "Vorgemerkt – wird gesendet, sobald wieder online · z rückgängig") {
		t.Fatalf("toasts %v", m.Toasts())
	}
	if m.Ctx().Status.Pending != 1 {
		t.Fatalf("status pending %d", m.Ctx().Status.Pending)
	}
	m, _ = send(t, m, common.StoreChangedMsg{})
	m, _ = press(t, m, "esc")
	if m.State() != common.ViewInbox || !strings.Contains(m.View(), "› "+common.MarkPending) {
		t.Fatalf("inbox row lacks the pending mark:\n%s", m.View())
	}
}

// loadCounter is the real store counting the reads that mark a view's (re)load: CaseActions
// (the case view) and ScanSummaries/AllSummaries (the inbox).
type loadCounter struct {
	*store.Store
	caseLoads, inboxLoads int
}

func (s *loadCounter) CaseActions(id string) ([]store.Action, error) {
	s.caseLoads++
	return s.Store.CaseActions(id)
}

func (s *loadCounter) ScanSummaries(part store.Scan, fn func(store.Summary) bool) error {
	s.inboxLoads++
	return s.Store.ScanSummaries(part, fn)
}

func (s *loadCounter) AllSummaries() ([]store.Summary, error) {
	s.inboxLoads++
	return s.Store.AllSummaries()
}

// Queuing an action reloads what the clerk sees once: the store's change notification does it,
// not also the ActionQueuedMsg before it.
func TestEnqueueReloadsOnce(t *testing.T) {
	d := newDeps(t, 12)
	m := newRoot(t, d, 120, 40)
	cnt := &loadCounter{Store: d.Store}
	m.ctx.Store = cnt
	m, _ = press(t, m, "5", "enter")
	if m.State() != common.ViewCase {
		t.Fatal("case view not open")
	}
	m, _ = press(t, m, "c")
	m = typeText(t, m, "einmal laden")
	caseBefore, inboxBefore := cnt.caseLoads, cnt.inboxLoads
	m, msgs := send(t, m, tea.KeyMsg{Type: tea.KeyCtrlS})
	queued := slices.ContainsFunc(msgs, func(msg tea.Msg) bool { _, ok := msg.(common.ActionQueuedMsg); return ok })
	changed := slices.ContainsFunc(msgs, func(msg tea.Msg) bool { _, ok := msg.(common.StoreChangedMsg); return ok })
	if !queued || !changed || m.Overlay() != "" {
		t.Fatalf("submit: queued %v, store changed %v, overlay %q", queued, changed, m.Overlay())
	}
	if n := cnt.caseLoads - caseBefore; n != 1 {
		t.Errorf("case view loaded %d times after queuing a note, want 1", n)
	}
	if n := cnt.inboxLoads - inboxBefore; n > 1 {
		t.Errorf("inbox loaded %d times after queuing a note, want at most 1", n)
	}
}

// The app warns at start when the clerk's token runs out within client.TokenWarnBefore (issue
// #16 item 10), and not earlier.
func TestTokenExpiryNotice(t *testing.T) {
	for _, tt := range []struct {
		in   time.Duration
		warn bool
	}{{10 * 24 * time.Hour, true}, {30 * 24 * time.Hour, false}} {
		d := newDeps(t, 5)
		exp := tuitest.Now.Add(tt.in)
		d.Me.TokenExpires = &exp
		m := newRoot(t, d, 100, 30)
		got := strings.Contains(strings.Join(m.Toasts(), "|"), "Zugangsschlüssel läuft am "+exp.In(time.Local).Format("02.01.2006")+" ab")
		if got != tt.warn {
			t.Errorf("expiry in %v: toasts %v, want warning %v", tt.in, m.Toasts(), tt.warn)
		}
	}
}
