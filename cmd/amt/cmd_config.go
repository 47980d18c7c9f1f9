package main

import (
	"os"
	"path/filepath"

	"github.com/amt-mv/amt/internal/safefile"
)

const configTemplate = `# amt – Konfiguration / configuration
# Flags (--server, --data, --lang) und Umgebungsvariablen (AMT_SERVER, AMT_DATA, AMT_TOKEN,
# AMT_PASSPHRASE) haben Vorrang vor dieser Datei.

# Adresse der zentralen API (https://…)
server: ""

# Zusätzliche vertrauenswürdige CA (PEM) und Client-Zertifikat für mTLS
# ca_file: /etc/amt/ca.pem
# cert_file: /etc/amt/client.pem
# key_file: /etc/amt/client-key.pem

# Sprache: de oder en
lang: de

# Abgeschlossene Vorgänge nach so vielen Tagen aus dem lokalen Cache entfernen: automatisch
# einmal am Tag (beim Start von amt und nach amt sync) und mit amt purge. Vorgänge mit
# vorgemerkten Aktionen bleiben; auf dem Server bleibt alles erhalten.
retention_days: 90

# Betrachter für Schreiben aus dem Postausgang (amt print-queue print): ein Befehl, dem der
# Dateipfad angehängt wird, z. B. lp zum direkten Drucken (Standard: Betrachter des Systems)
# viewer: lp

# Cache-Verzeichnis (Standard: Datenverzeichnis des Benutzers)
# data: /home/clerk/.local/share/amt

# Oberfläche: Farbschema default, high-contrast, red-green oder blue-yellow; Maus; Frist „bald fällig“ in Tagen
# theme: default
# Barrierearmer Modus für Screenreader und Braillezeile (wie amt --accessible oder ACCESSIBLE=1)
# accessible: false
# mouse: false
# due_soon_days: 3

# Tastenbelegung überschreiben (Aktion: Tasten), siehe „?“ in der Oberfläche
# keys:
#   case.decide: ["ctrl+d"]
#   quit: ["Q"]

# Eigene Ansichten (Reiter) im Posteingang
# views:
#   - name: Gewerbe
#     filter: "service:gewerbe status:new,in_review"
`

func cmdConfig(a *app, args []string) int {
	if len(args) == 0 {
		a.errorf("%s", a.T("usage.config"))
		return exitUsage
	}
	switch args[0] {
	case "path":
		a.printf("%s\n", a.cfgPath)
		return exitOK
	case "init":
		fs := a.newFlags("config init")
		force := fs.Bool("force", false, a.T("flag.force"))
		if _, err := parseFlags(fs, args[1:]); err != nil {
			return flagExit(err)
		}
		if a.cfgPath == "" {
			a.errorf("%s", a.T("err.no_config_dir"))
			return exitErr
		}
		if _, err := os.Stat(a.cfgPath); err == nil && !*force {
			a.errorf("%s", a.T("err.config_exists", a.cfgPath))
			return exitErr
		}
		if err := os.MkdirAll(filepath.Dir(a.cfgPath), 0o700); err != nil {
			a.errorf("%v", err)
			return exitErr
		}
		if err := safefile.WriteFile(a.cfgPath, []byte(configTemplate)); err != nil {
			a.errorf("%v", err)
			return exitErr
		}
		a.printf("%s\n", a.T("config.written", a.cfgPath))
		return exitOK
	}
	a.errorf("%s", a.T("usage.config"))
	return exitUsage
}
