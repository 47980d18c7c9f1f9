package main

import (
	"fmt"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// messages is the command line's catalogue: key → {German, English}. The TUI has its own.
var messages = map[string][2]string{
	"usage.head": {"amt – Vorgänge bearbeiten, auch offline.\n\nAufruf: amt [globale Optionen] [Befehl] …  (ohne Befehl: Oberfläche)\n\nBefehle:",
		"amt – work on cases, offline too.\n\nUsage: amt [global options] [command] …  (no command: the terminal app)\n\nCommands:"},
	"usage.globals": {"\nGlobale Optionen (vor oder nach dem Befehl):\n  --data DIR      Cache-Verzeichnis (AMT_DATA)\n  --server URL    zentrale API (AMT_SERVER)\n  --config DATEI  Konfigurationsdatei (AMT_CONFIG)\n  --lang de|en    Sprache\n  --demo          mit eingebautem Demo-Server starten\n  --version       Version anzeigen\n\nUmgebung: AMT_TOKEN, AMT_PASSPHRASE (Cache-Passwort, wo kein Schlüsselbund verfügbar ist).",
		"\nGlobal options (before or after the command):\n  --data DIR      cache directory (AMT_DATA)\n  --server URL    central API (AMT_SERVER)\n  --config FILE   config file (AMT_CONFIG)\n  --lang de|en    language\n  --demo          start with a built-in demo server\n  --version       show the version\n\nEnvironment: AMT_TOKEN, AMT_PASSPHRASE (cache passphrase where no keyring is available)."},
	"help.login":       {"Token speichern (geprüft mit dem Server, wenn erreichbar)", "store a token (checked with the server when reachable)"},
	"help.sync":        {"Ausstehende Aktionen senden und Vorgänge abgleichen", "send pending actions and fetch changed cases"},
	"help.list":        {"Vorgänge aus dem lokalen Cache auflisten", "list cases from the local cache"},
	"help.show":        {"Einen Vorgang anzeigen (ID oder Aktenzeichen)", "show one case (id or reference)"},
	"help.comment":     {"Notiz hinzufügen (- liest den Text von der Standardeingabe)", "add a note (- reads the text from stdin)"},
	"help.assign":      {"Zuständigkeit setzen", "set the assignee"},
	"help.decide":      {"Entscheidung treffen (approved, partially_approved, rejected, withdrawn, forwarded)", "decide a case (approved, partially_approved, rejected, withdrawn, forwarded)"},
	"help.outbox":      {"Ausstehende, abgelehnte und Konflikt-Aktionen anzeigen", "show pending, rejected and conflicting actions"},
	"help.conflicts":   {"Konflikte anzeigen und lösen", "show and resolve conflicts"},
	"help.purge":       {"Abgeschlossene Vorgänge aus dem Cache entfernen", "remove finished cases from the cache"},
	"help.config":      {"Pfad der Konfigurationsdatei anzeigen oder eine kommentierte anlegen", "show the config file path or write a commented one"},
	"help.doctor":      {"Einrichtung prüfen: Server, TLS, Token, Cache, Speicherplatz", "check the setup: server, TLS, token, cache, disk space"},
	"help.completion":  {"Shell-Vervollständigung ausgeben", "print a shell completion script"},
	"usage.completion": {"Aufruf: amt completion bash|zsh|fish|powershell", "usage: amt completion bash|zsh|fish|powershell"},

	"doc.config":            {"Konfiguration", "config"},
	"doc.config_none":       {"kein Konfigurationsverzeichnis bekannt", "no config directory known"},
	"doc.config_missing":    {"%s (nicht vorhanden; Standardwerte – anlegen mit: amt config init)", "%s (absent; defaults apply – create with: amt config init)"},
	"doc.cache":             {"Lokaler Cache", "local cache"},
	"doc.cache_ok":          {"%s (%d Vorgänge, unversehrt)", "%s (%d cases, intact)"},
	"doc.cache_fix":         {"siehe Meldung oben; Passwort über AMT_PASSPHRASE, Verzeichnis über --data", "see the message above; passphrase via AMT_PASSPHRASE, directory via --data"},
	"doc.cache_corrupt_fix": {"Ausstehende Aktionen sichern (amt outbox --json), dann %s löschen und neu anmelden", "save pending actions (amt outbox --json), then delete %s and sign in again"},
	"doc.outbox":            {"Postausgang", "outbox"},
	"doc.outbox_detail":     {"%d ausstehend, %d Konflikte, %d abgelehnt", "%d pending, %d conflicts, %d rejected"},
	"doc.outbox_fix":        {"Konflikte und Ablehnungen prüfen: amt outbox, amt conflicts resolve …", "review conflicts and rejections: amt outbox, amt conflicts resolve …"},
	"doc.disk":              {"Speicherplatz", "disk space"},
	"doc.disk_free":         {"%d MB frei", "%d MB free"},
	"doc.disk_fix":          {"Platz schaffen oder alte Vorgänge entfernen: amt purge", "free some space or remove old cases: amt purge"},
	"doc.server":            {"Server", "server"},
	"doc.server_none":       {"keiner konfiguriert", "none configured"},
	"doc.server_none_fix":   {"amt login --server https://… --token … (Adresse von der IT)", "amt login --server https://… --token … (address from IT)"},
	"doc.server_config_fix": {"Adresse und Zertifikatsdateien in der Konfiguration prüfen (amt config path)", "check the address and certificate files in the config (amt config path)"},
	"doc.server_ok":         {"%s erreichbar", "%s reachable"},
	"doc.server_down":       {"%s nicht erreichbar", "%s not reachable"},
	"doc.server_down_fix":   {"Netzwerk/VPN prüfen und die Adresse mit der IT abgleichen; offline geht die Arbeit weiter und wird später übertragen", "check network/VPN and confirm the address with IT; work continues offline and is sent later"},
	"doc.tls":               {"TLS", "TLS"},
	"doc.tls_bad":           {"Zertifikat von %s wird nicht anerkannt", "the certificate of %s is not trusted"},
	"doc.tls_fix":           {"CA-Datei der Behörde in der Konfiguration eintragen (ca_file) oder die IT fragen", "set the authority's CA file in the config (ca_file) or ask IT"},
	"doc.token":             {"Anmeldung", "sign-in"},
	"doc.token_none":        {"kein Token gespeichert", "no token stored"},
	"doc.token_bad":         {"Token vom Server abgelehnt (abgelaufen oder widerrufen)", "token refused by the server (expired or revoked)"},
	"doc.token_ok":          {"%s (%s), %s", "%s (%s), %s"},
	"doc.token_fix":         {"neues Token bei der IT anfordern und amt login --token … ausführen", "ask IT for a new token and run amt login --token …"},

	"help.version": {"Version anzeigen", "show the version"},

	"usage.show":      {"Aufruf: amt show ID [--json]", "usage: amt show ID [--json]"},
	"usage.comment":   {"Aufruf: amt comment ID TEXT  (TEXT „-“ liest von der Standardeingabe)", "usage: amt comment ID TEXT  (TEXT \"-\" reads stdin)"},
	"usage.assign":    {"Aufruf: amt assign ID --to KENNUNG | --me | --none", "usage: amt assign ID --to CLERK | --me | --none"},
	"usage.decide":    {"Aufruf: amt decide ID ERGEBNIS --reason TEXT [--fee-cents N] [--valid-until JJJJ-MM-TT]", "usage: amt decide ID OUTCOME --reason TEXT [--fee-cents N] [--valid-until YYYY-MM-DD]"},
	"usage.conflicts": {"Aufruf: amt conflicts [list] | amt conflicts resolve AKTIONS-ID --reapply|--as-note|--discard", "usage: amt conflicts [list] | amt conflicts resolve ACTION-ID --reapply|--as-note|--discard"},
	"usage.config":    {"Aufruf: amt config path | amt config init [--force]", "usage: amt config path | amt config init [--force]"},

	"flag.token":       {"Token (sonst AMT_TOKEN oder Eingabe)", "token (else AMT_TOKEN or prompt)"},
	"flag.timeout":     {"Zeitlimit", "time limit"},
	"flag.status":      {"nur diese Status (kommagetrennt)", "only these statuses (comma-separated)"},
	"flag.mine":        {"nur mir zugewiesene", "only cases assigned to me"},
	"flag.overdue":     {"nur überfällige", "only overdue cases"},
	"flag.service":     {"nur diese Leistung (Name oder LeiKa-Schlüssel)", "only this service (name or LeiKa key)"},
	"flag.query":       {"Suchtext", "search text"},
	"flag.json":        {"Ausgabe als JSON", "output JSON"},
	"flag.to":          {"Kennung der Kollegin / des Kollegen", "colleague's clerk id"},
	"flag.me":          {"mir zuweisen", "assign to me"},
	"flag.none":        {"Zuständigkeit aufheben", "unassign"},
	"flag.reason":      {"Begründung (Pflicht)", "reasoning (required)"},
	"flag.fee":         {"Gebühr in Cent", "fee in cents"},
	"flag.valid_until": {"gültig bis (JJJJ-MM-TT)", "valid until (YYYY-MM-DD)"},
	"flag.reapply":     {"Aktion auf den aktuellen Stand erneut senden", "send the action again against the current version"},
	"flag.as_note":     {"Absicht als Notiz festhalten, Aktion verwerfen", "keep the intent as a note, drop the action"},
	"flag.discard":     {"Aktion verwerfen", "drop the action"},
	"flag.older_than":  {"Alter (z. B. 90d)", "age (e.g. 90d)"},
	"flag.compact":     {"Datei danach verkleinern", "compact the file afterwards"},
	"flag.force":       {"vorhandene Datei überschreiben", "overwrite an existing file"},

	"err.config":             {"Konfigurationsdatei %s nicht lesbar: %v", "cannot read config file %s: %v"},
	"err.unknown_command":    {"unbekannter Befehl „%s“", "unknown command %q"},
	"err.datadir":            {"Datenverzeichnis nicht bestimmbar (%v); bitte --data angeben", "cannot determine the data directory (%v); use --data"},
	"err.nokey":              {"Der lokale Cache kann nicht entsperrt werden: kein Schlüsselbund verfügbar. Bitte AMT_PASSPHRASE setzen.", "cannot unlock the local cache: no keyring available. Set AMT_PASSPHRASE."},
	"err.passphrase":         {"Falsches Cache-Passwort (AMT_PASSPHRASE).", "wrong cache passphrase (AMT_PASSPHRASE)."},
	"err.already_open":       {"Der Cache %s ist bereits geöffnet (läuft amt schon in einem anderen Fenster?).", "the cache %s is already open (is amt running in another window?)."},
	"err.newer_schema":       {"Der Cache stammt von einer neueren amt-Version; bitte amt aktualisieren.", "the cache was written by a newer amt; please update amt."},
	"err.open_store":         {"Cache %s kann nicht geöffnet werden: %v", "cannot open the cache %s: %v"},
	"err.store":              {"Fehler im lokalen Cache: %v", "local cache error: %v"},
	"err.no_server":          {"Kein Server konfiguriert: amt login --server URL (oder AMT_SERVER / config.yaml).", "no server configured: amt login --server URL (or AMT_SERVER / config.yaml)."},
	"err.no_token":           {"Nicht angemeldet: amt login --server URL --token TOKEN (oder AMT_TOKEN).", "not signed in: amt login --server URL --token TOKEN (or AMT_TOKEN)."},
	"err.client":             {"Serververbindung falsch konfiguriert: %s", "server connection misconfigured: %s"},
	"err.unauthorized_login": {"Der Server hat das Token abgelehnt. Bitte ein gültiges Token von der IT anfordern.", "the server refused the token. Ask IT for a valid token."},
	"err.unauthorized":       {"Der Server hat das Token abgelehnt: bitte neu anmelden (amt login).", "the server refused the token: sign in again (amt login)."},
	"err.login":              {"Anmeldung fehlgeschlagen: %s", "sign-in failed: %s"},
	"err.not_logged_in":      {"Nicht angemeldet: amt login", "not signed in: amt login"},
	"err.bad_status":         {"unbekannter Status „%s“ (möglich: %s)", "unknown status %q (valid: %s)"},
	"err.case_not_found":     {"Vorgang „%s“ nicht im lokalen Cache (erst amt sync?)", "case %q not in the local cache (amt sync first?)"},
	"err.empty_text":         {"Leerer Text.", "empty text."},
	"err.text_too_long":      {"Text zu lang (höchstens %d Zeichen).", "text too long (at most %d characters)."},
	"err.unknown_clerk":      {"unbekannte Kennung „%s“", "unknown clerk %q"},
	"err.bad_outcome":        {"unbekanntes Ergebnis „%s“ (möglich: %s)", "unknown outcome %q (valid: %s)"},
	"err.need_reason":        {"Eine Entscheidung braucht eine Begründung: --reason TEXT", "a decision needs a reasoning: --reason TEXT"},
	"err.bad_date":           {"ungültiges Datum „%s“ (JJJJ-MM-TT)", "invalid date %q (YYYY-MM-DD)"},
	"err.not_decidable":      {"Vorgang kann im Status „%s“ nicht entschieden werden.", "a case in status %q cannot be decided."},
	"err.action_not_found":   {"Aktion „%s“ nicht im Postausgang.", "action %q is not in the outbox."},
	"err.not_conflict":       {"Diese Aktion steht nicht im Konflikt.", "this action is not in conflict."},
	"err.bad_age":            {"ungültiges Alter „%s“ (z. B. 90d)", "invalid age %q (e.g. 90d)"},
	"err.no_config_dir":      {"Kein Konfigurationsverzeichnis bekannt; bitte --config DATEI angeben.", "no config directory known; use --config FILE."},
	"err.config_exists":      {"%s existiert bereits (--force überschreibt).", "%s already exists (--force overwrites)."},
	"err.demo":               {"Demo konnte nicht gestartet werden: %v", "cannot start the demo: %v"},
	"err.no_tui":             {"Die Oberfläche ist in diesem Build nicht enthalten; bitte einen Befehl angeben (amt help).", "the terminal app is not part of this build; give a command (amt help)."},
	"hint.demo":              {"Zum Ausprobieren ohne Server: amt --demo", "to try it without a server: amt --demo"},
	"err.tui":                {"Oberfläche beendet mit Fehler: %v", "the terminal app failed: %v"},

	"login.prompt":  {"Token: ", "Token: "},
	"login.ok":      {"Angemeldet als %s (%s), %s.", "signed in as %s (%s), %s."},
	"login.offline": {"Server nicht erreichbar: Anmeldung gespeichert, das Token wird beim nächsten Abgleich geprüft.", "server not reachable: sign-in stored, the token is checked at the next sync."},

	"sync.ok":      {"Abgeglichen: %d Vorgänge, %d ausstehend, %d Konflikte, %d abgelehnt.", "synced: %d cases, %d pending, %d conflicts, %d rejected."},
	"sync.offline": {"offline: Server nicht erreichbar; %d Aktionen bleiben vorgemerkt.", "offline: server not reachable; %d actions stay queued."},
	"sync.failed":  {"Abgleich fehlgeschlagen: %s", "sync failed: %s"},

	"list.header": {"AKTENZEICHEN\tSTATUS\tFRIST\tZUSTÄNDIG\tANTRAGSTELLER\tLEISTUNG\t\tID", "REFERENCE\tSTATUS\tDUE\tASSIGNEE\tAPPLICANT\tSERVICE\t\tID"},
	"list.empty":  {"Keine Vorgänge.", "no cases."},

	"queued.offline":  {"vorgemerkt (offline)", "queued (offline)"},
	"queued.retry":    {"vorgemerkt (Server ausgelastet, wird erneut versucht)", "queued (server busy, will retry)"},
	"queued.sent":     {"übermittelt", "sent"},
	"queued.conflict": {"Konflikt: der Vorgang wurde zwischenzeitlich geändert. Lösen mit: amt conflicts resolve %s --reapply|--as-note|--discard", "conflict: the case was changed meanwhile. Resolve with: amt conflicts resolve %s --reapply|--as-note|--discard"},
	"queued.rejected": {"vom Server abgelehnt: %s", "rejected by the server: %s"},

	"outbox.empty":             {"Postausgang leer.", "outbox empty."},
	"outbox.retry":             {"%d Versuche, nächster um %s (%s)", "%d attempts, next at %s (%s)"},
	"outbox.rejected":          {"abgelehnt: %s", "rejected: %s"},
	"outbox.conflict":          {"Server-Stand: Version %d, %s, zuständig %s", "server: version %d, %s, assignee %s"},
	"outbox.conflict_decision": {"Server-Entscheidung: %s von %s", "server decision: %s by %s"},
	"outbox.resolve_hint":      {"lösen: amt conflicts resolve %s --reapply|--as-note|--discard", "resolve: amt conflicts resolve %s --reapply|--as-note|--discard"},
	"resolve.discarded":        {"verworfen", "discarded"},
	"purge.done":               {"%d Vorgänge entfernt.", "%d cases removed."},
	"config.written":           {"Konfiguration geschrieben: %s", "config written: %s"},
	"demo.start":               {"Demo-Server läuft auf %s (angemeldet als %s).", "demo server running at %s (signed in as %s)."},

	"f.status": {"Status", "Status"}, "f.due": {"Frist", "Due"}, "f.assignee": {"Zuständig", "Assignee"},
	"f.submitted": {"Eingang", "Submitted"}, "f.version": {"Version", "Version"},
	"f.applicant": {"Antragsteller", "Applicant"}, "f.resubmission": {"Wiedervorlage", "Resubmission"},
	"f.attachments": {"Anlagen", "Attachments"}, "f.evidence": {"Nachweise", "Evidence"},
	"f.payment": {"Zahlung", "Payment"}, "f.docrequest": {"Nachforderung", "Document request"},
	"f.deadline": {"Frist", "deadline"}, "f.decision": {"Entscheidung", "Decision"},
	"f.fee": {"Gebühr", "Fee"}, "f.valid_until": {"Gültig bis", "Valid until"},
	"f.notes": {"Notizen", "Notes"}, "f.approve": {"freigeben", "approve"}, "f.return": {"zurückgeben", "return"}, "f.outbox": {"Ausstehend", "Pending"},
}

// tr looks up key in lang ("de" or "en") and formats it; unknown keys show themselves.
func tr(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == "en" {
		s = m[1]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

var statusLabels = map[api.Status][2]string{
	api.StatusNew:               {"Neu", "New"},
	api.StatusInReview:          {"In Bearbeitung", "In review"},
	api.StatusAwaitingDocuments: {"Unterlagen nachgefordert", "Awaiting documents"},
	api.StatusDecisionProposed:  {"Entscheidung vorgeschlagen", "Decision proposed"},
	api.StatusDecided:           {"Entschieden", "Decided"},
	api.StatusClosed:            {"Abgeschlossen", "Closed"},
	api.StatusWithdrawn:         {"Zurückgenommen", "Withdrawn"},
	api.StatusForwarded:         {"Abgegeben", "Forwarded"},
}

var outcomeLabels = map[api.Outcome][2]string{
	api.OutcomeApproved:          {"bewilligt", "approved"},
	api.OutcomePartiallyApproved: {"teilweise bewilligt", "partially approved"},
	api.OutcomeRejected:          {"abgelehnt", "rejected"},
	api.OutcomeWithdrawn:         {"zurückgenommen", "withdrawn"},
	api.OutcomeForwarded:         {"abgegeben", "forwarded"},
}

var kindLabels = map[api.ActionKind][2]string{
	api.ActionNote:            {"Notiz", "note"},
	api.ActionDecision:        {"Entscheidung", "decision"},
	api.ActionApproval:        {"Freigabe", "approval"},
	api.ActionAssignment:      {"Zuweisung", "assignment"},
	api.ActionStatus:          {"Statuswechsel", "status"},
	api.ActionResubmission:    {"Wiedervorlage", "resubmission"},
	api.ActionDocumentRequest: {"Nachforderung", "document request"},
}

var stateLabels = map[store.ActionState][2]string{
	store.StatePending:  {"ausstehend", "pending"},
	store.StateConflict: {"Konflikt", "conflict"},
	store.StateRejected: {"abgelehnt", "rejected"},
}

func pick(lang string, m [2]string, ok bool, fallback string) string {
	if !ok {
		return fallback
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

func (a *app) statusLabel(s api.Status) string {
	m, ok := statusLabels[s]
	return pick(a.lang, m, ok, cell(string(s), 30))
}

func (a *app) outcomeLabel(o api.Outcome) string {
	m, ok := outcomeLabels[o]
	return pick(a.lang, m, ok, cell(string(o), 30))
}

func (a *app) kindLabel(k api.ActionKind) string {
	m, ok := kindLabels[k]
	return pick(a.lang, m, ok, cell(string(k), 30))
}

func (a *app) stateLabel(s store.ActionState) string {
	m, ok := stateLabels[s]
	return pick(a.lang, m, ok, cell(string(s), 30))
}
