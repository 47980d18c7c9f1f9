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

// The Postausgang view.
func init() {
	add(map[string][2]string{
		"view.printQueue":       {"Postausgang", "Print queue"},
		"key.printQueue":        {"Postausgang", "print queue"},
		"key.pqPrint":           {"öffnen zum Drucken", "open to print"},
		"key.pqPrinted":         {"als gedruckt markieren", "mark printed"},
		"keys.printQueue":       {"Postausgang", "Print queue"},
		"cmd.printQueue":        {"Postausgang anzeigen", "Show the print queue"},
		"pq.count":              {"%d Schreiben warten auf den Druck", "%d letters wait for print"},
		"pq.loading":            {"Lade Postausgang …", "Loading the print queue …"},
		"pq.empty":              {"Der Postausgang ist leer: Kein Schreiben wartet auf den Druck.", "The print queue is empty: no letter waits for print."},
		"pq.err.load":           {"Der Postausgang konnte nicht gelesen werden.", "The print queue could not be read."},
		"pq.err.offline":        {"Das Schreiben ist noch nicht geladen und der Server ist nicht erreichbar.", "The letter is not downloaded yet and the server cannot be reached."},
		"pq.err.open":           {"Das Schreiben konnte nicht geöffnet werden (Betrachter des Systems).", "The letter could not be opened (system viewer)."},
		"pq.err.notWaiting":     {"Dieses Schreiben wartet nicht mehr im Postausgang.", "This letter no longer waits in the print queue."},
		"pq.opening":            {"Öffne Schreiben …", "Opening the letter …"},
		"pq.opened":             {"%s geöffnet – nach dem Druck mit m als gedruckt markieren.", "%s opened – after printing, mark it printed with m."},
		"pq.col.reference":      {"Aktenzeichen", "Reference"},
		"pq.col.kind":           {"Schreiben", "Letter"},
		"pq.col.created":        {"Erstellt", "Created"},
		"pq.col.applicant":      {"Empfänger", "Recipient"},
		"pq.kind.bescheid":      {"Bescheid", "Notice"},
		"pq.kind.nachforderung": {"Nachforderung", "Request"},
	})
}

// Textbausteine in the decision and Nachforderung dialogs.
func init() {
	add(map[string][2]string{
		"key.textBlock":              {"Textbaustein einfügen", "insert a text block"},
		"act.tb.title.begruendung":   {"Textbaustein für die Begründung:", "Text block for the reasoning:"},
		"act.tb.title.nachforderung": {"Textbaustein für die Nachforderung:", "Text block for the request:"},
		"act.tb.insert":              {"einfügen (oder Ziffer)", "insert (or digit)"},
		"act.tb.hint":                {"Textbaustein", "text block"},
		"act.tb.back":                {"zurück", "back"},
		"act.tb.none":                {"Für diese Leistung und Entscheidung gibt es keine Textbausteine.", "There are no text blocks for this service and outcome."},
		"act.tb.notHere":             {"Textbausteine gibt es für die Begründung einer Entscheidung und für Nachforderungen.", "Text blocks exist for a decision's reasoning and for requests for documents."},
	})
}
