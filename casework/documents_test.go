package casework

import (
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

func TestPrintQueue(t *testing.T) {
	c := caseIn(api.StatusDecided, clerk.ID)
	c.Documents = []api.Document{
		{ID: "mail", Kind: api.DocumentBescheid, Delivery: api.Delivery{Channel: api.ChannelEmail, State: api.DeliveryPending}},
		{ID: "post", Kind: api.DocumentBescheid, Delivery: api.Delivery{Channel: api.ChannelLetter, State: api.DeliveryPending}},
	}
	if err := Check(c, clerk, Body{Kind: api.ActionPrinted, Printed: &api.PrintedRequest{}}, "post"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"mail", "nope"} {
		if Check(c, clerk, Body{Kind: api.ActionPrinted, Printed: &api.PrintedRequest{}}, id) == nil {
			t.Errorf("%s: printing allowed", id)
		}
	}
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	evs := Apply(&c, Act{ID: "a1", DecisionID: "post", Actor: clerk.ID, At: at, Body: Body{Kind: api.ActionPrinted, Printed: &api.PrintedRequest{}}})
	if len(evs) != 1 || evs[0].Kind != api.EventDocumentPrinted || c.Documents[1].Delivery.State != api.DeliveryPrinted || !c.Documents[1].Delivery.At.Equal(at) {
		t.Fatalf("after printing: %+v %+v", evs, c.Documents[1].Delivery)
	}
	if !Shows(c, api.ActionPrinted, "post") || Shows(c, api.ActionPrinted, "mail") {
		t.Fatal("Shows")
	}
	if CanPrint(c, clerk) == nil {
		t.Fatal("nothing left in the print queue, yet printing is offered")
	}
}
