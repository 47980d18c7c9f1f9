package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/sanitize"
)

func cmdLogin(a *app, args []string) int {
	fs := a.newFlags("login")
	tok := fs.String("token", "", a.T("flag.token"))
	noBrowser := fs.Bool("no-browser", false, a.T("flag.no_browser"))
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer st.Close()
	server := a.serverURL(st)
	if server == "" {
		a.errorf("%s", a.T("err.no_server"))
		return exitUsage
	}
	token := *tok
	if token == "" {
		token = os.Getenv("AMT_TOKEN")
	}
	if token == "" {
		// Without a token: sign in through the provider the server names, if it names one.
		if info, ok := a.signInInfo(server); ok && info.OIDC != nil {
			return a.loginDevice(st, server, *info.OIDC, *noBrowser)
		}
		fmt.Fprint(a.stderr, a.T("login.prompt"))
		line, err := a.readSecret()
		if err != nil && line == "" {
			a.errorf("%s", a.T("err.no_token"))
			return exitUsage
		}
		token = strings.TrimSpace(line)
	}
	c, err := a.newClient(server, token)
	if err != nil {
		a.errorf("%v", err)
		return exitErr
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(a.ctx, 15*time.Second)
	defer cancel()
	me, err := c.Me(ctx)
	offline := false
	switch {
	case err == nil:
	case errors.Is(err, client.ErrUnauthorized):
		a.errorf("%s", a.T("err.unauthorized_login"))
		return exitErr
	case errors.Is(err, client.ErrTLS):
		// Not "offline": the server answered with a certificate that is not accepted, and the
		// token must not be stored for a server that could not prove who it is.
		what, fix, _ := a.tlsFailure(err, server)
		a.errorf("%s %s\n     %s", what, a.T("tls.login_nothing"), fix)
		return exitErr
	case errors.Is(err, client.ErrOffline) || errors.Is(err, client.ErrRetryLater):
		offline = true
	default:
		a.errorf("%s", a.T("err.login", sanitize.Line(err.Error())))
		return exitErr
	}
	if old, err := st.Meta(metaServer); err == nil && string(old) != "" && string(old) != server {
		// Another server's cases must not mix with this one's.
		if err := st.ResetForResync(); err != nil {
			return a.storeErr(err)
		}
	}
	put := func(k string, v []byte) bool {
		if err := st.PutMeta(k, v); err != nil {
			a.storeErr(err)
			return false
		}
		return true
	}
	if !put(metaServer, []byte(server)) || !put(metaToken, []byte(token)) {
		return a.fail()
	}
	if offline {
		a.printf("%s\n", a.T("login.offline"))
		return exitOffline
	}
	b, _ := json.Marshal(me)
	if !put(metaMe, b) {
		return a.fail()
	}
	if clerks, err := c.Clerks(ctx); err == nil {
		b, _ := json.Marshal(clerks)
		if !put(metaClerks, b) {
			return a.fail()
		}
	}
	a.printf("%s\n", a.T("login.ok", sanitize.Line(me.Name), sanitize.Line(me.Clerk), sanitize.Line(me.AmtName)))
	a.printf("%s\n", a.T("login.next", a.commandLine("sync"), strings.TrimSpace(a.commandLine(""))))
	a.tokenNotice(me)
	return exitOK
}

// readSecret reads one line from standard input; on a terminal without echo (the token is
// never shown on the screen or left in the scrollback).
func (a *app) readSecret() (string, error) {
	if f, ok := a.input().(*os.File); ok && term.IsTerminal(f.Fd()) {
		b, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(a.stderr) // the Enter the terminal did not echo
		return string(b), err
	}
	return bufio.NewReader(a.input()).ReadString('\n')
}
