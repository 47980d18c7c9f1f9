package actions

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
	"github.com/amt-mv/amt/tui/i18n"
)

func TestMain(m *testing.M) {
	testkit.Init()
	os.Exit(m.Run())
}

// harness drives one dialog: it runs the dialog's commands synchronously (all of them are
// store reads/writes or messages; the cursors are static, so no ticks) and feeds results back.
type harness struct {
	t      *testing.T
	st     *store.Store
	ctx    *common.Ctx
	m      Model
	closed *ClosedMsg
}

func newHarness(t *testing.T, mk func(*common.Ctx, ...string) Model, cases []api.Case, ids ...string) *harness {
	t.Helper()
	st := testkit.Store(t)
	testkit.Put(t, st, cases...)
	h := &harness{t: t, st: st, ctx: testkit.Ctx(st, 80, 24)}
	h.m = mk(h.ctx, ids...)
	h.run(h.m.Init())
	return h
}

func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	for i := 0; cmd != nil && i < 20; i++ {
		msg := cmd()
		if msg == nil {
			return
		}
		switch msg := msg.(type) {
		case ClosedMsg:
			h.closed = &msg
			return
		case tea.BatchMsg:
			for _, c := range msg {
				h.run(c)
			}
			return
		}
		h.m, cmd = h.m.Update(msg)
	}
}

func (h *harness) send(msgs ...tea.Msg) {
	h.t.Helper()
	for _, msg := range msgs {
		var cmd tea.Cmd
		h.m, cmd = h.m.Update(msg)
		h.run(cmd)
	}
}

func (h *harness) typ(s string) {
	for _, r := range s {
		if r == '\n' {
			h.send(tea.KeyMsg{Type: tea.KeyEnter})
			continue
		}
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

var (
	keyTab   = tea.KeyMsg{Type: tea.KeyTab}
	keyEnter = tea.KeyMsg{Type: tea.KeyEnter}
	keyEsc   = tea.KeyMsg{Type: tea.KeyEsc}
	keyDown  = tea.KeyMsg{Type: tea.KeyDown}
	keySend  = tea.KeyMsg{Type: tea.KeyCtrlS}
)

func (h *harness) outbox() []store.Action {
	h.t.Helper()
	out, err := h.st.Outbox()
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

func body[T any](t *testing.T, a store.Action) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(a.Body, &v); err != nil {
		t.Fatalf("body %s: %v", a.Body, err)
	}
	return v
}

func TestCommentQueuesNote(t *testing.T) {
	h := newHarness(t, NewComment, []api.Case{testkit.Case("c1")}, "c1")
	h.typ("Antragsteller angerufen.\nUnterlagen kommen per Post.")
	if len(h.outbox()) != 0 {
		t.Fatal("queued before submit")
	}
	h.send(keySend)
	if h.closed == nil || h.closed.Queued != 1 {
		t.Fatalf("closed = %+v, want one queued", h.closed)
	}
	out := h.outbox()
	if len(out) != 1 {
		t.Fatalf("outbox = %d, want 1", len(out))
	}
	a := out[0]
	if a.Kind != api.ActionNote || a.CaseID != "c1" || a.BaseVersion != 7 || a.Actor != testkit.Me.Clerk {
		t.Errorf("action = %+v", a)
	}
	if got := body[api.NoteRequest](t, a); got.Text != "Antragsteller angerufen.\nUnterlagen kommen per Post." {
		t.Errorf("text = %q", got.Text)
	}
}

func TestCommentEmptyIsRefused(t *testing.T) {
	h := newHarness(t, NewComment, []api.Case{testkit.Case("c1")}, "c1")
	h.typ("   ")
	h.send(keySend)
	if h.closed != nil || len(h.outbox()) != 0 {
		t.Fatal("empty comment was queued")
	}
	if !strings.Contains(h.m.View(), "Bitte einen Text eingeben") {
		t.Errorf("no German validation message:\n%s", h.m.View())
	}
}

func TestEscCancels(t *testing.T) {
	tests := []struct {
		name   string
		typed  string
		escs   int
		closed bool
	}{
		{"clean form closes at once", "", 1, true},
		{"typed text needs a second esc", "Entwurf", 1, false},
		{"second esc discards", "Entwurf", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, NewComment, []api.Case{testkit.Case("c1")}, "c1")
			h.typ(tt.typed)
			for i := 0; i < tt.escs; i++ {
				h.send(keyEsc)
			}
			if (h.closed != nil) != tt.closed {
				t.Fatalf("closed = %v, want %v", h.closed, tt.closed)
			}
			if h.closed != nil && h.closed.Queued != 0 {
				t.Errorf("queued %d on cancel", h.closed.Queued)
			}
			if len(h.outbox()) != 0 {
				t.Error("cancel queued an action")
			}
		})
	}
}

func TestAssignBulk(t *testing.T) {
	a, b, c := testkit.Case("c1"), testkit.Case("c2"), testkit.Case("c3")
	b.Reference, b.Version, b.Assignee = "GEW-2026-000124", 3, ""
	c.Reference, c.Version, c.Assignee = "GEW-2026-000125", 9, "crivitz.meyer" // already Bernd's: skipped
	h := newHarness(t, NewAssign, []api.Case{a, b, c}, "c1", "c2", "c3")
	// Options: me, Bernd Meyer, Carla Krause, nobody. Start is the first option that changes c1
	// (assigned to me) only for single cases; for bulk it is "me".
	h.send(keyDown, keyEnter)
	if h.closed == nil || h.closed.Queued != 2 {
		t.Fatalf("closed = %+v, want 2 queued", h.closed)
	}
	got := map[string]int64{}
	for _, x := range h.outbox() {
		if x.Kind != api.ActionAssignment {
			t.Errorf("kind = %s", x.Kind)
		}
		if r := body[api.AssignmentRequest](t, x); r.Assignee != "crivitz.meyer" {
			t.Errorf("assignee = %q", r.Assignee)
		}
		got[x.CaseID] = x.BaseVersion
	}
	if want := map[string]int64{"c1": 7, "c2": 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("base versions = %v, want %v", got, want)
	}
}

func TestAssignSingleDefaultsToChange(t *testing.T) {
	c := testkit.Case("c1")
	c.Assignee = ""
	h := newHarness(t, NewAssign, []api.Case{c}, "c1")
	h.send(keyEnter) // "assign to me"
	out := h.outbox()
	if len(out) != 1 || body[api.AssignmentRequest](t, out[0]).Assignee != testkit.Me.Clerk {
		t.Fatalf("outbox = %+v", out)
	}
}

func TestResubmission(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"+14", "2026-12-08"},
		{"+7", "2026-12-01"},
		{"+1m", "2026-12-24"},
		{"15.01.2027", "2027-01-15"},
		{"2027-02-01", "2027-02-01"},
		{"morgen", "2026-11-25"},
		{"heute", "2026-11-24"},
		{"15.01.27", "2027-01-15"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			h := newHarness(t, NewResubmission, []api.Case{testkit.Case("c1")}, "c1")
			h.typ(tt.in)
			h.send(keyTab)
			h.typ("Rückruf abwarten")
			h.send(keySend)
			out := h.outbox()
			if len(out) != 1 {
				t.Fatalf("outbox = %d\n%s", len(out), h.m.View())
			}
			r := body[api.ResubmissionRequest](t, out[0])
			if out[0].Kind != api.ActionResubmission || r.Date != tt.want || r.Reason != "Rückruf abwarten" || out[0].BaseVersion != 7 {
				t.Errorf("got %+v %+v", out[0], r)
			}
		})
	}
}

func TestResubmissionBadDate(t *testing.T) {
	for in, msg := range map[string]string{
		"":           "Bitte ein Datum eingeben",
		"übermorgen": "Datum nicht erkannt",
		"01.01.2020": "in der Vergangenheit",
		"31.02.2027": "Datum nicht erkannt",
	} {
		h := newHarness(t, NewResubmission, []api.Case{testkit.Case("c1")}, "c1")
		h.typ(in)
		h.send(keySend)
		if len(h.outbox()) != 0 || h.closed != nil {
			t.Errorf("%q: queued", in)
		}
		if v := h.m.View(); !strings.Contains(v, msg) {
			t.Errorf("%q: want %q in\n%s", in, msg, v)
		}
	}
}

func TestDocumentRequest(t *testing.T) {
	h := newHarness(t, NewDocumentRequest, []api.Case{testkit.Case("c1")}, "c1")
	h.typ("Personalausweis (Kopie)\n\n- Mietvertrag\n")
	h.send(keyTab)
	h.typ("15.12.2026")
	h.send(keyTab)
	h.typ("Bitte bis zur Frist nachreichen.")
	h.send(keySend)
	out := h.outbox()
	if len(out) != 1 {
		t.Fatalf("outbox = %d\n%s", len(out), h.m.View())
	}
	r := body[api.DocumentRequestRequest](t, out[0])
	want := api.DocumentRequestRequest{Documents: []string{"Personalausweis (Kopie)", "Mietvertrag"}, Deadline: "2026-12-15",
		Message: "Bitte bis zur Frist nachreichen."}
	if out[0].Kind != api.ActionDocumentRequest || !reflect.DeepEqual(r, want) {
		t.Errorf("got %s %+v", out[0].Kind, r)
	}
}

func decideHarness(t *testing.T) *harness {
	h := newHarness(t, NewDecide, []api.Case{testkit.Case("c1")}, "c1")
	h.send(keyDown, keyDown) // Abgelehnt
	h.send(keyTab)
	h.typ("Die Voraussetzungen nach § 14 GewO liegen nicht vor.")
	h.send(keyTab)
	h.typ("26,00")
	h.send(keyTab)
	h.typ("+1m")
	return h
}

func TestDecideNeedsConfirmation(t *testing.T) {
	h := decideHarness(t)
	h.send(keySend)
	if !h.m.Confirming() {
		t.Fatalf("not confirming:\n%s", h.m.View())
	}
	if len(h.outbox()) != 0 {
		t.Fatal("queued before confirmation")
	}
	// Enter alone, or a navigation key, never sends.
	h.send(keyEnter)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'k'}}, keyEnter)
	if len(h.outbox()) != 0 || h.closed != nil {
		t.Fatal("sent without the confirmation word")
	}
	// Clear the wrong word and type the right one.
	h.send(tea.KeyMsg{Type: tea.KeyBackspace})
	h.typ("j")
	h.send(keyEnter)
	if h.closed == nil || h.closed.Queued != 1 {
		t.Fatalf("closed = %+v\n%s", h.closed, h.m.View())
	}
	out := h.outbox()
	if len(out) != 1 {
		t.Fatalf("outbox = %d", len(out))
	}
	a := out[0]
	fee := int64(2600)
	want := api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "Die Voraussetzungen nach § 14 GewO liegen nicht vor.",
		FeeCents: &fee, ValidUntil: "2026-12-24"}
	if got := body[api.DecisionRequest](t, a); !reflect.DeepEqual(got, want) {
		t.Errorf("body = %+v, want %+v", got, want)
	}
	if a.Kind != api.ActionDecision || a.BaseVersion != 7 || a.CaseID != "c1" || a.SubID != "" {
		t.Errorf("action = %+v", a)
	}
}

func TestDecideEscFromConfirmationGoesBack(t *testing.T) {
	h := decideHarness(t)
	h.send(keySend)
	h.typ("j")
	h.send(keyEsc)
	if h.m.Confirming() || h.closed != nil {
		t.Fatal("esc did not return to the form")
	}
	h.send(keyEsc, keyEsc) // dirty form: twice
	if h.closed == nil || h.closed.Queued != 0 {
		t.Fatalf("closed = %+v", h.closed)
	}
	if len(h.outbox()) != 0 {
		t.Fatal("esc queued a decision")
	}
}

func TestDecideValidation(t *testing.T) {
	tests := []struct {
		name      string
		reasoning string
		fee       string
		valid     string
		msg       string
	}{
		{"no reasoning", "", "", "", "Bitte eine Begründung eingeben"},
		{"bad fee", "Begründung", "26,001", "", "Gebühr nicht erkannt"},
		{"negative fee", "Begründung", "-3", "", "nicht negativ"},
		{"bad date", "Begründung", "", "gestern", "Datum nicht erkannt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, NewDecide, []api.Case{testkit.Case("c1")}, "c1")
			h.send(keyTab)
			h.typ(tt.reasoning)
			h.send(keyTab)
			h.typ(tt.fee)
			h.send(keyTab)
			h.typ(tt.valid)
			h.send(keySend)
			if h.m.Confirming() {
				t.Fatal("invalid form reached the confirmation")
			}
			if v := h.m.View(); !strings.Contains(v, tt.msg) {
				t.Errorf("want %q in\n%s", tt.msg, v)
			}
		})
	}
}

func TestDecideBlockedWhenClosed(t *testing.T) {
	c := testkit.Case("c1")
	c.Status = api.StatusDecided
	h := newHarness(t, NewDecide, []api.Case{c}, "c1")
	if !strings.Contains(h.m.View(), "abgeschlossen") {
		t.Errorf("no blocked message:\n%s", h.m.View())
	}
	h.typ("j")
	h.send(keySend, keyEnter)
	if len(h.outbox()) != 0 {
		t.Fatal("decided a closed case")
	}
	if h.closed == nil {
		t.Error("enter should close a blocked dialog")
	}
}

func proposed() api.Case {
	c := testkit.Case("c1")
	c.Service.FourEyes = true
	c.Status = api.StatusDecisionProposed
	fee := int64(5000)
	c.Decision = &api.Decision{ID: "dec-1", Outcome: api.OutcomeApproved, Reasoning: "Alle Unterlagen liegen vor.",
		FeeCents: &fee, State: api.DecisionProposed, Actor: "crivitz.meyer", CreatedAt: testkit.Now.Add(-time.Hour)}
	return c
}

func TestApproval(t *testing.T) {
	tests := []struct {
		name    string
		down    bool
		comment string
		want    api.ApprovalRequest
	}{
		{"approve", false, "", api.ApprovalRequest{Approve: true}},
		{"return with comment", true, "Gebühr prüfen.", api.ApprovalRequest{Approve: false, Comment: "Gebühr prüfen."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := testkit.Store(t)
			testkit.Put(t, st, proposed())
			ctx := testkit.Ctx(st, 80, 24)
			ctx.Me = api.Me{Clerk: "crivitz.krause", Name: "Carla Krause", Role: api.RoleLead}
			h := &harness{t: t, st: st, ctx: ctx, m: NewApproval(ctx, "c1")}
			h.run(h.m.Init())
			if tt.down {
				h.send(keyDown)
			}
			h.send(keyTab)
			h.typ(tt.comment)
			h.send(keySend)
			if !h.m.Confirming() {
				t.Fatalf("not confirming:\n%s", h.m.View())
			}
			h.typ("ja")
			h.send(keyEnter)
			out := h.outbox()
			if len(out) != 1 {
				t.Fatalf("outbox = %d\n%s", len(out), h.m.View())
			}
			a := out[0]
			if a.Kind != api.ActionApproval || a.SubID != "dec-1" || a.BaseVersion != 7 {
				t.Errorf("action = %+v", a)
			}
			if got := body[api.ApprovalRequest](t, a); got != tt.want {
				t.Errorf("body = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestApprovalReturnNeedsComment(t *testing.T) {
	st := testkit.Store(t)
	testkit.Put(t, st, proposed())
	ctx := testkit.Ctx(st, 80, 24)
	ctx.Me = api.Me{Clerk: "crivitz.krause", Name: "Carla Krause", Role: api.RoleLead}
	h := &harness{t: t, st: st, ctx: ctx, m: NewApproval(ctx, "c1")}
	h.run(h.m.Init())
	h.send(keyDown, keySend)
	if h.m.Confirming() || !strings.Contains(h.m.View(), "Kommentar eingeben") {
		t.Fatalf("return without comment accepted:\n%s", h.m.View())
	}
}

func TestApprovalBlocked(t *testing.T) {
	tests := []struct {
		name string
		me   api.Me
		msg  string
	}{
		{"not a lead", testkit.Me, "Nur die Leitung"},
		{"own proposal", api.Me{Clerk: "crivitz.meyer", Name: "Bernd Meyer", Role: api.RoleLead}, "zweite Person"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := testkit.Store(t)
			testkit.Put(t, st, proposed())
			ctx := testkit.Ctx(st, 80, 24)
			ctx.Me = tt.me
			m := NewApproval(ctx, "c1")
			m, _ = m.Update(m.Init()())
			if !strings.Contains(m.View(), tt.msg) {
				t.Errorf("want %q in\n%s", tt.msg, m.View())
			}
		})
	}
}

// TestStoreErrorKeepsInput: a failing store keeps the dialog open with the text, and the retry
// reuses the same action id.
func TestStoreErrorKeepsInput(t *testing.T) {
	h := newHarness(t, NewComment, []api.Case{testkit.Case("c1")}, "c1")
	h.typ("Wichtig")
	h.m, _ = h.m.Update(keySend) // do not run the enqueue command
	h.send(common.ActionQueuedMsg{Err: os.ErrPermission})
	if h.closed != nil || !strings.Contains(h.m.View(), "Nicht gespeichert") || h.m.text.Value() != "Wichtig" {
		t.Fatalf("error lost the input:\n%s", h.m.View())
	}
	id := h.m.built[0].ID
	h.send(keySend)
	out := h.outbox()
	if len(out) != 1 || out[0].ID != id {
		t.Fatalf("retry: outbox = %+v, want id %s", out, id)
	}
}

func TestGoldenDecideConfirmation(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {140, 40}} {
		st := testkit.Store(t)
		testkit.Put(t, st, testkit.Case("c1"))
		ctx := testkit.Ctx(st, size[0], size[1])
		h := &harness{t: t, st: st, ctx: ctx, m: NewDecide(ctx, "c1")}
		h.m.SetSize(ctx.Width, ctx.Height)
		h.run(h.m.Init())
		h.send(keyDown, keyTab)
		h.typ("Die Gewerbeanmeldung ist vollständig. Die Betriebsstätte liegt im Amtsbereich; Einwände der beteiligten Stellen liegen nicht vor.")
		h.send(keyTab)
		h.typ("26,00")
		h.send(keySend)
		golden(t, filepath.Join("testdata", "decide_confirm_"+sizeName(size)+".golden"), h.m.View())
	}
}

func TestGoldenDecideForm(t *testing.T) {
	st := testkit.Store(t)
	testkit.Put(t, st, testkit.Case("c1"))
	ctx := testkit.Ctx(st, 80, 24)
	h := &harness{t: t, st: st, ctx: ctx, m: NewDecide(ctx, "c1")}
	h.run(h.m.Init())
	golden(t, filepath.Join("testdata", "decide_form_80x24.golden"), h.m.View())
}

func TestHostileTextIsSanitised(t *testing.T) {
	st := testkit.Store(t)
	c := testkit.Hostile("c1")
	c.Status = api.StatusDecisionProposed
	c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, Reasoning: "ok " + testkit.OSC52 + testkit.Bidi,
		State: api.DecisionProposed, Actor: "evil" + testkit.CSI}
	testkit.Put(t, st, c)
	for _, mk := range []func(*common.Ctx, ...string) Model{NewComment, NewDecide, NewApproval, NewAssign, NewDocumentRequest} {
		ctx := testkit.Ctx(st, 80, 24)
		ctx.Me.Role = api.RoleLead
		ctx.Clerks = append(ctx.Clerks, api.Clerk{ID: "x", Name: "Eve " + testkit.C1 + testkit.OSC52})
		m := mk(ctx, "c1")
		m, _ = m.Update(m.Init()())
		if i := testkit.Dirty(m.View()); i >= 0 {
			t.Errorf("%s: unsafe output at %d: %q", m.Kind(), i, m.View())
		}
	}
}

func sizeName(s [2]int) string { return fmt.Sprintf("%dx%d", s[0], s[1]) }

func golden(t *testing.T, path, got string) {
	t.Helper()
	testkit.Golden(t, path, got, testkit.UpdateFlag())
}

func TestDecideNewCaseStartsReviewFirst(t *testing.T) {
	tests := []struct {
		outcome int // index into api.Outcomes
		kinds   []api.ActionKind
	}{
		{0, []api.ActionKind{api.ActionStatus, api.ActionDecision}}, // approved: needs in_review
		{3, []api.ActionKind{api.ActionDecision}},                   // withdrawn: allowed from new
		{4, []api.ActionKind{api.ActionDecision}},                   // forwarded: allowed from new
	}
	for _, tt := range tests {
		t.Run(string(api.Outcomes[tt.outcome]), func(t *testing.T) {
			c := testkit.Case("c1")
			c.Status = api.StatusNew
			h := newHarness(t, NewDecide, []api.Case{c}, "c1")
			for i := 0; i < tt.outcome; i++ {
				h.send(keyDown)
			}
			h.send(keyTab)
			h.typ("Begründung")
			h.send(keySend)
			if tt.outcome == 0 && !strings.Contains(h.m.View(), "zuerst in Prüfung") {
				t.Errorf("confirmation does not say so:\n%s", h.m.View())
			}
			h.typ("j")
			h.send(keyEnter)
			out := h.outbox()
			var kinds []api.ActionKind
			for _, a := range out {
				kinds = append(kinds, a.Kind)
				if a.BaseVersion != 7 {
					t.Errorf("%s base version %d", a.Kind, a.BaseVersion)
				}
			}
			if !reflect.DeepEqual(kinds, tt.kinds) {
				t.Fatalf("kinds = %v, want %v", kinds, tt.kinds)
			}
			if len(out) == 2 && body[api.StatusRequest](t, out[0]).Status != api.StatusInReview {
				t.Error("status action does not start the review")
			}
		})
	}
}

func TestEnglish(t *testing.T) {
	i18n.SetLang(i18n.EN)
	defer i18n.SetLang(i18n.DE)
	h := newHarness(t, NewDecide, []api.Case{testkit.Case("c1")}, "c1")
	h.send(keyTab)
	h.typ("Reasons")
	h.send(keySend)
	v := h.m.View()
	for _, want := range []string{"This decision will be sent", "Approved", "Type “y”"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q in\n%s", want, v)
		}
	}
	h.typ("y")
	h.send(keyEnter)
	if len(h.outbox()) != 1 {
		t.Error("English confirmation word not accepted")
	}
}
