package actions

import (
	"slices"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
)

// Wiedervorlage and Nachforderung work on a selection (issue 15 item 9): one form, the same date,
// reason or text for every case the action is allowed on; a case that does not allow it (closed)
// is skipped and named, and a selection where none allows it is blocked.
func TestBulkResubmissionAndDocumentRequest(t *testing.T) {
	a, b, c := testkit.Case("c1"), testkit.Case("c2"), testkit.Case("c3")
	b.Reference, b.Version = "GEW-2026-000124", 3
	c.Reference, c.Status = "GEW-2026-000125", api.StatusClosed
	h := newHarness(t, NewResubmission, []api.Case{a, b, c}, "c1", "c2", "c3")
	if v := h.m.View(); !strings.Contains(v, "GEW-2026-000124") || !strings.Contains(v, "1 übersprungen") {
		t.Fatalf("bulk form does not name the cases and the skipped one:\n%s", v)
	}
	h.typ("+7")
	h.send(keyTab)
	h.typ("Rückruf abwarten")
	h.send(keySend)
	out := h.outbox()
	var ids []string
	for _, x := range out {
		r := body[api.ResubmissionRequest](t, x)
		if x.Kind != api.ActionResubmission || r.Date != "2026-12-01" || r.Reason != "Rückruf abwarten" {
			t.Errorf("got %+v %+v", x, r)
		}
		ids = append(ids, x.CaseID)
	}
	if !slices.Equal(ids, []string{"c1", "c2"}) || h.closed == nil || h.closed.Queued != 2 {
		t.Fatalf("queued %v, closed %+v", ids, h.closed)
	}

	h = newHarness(t, NewDocumentRequest, []api.Case{a, b}, "c1", "c2")
	h.typ("Mietvertrag\nGehaltsnachweis")
	h.send(keyTab)
	h.typ("15.12.2026")
	h.send(keyTab)
	h.typ("Bitte nachreichen.")
	h.send(keySend)
	out = h.outbox()
	if len(out) != 2 || out[0].CaseID == out[1].CaseID {
		t.Fatalf("outbox %+v", out)
	}
	for _, x := range out {
		r := body[api.DocumentRequestRequest](t, x)
		if !slices.Equal(r.Documents, []string{"Mietvertrag", "Gehaltsnachweis"}) || r.Deadline != "2026-12-15" || r.Message != "Bitte nachreichen." {
			t.Errorf("body %+v", r)
		}
	}

	c2 := c
	c2.ID = "c4"
	h = newHarness(t, NewResubmission, []api.Case{c, c2}, "c3", "c4")
	if v := h.m.View(); !strings.Contains(v, "abgeschlossen") && !strings.Contains(v, "Abgeschlossen") {
		t.Fatalf("all closed: not blocked:\n%s", v)
	}
}

// A status change works on a selection too (issue 15 item 9): the dialog offers the changes any
// of the cases allows; each case that allows the chosen one gets it, the others are skipped.
func TestBulkStatus(t *testing.T) {
	a, b, c := testkit.Case("c1"), testkit.Case("c2"), testkit.Case("c3")
	a.Status, b.Status, b.Reference = api.StatusNew, api.StatusNew, "GEW-2026-000124"
	c.Reference, c.Status = "GEW-2026-000125", api.StatusClosed
	h := newHarness(t, NewStatus, []api.Case{a, b, c}, "c1", "c2", "c3")
	if v := h.m.View(); !strings.Contains(v, "GEW-2026-000124") || !strings.Contains(v, "1 übersprungen") {
		t.Fatalf("bulk status form:\n%s", v)
	}
	h.send(keyEnter)
	var ids []string
	for _, x := range h.outbox() {
		if x.Kind != api.ActionStatus || body[api.StatusRequest](t, x).Status != api.StatusInReview {
			t.Errorf("action %+v", x)
		}
		ids = append(ids, x.CaseID)
	}
	if !slices.Equal(ids, []string{"c1", "c2"}) {
		t.Fatalf("queued for %v\n%s", ids, h.m.View())
	}
}
