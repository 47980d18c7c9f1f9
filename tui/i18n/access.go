package i18n

// Strings of the accessible mode (a11y.): linear screens read by screen readers and braille
// displays. Words replace marks, boxes and columns; see docs/barrierefreiheit.md.
func init() {
	add(map[string][2]string{
		"a11y.keys":     {"Tasten:", "Keys:"},
		"a11y.announce": {"Meldung: %s", "Notice: %s"},
		"a11y.quiet":    {"Keine neuen Meldungen.", "No new notices."},
		"a11y.of":       {"%d von %d", "%d of %d"},
		"a11y.mode":     {"Barrierearmer Modus", "Accessible mode"},

		"a11y.due":        {"Frist %s", "due %s"},
		"a11y.assignee":   {"zuständig %s", "assigned to %s"},
		"a11y.unassigned": {"nicht zugewiesen", "unassigned"},
		"a11y.marked":     {"markiert", "marked"},

		"a11y.inbox.view":     {"Ansicht %s", "view %s"},
		"a11y.inbox.views":    {"Ansichten (Tasten 1 bis 9): %s", "Views (keys 1 to 9): %s"},
		"a11y.inbox.noFilter": {"Kein Filter (/ filtert)", "No filter (/ filters)"},

		"a11y.case.title":    {"Vorgang %s", "Case %s"},
		"a11y.case.tab":      {"Reiter %d von %d: %s. Weitere Reiter: %s", "Tab %d of %d: %s. Other tabs: %s"},
		"a11y.case.end":      {"Ende des Reiters.", "End of tab."},
		"a11y.case.download": {"Lädt %s: %d %%", "Downloading %s: %d %%"},

		"a11y.field":       {"Feld %d von %d: %s", "Field %d of %d: %s"},
		"a11y.field.empty": {"leer", "empty"},
		"a11y.field.lines": {"%d {Zeile|Zeilen}", "%d {line|lines}"},
		"a11y.choice":      {"Auswahl %s, %d von %d, ändern mit Pfeiltasten", "choice %s, %d of %d, change with the arrow keys"},
		"a11y.confirm.decide": {
			"Nach der Bestätigung wird diese Entscheidung im Postausgang vorgemerkt und gesendet, sobald eine Verbindung besteht. Bis dahin können Sie sie unter Ausstehend verwerfen; danach ist sie endgültig.",
			"Once confirmed, this decision is queued in the outbox and sent as soon as there is a connection. Until then you can discard it under Pending; after that it is final.",
		},
		"a11y.confirm.approval": {
			"Nach der Bestätigung wird Ihre Freigabe-Entscheidung im Postausgang vorgemerkt und gesendet, sobald eine Verbindung besteht. Bis dahin können Sie sie unter Ausstehend verwerfen; danach ist sie endgültig.",
			"Once confirmed, your approval verdict is queued in the outbox and sent as soon as there is a connection. Until then you can discard it under Pending; after that it is final.",
		},

		"a11y.dash.noDeadlines": {"keine", "none"},

		"a11y.pend.tries":  {"%d {Versuch|Versuche}", "%d {attempt|attempts}"},
		"a11y.pend.next":   {"nächster Versuch %s", "next attempt %s"},
		"a11y.pend.detail": {"Einzelheiten zur gewählten Aktion:", "Details of the selected action:"},

		"a11y.status.lastSync": {"letzte Synchronisierung %s", "last sync %s"},
		"a11y.status.never":    {"noch nicht synchronisiert", "not synced yet"},
		"a11y.status.signedIn": {"angemeldet %s", "signed in %s"},

		"a11y.new1":  {"Neuer Vorgang eingegangen.", "New case received."},
		"a11y.newN":  {"%d {neuer Vorgang|neue Vorgänge} eingegangen.", "%d new {case|cases} received."},
		"a11y.sent1": {"1 Aktion übertragen.", "1 action sent."},
		"a11y.sentN": {"%d {Aktion|Aktionen} übertragen.", "%d {action|actions} sent."},

		"a11y.help.title": {"Hilfe, eine Taste pro Zeile. Pfeiltasten blättern, Esc schließt.", "Help, one key per line. Arrow keys scroll, Esc closes."},
		"a11y.help.layout": {
			"Barrierearmer Modus: Zeile 1 nennt Meldungen bis zur nächsten Taste, die letzte Zeile den Status. Der Cursor steht auf der gewählten Zeile oder im aktiven Feld.",
			"Accessible mode: line 1 holds notices until the next key, the last line the status. The cursor stands on the selected row or in the focused field.",
		},
		"help.a11y":         {"Für Screenreader und Braillezeile: amt --accessible", "For screen readers and braille displays: amt --accessible"},
		"a11y.signin.until": {"Der Code gilt bis %s Uhr.", "The code is valid until %s."},
		"a11y.palette":      {"Befehl: %s", "Command: %s"},
	})
}
