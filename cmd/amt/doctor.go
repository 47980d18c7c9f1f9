package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/internal/version"
	"github.com/amt-mv/amt/store"
)

// minFreeBytes is the free disk space below which doctor warns.
const minFreeBytes = 200 << 20

// check is one line of `amt doctor`.
type check struct {
	ok     bool
	warn   bool // a problem that does not stop work
	label  string
	detail string
	fix    string
}

// cmdDoctor checks config, cache, disk, server reachability, TLS and the token, and says how to
// fix each problem. Exit 0 when everything works.
func cmdDoctor(a *app, args []string) int {
	fs := a.newFlags("doctor")
	timeout := fs.Duration("timeout", 10*time.Second, a.T("flag.timeout"))
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	var checks []check
	add := func(c check) { checks = append(checks, c) }

	// Config file.
	if a.cfgPath == "" {
		add(check{ok: true, warn: true, label: a.T("doc.config"), detail: a.T("doc.config_none")})
	} else if _, err := os.Stat(a.cfgPath); err != nil {
		add(check{ok: true, label: a.T("doc.config"), detail: a.T("doc.config_missing", a.cfgPath)})
	} else {
		add(check{ok: true, label: a.T("doc.config"), detail: a.cfgPath})
	}

	// Cache: open, unlock, integrity, free disk.
	dir, _ := a.dataDir()
	st, ok := a.openStore()
	if !ok {
		add(a.cacheCheck(dir, a.fail()))
		return a.report(checks)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		add(check{label: a.T("doc.cache"), detail: a.T("doc.cache_damaged", st.Path()) + ": " + sanitize.Line(err.Error()),
			fix: a.T("doc.cache_corrupt_fix", a.commandLine("cache rescue"))})
	} else {
		n, _ := st.Count()
		add(check{ok: true, label: a.T("doc.cache"), detail: a.T("doc.cache_ok", dir, n)})
	}
	if out, err := st.Outbox(); err == nil {
		p, c, r := 0, 0, 0
		for _, x := range out {
			switch x.State {
			case "pending":
				p++
			case "conflict":
				c++
			case "rejected":
				r++
			}
		}
		add(check{ok: c+r == 0, warn: true, label: a.T("doc.outbox"), detail: a.T("doc.outbox_detail", p, c, r), fix: a.T("doc.outbox_fix")})
	}
	if free, err := freeDisk(dir); err == nil {
		chk := check{ok: free >= minFreeBytes, label: a.T("doc.disk"), detail: a.T("doc.disk_free", free>>20)}
		if !chk.ok {
			chk.fix = a.T("doc.disk_fix")
		}
		add(chk)
	}

	// Server: configured, reachable, TLS, token.
	server, token := a.serverURL(st), a.token(st)
	if server == "" {
		add(check{label: a.T("doc.server"), detail: a.T("doc.server_none"), fix: a.T("doc.server_none_fix")})
		return a.report(checks)
	}
	_, signedIn := loadSignIn(st)
	if token == "" && !signedIn {
		add(check{label: a.T("doc.token"), detail: a.T("doc.token_none"), fix: a.T("doc.token_fix")})
		return a.report(checks)
	}
	c, err := a.clientFor(st, server)
	if err != nil {
		add(check{label: a.T("doc.server"), detail: err.Error(), fix: a.T("doc.server_config_fix")})
		return a.report(checks)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(a.ctx, *timeout)
	defer cancel()
	me, err := c.Me(ctx)
	var (
		unknownCA *x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   *tls.CertificateVerificationError
		invalid   x509.CertificateInvalidError
	)
	switch {
	case err == nil:
		add(check{ok: true, label: a.T("doc.server"), detail: a.T("doc.server_ok", sanitize.Line(server))})
		add(check{ok: true, label: a.T("doc.token"), detail: a.T("doc.token_ok", sanitize.Line(me.Name), sanitize.Line(me.Clerk), sanitize.Line(me.AmtName))})
		if exp, soon, _ := client.TokenExpiry(me, time.Now()); soon {
			add(check{ok: false, warn: true, label: a.T("doc.token"), detail: a.T("doc.token_expiry", exp.Local().Format("02.01.2006")),
				fix: a.T("doc.token_expiry_fix")})
		}
	case errors.Is(err, client.ErrTokenExpired):
		add(check{ok: true, label: a.T("doc.server"), detail: a.T("doc.server_ok", sanitize.Line(server))})
		add(check{label: a.T("doc.token"), detail: a.T("doc.token_expired"), fix: a.T("doc.token_expiry_fix")})
	case errors.Is(err, client.ErrTLS):
		what, fix, _ := a.tlsFailure(err, server)
		add(check{label: a.T("doc.tls"), detail: what, fix: fix})
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &certErr), errors.As(err, &invalid):
		add(check{label: a.T("doc.tls"), detail: a.T("doc.tls_bad", sanitize.Line(server)), fix: a.T("doc.tls_fix")})
	case errors.Is(err, client.ErrUnauthorized):
		add(check{ok: true, label: a.T("doc.server"), detail: a.T("doc.server_ok", sanitize.Line(server))})
		add(check{label: a.T("doc.token"), detail: a.T("doc.token_bad"), fix: a.T("doc.token_fix")})
	case errors.Is(err, client.ErrOffline), errors.Is(err, context.DeadlineExceeded):
		add(check{label: a.T("doc.server"), detail: a.T("doc.server_down", sanitize.Line(server)), fix: a.T("doc.server_down_fix")})
	default:
		add(check{label: a.T("doc.server"), detail: sanitize.Line(err.Error()), fix: a.T("doc.server_down_fix")})
	}
	return a.report(checks)
}

func (a *app) report(checks []check) int {
	code := exitOK
	for _, c := range checks {
		mark := "✓"
		switch {
		case !c.ok && c.warn:
			mark = "!"
		case !c.ok:
			mark = "✗"
			code = exitErr
		}
		a.printf("%s %s: %s\n", mark, c.label, c.detail)
		if !c.ok && c.fix != "" {
			a.printf("    → %s\n", c.fix)
		}
	}
	return code
}

// cacheCheck is doctor's line for a cache that could not be opened (the reason was printed to
// stderr by openStore; code is its exit code).
func (a *app) cacheCheck(dir string, code int) check {
	path := filepath.Join(dir, store.DBFile)
	c := check{label: a.T("doc.cache"), detail: dir, fix: a.T("doc.cache_fix")}
	switch code {
	case exitCorrupt:
		c.detail, c.fix = a.T("doc.cache_damaged", path), a.T("doc.cache_corrupt_fix", a.commandLine("cache rescue"))
	case exitNewer:
		c.detail, c.fix = a.T("doc.cache_newer", path), a.T("doc.cache_newer_fix", version.Version, a.commandLine("cache rescue"))
	case exitLocked:
		c.detail, c.fix = a.T("doc.cache_locked", path), a.T("doc.cache_locked_fix")
	}
	return c
}
