package idp

import (
	"html/template"
	"net/http"
)

// devicePage is the verification URI: the user enters (or finds pre-filled) the code, picks who
// they are and approves or denies. A demo stand-in for the provider's login page.
func (p *Provider) devicePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	data := struct {
		Code, Message string
		Users         []User
		Done          bool
	}{Code: r.URL.Query().Get("user_code"), Users: p.Users()}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		data.Code = r.PostForm.Get("user_code")
		var err error
		if r.PostForm.Get("action") == "deny" {
			err = p.Deny(data.Code)
		} else {
			err = p.Approve(data.Code, r.PostForm.Get("username"))
		}
		if err != nil {
			data.Message = "Der Code ist unbekannt, abgelaufen oder schon benutzt."
		} else {
			data.Done = true
			data.Message = "Fertig. Sie können dieses Fenster schließen und zu amt zurückkehren."
		}
	} else if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	pageTmpl.Execute(w, data)
}

var pageTmpl = template.Must(template.New("device").Parse(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Anmeldung (Test-Anmeldedienst)</title>
<style>body{font-family:sans-serif;max-width:32em;margin:2em auto}label{display:block;margin:.8em 0 .2em}</style></head>
<body><h1>Anmeldung bei amt</h1>
<p><small>Test-Anmeldedienst für Demo und Tests — kein Passwort, nur auf diesem Rechner erreichbar.</small></p>
{{if .Message}}<p><strong>{{.Message}}</strong></p>{{end}}
{{if not .Done}}<form method="post">
<label for="c">Code aus amt</label><input id="c" name="user_code" value="{{.Code}}" autocomplete="off">
<label for="u">Angemeldet als</label><select id="u" name="username">
{{range .Users}}<option value="{{.Username}}">{{.Name}} ({{.Username}}{{if .Amt}}, {{.Amt}}{{end}}{{range .Roles}}, {{.}}{{end}})</option>{{end}}
</select>
<p><button name="action" value="approve">Zulassen</button> <button name="action" value="deny">Ablehnen</button></p>
</form>{{end}}
</body></html>
`))
