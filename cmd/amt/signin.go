package main

// Sign-in through the state's OpenID provider: "amt login" without a token asks the server how
// to sign in and runs the device flow; the session (refresh token and the provider's endpoints)
// is kept encrypted in the cache's meta values; "amt logout" revokes and forgets it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/internal/termqr"
	"github.com/amt-mv/amt/signin"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui"
)

// metaSignIn holds the JSON of a signin.Session.
const metaSignIn = "oidc-session"

func init() {
	for k, v := range signinMessages {
		messages[k] = v
	}
	commands = append(commands, command{"logout", "", "help.logout", cmdLogout})
	commandFlags["logout"] = []string{}
	commandFlags["login"] = append(commandFlags["login"], "--no-browser")
}

var signinMessages = map[string][2]string{
	"help.logout": {"Abmelden: Anmeldung beim Anmeldedienst widerrufen und vergessen (der Cache bleibt)",
		"sign out: revoke and forget the sign-in at the provider (the cache stays)"},
	"flag.no_browser": {"keinen Browser öffnen, nur Adresse und Code zeigen", "do not open a browser, only show the address and code"},
	"signin.head":     {"Anmeldung über den Anmeldedienst (%s)", "Sign-in through the identity provider (%s)"},
	"signin.open":     {"Öffnen Sie im Browser  %s  und geben Sie diesen Code ein:", "Open  %s  in a browser and enter this code:"},
	"signin.qr":       {"Oder scannen Sie den QR-Code mit dem Telefon:", "Or scan the QR code with a phone:"},
	"signin.browser":  {"Der Browser wurde geöffnet.", "A browser window was opened."},
	"signin.wait":     {"Warte auf Bestätigung … noch %s (Abbrechen: Strg+C)", "Waiting for confirmation … %s left (cancel: Ctrl+C)"},
	"signin.waitplain": {"Warte auf Bestätigung (der Code gilt bis %s) …",
		"Waiting for confirmation (the code is valid until %s) …"},
	"signin.denied":   {"Die Anmeldung wurde beim Anmeldedienst abgelehnt.", "the sign-in was refused at the identity provider."},
	"signin.expired":  {"Der Code ist abgelaufen, bevor er bestätigt wurde. Bitte amt login erneut aufrufen.", "the code expired before it was confirmed. Run amt login again."},
	"signin.failed":   {"Anmeldung fehlgeschlagen: %s", "sign-in failed: %s"},
	"signin.offline":  {"Server nicht erreichbar: die Anmeldung braucht den Server und den Anmeldedienst. Bitte später erneut versuchen.", "server not reachable: signing in needs the server and the identity provider. Try again later."},
	"logout.ok":       {"Abgemeldet. Die Anmeldung wurde beim Anmeldedienst widerrufen; der Cache mit %d ausstehenden Aktionen bleibt.", "signed out. The sign-in was revoked at the identity provider; the cache with %d pending actions stays."},
	"logout.norevoke": {"Abgemeldet. Der Anmeldedienst bietet keinen Widerruf an; die Anmeldung wurde nur hier gelöscht (der Cache bleibt).", "signed out. The identity provider offers no revocation; the sign-in was only deleted here (the cache stays)."},
	"logout.offline":  {"Abgemeldet (nur hier): der Anmeldedienst war nicht erreichbar, die Anmeldung läuft dort von selbst ab. Der Cache bleibt.", "signed out (here only): the identity provider was not reachable; the sign-in expires there by itself. The cache stays."},
	"logout.token":    {"Abgemeldet: das Token wurde aus dem Cache gelöscht (der Cache bleibt).", "signed out: the token was deleted from the cache (the cache stays)."},
	"logout.none":     {"Nicht angemeldet.", "not signed in."},
	"err.signin_ended": {"Die Anmeldung ist abgelaufen oder wurde widerrufen: bitte neu anmelden (amt login). Ausstehende Aktionen bleiben erhalten und werden danach gesendet.",
		"the sign-in expired or was revoked: sign in again (amt login). Pending actions are kept and sent afterwards."},
}

// openBrowser opens url in the clerk's browser when there is one; tests replace it.
var openBrowser = func(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no graphical session")
		}
		cmd = exec.Command("xdg-open", url)
	}
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// terminalSize reports the size of w if it is a terminal; tests replace it.
var terminalSize = func(w io.Writer) (cols, rows int, ok bool) {
	f, isFile := w.(*os.File)
	if !isFile || !isTerminal(f) {
		return 0, 0, false
	}
	c, r, err := term.GetSize(f.Fd())
	return c, r, err == nil
}

// loadSignIn reads the stored session; ok is false when there is none.
func loadSignIn(st *store.Store) (signin.Session, bool) {
	b, err := st.Meta(metaSignIn)
	if err != nil {
		return signin.Session{}, false
	}
	var s signin.Session
	if json.Unmarshal(b, &s) != nil || s.RefreshToken == "" {
		return signin.Session{}, false
	}
	return s, true
}

func saveSignIn(st *store.Store, s signin.Session) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return st.PutMeta(metaSignIn, b)
}

// clientFor builds the client of a session: AMT_TOKEN first, then a stored provider sign-in,
// then the token stored by login.
func (a *app) clientFor(st *store.Store, server string) (*client.Client, error) {
	if os.Getenv("AMT_TOKEN") == "" && st != nil {
		if sess, ok := loadSignIn(st); ok {
			if server == "" {
				return nil, errors.New(a.T("err.no_server"))
			}
			src := signin.NewSource(sess, func(s signin.Session) error { return saveSignIn(st, s) }, nil)
			a.signinSource = src
			return a.newClientCfg(client.Config{BaseURL: server, Tokens: src})
		}
	}
	return a.newClient(server, a.token(st))
}

// loginDevice signs in at the provider the server names, stores the session and who the clerk
// is. It is called by login when no token was given and the server offers OIDC.
func (a *app) loginDevice(st *store.Store, server string, info api.OIDCInfo, noBrowser bool) int {
	ctx, stop := context.WithCancel(a.ctx)
	defer stop()
	p, err := signin.Discover(ctx, nil, info)
	if err != nil {
		if errors.Is(err, client.ErrOffline) {
			a.errorf("%s", a.T("signin.offline"))
			return exitOffline
		}
		a.errorf("%s", a.T("signin.failed", sanitize.Line(err.Error())))
		return exitErr
	}
	sess, code := a.runDeviceFlow(ctx, p, noBrowser)
	if code != exitOK {
		return code
	}
	if old, err := st.Meta(metaServer); err == nil && string(old) != "" && string(old) != server {
		if err := st.ResetForResync(); err != nil {
			return a.storeErr(err)
		}
	}
	if err := saveSignIn(st, sess); err != nil {
		return a.storeErr(err)
	}
	for k, v := range map[string][]byte{metaServer: []byte(server), metaToken: nil} {
		if err := st.PutMeta(k, v); err != nil {
			return a.storeErr(err)
		}
	}
	c, err := a.clientFor(st, server)
	if err != nil {
		a.errorf("%v", err)
		return exitErr
	}
	defer c.Close()
	rctx, cancel := context.WithTimeout(a.ctx, 15*time.Second)
	defer cancel()
	me, err := c.Me(rctx)
	if err != nil {
		var re *client.RejectedError
		if errors.As(err, &re) || errors.Is(err, client.ErrUnauthorized) {
			// Signed in at the provider, but the server refuses (no or unknown Amt): say why.
			a.errorf("%s", a.T("signin.failed", sanitize.Line(err.Error())))
			_ = st.PutMeta(metaSignIn, nil)
			return exitErr
		}
		a.printf("%s\n", a.T("login.offline"))
		return exitOffline
	}
	b, _ := json.Marshal(me)
	if err := st.PutMeta(metaMe, b); err != nil {
		return a.storeErr(err)
	}
	if clerks, err := c.Clerks(rctx); err == nil {
		b, _ := json.Marshal(clerks)
		if err := st.PutMeta(metaClerks, b); err != nil {
			return a.storeErr(err)
		}
	}
	a.printf("%s\n", a.T("login.ok", sanitize.Line(me.Name), sanitize.Line(me.Clerk), sanitize.Line(me.AmtName)))
	a.printf("%s\n", a.T("login.next", a.commandLine("sync"), strings.TrimSpace(a.commandLine(""))))
	return exitOK
}

// runDeviceFlow shows the code (with a QR code when the terminal has room), opens the browser
// and waits with a countdown.
func (a *app) runDeviceFlow(ctx context.Context, p *signin.Provider, noBrowser bool) (signin.Session, int) {
	flow, err := p.StartDeviceFlow(ctx)
	if err != nil {
		if errors.Is(err, client.ErrOffline) {
			a.errorf("%s", a.T("signin.offline"))
			return signin.Session{}, exitOffline
		}
		a.errorf("%s", a.T("signin.failed", sanitize.Line(err.Error())))
		return signin.Session{}, exitErr
	}
	w := a.stdout
	a.printf("%s\n\n", a.T("signin.head", sanitize.Line(hostOf(flow.VerificationURI))))
	a.printf("  %s\n\n", a.T("signin.open", sanitize.Line(flow.VerificationURI)))
	a.printf("      %s\n\n", sanitize.Line(flow.UserCode))
	target := flow.VerificationURIComplete
	if target == "" {
		target = flow.VerificationURI
	}
	if cols, rows, ok := terminalSize(w); ok {
		if qw, qh, err := termqr.Size(target); err == nil && cols >= qw+4 && rows >= qh+10 {
			if lines, err := termqr.Lines(target); err == nil {
				a.printf("  %s\n", a.T("signin.qr"))
				for _, l := range lines {
					a.printf("  %s\n", l)
				}
				a.printf("\n")
			}
		}
	}
	if !noBrowser && openBrowser(target) == nil {
		a.printf("%s\n", a.T("signin.browser"))
	}
	done := make(chan struct{})
	cleared := make(chan struct{}) // closed when the countdown has written its last byte
	if _, _, tty := terminalSize(w); tty {
		go func() {
			defer close(cleared)
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				left := time.Until(flow.Expiry).Round(time.Second)
				fmt.Fprintf(w, "\r\033[K%s", a.T("signin.wait", fmtLeft(left)))
				select {
				case <-done:
					fmt.Fprint(w, "\r\033[K")
					return
				case <-t.C:
				}
			}
		}()
	} else {
		close(cleared)
		a.printf("%s\n", a.T("signin.waitplain", flow.Expiry.Local().Format("15:04")))
	}
	sess, err := flow.Wait(ctx)
	close(done)
	<-cleared // the countdown has cleared its line; nothing else writes to w from now on
	switch {
	case err == nil:
		return sess, exitOK
	case errors.Is(err, signin.ErrDenied):
		a.errorf("%s", a.T("signin.denied"))
	case errors.Is(err, signin.ErrCodeExpired):
		a.errorf("%s", a.T("signin.expired"))
	default:
		a.errorf("%s", a.T("signin.failed", sanitize.Line(err.Error())))
	}
	return signin.Session{}, exitErr
}

func fmtLeft(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

func hostOf(u string) string {
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		rest, _ = strings.CutPrefix(u, "http://")
	}
	host, _, _ := strings.Cut(rest, "/")
	return host
}

// cmdLogout revokes the provider sign-in (RFC 7009) where the provider supports it and deletes
// it and any stored token from the cache; cases and pending actions stay.
func cmdLogout(a *app, args []string) int {
	fs := a.newFlags("logout")
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer st.Close()
	sess, hasSess := loadSignIn(st)
	_, tokErr := st.Meta(metaToken)
	if !hasSess && tokErr != nil {
		a.printf("%s\n", a.T("logout.none"))
		return exitOK
	}
	msg := a.T("logout.token")
	if hasSess {
		ctx, cancel := context.WithTimeout(a.ctx, 15*time.Second)
		err := signin.Revoke(ctx, nil, sess)
		cancel()
		pending := 0
		if acts, err := st.Outbox(); err == nil {
			pending = len(acts)
		}
		switch {
		case err == nil:
			msg = a.T("logout.ok", pending)
		case errors.Is(err, signin.ErrNoRevocation):
			msg = a.T("logout.norevoke")
		default:
			msg = a.T("logout.offline")
		}
	}
	for _, k := range []string{metaSignIn, metaToken} {
		if err := st.PutMeta(k, nil); err != nil {
			return a.storeErr(err)
		}
	}
	a.printf("%s\n", msg)
	return exitOK
}

// signInInfo asks the server how to sign in; ok is false when it cannot tell (unreachable, an
// older server without the endpoint).
func (a *app) signInInfo(server string) (api.SignInInfo, bool) {
	c, err := a.newClientCfg(client.Config{BaseURL: server})
	if err != nil {
		return api.SignInInfo{}, false
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(a.ctx, 15*time.Second)
	defer cancel()
	info, err := c.SignInInfo(ctx)
	return info, err == nil
}

// unauthorizedText says why the server or the provider refused, and what to do.
func (a *app) unauthorizedText(err error) string {
	if errors.Is(err, client.ErrSessionEnded) {
		return a.T("err.signin_ended")
	}
	if errors.Is(err, client.ErrTokenExpired) {
		return a.T("err.token_expired")
	}
	return a.T("err.unauthorized")
}

// tuiSignIn is the terminal app's in-place sign-in: a device flow at the provider of the
// current session; once confirmed, the client's source uses the new session.
func (a *app) tuiSignIn(src *signin.Source) tui.SignInFunc {
	return func(ctx context.Context) (tui.SignInPrompt, error) {
		old := src.Session()
		p, err := signin.Discover(ctx, nil, api.OIDCInfo{Issuer: old.Issuer, ClientID: old.ClientID, Scopes: old.Scopes})
		if err != nil {
			return tui.SignInPrompt{}, err
		}
		flow, err := p.StartDeviceFlow(ctx)
		if err != nil {
			return tui.SignInPrompt{}, err
		}
		url := flow.VerificationURIComplete
		if url == "" {
			url = flow.VerificationURI
		}
		_ = openBrowser(url)
		return tui.SignInPrompt{URL: url, Code: flow.UserCode, Expiry: flow.Expiry, Wait: func(ctx context.Context) error {
			sess, err := flow.Wait(ctx)
			if err != nil {
				return err
			}
			return src.Replace(sess)
		}}, nil
	}
}
