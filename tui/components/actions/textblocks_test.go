package actions

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
)

var keyTextBlock = tea.KeyMsg{Type: tea.KeyCtrlT}

func key1(r rune) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}} }

// gewerbe is the built-in text blocks of the test case's service (Gewerbeanmeldung).
func gewerbe(t *testing.T) catalogue.TextBlocks {
	t.Helper()
	svc, ok := catalogue.DefaultWithTexts().Lookup(testkit.Case("c1").Service.Key)
	if !ok {
		t.Fatal("service not in the catalogue")
	}
	return svc.TextBlocks
}

// The decision dialog inserts the Begründung block of the chosen outcome into the reasoning at
// the text-block key; the clerk edits it like typed text, and the decision carries the edited text.
func TestDecideTextBlocks(t *testing.T) {
	tb := gewerbe(t)
	for _, tc := range []struct {
		name    string
		outcome api.Outcome
		downs   int
		typed   string // typed before the block
		pick    []tea.Msg
		want    string // reasoning sent (before the clerk's addition)
	}{
		{"approved by Enter", api.OutcomeApproved, 0, "", []tea.Msg{keyEnter}, tb.ForDecision(api.OutcomeApproved)[0].Text},
		{"rejected by digit after typed text", api.OutcomeRejected, 2, "Geprüft am 24.11.2026.", []tea.Msg{key1('1')},
			"Geprüft am 24.11.2026. " + tb.ForDecision(api.OutcomeRejected)[0].Text},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, NewDecide, []api.Case{testkit.Case("c1")}, "c1")
			for range tc.downs {
				h.send(keyDown)
			}
			h.send(keyTab)
			h.typ(tc.typed)
			h.send(keyTextBlock)
			view := h.m.View()
			for _, b := range tb.Begruendung {
				if shown := strings.Contains(view, b.Title); shown != (b.Outcome == "" || b.Outcome == tc.outcome) {
					t.Fatalf("block %q (%s) shown=%v for %s:\n%s", b.Title, b.Outcome, shown, tc.outcome, view)
				}
			}
			h.send(tc.pick...)
			h.typ(" Zusatz.") // editable afterwards: typing goes on in the reasoning
			h.send(keySend)
			h.typ("j")
			h.send(keyEnter)
			out := h.outbox()
			if len(out) == 0 {
				t.Fatalf("nothing queued:\n%s", h.m.View())
			}
			got := body[api.DecisionRequest](t, out[len(out)-1])
			if got.Outcome != tc.outcome || got.Reasoning != tc.want+" Zusatz." {
				t.Fatalf("decision %s %q, want %s %q", got.Outcome, got.Reasoning, tc.outcome, tc.want+" Zusatz.")
			}
		})
	}
}

// Esc closes the picker without inserting and without closing the dialog; the key on a field
// without blocks (the fee) says where blocks exist.
func TestTextBlockPickerCancelAndWrongField(t *testing.T) {
	h := newHarness(t, NewDecide, []api.Case{testkit.Case("c1")}, "c1")
	h.send(keyTab, keyTextBlock, keyEsc)
	if h.m.pick != nil || h.closed != nil || h.m.text.Value() != "" {
		t.Fatalf("after Esc: pick %v, closed %v, text %q", h.m.pick, h.closed, h.m.text.Value())
	}
	h.send(keyTab, keyTextBlock)
	if h.m.pick != nil || !strings.Contains(h.m.View(), "Textbausteine gibt es für die Begründung") {
		t.Fatalf("on the fee field:\n%s", h.m.View())
	}
}

// The Nachforderung dialog inserts its blocks as lines of the document list (and into the
// message); each line becomes one requested document.
func TestDocumentRequestTextBlocks(t *testing.T) {
	tb := gewerbe(t).Nachforderung
	h := newHarness(t, NewDocumentRequest, []api.Case{testkit.Case("c1")}, "c1")
	h.typ("Mietvertrag")
	h.send(keyTextBlock, key1('2'))
	h.send(keyTextBlock, keyDown, keyDown, keyEnter) // down wraps: back to the first
	h.send(keyTab)
	h.typ("15.12.2026")
	h.send(keyTab, keyTextBlock, key1('1'))
	h.send(keySend)
	out := h.outbox()
	if len(out) != 1 {
		t.Fatalf("outbox %d:\n%s", len(out), h.m.View())
	}
	got := body[api.DocumentRequestRequest](t, out[0])
	want := api.DocumentRequestRequest{Documents: []string{"Mietvertrag", tb[1].Text, tb[0].Text}, Deadline: "2026-12-15", Message: tb[0].Text}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("request %+v\nwant %+v", got, want)
	}
}

// The picker at 80x24: the blocks with numbers, the chosen one in full, the keys.
func TestGoldenTextBlockPicker(t *testing.T) {
	st := testkit.Store(t)
	testkit.Put(t, st, testkit.Case("c1"))
	ctx := testkit.Ctx(st, 80, 24)
	h := &harness{t: t, st: st, ctx: ctx, m: NewDocumentRequest(ctx, "c1")}
	h.m.SetSize(ctx.Width, ctx.Height)
	h.run(h.m.Init())
	h.send(keyTextBlock, keyDown)
	golden(t, filepath.Join("testdata", "textblock_picker_80x24.golden"), h.m.View())
}

// In accessible mode the picker reads each block whole, numbered, with the cursor on the chosen one.
func TestTextBlockPickerAccessible(t *testing.T) {
	tb := gewerbe(t).Nachforderung
	h := newHarness(t, NewDocumentRequest, []api.Case{testkit.Case("c1")}, "c1")
	h.send(keyTextBlock, keyDown)
	sc := h.m.AccessibleView()
	text := strings.Join(sc.Lines, "\n")
	if !strings.Contains(text, "Textbaustein für die Nachforderung") || !strings.Contains(strings.Join(strings.Fields(text), " "), "2: "+tb[1].Title+": "+tb[1].Text) {
		t.Fatalf("accessible picker:\n%s", text)
	}
	if !strings.HasPrefix(sc.Lines[sc.Row], "2: ") {
		t.Fatalf("cursor on %q, want the second block", sc.Lines[sc.Row])
	}
}
