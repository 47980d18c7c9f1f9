package i18n

// Texts of outgoing documents (Bescheid, Nachforderung): their list in the case view, the
// decision dialog's preview and Textbausteine, and the print queue (Postausgang).
func init() {
	add(map[string][2]string{
		"act.kind.printed": {"Gedruckt (Postausgang)", "Printed (outgoing mail)"},

		"case.event.document_sent":    {"Schreiben versandt", "Letter sent"},
		"case.event.document_failed":  {"Zustellung fehlgeschlagen", "Delivery failed"},
		"case.event.document_printed": {"Für den Postversand gedruckt", "Printed for the post"},
	})
}

func init() {
	add(map[string][2]string{
		"case.doc.sent":              {"versandt %s", "sent %s"},
		"case.doc.failed":            {"nicht zugestellt", "not delivered"},
		"case.doc.printed":           {"gedruckt %s", "printed %s"},
		"case.doc.printQueue":        {"im Postausgang", "in the print queue"},
		"case.doc.pending":           {"wird versandt", "being sent"},
		"case.doc.failedNotice":      {"Zustellung von %s fehlgeschlagen: %s – bitte per Post senden.", "Delivery of %s failed: %s – please send it by post."},
		"act.label.bescheid":         {"Bescheid", "Notice"},
		"act.decide.previewFourEyes": {"Der Bescheid nennt nach der Freigabe auch die freigebende Leitung.", "After approval the notice also names the approving lead."},
	})
}

func init() {
	add(map[string][2]string{
		"preview.deliveryFailed": {"Schreiben nicht zugestellt – siehe Vorgang", "Letter not delivered – see the case"},
		"a11y.deliveryFailed":    {"Schreiben nicht zugestellt", "letter not delivered"},
	})
}
