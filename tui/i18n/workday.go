package i18n

// Texts of a clerk's everyday tools (issue 15 items 3, 5, 8, 10): undo of queued actions,
// Wiedervorlagen per clerk with working days, moving between cases, search in a case, checked
// evidence.
func init() {
	add(map[string][2]string{
		"act.kind.evidence_checked":   {"Nachweis geprüft", "Evidence checked"},
		"case.event.evidence_checked": {"Nachweis geprüft", "Evidence checked"},
		"key.nextCase":                {"nächster Vorgang", "next case"},
		"key.prevCase":                {"voriger Vorgang", "previous case"},
		"key.caseSearch":              {"im Vorgang suchen", "search in the case"},
		"key.checkEvidence":           {"geprüft", "checked"},
		"case.search.prompt":          {"Suchen:", "Search:"},
		"case.search.hit":             {"Treffer %d/%d", "match %d/%d"},
		"case.search.none":            {"Nicht gefunden", "Not found"},
		"case.nav.last":               {"Letzter Vorgang der Liste", "Last case of the list"},
		"case.nav.first":              {"Erster Vorgang der Liste", "First case of the list"},
		"case.nav.notInList":          {"Dieser Vorgang steht nicht in der Liste (Filter?) – Esc führt zurück", "This case is not in the list (filter?) – Esc goes back"},
		"case.ev.nothingToCheck":      {"Alle Nachweise sind geprüft.", "Every piece of evidence is checked."},
		"case.ev.checkedBy":           {"geprüft von %s am %s", "checked by %s on %s"},
		"case.resubs":                 {"Wiedervorlagen", "Follow-ups"},
		"key.undo":                    {"rückgängig", "undo"},
		"toast.undoNothing":           {"Nichts zurückzunehmen – die letzte Aktion ist schon länger vorgemerkt (Ausstehend: P)", "Nothing to undo – the last action was queued a while ago (Pending: P)"},
		"toast.undoTooLate":           {"Nicht zurückgenommen: bereits unterwegs zum Server oder gesendet", "Not undone: already on its way to the server or sent"},
		"toast.undoPartly":            {"%d von %d zurückgenommen, der Rest ist bereits unterwegs", "%d of %d undone, the rest is already on its way"},
		"toast.undone":                {"Zurückgenommen: %d {Aktion|Aktionen}", "Undone: %d {action|actions}"},
		"pend.err.inFlight":           {"Bereits unterwegs zum Server – lässt sich nicht mehr zurücknehmen.", "Already on its way to the server – it can no longer be taken back."},
		"toast.undoneOne":             {"Zurückgenommen – nichts wurde gesendet", "Undone – nothing was sent"},
	})
}
