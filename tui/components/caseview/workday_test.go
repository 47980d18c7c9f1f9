package caseview

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
)

// flat joins a view's words, so wrapped text can be searched.
func flat(v string) string { return strings.Join(strings.Fields(v), " ") }

// Issue 15 item 8: the Verlauf shows the reasons and texts of every event, not just a date or
// "Bewilligt"; events stored before Event.Detail existed take them from the case.
func TestHistoryShowsReasons(t *testing.T) {
	c := testkit.Case("c1")
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	c.Resubmissions = []api.Resubmission{
		{ID: "r1", Date: "2026-12-16", Reason: "Rückruf Antragsteller", Actor: "crivitz.meyer"},
		{ID: "r2", Date: "2026-12-07", Reason: "Unterlagen prüfen", Actor: "crivitz.schulz"},
	}
	c.Resubmission = &c.Resubmissions[1]
	c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, Reasoning: "Alle Voraussetzungen liegen vor.",
		State: api.DecisionFinal, Actor: "crivitz.schulz", CreatedAt: at(20, 9)}
	c.History = []api.Event{
		{Seq: 1, Kind: api.EventReceived, Actor: "system", At: at(2, 9), Summary: "eingegangen"},
		{Seq: 2, Kind: api.EventResubmission, Actor: "crivitz.meyer", At: at(6, 11), Summary: "2026-12-16"}, // before Detail
		{Seq: 3, Kind: api.EventResubmission, Actor: "crivitz.schulz", At: at(7, 11), Summary: "2026-12-07", Detail: "Unterlagen prüfen"},
		{Seq: 4, Kind: api.EventDecisionReturned, Actor: "crivitz.krause", At: at(8, 12), Summary: "Gebühr?", Detail: "Gebühr? Bitte die Satzung von 2025 anwenden."},
		{Seq: 5, Kind: api.EventDecided, Actor: "crivitz.schulz", At: at(20, 9), Summary: "approved"}, // before Detail
	}
	m, _, _ := open(t, c, 80, 24)
	m, _ = m.Update(press("l"))
	m, _ = m.Update(press("l"))
	m, _ = m.Update(press("l"))
	if m.Tab() != TabHistory {
		t.Fatalf("tab %d", m.Tab())
	}
	body := flat(m.bodies[TabHistory])
	for _, w := range []string{
		"16.12.2026 · Rückruf Antragsteller",
		"07.12.2026 · Unterlagen prüfen",
		"Gebühr? Bitte die Satzung von 2025 anwenden.",
		"Bewilligt · Alle Voraussetzungen liegen vor.",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("Verlauf lacks %q:\n%s", w, m.bodies[TabHistory])
		}
	}
}

// Issue 15 item 5: the Antrag tab lists every clerk's Wiedervorlage with who set it and why.
func TestFormListsWiedervorlagenPerClerk(t *testing.T) {
	c := testkit.Case("c1")
	c.Resubmissions = []api.Resubmission{
		{ID: "r1", Date: "2026-12-16", Reason: "Rückruf Antragsteller", Actor: "crivitz.meyer"},
		{ID: "r2", Date: "2026-12-07", Actor: "crivitz.schulz"},
	}
	m, _, _ := open(t, c, 80, 24)
	body := flat(m.bodies[TabForm])
	for _, w := range []string{"Wiedervorlagen", "16.12.2026 Bernd Meyer · Rückruf Antragsteller", "07.12.2026 Anna Schulz"} {
		if !strings.Contains(body, w) {
			t.Errorf("Antrag lacks %q:\n%s", w, m.bodies[TabForm])
		}
	}
}

// Issue 15 item 8: / searches within the case across its tabs; Enter goes to the next hit, Esc
// closes the prompt; the footer says which hit of how many.
func TestSearchWithinCase(t *testing.T) {
	c := testkit.Case("c1")
	c.History = []api.Event{{Seq: 1, Kind: api.EventNote, Actor: "crivitz.meyer", At: testkit.Now, Summary: "x"}}
	c.Notes = []api.Note{{ID: "n1", Text: "Rückruf beim Steuerberater vereinbart", Actor: "crivitz.meyer", CreatedAt: testkit.Now}}
	m, _, _ := open(t, c, 80, 24)
	m, _ = m.Update(press("/"))
	if !m.CapturingInput() {
		t.Fatal("/ did not open the search prompt")
	}
	for _, r := range "steuerberater" {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if m.Tab() != TabHistory {
		t.Fatalf("search did not go to the Verlauf (tab %d):\n%s", m.Tab(), m.View())
	}
	v := m.View()
	if !strings.Contains(v, "Steuerberater") || !strings.Contains(v, "Treffer 1/1") {
		t.Fatalf("hit not shown:\n%s", v)
	}
	m, _ = m.Update(press("esc"))
	if m.CapturingInput() {
		t.Fatal("esc did not close the prompt")
	}
	// Nothing found: said so, the tab stays.
	m, _ = m.Update(press("/"))
	for _, r := range "gibtsnicht" {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(m.View(), "Nicht gefunden") {
		t.Fatalf("no 'not found':\n%s", m.View())
	}
}

// Issue 15 item 10: in the Nachweise tab, p marks the unchecked evidence as checked through the
// outbox (action evidence_checked with the evidence id); the mark appears at once (overlay).
func TestCheckEvidence(t *testing.T) {
	c := testkit.Case("c1")
	c.Evidence[0].Verified = false
	m, st, _ := open(t, c, 80, 24)
	m, _ = m.Update(press("l"))
	m, _ = m.Update(press("l"))
	if m.Tab() != TabEvidence || !strings.Contains(m.View(), "Geprüft") {
		t.Fatalf("evidence tab:\n%s", m.View())
	}
	if !strings.Contains(m.View(), "p geprüft") {
		t.Fatalf("footer does not offer p:\n%s", m.View())
	}
	m, cmd := m.Update(press("p"))
	if cmd == nil {
		t.Fatal("p did nothing")
	}
	msg := cmd()
	q, ok := msg.(common.ActionQueuedMsg)
	if !ok || q.Err != nil || len(q.Actions) != 1 {
		t.Fatalf("msg %#v", msg)
	}
	out, _ := st.Outbox()
	if len(out) != 1 || out[0].Kind != api.ActionEvidenceChecked || out[0].SubID != c.Evidence[0].ID {
		t.Fatalf("outbox %+v", out)
	}
	m, cmd = m.Update(common.StoreChangedMsg{}) // the store announces the queued action
	m, _ = m.Update(cmd())
	if v := m.View(); !strings.Contains(v, "✓ ja") || !strings.Contains(v, "Anna Schulz") {
		t.Fatalf("not shown as checked:\n%s", v)
	}
	// Nothing left to check: p says so and queues nothing.
	_, cmd = m.Update(press("p"))
	if cmd != nil {
		if msg := cmd(); msg != nil {
			if _, ok := msg.(common.ActionQueuedMsg); ok {
				t.Fatal("p queued a second check")
			}
		}
	}
}

// The case view at 80×24 after a search jumped to its hit in the Verlauf.
func TestSearchGolden(t *testing.T) {
	c := testkit.Case("c1")
	c.Notes = []api.Note{{ID: "n1", Text: "Rückruf beim Steuerberater vereinbart", Actor: "crivitz.meyer", CreatedAt: testkit.Now}}
	m, _, _ := open(t, c, 80, 24)
	m, _ = m.Update(press("/"))
	for _, r := range "steuerberater" {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	testkit.Golden(t, "testdata/search_80x24.golden", m.View(), testkit.UpdateFlag())
}
