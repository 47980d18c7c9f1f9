package actions

import (
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
)

// The decision dialog follows the service's decision fields (issue 15 item 11): a Wohngeld grant
// asks for the monthly amount and the period at 80x24, refuses to go on without them, restates
// them as the Bescheid will say them, and queues them in canonical form.
func TestDecideServiceFields(t *testing.T) {
	c := testkit.Case("c1")
	c.Service = api.Service{Key: "99107004018000", Name: "Wohngeld (Mietzuschuss)", Decision: []api.DecisionField{
		{Name: "monthlyAmount", Label: "Wohngeld monatlich", Kind: "amount_per_month", Required: true},
		{Name: "grantPeriod", Label: "Bewilligungszeitraum", Kind: "period", Required: true},
	}}
	h := newHarness(t, NewDecide, []api.Case{c}, "c1")
	if v := h.m.View(); !strings.Contains(v, "Wohngeld monatlich") || !strings.Contains(v, "Bewilligungszeitraum") {
		t.Fatalf("form lacks the service's fields:\n%s", v)
	}
	h.send(keyTab) // Bewilligt → reasoning
	h.typ("Anspruch nach § 19 WoGG.")
	h.send(keySend)
	if h.m.Confirming() || !strings.Contains(h.m.View(), "Für diese Leistung gehört »Wohngeld monatlich« in den Bescheid.") {
		t.Fatalf("went on without the amount:\n%s", h.m.View())
	}
	h.typ("312,50") // the error focused the amount
	h.send(keyTab)
	h.typ("31.12.2026 - 01.12.2026")
	h.send(keySend)
	if h.m.Confirming() || !strings.Contains(h.m.View(), "endet vor seinem Beginn") {
		t.Fatalf("reversed period accepted:\n%s", h.m.View())
	}
	for range len("31.12.2026 - 01.12.2026") {
		h.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	h.typ("01.12.2026 - 30.11.2027")
	h.send(keySend)
	v := h.m.View()
	if !h.m.Confirming() || !strings.Contains(v, "312,50 € monatlich") || !strings.Contains(v, "01.12.2026 bis 30.11.2027") {
		t.Fatalf("confirmation:\n%s", v)
	}
	h.typ("j")
	h.send(keyEnter)
	out := h.outbox()
	if len(out) != 1 {
		t.Fatalf("outbox %d\n%s", len(out), h.m.View())
	}
	got := body[api.DecisionRequest](t, out[0])
	if want := map[string]string{"monthlyAmount": "31250", "grantPeriod": "2026-12-01/2027-11-30"}; !reflect.DeepEqual(got.Values, want) {
		t.Fatalf("values %v, want %v", got.Values, want)
	}

	// A rejection needs none of them, and takes none.
	h = newHarness(t, NewDecide, []api.Case{c}, "c1")
	h.send(keyDown, keyDown, keyTab)
	h.typ("Einkommen zu hoch.")
	h.send(keyTab, keyTab)
	h.typ("100")
	h.send(keySend)
	if h.m.Confirming() || !strings.Contains(h.m.View(), "nur bei einer Bewilligung") {
		t.Fatalf("an amount with a rejection:\n%s", h.m.View())
	}
}

// A Wohngeld case cached before cases carried their service's fields gets them from the
// built-in catalogue (catalogue.DecisionFieldsOf): the form still asks for amount and period.
func TestDecideServiceFieldsOfOlderCase(t *testing.T) {
	c := testkit.Case("c1")
	c.Service = api.Service{Key: "99107004018000", Name: "Wohngeld (Mietzuschuss)", FourEyes: true}
	h := newHarness(t, NewDecide, []api.Case{c}, "c1")
	if v := h.m.View(); !strings.Contains(v, "Wohngeld monatlich") || !strings.Contains(v, "Bewilligungszeitraum") {
		t.Fatalf("form lacks the catalogue's fields:\n%s", v)
	}
}
