package main

// cliMessages are this file's additions to the catalogue (kept apart so that parallel work on
// msgs.go does not collide); init merges them into messages.
var cliMessages = map[string][2]string{
	"warn.config_key_near": {"Konfiguration %s, Zeile %d: unbekannter Schlüssel »%s« wird ignoriert – gemeint ist wohl »%s«",
		"config %s, line %d: unknown key »%s« is ignored – did you mean »%s«?"},
	"warn.config_key": {"Konfiguration %s, Zeile %d: unbekannter Schlüssel »%s« wird ignoriert",
		"config %s, line %d: unknown key »%s« is ignored"},
	"err.relay_refused": {"Dieser Befehl läuft nicht über die geöffnete Oberfläche.", "this command does not run through the open app."},
	"err.relay_failed":  {"Interner Fehler beim Ausführen in der geöffneten Oberfläche: %s", "internal error running the command in the open app: %s"},
	"err.relay_lost": {"Die geöffnete Oberfläche hat nicht geantwortet (wurde sie beendet?). Ob eine Aktion\nvorgemerkt wurde, zeigt »amt outbox«.",
		"the open app did not answer (was it closed?). »amt outbox« shows whether an action was queued."},
	"help.usage_word": {"Aufruf:", "usage:"},
	"help.options":    {"Optionen:", "options:"},
	"help.default":    {"Standard:", "default:"},
	"help.see":        {"Hilfe: amt %s --help", "help: amt %s --help"},
	"help.exit_queue": {"Rückgabewert 0: beim Server angekommen; 3: vorgemerkt, der Server war nicht erreichbar\n(wird mit amt sync oder der Oberfläche gesendet); 1: abgelehnt oder Konflikt.",
		"exit status 0: the server has it; 3: queued, the server was not reachable (sent by amt sync\nor the app); 1: refused or conflict."},
	"err.clerk_none": {"Keine Kennung und kein Name passt zu »%s«. Möglich sind:", "no clerk id or name matches »%s«. Valid are:"},
	"err.clerk_many": {"»%s« passt zu mehreren; bitte die Kennung angeben:", "»%s« matches several; give the id:"},
	"login.next": {"Als Nächstes: »%s« lädt die Vorgänge, oder »%s« startet die Oberfläche (sie gleicht selbst ab).",
		"next: »%s« fetches the cases, or »%s« starts the app (it syncs by itself)."},
	"quit.pending": {"%d {Aktion ist|Aktionen sind} noch nicht beim Server und {bleibt|bleiben} vorgemerkt;\nsie {geht|gehen} beim nächsten Start von amt oder mit »%s« hinaus.",
		"%d {action has|actions have} not reached the server yet and {stays|stay} queued;\n{it goes|they go} out with the next start of amt or »%s«."},
	"quit.open": {"%d {Aktion wartet|Aktionen warten} auf Ihre Entscheidung (Konflikt oder abgelehnt): »%s«.",
		"%d {action waits|actions wait} for your decision (conflict or rejected): »%s«."},
}

func init() {
	for k, v := range cliMessages {
		if _, dup := messages[k]; dup {
			panic("msgs_cli.go: duplicate message key " + k)
		}
		messages[k] = v
	}
}
