package i18n

// The kinds of the server's problems that reject an action, in the clerk's language (the server
// answers in English; see syncer.SplitRejected). Keys: "problem." + the kind.
func init() {
	add(map[string][2]string{
		"problem.invalid-transition":   {"Der Vorgang lässt diese Aktion in seinem jetzigen Stand nicht zu (er wurde inzwischen z. B. entschieden, abgeschlossen oder zurückgenommen).", "The case does not allow this action in its current state (it was decided, closed or withdrawn meanwhile, for example)."},
		"problem.validation":           {"Eine Angabe der Aktion ist ungültig; der Server hat sie nicht angenommen.", "A value of the action is invalid; the server did not accept it."},
		"problem.bad-request":          {"Der Server konnte die Aktion nicht lesen.", "The server could not read the action."},
		"problem.forbidden":            {"Dafür fehlt Ihnen die Berechtigung.", "You are not allowed to do this."},
		"problem.not-found":            {"Den Vorgang gibt es für Ihr Amt nicht (mehr).", "The case is not (or no longer) available to your Amt."},
		"problem.case-full":            {"Der Vorgang hat die Höchstzahl an Einträgen erreicht.", "The case has reached its maximum number of entries."},
		"problem.write-quota":          {"Das Schreibkontingent ist für heute aufgebraucht; bitte später erneut versuchen.", "The write quota is used up for today; try again later."},
		"problem.too-large":            {"Die Aktion ist zu groß (zu viel Text).", "The action is too large (too much text)."},
		"problem.idempotency-mismatch": {"Die Kennung der Aktion wurde schon für eine andere verwendet.", "The action's id was already used for another action."},
	})
}

// Problem is the text of a rejected action's problem kind in the active language, ok false
// when the kind is not in the catalogue.
func Problem(kind string) (string, bool) {
	if kind == "" || !Has("problem."+kind) {
		return "", false
	}
	return T("problem." + kind), true
}
