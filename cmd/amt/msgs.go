package main

import (
	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/i18n"
)

// messages is the command line's catalogue: key → {German, English}. The TUI has its own.
var messages = map[string][2]string{
	"usage.head": {"amt – Vorgänge bearbeiten, auch offline.\n\nAufruf: amt [globale Optionen] [Befehl] …  (ohne Befehl: Oberfläche)\n\nBefehle:",
		"amt – work on cases, offline too.\n\nUsage: amt [global options] [command] …  (no command: the terminal app)\n\nCommands:"},
	"usage.globals": {"\nGlobale Optionen (vor oder nach dem Befehl):\n  --data DIR      Cache-Verzeichnis (AMT_DATA)\n  --server URL    zentrale API (AMT_SERVER)\n  --config DATEI  Konfigurationsdatei (AMT_CONFIG)\n  --lang de|en    Sprache\n  --demo          mit eingebautem Demo-Server starten\n  --accessible    barrierearmer Modus für Screenreader und Braillezeile (ACCESSIBLE=1)\n  --version       Version anzeigen\n\nUmgebung: AMT_TOKEN, AMT_PASSPHRASE (Cache-Passwort, wo kein Schlüsselbund verfügbar ist).\n\nRückgabewerte: 0 ok, 1 Fehler, 2 Aufruf falsch, 3 offline (Aktion vorgemerkt), 4 Cache beschädigt (amt cache rescue),\n  5 Cache nicht entsperrbar (AMT_PASSPHRASE), 6 Cache von neuerer amt-Version.",
		"\nGlobal options (before or after the command):\n  --data DIR      cache directory (AMT_DATA)\n  --server URL    central API (AMT_SERVER)\n  --config FILE   config file (AMT_CONFIG)\n  --lang de|en    language\n  --demo          start with a built-in demo server\n  --accessible    accessible mode for screen readers and braille displays (ACCESSIBLE=1)\n  --version       show the version\n\nEnvironment: AMT_TOKEN, AMT_PASSPHRASE (cache passphrase where no keyring is available).\n\nExit codes: 0 ok, 1 error, 2 usage, 3 offline (action queued), 4 cache damaged (amt cache rescue),\n  5 cache cannot be unlocked (AMT_PASSPHRASE), 6 cache from a newer amt."},
	"help.login":        {"Anmelden: über den Anmeldedienst des Landes (Gerätecode), sonst mit Token (geprüft mit dem Server, wenn erreichbar)", "sign in: through the state's identity provider (device code), else with a token (checked with the server when reachable)"},
	"help.sync":         {"Ausstehende Aktionen senden und Vorgänge abgleichen", "send pending actions and fetch changed cases"},
	"help.list":         {"Vorgänge aus dem lokalen Cache auflisten", "list cases from the local cache"},
	"help.show":         {"Einen Vorgang anzeigen (ID oder Aktenzeichen)", "show one case (id or reference)"},
	"help.comment":      {"Notiz hinzufügen (- liest den Text von der Standardeingabe)", "add a note (- reads the text from stdin)"},
	"help.assign":       {"Zuständigkeit setzen", "set the assignee"},
	"help.decide":       {"Entscheidung treffen (approved, partially_approved, rejected, withdrawn, forwarded)", "decide a case (approved, partially_approved, rejected, withdrawn, forwarded)"},
	"help.approve":      {"Vorgeschlagene Entscheidung (Vier-Augen-Prinzip) freigeben oder mit --return und Kommentar zurückgeben (Leitung)", "approve a proposed four-eyes decision, or return it with --return and a comment (leads)"},
	"help.resubmit":     {"Wiedervorlage setzen (DATUM: JJJJ-MM-TT, TT.MM.JJJJ oder +7 für in 7 Tagen)", "set a resubmission date (DATE: YYYY-MM-DD, DD.MM.YYYY or +7 for in 7 days)"},
	"help.request_docs": {"Unterlagen nachfordern (--doc mehrfach; Frist wie bei resubmit)", "request documents (--doc repeatable; deadline as for resubmit)"},
	"help.status":       {"Bearbeitung beginnen (in_review) oder entschiedenen Vorgang abschließen (closed)", "start the review (in_review) or close a decided case (closed)"},
	"help.outbox":       {"Ausstehende, abgelehnte und Konflikt-Aktionen anzeigen; cancel nimmt eine noch nicht gesendete zurück", "show pending, rejected and conflicting actions; cancel takes back one not yet sent"},
	"help.conflicts":    {"Konflikte anzeigen und lösen", "show and resolve conflicts"},
	"help.cache":        {"Pfad des lokalen Caches anzeigen; beschädigten Cache beiseitelegen, ausstehende Aktionen retten und neu abgleichen", "show the local cache's path; move a damaged cache aside, rescue pending actions and sync again"},
	"help.purge":        {"Abgeschlossene Vorgänge aus dem Cache entfernen", "remove finished cases from the cache"},
	"help.config":       {"Pfad der Konfigurationsdatei anzeigen oder eine kommentierte anlegen", "show the config file path or write a commented one"},
	"help.doctor":       {"Einrichtung prüfen: Server, TLS, Token, Cache, Speicherplatz", "check the setup: server, TLS, token, cache, disk space"},
	"help.completion":   {"Shell-Vervollständigung ausgeben", "print a shell completion script"},
	"usage.completion":  {"Aufruf: amt completion bash|zsh|fish|powershell", "usage: amt completion bash|zsh|fish|powershell"},

	"doc.config":            {"Konfiguration", "config"},
	"doc.config_none":       {"kein Konfigurationsverzeichnis bekannt", "no config directory known"},
	"doc.config_missing":    {"%s (nicht vorhanden; Standardwerte – anlegen mit: amt config init)", "%s (absent; defaults apply – create with: amt config init)"},
	"doc.cache":             {"Lokaler Cache", "local cache"},
	"doc.cache_ok":          {"%s (%d {Vorgang|Vorgänge}, unversehrt)", "%s (%d {case|cases}, intact)"},
	"doc.cache_fix":         {"siehe Meldung oben; Passwort über AMT_PASSPHRASE, Verzeichnis über --data", "see the message above; passphrase via AMT_PASSPHRASE, directory via --data"},
	"doc.cache_corrupt_fix": {"%s – legt die Datei beiseite (sie bleibt erhalten), übernimmt ausstehende Aktionen in einen neuen Cache und gleicht neu ab", "%s – moves the file aside (it is kept), carries pending actions over into a fresh cache and syncs again"},
	"doc.cache_newer_fix":   {"amt aktualisieren (diese Version: %s); nur falls das nicht geht: %s", "update amt (this version: %s); only if that is not possible: %s"},
	"doc.cache_locked_fix":  {"richtiges Passwort in AMT_PASSPHRASE setzen; die Daten sind unversehrt", "set the right passphrase in AMT_PASSPHRASE; the data is intact"},
	"doc.cache_damaged":     {"%s beschädigt", "%s damaged"},
	"doc.cache_newer":       {"%s stammt von einer neueren amt-Version", "%s was written by a newer amt"},
	"doc.cache_locked":      {"%s nicht entsperrbar", "%s cannot be unlocked"},
	"doc.outbox":            {"Postausgang", "outbox"},
	"doc.outbox_detail":     {"%d ausstehend, %d {Konflikt|Konflikte}, %d abgelehnt", "%d pending, %d {conflict|conflicts}, %d rejected"},
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
	"tls.untrusted":         {"Das Zertifikat von %s ist von keiner anerkannten Stelle ausgestellt – es wurde keine Verbindung aufgebaut.", "the certificate of %s is not issued by a trusted authority – no connection was made."},
	"tls.untrusted_fix":     {"Was tun: die CA-Datei der Behörde in der Konfiguration eintragen (ca_file, siehe amt config path) oder die IT fragen. Nicht auf anderem Weg verbinden: jemand könnte die Verbindung abfangen.", "what to do: set the authority's CA file in the config (ca_file, see amt config path) or ask IT. Do not connect some other way: someone could be intercepting the connection."},
	"tls.wrong_host":        {"Das Zertifikat von %s gilt für einen anderen Servernamen – es wurde keine Verbindung aufgebaut.", "the certificate of %s is for another server name – no connection was made."},
	"tls.wrong_host_fix":    {"Was tun: die Serveradresse prüfen (amt config path, --server) oder die IT fragen.", "what to do: check the server address (amt config path, --server) or ask IT."},
	"tls.expired":           {"Das Zertifikat von %s ist abgelaufen oder noch nicht gültig – es wurde keine Verbindung aufgebaut.", "the certificate of %s has expired or is not valid yet – no connection was made."},
	"tls.expired_fix":       {"Was tun: Datum und Uhrzeit dieses Rechners prüfen; stimmen sie, die IT bitten, das Zertifikat des Servers zu erneuern.", "what to do: check this computer's date and time; if they are right, ask IT to renew the server's certificate."},
	"tls.client_cert":       {"%s verlangt ein Client-Zertifikat oder lehnt das eingetragene ab – es wurde keine Verbindung aufgebaut.", "%s requires a client certificate or refuses the configured one – no connection was made."},
	"tls.client_cert_fix":   {"Was tun: Client-Zertifikat und Schlüssel in der Konfiguration eintragen (cert_file, key_file) oder die IT fragen.", "what to do: set the client certificate and key in the config (cert_file, key_file) or ask IT."},
	"tls.other":             {"Die gesicherte Verbindung (TLS) zu %s ist am Zertifikat gescheitert.", "the secure connection (TLS) to %s failed on its certificate."},
	"tls.queued":            {"%d Aktionen bleiben vorgemerkt.", "%d actions stay queued."},
	"tls.login_nothing":     {"Anmeldung nicht gespeichert.", "sign-in not stored."},
	"doc.tls_fix":           {"CA-Datei der Behörde in der Konfiguration eintragen (ca_file) oder die IT fragen", "set the authority's CA file in the config (ca_file) or ask IT"},
	"doc.token":             {"Anmeldung", "sign-in"},
	"doc.token_none":        {"kein Token gespeichert", "no token stored"},
	"doc.token_bad":         {"Token vom Server abgelehnt (abgelaufen oder widerrufen)", "token refused by the server (expired or revoked)"},
	"doc.token_ok":          {"%s (%s), %s", "%s (%s), %s"},
	"doc.token_fix":         {"neues Token bei der IT anfordern und amt login --token … ausführen", "ask IT for a new token and run amt login --token …"},

	"help.version": {"Version anzeigen", "show the version"},

	"usage.show":         {"Aufruf: amt show ID [--json]", "usage: amt show ID [--json]"},
	"usage.comment":      {"Aufruf: amt comment ID TEXT  (TEXT „-“ liest von der Standardeingabe)", "usage: amt comment ID TEXT  (TEXT \"-\" reads stdin)"},
	"usage.assign":       {"Aufruf: amt assign ID --to KENNUNG | --me | --none", "usage: amt assign ID --to CLERK | --me | --none"},
	"usage.decide":       {"Aufruf: amt decide ID ERGEBNIS --reason TEXT [--fee-cents N] [--valid-until JJJJ-MM-TT] [--value NAME=WERT …]", "usage: amt decide ID OUTCOME --reason TEXT [--fee-cents N] [--valid-until YYYY-MM-DD] [--value NAME=VALUE …]"},
	"usage.outbox":       {"Aufruf: amt outbox [--json] | amt outbox cancel AKTIONS-ID", "usage: amt outbox [--json] | amt outbox cancel ACTION-ID"},
	"usage.conflicts":    {"Aufruf: amt conflicts [list] | amt conflicts resolve AKTIONS-ID --reapply|--as-note|--discard", "usage: amt conflicts [list] | amt conflicts resolve ACTION-ID --reapply|--as-note|--discard"},
	"usage.cache":        {"Aufruf: amt cache path | amt cache rescue [--force] [--no-sync] [--from DATEI]", "usage: amt cache path | amt cache rescue [--force] [--no-sync] [--from FILE]"},
	"usage.approve":      {"Aufruf: amt approve ID [--return --comment TEXT]", "usage: amt approve ID [--return --comment TEXT]"},
	"usage.resubmit":     {"Aufruf: amt resubmit ID DATUM [--reason TEXT]  (DATUM: heute, morgen, +7, +2w, +1m, TT.MM.JJ, TT.MM.JJJJ, JJJJ-MM-TT)", "usage: amt resubmit ID DATE [--reason TEXT]  (DATE: today, tomorrow, +7, +2w, +1m, DD.MM.YY, DD.MM.YYYY, YYYY-MM-DD)"},
	"usage.request_docs": {"Aufruf: amt request-docs ID --doc TEXT [--doc TEXT …] --deadline DATUM [--message TEXT]", "usage: amt request-docs ID --doc TEXT [--doc TEXT …] --deadline DATE [--message TEXT]"},
	"usage.status":       {"Aufruf: amt status ID in_review|closed (in_review zieht auch einen eigenen Vorschlag zurück)", "usage: amt status ID in_review|closed (in_review also withdraws your own proposal)"},
	"usage.config":       {"Aufruf: amt config path | amt config init [--force]", "usage: amt config path | amt config init [--force]"},

	"flag.token":           {"Token (sonst AMT_TOKEN oder Eingabe)", "token (else AMT_TOKEN or prompt)"},
	"flag.timeout":         {"Zeitlimit", "time limit"},
	"flag.status":          {"nur diese Status (kommagetrennt)", "only these statuses (comma-separated)"},
	"flag.mine":            {"nur mir zugewiesene", "only cases assigned to me"},
	"flag.overdue":         {"nur überfällige", "only overdue cases"},
	"flag.service":         {"nur diese Leistung (Name oder LeiKa-Schlüssel)", "only this service (name or LeiKa key)"},
	"flag.query":           {"Filter wie „/“ im Posteingang: Wörter, status:, zuständig:, leistung:, frist<DATUM, -wort", "filter as with / in the inbox: words, status:, assignee:, service:, due<DATE, -word"},
	"flag.json":            {"Ausgabe als JSON", "output JSON"},
	"flag.to":              {"Kennung der Kollegin / des Kollegen", "colleague's clerk id"},
	"flag.me":              {"mir zuweisen", "assign to me"},
	"flag.none":            {"Zuständigkeit aufheben", "unassign"},
	"flag.reason":          {"Begründung (Pflicht)", "reasoning (required)"},
	"flag.fee":             {"Gebühr in Cent", "fee in cents"},
	"flag.value":           {"Bescheid-Feld der Leistung, NAME=WERT (wiederholbar; amt show zeigt die Felder), z. B. monthlyAmount=312,50", "decision field of the service, NAME=VALUE (repeatable; amt show lists them), e.g. monthlyAmount=312.50"},
	"flag.valid_until":     {"gültig bis (TT.MM.JJJJ, JJJJ-MM-TT, +1j …)", "valid until (DD.MM.YYYY, YYYY-MM-DD, +1y …)"},
	"flag.reapply":         {"Aktion auf den aktuellen Stand erneut senden", "send the action again against the current version"},
	"flag.as_note":         {"Absicht als Notiz festhalten, Aktion verwerfen", "keep the intent as a note, drop the action"},
	"flag.discard":         {"Aktion verwerfen", "drop the action"},
	"flag.older_than":      {"Alter (z. B. 90d)", "age (e.g. 90d)"},
	"flag.compact":         {"Datei danach verkleinern", "compact the file afterwards"},
	"flag.rescue_force":    {"auch einen unversehrten Cache beiseitelegen und neu beginnen", "move an intact cache aside too and start afresh"},
	"flag.rescue_from":     {"ausstehende Aktionen aus dieser beiseitegelegten Datei in den aktuellen Cache übernehmen", "carry the pending actions of this moved-aside file into the current cache"},
	"flag.no_sync":         {"danach nicht abgleichen", "do not sync afterwards"},
	"flag.return":          {"zurückgeben statt freigeben (Kommentar nötig)", "return instead of approving (needs a comment)"},
	"flag.comment":         {"Kommentar", "comment"},
	"flag.resubmit_reason": {"Anlass der Wiedervorlage", "reason for the resubmission"},
	"flag.doc":             {"nachzureichende Unterlage (mehrfach möglich)", "document to be supplied (repeatable)"},
	"flag.deadline":        {"Frist (TT.MM.JJJJ, JJJJ-MM-TT, +14, +2w, +1m …)", "deadline (DD.MM.YYYY, YYYY-MM-DD, +14, +2w, +1m …)"},
	"flag.message":         {"Nachricht an die Antragstellerin / den Antragsteller", "message to the applicant"},
	"flag.force":           {"vorhandene Datei überschreiben", "overwrite an existing file"},

	"err.config":          {"Konfigurationsdatei %s nicht lesbar: %v", "cannot read config file %s: %v"},
	"err.unknown_command": {"unbekannter Befehl „%s“", "unknown command %q"},
	"err.datadir":         {"Datenverzeichnis nicht bestimmbar (%v); bitte --data angeben", "cannot determine the data directory (%v); use --data"},
	"err.nokey":           {"Der lokale Cache kann nicht entsperrt werden: kein Schlüsselbund verfügbar. Bitte AMT_PASSPHRASE setzen.", "cannot unlock the local cache: no keyring available. Set AMT_PASSPHRASE."},
	"err.passphrase": {"Falsches Passwort für den lokalen Cache (AMT_PASSPHRASE). Die Daten sind unversehrt: bitte mit dem richtigen Passwort erneut starten.",
		"wrong passphrase for the local cache (AMT_PASSPHRASE). The data is intact: run amt again with the right passphrase."},
	"err.already_open": {"Der Cache %s ist bereits geöffnet: amt läuft in einem anderen Fenster.\nDieser Befehl braucht den Cache für sich – dort die Oberfläche mit q beenden, dann erneut\naufrufen. list, show, outbox, sync und die Aktionen (comment, decide, …) gehen auch neben\nder laufenden Oberfläche.",
		"the cache %s is already open: amt is running in another window.\nThis command needs the cache to itself – quit the app there with q, then run it again.\nlist, show, outbox, sync and the actions (comment, decide, …) also work beside the running app."},
	"err.newer_schema": {"Dieser Zwischenspeicher stammt von einer neueren amt-Version — bitte amt aktualisieren (diese Version: %s).\n" +
		"     Die Datei bleibt unverändert. Nur falls das Aktualisieren nicht möglich ist: %s\n" +
		"     legt sie beiseite (sie bleibt erhalten), übernimmt ausstehende Aktionen in einen neuen Zwischenspeicher und gleicht neu ab.",
		"this cache was written by a newer version of amt — please update amt (this version: %s).\n" +
			"     The file is left unchanged. Only if updating is not possible: %s\n" +
			"     moves it aside (it is kept), carries pending actions over into a fresh cache and syncs again."},
	"err.corrupt": {"Der lokale Zwischenspeicher (Cache) in %s ist beschädigt (abgeschnittene oder veränderte Datei).\n" +
		"     Ihre Vorgänge liegen weiter auf dem Server; noch nicht übertragene Aktionen lassen sich aus der alten Datei retten.\n" +
		"     Ausweg: %s\n" +
		"     (legt die alte Datei beiseite – sie bleibt erhalten –, übernimmt ausstehende Aktionen in einen neuen Zwischenspeicher und gleicht neu ab)\n" +
		"     Details: %s",
		"the local cache in %s is damaged (truncated or altered file).\n" +
			"     Your cases are still on the server; actions not yet sent can be rescued from the old file.\n" +
			"     Way out: %s\n" +
			"     (moves the old file aside – it is kept –, carries pending actions over into a fresh cache and syncs again)\n" +
			"     Details: %s"},
	"err.move_aside":                 {"Die alte Datei konnte nicht beiseitegelegt werden (nichts wurde verändert): %s", "cannot move the old file aside (nothing was changed): %s"},
	"err.rescue_copy":                {"Die Datei konnte für die Rettung nicht kopiert werden (nichts wurde verändert; genug Speicherplatz frei?): %s", "cannot copy the file for the rescue (nothing was changed; enough disk space?): %s"},
	"err.rescue_from":                {"%s nicht lesbar: %s", "cannot read %s: %s"},
	"err.rescue_self":                {"--from nennt den aktuellen Cache; bitte die beiseitegelegte Datei angeben (amt.db.broken-…).", "--from names the current cache; give the moved-aside file (amt.db.broken-…)."},
	"err.open_store":                 {"Cache %s kann nicht geöffnet werden: %v", "cannot open the cache %s: %v"},
	"err.store":                      {"Fehler im lokalen Cache: %v", "local cache error: %v"},
	"err.no_server":                  {"Kein Server konfiguriert: amt login --server URL (oder AMT_SERVER / config.yaml).", "no server configured: amt login --server URL (or AMT_SERVER / config.yaml)."},
	"err.no_token":                   {"Nicht angemeldet: amt login --server URL --token TOKEN (oder AMT_TOKEN).", "not signed in: amt login --server URL --token TOKEN (or AMT_TOKEN)."},
	"err.client":                     {"Serververbindung falsch konfiguriert: %s", "server connection misconfigured: %s"},
	"err.unauthorized_login":         {"Der Server hat das Token abgelehnt. Bitte ein gültiges Token von der IT anfordern.", "the server refused the token. Ask IT for a valid token."},
	"err.token_expired":              {"Ihr Zugangsschlüssel ist abgelaufen. Bei der IT einen neuen anfordern und damit anmelden: amt login --token NEU – der lokale Cache und vorgemerkte Aktionen bleiben erhalten.", "your access token has expired. Ask IT for a new one and sign in with it: amt login --token NEW – the local cache and queued actions are kept."},
	"token.expires_soon":             {"Hinweis: Ihr Zugangsschlüssel läuft am %s ab. Rechtzeitig bei der IT einen neuen anfordern; amt login --token NEU behält Cache und vorgemerkte Aktionen.", "note: your access token expires on %s. Ask IT for a new one in time; amt login --token NEW keeps the cache and queued actions."},
	"doc.token_expiry":               {"läuft am %s ab", "expires on %s"},
	"doc.token_expiry_fix":           {"bei der IT einen neuen Schlüssel anfordern, dann amt login --token NEU (Cache und vorgemerkte Aktionen bleiben)", "ask IT for a new token, then amt login --token NEW (the cache and queued actions stay)"},
	"doc.token_expired":              {"abgelaufen", "expired"},
	"err.unauthorized":               {"Der Server hat das Token abgelehnt: bitte neu anmelden (amt login).", "the server refused the token: sign in again (amt login)."},
	"err.login":                      {"Anmeldung fehlgeschlagen: %s", "sign-in failed: %s"},
	"err.not_logged_in":              {"Nicht angemeldet: amt login", "not signed in: amt login"},
	"err.bad_query":                  {"Filter nicht lesbar: »%s« (Felder: status:, zuständig:, leistung:, frist<, frist>, wv:, sync:, az:; -wort schließt aus)", "cannot read the filter: “%s” (fields: status:, assignee:, service:, due<, due>, resub:, sync:, ref:; -word excludes)"},
	"err.bad_status":                 {"unbekannter Status „%s“ (möglich: %s)", "unknown status %q (valid: %s)"},
	"err.case_not_found":             {"Vorgang „%s“ nicht im lokalen Cache (erst amt sync?)", "case %q not in the local cache (amt sync first?)"},
	"err.empty_text":                 {"Leerer Text.", "empty text."},
	"err.text_too_long":              {"Text zu lang (höchstens %d Zeichen).", "text too long (at most %d characters)."},
	"err.bad_outcome":                {"unbekanntes Ergebnis „%s“ (möglich: %s)", "unknown outcome %q (valid: %s)"},
	"err.need_reason":                {"Eine Entscheidung braucht eine Begründung: --reason TEXT", "a decision needs a reasoning: --reason TEXT"},
	"err.bad_date":                   {"ungültiges Datum „%s“ (JJJJ-MM-TT)", "invalid date %q (YYYY-MM-DD)"},
	"err.bad_date_any":               {"ungültiges Datum „%s“ (heute, morgen, +7, +2w, +1m, TT.MM.JJ, TT.MM.JJJJ oder JJJJ-MM-TT)", "invalid date %q (today, tomorrow, +7, +2w, +1m, DD.MM.YY, DD.MM.YYYY or YYYY-MM-DD)"},
	"err.date_past":                  {"Das Datum %s liegt in der Vergangenheit.", "the date %s is in the past."},
	"err.return_needs_comment":       {"Zum Zurückgeben bitte einen Kommentar angeben: --comment TEXT", "returning a decision needs a comment: --comment TEXT"},
	"err.nothing_to_approve":         {"Keine vorgeschlagene Entscheidung zur Freigabe (Status „%s“).", "no proposed decision to approve (status %q)."},
	"err.not_lead":                   {"Nur die Leitung oder ihre Stellvertretung kann Entscheidungen freigeben oder zurückgeben.", "only a lead or deputy can approve or return decisions."},
	"err.needs_approver":             {"Einen Vier-Augen-Vorgang kann nur die Leitung oder Stellvertretung direkt zurücknehmen; schlagen Sie die Rücknahme mit amt decide ID withdrawn vor.", "only a lead or deputy can withdraw a four-eyes case directly; propose the withdrawal with amt decide ID withdrawn."},
	"err.not_proposer":               {"Nur wer die Entscheidung vorgeschlagen hat, kann den Vorschlag zurückziehen (die Leitung gibt ihn mit amt approve --return zurück).", "only the clerk who proposed the decision can withdraw the proposal (a lead returns it with amt approve --return)."},
	"warn.no_approver":               {"Achtung: Außer Ihnen kann niemand im Amt diesen Vorschlag freigeben (keine weitere Leitung oder Stellvertretung). Zurückziehen: amt status ID in_review", "warning: nobody else in the Amt can approve this proposal (no other lead or deputy). Withdraw it with: amt status ID in_review"},
	"err.own_proposal":               {"Eigene Vorschläge können nicht selbst freigegeben werden (Vier-Augen-Prinzip).", "you cannot approve your own proposal (four-eyes principle)."},
	"err.case_closed":                {"Vorgang im Status „%s“ ist nicht mehr offen.", "a case in status %q is no longer open."},
	"err.too_many_docs":              {"Höchstens %d Unterlagen je Nachforderung.", "at most %d documents per request."},
	"err.no_docs_now":                {"Im Status „%s“ können keine Unterlagen nachgefordert werden.", "documents cannot be requested in status %q."},
	"err.bad_target_status":          {"„%s“: möglich sind in_review (Bearbeitung beginnen) und closed (abschließen).", "%q: possible are in_review (start the review) and closed (close)."},
	"err.no_status_change":           {"Im Status „%s“ ist kein Statuswechsel möglich.", "the status cannot change in status %q."},
	"err.bad_transition":             {"Von „%s“ nach „%s“ ist kein Wechsel möglich.", "cannot change from %q to %q."},
	"err.not_decidable":              {"Vorgang kann im Status „%s“ nicht entschieden werden.", "a case in status %q cannot be decided."},
	"err.action_not_found":           {"Aktion „%s“ nicht im Postausgang.", "action %q is not in the outbox."},
	"err.not_conflict":               {"Diese Aktion steht nicht im Konflikt.", "this action is not in conflict."},
	"err.bad_age":                    {"ungültiges Alter „%s“ (z. B. 90d)", "invalid age %q (e.g. 90d)"},
	"err.no_config_dir":              {"Kein Konfigurationsverzeichnis bekannt; bitte --config DATEI angeben.", "no config directory known; use --config FILE."},
	"err.config_exists":              {"%s existiert bereits (--force überschreibt).", "%s already exists (--force overwrites)."},
	"err.demo":                       {"Demo konnte nicht gestartet werden: %v", "cannot start the demo: %v"},
	"err.no_tui":                     {"Die Oberfläche ist in diesem Build nicht enthalten; bitte einen Befehl angeben (amt help).", "the terminal app is not part of this build; give a command (amt help)."},
	"hint.demo":                      {"Zum Ausprobieren ohne Server: amt --demo", "to try it without a server: amt --demo"},
	"err.tui":                        {"Oberfläche beendet mit Fehler: %v", "the terminal app failed: %v"},
	"f.decision_fields":              {"Bescheid-Felder (amt decide --value NAME=WERT)", "decision fields (amt decide --value NAME=VALUE)"},
	"f.required":                     {"Pflicht bei Bewilligung", "required for a grant"},
	"err.value_unknown":              {"„%s“ ist kein Bescheid-Feld dieser Leistung (Felder: %s)", "%q is not a decision field of this service (fields: %s)"},
	"err.value_bad":                  {"--value %s: „%s“ nicht lesbar, z. B. %s", "--value %s: cannot read %q, e.g. %s"},
	"err.value_not_grant":            {"--value %s gibt es nur bei einer Bewilligung (approved, partially_approved)", "--value %s belongs to a grant only (approved, partially_approved)"},
	"err.value_required":             {"Für diese Leistung gehört „%s“ in den Bescheid: --value %s=%s", "this service's decision needs %q: --value %s=%s"},
	"value.example.amount_per_month": {"312,50", "312.50"},
	"value.example.amount_per_year":  {"120,00", "120.00"},
	"value.example.period":           {"01.12.2026-30.11.2027", "2026-12-01/2027-11-30"},
	"value.example.date":             {"15.12.2026", "2026-12-15"},
	"value.example.text":             {"Text", "text"},

	"login.prompt":  {"Token: ", "Token: "},
	"login.ok":      {"Angemeldet als %s (%s), %s.", "signed in as %s (%s), %s."},
	"login.offline": {"Server nicht erreichbar: Anmeldung gespeichert, das Token wird beim nächsten Abgleich geprüft.", "server not reachable: sign-in stored, the token is checked at the next sync."},

	"sync.ok":      {"Abgeglichen: %d {Vorgang|Vorgänge}, %d ausstehend, %d {Konflikt|Konflikte}, %d abgelehnt.", "synced: %d {case|cases}, %d pending, %d {conflict|conflicts}, %d rejected."},
	"sync.offline": {"offline: Server nicht erreichbar; %d {Aktion bleibt|Aktionen bleiben} vorgemerkt.", "offline: server not reachable; %d {action stays|actions stay} queued."},
	"sync.queued":  {"%d {Aktion bleibt|Aktionen bleiben} vorgemerkt.", "%d {action stays|actions stay} queued."},
	"sync.failed":  {"Abgleich fehlgeschlagen: %s", "sync failed: %s"},

	"list.header": {"AKTENZEICHEN\tSTATUS\tFRIST\tZUSTÄNDIG\tANTRAGSTELLER\tLEISTUNG\t\tID", "REFERENCE\tSTATUS\tDUE\tASSIGNEE\tAPPLICANT\tSERVICE\t\tID"},
	"list.empty":  {"Keine Vorgänge.", "no cases."},

	"queued.offline":     {"vorgemerkt (offline)", "queued (offline)"},
	"queued.unconfirmed": {"gesendet, aber die Antwort ging verloren: unbestätigt, wird geprüft (beim nächsten Abgleich, ohne doppelt zu buchen)", "sent, but the answer was lost: unconfirmed, being checked (at the next sync, never applied twice)"},
	"queued.retry":       {"vorgemerkt (Server ausgelastet, wird erneut versucht)", "queued (server busy, will retry)"},
	"queued.sent":        {"übermittelt", "sent"},
	"queued.conflict":    {"Konflikt: der Vorgang wurde zwischenzeitlich geändert. Lösen mit: amt conflicts resolve %s --reapply|--as-note|--discard", "conflict: the case was changed meanwhile. Resolve with: amt conflicts resolve %s --reapply|--as-note|--discard"},
	"queued.rejected":    {"vom Server abgelehnt: %s", "rejected by the server: %s"},

	"outbox.empty":             {"Postausgang leer.", "outbox empty."},
	"outbox.unconfirmed":       {"gesendet, Antwort verloren – unbestätigt, wird geprüft", "sent, answer lost – unconfirmed, being checked"},
	"outbox.retry":             {"%d {Versuch|Versuche}, nächster um %s (%s)", "%d {attempt|attempts}, next at %s (%s)"},
	"outbox.rejected":          {"abgelehnt: %s", "rejected: %s"},
	"outbox.conflict":          {"Server-Stand: Version %d, %s, zuständig %s", "server: version %d, %s, assignee %s"},
	"outbox.conflict_decision": {"Server-Entscheidung: %s von %s", "server decision: %s by %s"},
	"outbox.resolve_hint":      {"lösen: amt conflicts resolve %s --reapply|--as-note|--discard", "resolve: amt conflicts resolve %s --reapply|--as-note|--discard"},
	"outbox.cancelled":         {"zurückgenommen – nichts wurde gesendet", "taken back – nothing was sent"},
	"err.in_flight":            {"Die Aktion ist bereits unterwegs zum Server und lässt sich nicht mehr zurücknehmen.", "The action is already on its way to the server and can no longer be taken back."},
	"resolve.discarded":        {"verworfen", "discarded"},
	"rescue.ask":               {"Neu synchronisieren? [j/N] ", "Re-sync? [y/N] "},
	"rescue.none":              {"Kein Cache unter %s – nichts zu retten.", "no cache at %s – nothing to rescue."},
	"rescue.intact":            {"Der Cache %s ist unversehrt – nichts zu retten (--force legt ihn trotzdem beiseite und beginnt neu).", "the cache %s is intact – nothing to rescue (--force moves it aside and starts afresh anyway)."},
	"rescue.moved":             {"Alte Datei beiseitegelegt (bleibt erhalten): %s", "old file moved aside (kept): %s"},
	"rescue.actions":           {"%d {ausstehende Aktion|ausstehende Aktionen} in den neuen Cache übernommen (mit ihren Aktions-IDs: nichts wird doppelt übertragen).", "%d pending {action|actions} carried over into the fresh cache (with their action ids: nothing is sent twice)."},
	"rescue.imported":          {"%d {ausstehende Aktion|ausstehende Aktionen} aus %s übernommen.", "%d pending {action|actions} carried over from %s."},
	"rescue.skipped":           {"Achtung: %d Einträge des Postausgangs waren beschädigt und konnten nicht übernommen werden; bitte mit amt outbox prüfen und fehlende Arbeit erneut erfassen.", "warning: %d outbox entries were damaged and could not be carried over; check with amt outbox and enter missing work again."},
	"rescue.partial":           {"Achtung: der Postausgang der alten Datei war nicht vollständig lesbar (%s). Noch nicht übertragene Aktionen können fehlen: bitte nach dem Abgleich die zuletzt bearbeiteten Vorgänge prüfen und fehlende Arbeit neu erfassen.", "warning: the old file's outbox was not fully readable (%s). Actions not yet sent may be missing: after the sync, check the cases you worked on last and enter missing work again."},
	"rescue.enqueue_failed":    {"Aktion %s konnte nicht übernommen werden: %s", "cannot carry over action %s: %s"},
	"rescue.retry_from":        {"Erneut versuchen mit: %s", "try again with: %s"},
	"rescue.login":             {"Die Anmeldung war in der alten Datei nicht lesbar: bitte neu anmelden (amt login --server URL --token …); die übernommenen Aktionen werden danach übertragen.", "the sign-in could not be read from the old file: sign in again (amt login --server URL --token …); the carried-over actions are sent afterwards."},
	"rescue.keep_hint":         {"Die alte Datei enthält verschlüsselte personenbezogene Daten: nach erfolgreicher Übertragung löschen oder der IT zur Analyse geben (%s).", "the old file holds encrypted personal data: delete it once everything is sent, or hand it to IT for analysis (%s)."},
	"purge.auto":               {"%d {abgeschlossener Vorgang|abgeschlossene Vorgänge}, älter als %d {Tag|Tage}, aus dem lokalen Cache entfernt (retention_days).", "%d finished {case|cases} older than %d {day|days} removed from the local cache (retention_days)."},
	"purge.done":               {"%d {Vorgang|Vorgänge} entfernt.", "%d {case|cases} removed."},
	"config.written":           {"Konfiguration geschrieben: %s", "config written: %s"},
	"demo.start":               {"Demo-Server läuft auf %s (angemeldet als %s).", "demo server running at %s (signed in as %s)."},

	"f.status": {"Status", "Status"}, "f.due": {"Frist", "Due"}, "f.assignee": {"Zuständig", "Assignee"},
	"f.submitted": {"Eingang", "Submitted"}, "f.version": {"Version", "Version"},
	"f.applicant": {"Antragsteller", "Applicant"}, "f.resubmission": {"Wiedervorlage", "Resubmission"},
	"f.attachments": {"Anlagen", "Attachments"}, "f.evidence": {"Nachweise", "Evidence"},
	"f.checked_by": {"geprüft von %s am %s", "checked by %s on %s"},
	"f.payment":    {"Zahlung", "Payment"}, "f.docrequest": {"Nachforderung", "Document request"},
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
	return i18n.Sprintf(s, args...) // with {singular|plural} forms
}

// date writes a YYYY-MM-DD date for the clerk (24.11.2026, or 2026-11-24 in English), sanitised.
func (a *app) date(iso string) string {
	lang := casework.German
	if a.lang == "en" {
		lang = casework.English
	}
	return sanitize.Line(casework.FormatDate(iso, lang))
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

// statusLabel names a status as the terminal app does (one catalogue, so the CLI and the TUI
// never call the same state by two names).
func (a *app) statusLabel(s api.Status) string {
	de, en, ok := i18n.Entry("status." + string(s))
	return pick(a.lang, [2]string{de, en}, ok && s.Valid(), cell(string(s), 30))
}

// The labels below come from the terminal app's catalogue too: the CLI and the TUI call an
// outcome, an action kind and an action's state by the same name.

func (a *app) outcomeLabel(o api.Outcome) string { return a.catalogue("act.outcome.", string(o)) }

func (a *app) kindLabel(k api.ActionKind) string { return a.catalogue("act.kind.", string(k)) }

func (a *app) stateLabel(s store.ActionState) string { return a.catalogue("pend.state.", string(s)) }

// catalogue looks prefix+value up in the TUI's catalogue; unknown values (from a newer server or
// a damaged record) are shown sanitised and shortened rather than as a key.
func (a *app) catalogue(prefix, value string) string {
	de, en, ok := i18n.Entry(prefix + value)
	return pick(a.lang, [2]string{de, en}, ok, cell(value, 30))
}
