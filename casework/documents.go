package casework

import (
	"slices"

	"github.com/amt-mv/amt/api"
)

// The print queue (Postausgang): outgoing documents whose delivery channel is the letter wait
// until a clerk prints them and marks them printed.

// ReasonNotInPrintQueue: the document does not wait in the print queue (another channel, or
// already printed).
const ReasonNotInPrintQueue Reason = "not_in_print_queue"

// InPrintQueue reports whether a document waits in the print queue.
func InPrintQueue(d api.Document) bool {
	return d.Delivery.Channel == api.ChannelLetter && d.Delivery.State == api.DeliveryPending
}

// CanPrint answers whether some document of the case waits in the print queue, in any status:
// a letter is sent whatever became of the case since.
func CanPrint(c api.Case, _ Clerk) error {
	if slices.ContainsFunc(c.Documents, InPrintQueue) {
		return nil
	}
	return refuse(api.ActionPrinted, ReasonNotInPrintQueue, c, "no document of the case waits in the print queue")
}

// PrintAllowed answers whether the document docID of the case may be marked printed.
func PrintAllowed(c api.Case, docID string) error {
	i := slices.IndexFunc(c.Documents, func(d api.Document) bool { return d.ID == docID })
	if i < 0 {
		return refuse(api.ActionPrinted, ReasonOtherDecision, c, "the case has no such document")
	}
	if !InPrintQueue(c.Documents[i]) {
		return refuse(api.ActionPrinted, ReasonNotInPrintQueue, c, "the document is not waiting in the print queue")
	}
	return nil
}

// applyPrinted marks the document (a.DecisionID, else a.ID) printed.
func applyPrinted(c *api.Case, a Act) []api.Event {
	docID := a.DecisionID
	if docID == "" {
		docID = a.ID
	}
	i := slices.IndexFunc(c.Documents, func(d api.Document) bool { return d.ID == docID })
	if i < 0 || !InPrintQueue(c.Documents[i]) {
		return nil
	}
	docs := slices.Clone(c.Documents)
	at := a.At
	docs[i].Delivery.State = api.DeliveryPrinted
	docs[i].Delivery.At = &at
	c.Documents = docs
	label := "Bescheid"
	if docs[i].Kind == api.DocumentNachforderung {
		label = "Nachforderung"
	}
	return []api.Event{{Kind: api.EventDocumentPrinted, Actor: a.Actor, At: a.At, Summary: label + " für den Postversand gedruckt"}}
}

// printedShows reports whether the document is marked printed already.
func printedShows(c api.Case, docID string) bool {
	return slices.ContainsFunc(c.Documents, func(d api.Document) bool { return d.ID == docID && d.Delivery.State == api.DeliveryPrinted })
}
