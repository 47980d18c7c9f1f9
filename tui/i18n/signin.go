package i18n

// The in-place sign-in dialog (device flow) when the sign-in at the identity provider ended.

func init() {
	add(map[string][2]string{
		"signin.title":  {"Anmeldung abgelaufen", "Sign-in ended"},
		"signin.ended":  {"Ihre Anmeldung beim Anmeldedienst ist abgelaufen oder wurde widerrufen. Ausstehende Aktionen bleiben erhalten und werden nach der Anmeldung gesendet.", "Your sign-in at the identity provider expired or was revoked. Pending actions are kept and sent after you sign in."},
		"signin.offer":  {"Enter: jetzt neu anmelden · Esc: später", "Enter: sign in now · Esc: later"},
		"signin.start":  {"Verbinde mit dem Anmeldedienst …", "Contacting the identity provider …"},
		"signin.open":   {"Öffnen Sie im Browser", "Open in a browser"},
		"signin.code":   {"und geben Sie diesen Code ein:", "and enter this code:"},
		"signin.left":   {"Warte auf Bestätigung … noch %s · Esc: abbrechen", "Waiting for confirmation … %s left · Esc: cancel"},
		"signin.failed": {"Anmeldung fehlgeschlagen: %s", "Sign-in failed: %s"},
		"signin.retry":  {"Enter: erneut versuchen · Esc: später", "Enter: try again · Esc: later"},
		"signin.done":   {"Angemeldet – ausstehende Aktionen werden gesendet", "Signed in – pending actions are being sent"},
	})
}
