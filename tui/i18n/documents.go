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
