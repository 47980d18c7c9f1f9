package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/caseview"
	"github.com/amt-mv/amt/tui/components/help"
	"github.com/amt-mv/amt/tui/tuitest"
)

// openCase opens the case view of id through the root.
func openCase(t *testing.T, m Model, id string) Model {
	t.Helper()
	m, _ = send(t, m, common.OpenCaseMsg{ID: id})
	if m.State() != common.ViewCase {
		t.Fatalf("case %s not open:\n%s", id, m.View())
	}
	return m
}

// TestFourEyesKeyForClerkSaysWhy (issue 15 item 1): a clerk pressing F on a colleague's
// proposal is told why nothing can be approved (it used to do nothing at all), in German at 80×24.
func TestFourEyesKeyForClerkSaysWhy(t *testing.T) {
	c := tuitest.Case(900)
	c.ID, c.Reference = "case-fe", "WOG-2026-000900"
	c.Service.FourEyes, c.Status = true, api.StatusDecisionProposed
	c.Decision = &api.Decision{ID: "dec-9", Outcome: api.OutcomeApproved, Reasoning: "ok", State: api.DecisionProposed, Actor: "crivitz.oezdemir"}
	d := newDeps(t, 3, c)
	m := newRoot(t, d, 80, 24)
	m = openCase(t, m, c.ID)
	if strings.Contains(m.View(), "F freigeben") {
		t.Fatalf("F offered to a clerk:\n%s", m.View())
	}
	m, _ = press(t, m, "F")
	if m.Overlay() != "dialog" || !strings.Contains(m.View(), "Nur die Leitung oder ihre Stellvertretung") {
		t.Fatalf("F for a clerk says nothing:\n%s", m.View())
	}
}

// TestStatusKeyStartsReview (issue 15 item 2): »b« on a new case offers "Bearbeitung beginnen"
// and queues the status change (at 80×24); the help names the key, and so does the footer where
// it has room (120 columns; at 80 the earlier hints fill it) and on a decided case.
func TestStatusKeyStartsReview(t *testing.T) {
	c := tuitest.Case(901)
	c.ID, c.Reference = "case-new", "GEW-2026-000901"
	c.Status, c.Decision = api.StatusNew, nil
	d := newDeps(t, 3, c)
	wide := openCase(t, newRoot(t, d, 120, 40), c.ID)
	if !strings.Contains(wide.View(), "b Status ändern") {
		t.Fatalf("footer lacks b:\n%s", wide.View())
	}
	m := newRoot(t, d, 80, 24)
	m = openCase(t, m, c.ID)
	if lines := help.New(m.Ctx(), caseview.New(m.Ctx(), "")).Lines(); !slices.ContainsFunc(lines, func(s string) bool {
		return strings.HasPrefix(s, "b  Status ändern")
	}) {
		t.Fatalf("help lacks b: %v", lines)
	}
	m, _ = press(t, m, "b")
	if m.Overlay() != "dialog" || !strings.Contains(m.View(), "Bearbeitung beginnen") {
		t.Fatalf("b did not open the status dialog:\n%s", m.View())
	}
	_, _ = press(t, m, "enter")
	out, err := d.Store.Outbox()
	if err != nil || len(out) != 1 || out[0].Kind != api.ActionStatus || !strings.Contains(string(out[0].Body), `"in_review"`) {
		t.Fatalf("outbox %+v %v", out, err)
	}
}

// TestStatusKeyClosesDecidedCase (issue 15 item 2): a decided case is closed from the TUI.
func TestStatusKeyClosesDecidedCase(t *testing.T) {
	c := tuitest.Case(902)
	c.ID, c.Reference = "case-dec", "GEW-2026-000902"
	c.Service.FourEyes, c.Status = false, api.StatusDecided
	c.Decision = &api.Decision{ID: "dec-2", Outcome: api.OutcomeApproved, Reasoning: "ok", State: api.DecisionFinal, Actor: tuitest.Me.Clerk}
	d := newDeps(t, 3, c)
	m := openCase(t, newRoot(t, d, 80, 24), c.ID)
	if !strings.Contains(m.View(), "b Status ändern") {
		t.Fatalf("footer lacks b on a decided case:\n%s", m.View())
	}
	m, _ = press(t, m, "b")
	if !strings.Contains(m.View(), "Abschließen") {
		t.Fatalf("no Abschließen:\n%s", m.View())
	}
	_, _ = press(t, m, "enter")
	out, err := d.Store.Outbox()
	if err != nil || len(out) != 1 || !strings.Contains(string(out[0].Body), `"closed"`) {
		t.Fatalf("outbox %+v %v", out, err)
	}
}

// TestOnlyLeadIsNotStuck reproduces issue 15 item 1 at 80×24: the only lead of the Amt proposes
// a four-eyes decision (D, Strg+S, j, Enter). She is warned on the confirmation that nobody else
// could approve it; F then says why she cannot approve it herself; b offers to take the proposal
// back (it is still in the outbox) and queues that.
func TestOnlyLeadIsNotStuck(t *testing.T) {
	c := tuitest.Case(903)
	c.ID, c.Reference = "case-sne", "SNE-2026-000023"
	c.Service.FourEyes, c.Status, c.Decision = true, api.StatusInReview, nil
	me := tuitest.Me
	me.Clerk, me.Name, me.Role = "crivitz.mueller", "Jörg Müller", api.RoleLead
	st := tuitest.OpenStore(t, append(tuitest.Cases(3), c)...)
	m := openCase(t, newRoot(t, Deps{Store: st, Me: me, Clerks: tuitest.Clerks, Now: tuitest.Clock}, 80, 24), c.ID)
	m, _ = press(t, m, "D", "tab")
	m = typeText(t, m, "Alle Unterlagen liegen vor.")
	m, _ = press(t, m, "ctrl+s")
	if v := strings.Join(strings.Fields(strings.ReplaceAll(m.View(), "│", " ")), " "); !strings.Contains(v, "kann niemand außer Ihnen freigeben") {
		t.Fatalf("no warning before proposing:\n%s", m.View())
	}
	m, _ = press(t, m, "j", "enter")
	if m.Overlay() != "" {
		t.Fatalf("proposal not queued:\n%s", m.View())
	}
	if strings.Contains(m.View(), "F freigeben") {
		t.Fatalf("F offered to the proposer:\n%s", m.View())
	}
	m, _ = press(t, m, "F")
	if !strings.Contains(m.View(), "Eigene Vorschläge kann nur eine zweite Person freigeben") {
		t.Fatalf("F on her own proposal says nothing:\n%s", m.View())
	}
	m, _ = press(t, m, "esc", "b")
	if !strings.Contains(m.View(), "Vorschlag zurückziehen") {
		t.Fatalf("b does not offer to take the proposal back:\n%s", m.View())
	}
	_, _ = press(t, m, "enter")
	out, err := st.Outbox()
	if err != nil || len(out) != 2 || out[0].Kind != api.ActionDecision || out[1].Kind != api.ActionStatus ||
		!strings.Contains(string(out[1].Body), `"in_review"`) {
		t.Fatalf("outbox %+v %v", out, err)
	}
}

// TestPaletteOffersApprovalOnlyForProposals: in the inbox the `:` palette offers the four-eyes
// approval only for a case that awaits approval (and the status change always).
func TestPaletteOffersApprovalOnlyForProposals(t *testing.T) {
	me := tuitest.Me
	me.Clerk, me.Role = "crivitz.mueller", api.RoleLead
	c := noticeCase()
	c.Decision.Actor = "crivitz.oezdemir"
	st := tuitest.OpenStore(t, append(tuitest.Cases(3), c)...)
	m := newRoot(t, Deps{Store: st, Me: me, Clerks: tuitest.Clerks, Now: tuitest.Clock}, 80, 24)
	m, _ = press(t, m, "5", "g") // Alle, from the top
	has := func(m Model, id string) bool {
		for _, cmd := range m.commands() {
			if cmd.ID == id {
				return true
			}
		}
		return false
	}
	for m.Inbox().CurrentID() != c.ID {
		before := m.Inbox().CurrentID()
		if !has(m, "case approval") && !has(m, "case status") {
			t.Fatalf("no status command for %s", before)
		}
		if has(m, "case approval") {
			t.Fatalf("approval offered for %s, which awaits none", before)
		}
		m, _ = press(t, m, "j")
		if m.Inbox().CurrentID() == before {
			t.Fatalf("case %s not in the list", c.ID)
		}
	}
	if !has(m, "case approval") {
		t.Fatal("approval not offered for the proposal")
	}
}
