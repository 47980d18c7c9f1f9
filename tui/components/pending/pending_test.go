package pending

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
	"github.com/amt-mv/amt/tui/tuitest"
)

func TestMain(m *testing.M) {
	testkit.Init()
	os.Exit(m.Run())
}

type fixture struct {
	st                         *store.Store
	ctx                        *common.Ctx
	conflict, rejected, queued store.Action
	assignConflict             store.Action
}

func enqueue(t *testing.T, st *store.Store, kind api.ActionKind, caseID string, base int64, body any) store.Action {
	t.Helper()
	a, err := common.NewAction(kind, caseID, base, "", body)
	if err != nil {
		t.Fatal(err)
	}
	a.Actor = testkit.Me.Clerk
	got, err := st.Enqueue(a)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// setup: c1 has a conflicting decision (a colleague decided first), c2 a rejected Wiedervorlage,
// c3 a waiting note, c4 a conflicting assignment.
func setup(t *testing.T, w, h int, hostile bool) *fixture {
	t.Helper()
	st := testkit.Store(t)
	c1, c2, c3, c4 := testkit.Case("c1"), testkit.Case("c2"), testkit.Case("c3"), testkit.Case("c4")
	c2.Reference, c3.Reference, c4.Reference = "GEW-2026-000124", "GEW-2026-000125", "GEW-2026-000126"
	c2.Service.Name, c3.Service.Name = "Hundesteuer-Anmeldung", "Anwohnerparkausweis"
	testkit.Put(t, st, c1, c2, c3, c4)
	f := &fixture{st: st, ctx: testkit.Ctx(st, w, h)}
	fee := int64(2600)
	reason := "Die Voraussetzungen liegen nicht vor."
	if hostile {
		reason += testkit.OSC52 + testkit.Bidi
	}
	f.conflict = enqueue(t, st, api.ActionDecision, "c1", 7, api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: reason, FeeCents: &fee})
	f.rejected = enqueue(t, st, api.ActionResubmission, "c2", 7, api.ResubmissionRequest{Date: "2026-12-08", Reason: "Rückruf"})
	f.queued = enqueue(t, st, api.ActionNote, "c3", 7, api.NoteRequest{Text: "Telefonat vermerkt"})
	f.assignConflict = enqueue(t, st, api.ActionAssignment, "c4", 7, api.AssignmentRequest{Assignee: "crivitz.meyer"})

	server := testkit.Case("c1")
	server.Version = 9
	server.Status = api.StatusDecided
	server.UpdatedAt = testkit.Now.Add(-2 * time.Hour)
	server.Decision = &api.Decision{ID: "dec-9", Outcome: api.OutcomeApproved, Reasoning: "Bewilligt nach Rücksprache.",
		State: api.DecisionFinal, Actor: "crivitz.meyer", CreatedAt: server.UpdatedAt}
	server.Notes = append(server.Notes, api.Note{ID: "n-2", Text: "Entschieden, Bescheid geht raus.", Actor: "crivitz.meyer", CreatedAt: server.UpdatedAt})
	reject := "Das Datum liegt nach der Frist (422)."
	if hostile {
		server.Notes[1].Text += testkit.CSI + testkit.C1
		server.Reference += testkit.CSI
		reject += testkit.OSC52
	}
	if err := st.MarkConflict(f.conflict.ID, server); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkRejected(f.rejected.ID, reject); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkRetry(f.queued.ID, 2, testkit.Now.Add(90*time.Second), "Zeitüberschreitung"); err != nil {
		t.Fatal(err)
	}
	s4 := testkit.Case("c4")
	s4.Reference, s4.Version, s4.Assignee = "GEW-2026-000126", 8, "crivitz.krause"
	if err := st.MarkConflict(f.assignConflict.ID, s4); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) model(t *testing.T) Model {
	m := New(f.ctx)
	m, _ = m.Update(m.Init()())
	return m
}

var press = tuitest.Key

// run executes a command and feeds the result back (and the reload after it).
func run(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0 && n < 20; n++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case nil, common.ToastMsg:
		default:
			var next tea.Cmd
			m, next = m.Update(msg)
			queue = append(queue, next)
		}
	}
	return m
}

func (f *fixture) find(t *testing.T, id string) (store.Action, bool) {
	t.Helper()
	out, err := f.st.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out {
		if a.ID == id {
			return a, true
		}
	}
	return store.Action{}, false
}

func TestListShowsStates(t *testing.T) {
	f := setup(t, 120, 30, false)
	m := f.model(t)
	v := m.View()
	for _, want := range []string{"⚠ Konflikt", "✗ abgelehnt", "⟳ wartet", "GEW-2026-000124", "Hundesteuer", "4 Aktionen · 2 Konflikte · 1 abgelehnt",
		"Änderung des Kollegen", "Ihre Absicht", "Abgelehnt", "Bewilligt", "Bernd Meyer", "26,00 €", "Version 7"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q in\n%s", want, v)
		}
	}
	m, _ = m.Update(press("down"))
	if v := m.View(); !strings.Contains(v, "Das Datum liegt nach der Frist (422).") {
		t.Errorf("rejection reason missing:\n%s", v)
	}
	m, _ = m.Update(press("down"))
	if v := m.View(); !strings.Contains(v, "Zeitüberschreitung") || !strings.Contains(v, "24.11.2026 10:01") {
		t.Errorf("retry info missing:\n%s", v)
	}
}

// TestReapplyNotOfferedOnDecidedCase (issue 15 item 4): a colleague decided the case first, so the
// clerk's decision can never be applied: »r« is not offered, pressing it says why and what to do
// instead (at 80×24), nothing is requeued, and no "Wird erneut gesendet" appears.
func TestReapplyNotOfferedOnDecidedCase(t *testing.T) {
	f := setup(t, 80, 24, false)
	m := f.model(t)
	if a, _ := m.Selected(); a.ID != f.conflict.ID {
		t.Fatalf("selected %s", a.Kind)
	}
	if v := m.View(); strings.Contains(v, "r erneut anwenden") || !strings.Contains(v, "N als Notiz") {
		t.Fatalf("footer on a decided conflict:\n%s", v)
	}
	m, cmd := m.Update(press("r"))
	m = run(t, m, cmd)
	if m.CapturingInput() {
		t.Fatal("asked to confirm a resend that cannot work")
	}
	v := m.View()
	if !strings.Contains(v, "jetzt „Entschieden“") || strings.Contains(v, "Wird erneut gesendet") {
		t.Fatalf("no reason given:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if common.Width(l) > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
	}
	if a, _ := f.find(t, f.conflict.ID); a.State != store.StateConflict {
		t.Fatalf("requeued: %+v", a)
	}
}

// reviewConflict turns the fixture's decision conflict into one a resend can settle: the
// colleague only added a note, the case is still in review.
func reviewConflict(t *testing.T, f *fixture) {
	t.Helper()
	server := testkit.Case("c1")
	server.Version = 9
	server.Notes = append(server.Notes, api.Note{ID: "n-2", Text: "Unterlagen vollständig.", Actor: "crivitz.meyer", CreatedAt: testkit.Now})
	if err := f.st.MarkConflict(f.conflict.ID, server); err != nil {
		t.Fatal(err)
	}
}

func TestReapplyDecisionNeedsConfirmation(t *testing.T) {
	f := setup(t, 100, 30, false)
	reviewConflict(t, f)
	m := f.model(t)
	if v := m.View(); !strings.Contains(v, "r erneut anwenden") {
		t.Fatalf("re-apply not offered on a case still in review:\n%s", v)
	}
	m, cmd := m.Update(press("r"))
	if cmd != nil && !m.CapturingInput() {
		t.Fatal("re-applying a decision did not ask")
	}
	m, _ = m.Update(press("enter")) // without "j": nothing
	if a, _ := f.find(t, f.conflict.ID); a.State != store.StateConflict {
		t.Fatal("re-applied without confirmation")
	}
	m, _ = m.Update(press("j"))
	m, cmd = m.Update(press("enter"))
	m = run(t, m, cmd)
	a, ok := f.find(t, f.conflict.ID)
	if !ok || a.State != store.StatePending || a.BaseVersion != 9 {
		t.Fatalf("after re-apply: %+v", a)
	}
	if m.CapturingInput() {
		t.Error("still capturing")
	}
}

func TestReapplyAssignmentDirect(t *testing.T) {
	f := setup(t, 100, 30, false)
	m := f.model(t)
	for i := 0; i < 3; i++ {
		m, _ = m.Update(press("down"))
	}
	if a, _ := m.Selected(); a.ID != f.assignConflict.ID {
		t.Fatalf("selected %s", a.Kind)
	}
	m, cmd := m.Update(press("r"))
	run(t, m, cmd)
	a, _ := f.find(t, f.assignConflict.ID)
	if a.State != store.StatePending || a.BaseVersion != 8 {
		t.Fatalf("after re-apply: %+v", a)
	}
}

func TestKeepAsNote(t *testing.T) {
	tests := []struct {
		name  string
		downs int
		id    func(*fixture) string
		want  []string
	}{
		{"conflicting decision", 0, func(f *fixture) string { return f.conflict.ID },
			[]string{"Entscheidung „abgelehnt“", "Gebühr 26,00 €", "Begründung: Die Voraussetzungen liegen nicht vor."}},
		{"rejected resubmission", 1, func(f *fixture) string { return f.rejected.ID },
			[]string{"Wiedervorlage am 08.12.2026", "Grund: Rückruf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, 100, 30, false)
			m := f.model(t)
			for i := 0; i < tt.downs; i++ {
				m, _ = m.Update(press("down"))
			}
			m, cmd := m.Update(press("N"))
			m = run(t, m, cmd)
			id := tt.id(f)
			if _, ok := f.find(t, id); ok {
				t.Fatal("original action still queued")
			}
			out, _ := f.st.Outbox()
			var note *store.Action
			for i := range out {
				if out[i].Kind == api.ActionNote && out[i].ID != f.queued.ID {
					note = &out[i]
				}
			}
			if note == nil {
				t.Fatal("no note queued")
			}
			var r api.NoteRequest
			if err := json.Unmarshal(note.Body, &r); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("note %q lacks %q", r.Text, w)
				}
			}
			if !strings.Contains(m.View(), "Als Notiz behalten") {
				t.Errorf("no notice:\n%s", m.View())
			}
		})
	}
}

func TestDiscardNeedsConfirmation(t *testing.T) {
	f := setup(t, 100, 30, false)
	m := f.model(t)
	m, _ = m.Update(press("X"))
	if !m.CapturingInput() {
		t.Fatal("discard did not ask")
	}
	m, _ = m.Update(press("esc"))
	if _, ok := f.find(t, f.conflict.ID); !ok || m.CapturingInput() {
		t.Fatal("esc did not cancel")
	}
	m, _ = m.Update(press("X"))
	m, _ = m.Update(press("j"))
	m, cmd := m.Update(press("enter"))
	m = run(t, m, cmd)
	if _, ok := f.find(t, f.conflict.ID); ok {
		t.Fatal("not discarded")
	}
	if len(m.rows) != 3 {
		t.Errorf("rows = %d after reload", len(m.rows))
	}
}

func TestWaitingAndRejectedAreProtected(t *testing.T) {
	f := setup(t, 100, 30, false)
	m := f.model(t)
	m, _ = m.Update(press("down")) // rejected
	m, cmd := m.Update(press("r"))
	if cmd != nil || !strings.Contains(m.View(), "nur bei Konflikten") {
		t.Errorf("re-apply on rejected:\n%s", m.View())
	}
	m, _ = m.Update(press("down")) // waiting
	for _, k := range []string{"r", "N"} {
		m, cmd = m.Update(press(k))
		if cmd != nil || m.CapturingInput() {
			t.Errorf("%s acted on a waiting action", k)
		}
	}
	if a, ok := f.find(t, f.queued.ID); !ok || a.State != store.StatePending {
		t.Error("waiting action changed")
	}
}

// Issue 15 item 3: X on a waiting action that has not left the machine takes it back (after
// confirmation); one the syncer has begun sending is refused with the reason.
func TestTakeBackWaiting(t *testing.T) {
	f := setup(t, 80, 24, false)
	m := f.model(t)
	m, _ = m.Update(press("down"))
	m, _ = m.Update(press("down")) // waiting note
	if a, ok := m.Selected(); !ok || a.ID != f.queued.ID {
		t.Fatalf("selected %+v", a)
	}
	m, _ = m.Update(press("X"))
	if !m.CapturingInput() {
		t.Fatalf("X on a waiting action did not ask:\n%s", m.View())
	}
	m, _ = m.Update(press("j"))
	m, cmd := m.Update(press("enter"))
	m = run(t, m, cmd)
	if _, ok := f.find(t, f.queued.ID); ok {
		t.Fatal("the waiting note was not taken back")
	}
	if !strings.Contains(m.View(), "Zurückgenommen") {
		t.Errorf("no notice:\n%s", m.View())
	}

	g := setup(t, 80, 24, false)
	if _, err := g.st.BeginSend(g.queued.ID); err != nil {
		t.Fatal(err)
	}
	m = g.model(t)
	m, _ = m.Update(press("down"))
	m, _ = m.Update(press("down"))
	m, cmd = m.Update(press("X"))
	if cmd != nil || m.CapturingInput() || !strings.Contains(m.View(), "Bereits unterwegs") {
		t.Errorf("X on an action in flight:\n%s", m.View())
	}
	if _, ok := g.find(t, g.queued.ID); !ok {
		t.Fatal("an action in flight was taken back")
	}
}

func TestOpenCase(t *testing.T) {
	f := setup(t, 100, 30, false)
	m := f.model(t)
	_, cmd := m.Update(press("enter"))
	if msg, ok := cmd().(common.OpenCaseMsg); !ok || msg.ID != "c1" {
		t.Errorf("enter: %#v", msg)
	}
}

func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {140, 40}} {
		f := setup(t, size[0], size[1], false)
		m := f.model(t)
		v := m.View()
		if n := strings.Count(v, "\n") + 1; n != size[1]-1 {
			t.Errorf("%v: %d lines", size, n)
		}
		for i, l := range strings.Split(v, "\n") {
			if w := common.Width(l); w > size[0] {
				t.Errorf("%v: line %d is %d wide", size, i, w)
			}
		}
		testkit.Golden(t, filepath.Join("testdata", fmt.Sprintf("conflict_%dx%d.golden", size[0], size[1])), v, testkit.UpdateFlag())
	}
	st := testkit.Store(t)
	m := New(testkit.Ctx(st, 80, 24))
	m, _ = m.Update(m.Init()())
	testkit.Golden(t, filepath.Join("testdata", "empty_80x24.golden"), m.View(), testkit.UpdateFlag())
}

func TestHostile(t *testing.T) {
	f := setup(t, 100, 30, true)
	m := f.model(t)
	for i := 0; i < 4; i++ {
		if p := testkit.Dirty(m.View()); p >= 0 {
			t.Errorf("row %d: unsafe output at %d: %q", i, p, m.View())
		}
		m, _ = m.Update(press("down"))
	}
	// Narrow: stacked panes.
	m.SetSize(60, 30)
	if p := testkit.Dirty(m.View()); p >= 0 {
		t.Errorf("narrow: unsafe output at %d", p)
	}
}

// The syncer's machine markers for the last failed attempt reach the clerk in their language.
func TestLastErrorText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"offline", "keine Verbindung zum Server"},
		{"HTTP 503", "Server gestört oder überlastet (HTTP 503)"},
		{"HTTP 429", "Server gestört oder überlastet (HTTP 429)"},
		{"error", "unerwarteter Fehler (Details im Protokoll)"},
		{"Fristablauf\x1b[2J", "Fristablauf"},
	}
	for _, tc := range tests {
		if got := lastErrorText(tc.in); got != tc.want {
			t.Errorf("lastErrorText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestResolveTwiceKeepsIntentOnce: the same resolution applied twice (a double key press, or two
// windows) leaves exactly one note and reports the second as already resolved.
func TestResolveTwiceKeepsIntentOnce(t *testing.T) {
	f := setup(t, 100, 30, false)
	a, ok := f.find(t, f.conflict.ID)
	if !ok {
		t.Fatal("no conflict in the fixture")
	}
	if _, err := syncer.Resolve(f.st, a.ID, opAsNote); err != nil {
		t.Fatal(err)
	}
	if _, err := syncer.Resolve(f.st, a.ID, opAsNote); !errors.Is(err, store.ErrNotSettled) && !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second resolution: %v, want already resolved", err)
	}
	if _, err := syncer.Resolve(f.st, a.ID, opReapply); !errors.Is(err, store.ErrNotSettled) && !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("re-apply after as-note: %v", err)
	}
	out, err := f.st.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, o := range out {
		if o.Kind == api.ActionNote && o.ID != f.queued.ID {
			notes++
		}
	}
	if notes != 1 {
		t.Fatalf("%d notes queued, want 1", notes)
	}
}

// At 80 columns the question read "Entscheidung gegen den neuen Stand erneut senden? »j« + Enter
// bestätigt, Esc br…": it wraps now, and the view keeps its height.
func TestConfirmQuestionWrapsAt80(t *testing.T) {
	f := setup(t, 80, 24, false)
	reviewConflict(t, f) // a decision that can still be re-applied
	m := f.model(t)
	height := len(strings.Split(m.View(), "\n")) // 23: the status bar has the last line
	m, _ = m.Update(press("r"))
	if !m.CapturingInput() {
		t.Fatal("re-applying a decision did not ask")
	}
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) != height || height != 23 {
		t.Fatalf("%d lines, want %d (23)", len(lines), height)
	}
	flat := ""
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d cells wide: %q", w, l)
		}
		flat += " " + l
	}
	if !strings.Contains(strings.Join(strings.Fields(flat), " "), "»j« + Enter bestätigt, Esc bricht ab:") {
		t.Fatalf("the question is cut:\n%s", v)
	}
}

// TestReapplyNoticeClearedWhenSettled (issue 15 item 4): after a resend, the footer's "Wird erneut
// gesendet." goes once the server rejected the action again, so it never contradicts the list.
func TestReapplyNoticeClearedWhenSettled(t *testing.T) {
	f := setup(t, 80, 24, false)
	reviewConflict(t, f)
	m := f.model(t)
	m, _ = m.Update(press("r"))
	m, _ = m.Update(press("j"))
	m, cmd := m.Update(press("enter"))
	m = run(t, m, cmd)
	if !strings.Contains(m.View(), "Wird erneut gesendet.") {
		t.Fatalf("no notice after re-apply:\n%s", m.View())
	}
	if err := f.st.MarkRejected(f.conflict.ID, "Der Vorgang ist bereits entschieden (409)."); err != nil {
		t.Fatal(err)
	}
	m = run(t, m, func() tea.Msg { return common.StoreChangedMsg{} })
	if v := m.View(); strings.Contains(v, "Wird erneut gesendet.") || !strings.Contains(v, "abgelehnt") {
		t.Fatalf("footer contradicts the list:\n%s", v)
	}
}
