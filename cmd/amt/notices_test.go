package main

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
)

// A server whose certificate is not trusted is reported as such, with what to do, by login, sync
// and doctor — issue #16 item 8 saw "Server nicht erreichbar" everywhere but in doctor.
func TestUntrustedCertificateSaysSo(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	ts := httptest.NewUnstartedServer(env.Server.Handler())
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)

	c := newCLI(t)
	code, out, errs := c.run("login", "--server", ts.URL, "--token", env.Token(clerkA))
	if code != exitErr || !strings.Contains(errs, "keiner anerkannten Stelle") || !strings.Contains(errs, "ca_file") ||
		!strings.Contains(errs, "nicht gespeichert") || strings.Contains(out+errs, "nicht erreichbar") {
		t.Fatalf("login to an untrusted server: exit %d\n%s%s", code, out, errs)
	}
	if code, _, _ := c.run("sync"); code == exitOK {
		t.Fatal("the token was stored for a server with an untrusted certificate")
	}

	c = loggedIn(t, env, clerkA)
	code, out, errs = c.run("--lang", "en", "sync", "--server", ts.URL)
	if code != exitOffline || !strings.Contains(errs, "not issued by a trusted authority") || !strings.Contains(errs, "actions stay queued") ||
		strings.Contains(out+errs, "not reachable") {
		t.Fatalf("sync with an untrusted server: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = c.run("doctor", "--server", ts.URL)
	if code != exitErr || !strings.Contains(out+errs, "keiner anerkannten Stelle") || !strings.Contains(out+errs, "ca_file") {
		t.Fatalf("doctor: exit %d\n%s%s", code, out, errs)
	}
}
