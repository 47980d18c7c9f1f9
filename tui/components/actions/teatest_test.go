package actions

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
)

// host plays the root for one dialog: it forwards everything and quits when the dialog closes.
type host struct {
	m      Model
	closed *ClosedMsg
}

func (h host) Init() tea.Cmd { return h.m.Init() }

func (h host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if c, ok := msg.(ClosedMsg); ok {
		h.closed = &c
		return h, tea.Quit
	}
	var cmd tea.Cmd
	h.m, cmd = h.m.Update(msg)
	return h, cmd
}

func (h host) View() string { return h.m.View() }

// TestDecideFlowInProgram runs the decide dialog in a real Bubble Tea program: type, review,
// confirm; the decision lands in the outbox and the dialog closes.
func TestDecideFlowInProgram(t *testing.T) {
	st := testkit.Store(t)
	testkit.Put(t, st, testkit.Case("c1"))
	ctx := testkit.Ctx(st, 80, 24)
	tm := teatest.NewTestModel(t, host{m: NewDecide(ctx, "c1")}, teatest.WithInitialTermSize(80, 24))
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	waitFor("Ergebnis")
	tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	tm.Type("Alles vollständig.")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	waitFor("Diese Entscheidung wird gesendet")
	tm.Type("j")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(host)
	if final.closed == nil || final.closed.Queued != 1 || final.closed.Kind != common.DialogDecide {
		t.Fatalf("closed = %+v", final.closed)
	}
	out, err := st.Outbox()
	if err != nil || len(out) != 1 || out[0].Kind != api.ActionDecision {
		t.Fatalf("outbox = %+v, %v", out, err)
	}
}
