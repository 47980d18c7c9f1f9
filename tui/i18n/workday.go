package i18n

// Texts of a clerk's everyday tools (issue 15 items 3, 5, 8, 10): undo of queued actions,
// Wiedervorlagen per clerk with working days, moving between cases, search in a case, checked
// evidence.
func init() {
	add(map[string][2]string{
		"key.undo":          {"rückgängig", "undo"},
		"toast.undoNothing": {"Nichts zurückzunehmen – die letzte Aktion ist schon länger vorgemerkt (Ausstehend: P)", "Nothing to undo – the last action was queued a while ago (Pending: P)"},
		"toast.undoTooLate": {"Nicht zurückgenommen: bereits unterwegs zum Server oder gesendet", "Not undone: already on its way to the server or sent"},
		"toast.undoPartly":  {"%d von %d zurückgenommen, der Rest ist bereits unterwegs", "%d of %d undone, the rest is already on its way"},
		"toast.undone":      {"Zurückgenommen: %d {Aktion|Aktionen}", "Undone: %d {action|actions}"},
		"pend.err.inFlight": {"Bereits unterwegs zum Server – lässt sich nicht mehr zurücknehmen.", "Already on its way to the server – it can no longer be taken back."},
		"toast.undoneOne":   {"Zurückgenommen – nichts wurde gesendet", "Undone – nothing was sent"},
	})
}
