package caseview

import (
	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// Outgoing documents (Bescheid, Nachforderung) in the Anlagen tab: listed after the attachments
// as files of the case (api.Document.AsAttachment), so they download, open (o) and save like
// attachments, with their delivery state instead of a file type.

// caseFiles lists the files of the Anlagen tab: the attachments, then the outgoing documents.
func caseFiles(c *api.Case) []api.Attachment {
	if c == nil {
		return nil
	}
	if len(c.Documents) == 0 {
		return c.Attachments
	}
	out := make([]api.Attachment, 0, len(c.Attachments)+len(c.Documents))
	out = append(out, c.Attachments...)
	for _, d := range c.Documents {
		out = append(out, d.AsAttachment())
	}
	return out
}

// documentOf returns the outgoing document behind a file of the tab.
func documentOf(c *api.Case, fileID string) (api.Document, bool) {
	for _, d := range c.Documents {
		if d.AsAttachment().ID == fileID {
			return d, true
		}
	}
	return api.Document{}, false
}

// DeliveryText labels a document's delivery for lists: "✓ versandt 04.12.2026",
// "✗ nicht zugestellt", "im Postausgang", "gedruckt 04.12.2026".
func DeliveryText(d api.Document) string {
	at := ""
	if d.Delivery.At != nil {
		at = common.FormatTime(*d.Delivery.At)
	}
	switch d.Delivery.State {
	case api.DeliverySent:
		return "✓ " + i18n.Tf("case.doc.sent", at)
	case api.DeliveryFailed:
		return "✗ " + i18n.T("case.doc.failed")
	case api.DeliveryPrinted:
		return "✓ " + i18n.Tf("case.doc.printed", at)
	}
	if d.Delivery.Channel == api.ChannelLetter {
		return i18n.T("case.doc.printQueue")
	}
	return "⟳ " + i18n.T("case.doc.pending")
}

// failedNotice is the notice for the first document whose delivery failed, "" when none did.
func failedNotice(c *api.Case) string {
	for _, d := range c.Documents {
		if d.Delivery.State == api.DeliveryFailed {
			return i18n.Tf("case.doc.failedNotice", common.Line(d.Name), common.Line(d.Delivery.Detail))
		}
	}
	return ""
}
