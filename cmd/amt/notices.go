package main

import (
	"errors"
	"time"

	"github.com/amt-mv/amt/api"

	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/sanitize"
)

// tokenNotice warns on stderr when the clerk's static token runs out soon
// (client.TokenWarnBefore), so that a new one is asked for before work stops.
func (a *app) tokenNotice(me api.Me) {
	if exp, soon, _ := client.TokenExpiry(me, time.Now()); soon {
		a.errorf("%s", a.T("token.expires_soon", exp.Local().Format("02.01.2006")))
	}
}

// tlsFailure says what is wrong with the server's (or the clerk's) certificate and what to do,
// for login, sync and doctor alike; ok is false when err is no certificate failure. A wrong
// certificate is never "server not reachable" (issue #16 item 8).
func (a *app) tlsFailure(err error, server string) (what, fix string, ok bool) {
	var te *client.TLSError
	if !errors.As(err, &te) {
		return "", "", false
	}
	host := sanitize.Line(server)
	switch te.Problem {
	case client.TLSUntrusted:
		return a.T("tls.untrusted", host), a.T("tls.untrusted_fix"), true
	case client.TLSWrongHost:
		return a.T("tls.wrong_host", host), a.T("tls.wrong_host_fix"), true
	case client.TLSExpired:
		return a.T("tls.expired", host), a.T("tls.expired_fix"), true
	case client.TLSClientCert:
		return a.T("tls.client_cert", host), a.T("tls.client_cert_fix"), true
	}
	return a.T("tls.other", host), a.T("tls.untrusted_fix"), true
}
