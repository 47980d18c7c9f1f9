package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

const (
	clerkA     = "crivitz.schulz"
	clerkB     = "crivitz.meier"
	caseReview = "case-000004"
	deadServer = "http://127.0.0.1:1" // nothing listens on port 1: connection refused
)

func init() {
	storeKDF = &store.KDFParams{Time: 1, Memory: 1024, Threads: 1}
	pushTimeout = 5 * time.Second
}

// cli is one clerk's command line: its own data dir, the shared environment.
type cli struct {
	t    *testing.T
	data string
}

// setupEnv isolates the test from the user's environment.
func setupEnv(t *testing.T) {
	t.Setenv("AMT_PASSPHRASE", "geheim")
	t.Setenv("AMT_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("AMT_SERVER", "")
	t.Setenv("AMT_TOKEN", "")
	t.Setenv("AMT_DATA", "")
	t.Setenv("LANG", "de_DE.UTF-8")
}

func newCLI(t *testing.T) *cli { return &cli{t: t, data: t.TempDir()} }

// run runs amt with --data set and returns the exit code, stdout and stderr.
func (c *cli) run(args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"--data", c.data}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// must runs amt and fails the test unless it exits with want.
func (c *cli) must(want int, args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != want {
		c.t.Fatalf("amt %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errs)
	}
	return out + errs
}

func loggedIn(t *testing.T, env *servertest.Env, clerk string) *cli {
	c := newCLI(t)
	out := c.must(0, "login", "--server", env.URL, "--token", env.Token(clerk))
	if !strings.Contains(out, "Angemeldet als") {
		t.Fatalf("login output: %s", out)
	}
	out = c.must(0, "sync")
	if !strings.Contains(out, "Abgeglichen: 20 Vorgänge") {
		t.Fatalf("sync output: %s", out)
	}
	return c
}

func outbox(t *testing.T, c *cli) []actionJSON {
	t.Helper()
	var acts []actionJSON
	if err := json.Unmarshal([]byte(c.must(0, "outbox", "--json")), &acts); err != nil {
		t.Fatal(err)
	}
	return acts
}

func serverCase(t *testing.T, env *servertest.Env, id string) api.Case {
	t.Helper()
	cl, err := client.New(client.Config{BaseURL: env.URL, Token: env.Token(clerkA)})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sc, err := cl.Case(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestLoginSyncListShow(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)

	out := c.must(0, "list")
	if !strings.Contains(out, "GEW-2026-000004") || !strings.Contains(out, "AKTENZEICHEN") {
		t.Fatalf("list: %s", out)
	}
	var rows []caseJSON
	if err := json.Unmarshal([]byte(c.must(0, "list", "--json")), &rows); err != nil || len(rows) != 20 {
		t.Fatalf("list --json: %d rows, %v", len(rows), err)
	}
	// Flags after positional arguments, global flags after the subcommand.
	if err := json.Unmarshal([]byte(c.must(0, "list", "--status", "new", "--json", "--lang", "en")), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no new cases")
	}
	for _, r := range rows {
		if r.Status != api.StatusNew {
			t.Fatalf("--status new gave %s", r.Status)
		}
	}
	if code, _, errs := c.run("list", "--status", "bogus"); code != exitUsage || !strings.Contains(errs, "unbekannter Status") {
		t.Fatalf("bad status: %d %s", code, errs)
	}
	if err := json.Unmarshal([]byte(c.must(0, "list", "--query", "antragsteller 4", "--json")), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("--query: %d rows %v", len(rows), err)
	}

	out = c.must(0, "show", caseReview)
	for _, want := range []string{"GEW-2026-000004", "Antragsteller 4", "In Prüfung", "Angaben", "antrag.pdf"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	// By reference, and as JSON.
	var cs api.Case
	if err := json.Unmarshal([]byte(c.must(0, "show", "--json", "gew-2026-000004")), &cs); err != nil || cs.ID != caseReview {
		t.Fatalf("show --json by reference: %v %+v", err, cs.ID)
	}
	if code, _, errs := c.run("show", "case-999999"); code != exitErr || !strings.Contains(errs, "nicht im lokalen Cache") {
		t.Fatalf("unknown case: %d %s", code, errs)
	}
	out = c.must(0, "--lang", "en", "sync")
	if !strings.Contains(out, "synced: 20 cases") {
		t.Fatalf("english sync: %s", out)
	}
}

func TestActionsOnlineThenOffline(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)

	out := c.must(0, "comment", caseReview, "Rückruf", "vereinbart")
	if !strings.Contains(out, "übermittelt") {
		t.Fatalf("comment online: %s", out)
	}
	sc := serverCase(t, env, caseReview)
	if len(sc.Notes) != 1 || sc.Notes[0].Text != "Rückruf vereinbart" || sc.Notes[0].Actor != clerkA {
		t.Fatalf("server notes: %+v", sc.Notes)
	}

	// The line is down: actions queue.
	out = c.must(exitOffline, "--server", deadServer, "comment", caseReview, "offline notiert")
	if !strings.Contains(out, "vorgemerkt (offline)") {
		t.Fatalf("comment offline: %s", out)
	}
	out = c.must(exitOffline, "assign", caseReview, "--me", "--server", deadServer)
	if !strings.Contains(out, "vorgemerkt (offline)") {
		t.Fatalf("assign offline: %s", out)
	}
	out = c.must(exitOffline, "decide", caseReview, "approved", "--reason", "Unterlagen vollständig", "--fee-cents", "2650", "--server", deadServer)
	if !strings.Contains(out, "vorgemerkt (offline)") {
		t.Fatalf("decide offline: %s", out)
	}
	acts := outbox(t, c)
	if len(acts) != 3 || acts[0].Kind != api.ActionNote || acts[1].Kind != api.ActionAssignment || acts[2].Kind != api.ActionDecision {
		t.Fatalf("outbox: %+v", acts)
	}
	// The local view shows the queued work at once.
	out = c.must(0, "show", caseReview)
	if !strings.Contains(out, "offline notiert") || !strings.Contains(out, "Ausstehend") {
		t.Fatalf("show with pending actions:\n%s", out)
	}
	if code, _, errs := c.run("--server", deadServer, "sync"); code != exitOffline || !strings.Contains(errs, "3 Aktionen bleiben vorgemerkt") {
		t.Fatalf("offline sync: %d %s", code, errs)
	}

	// The line is back.
	c.must(0, "sync")
	if acts := outbox(t, c); len(acts) != 0 {
		t.Fatalf("outbox after sync: %+v", acts)
	}
	sc = serverCase(t, env, caseReview)
	if len(sc.Notes) != 2 || sc.Assignee != clerkA || sc.Decision == nil || sc.Decision.Outcome != api.OutcomeApproved ||
		sc.Decision.FeeCents == nil || *sc.Decision.FeeCents != 2650 {
		t.Fatalf("server case: notes %d assignee %q decision %+v", len(sc.Notes), sc.Assignee, sc.Decision)
	}
	if out := c.must(0, "outbox"); !strings.Contains(out, "Postausgang leer") {
		t.Fatalf("outbox text: %s", out)
	}
}

func TestConflictResolveAsNote(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	a := loggedIn(t, env, clerkA)
	b := loggedIn(t, env, clerkB)

	b.must(exitOffline, "--server", deadServer, "decide", caseReview, "rejected", "--reason", "Nachweis fehlt")
	if out := a.must(0, "decide", caseReview, "approved", "--reason", "alles da"); !strings.Contains(out, "übermittelt") {
		t.Fatalf("A decide: %s", out)
	}
	b.must(0, "sync")
	acts := outbox(t, b)
	if len(acts) != 1 || acts[0].State != "conflict" || acts[0].ServerVersion == 0 {
		t.Fatalf("B outbox: %+v", acts)
	}
	out := b.must(0, "conflicts")
	if !strings.Contains(out, "Konflikt") || !strings.Contains(out, "Bewilligt") || !strings.Contains(out, acts[0].ID) {
		t.Fatalf("conflicts list:\n%s", out)
	}
	if code, _, _ := b.run("conflicts", "resolve", acts[0].ID); code != exitUsage {
		t.Fatalf("resolve without a choice: exit %d", code)
	}
	out = b.must(0, "conflicts", "resolve", acts[0].ID, "--as-note")
	if !strings.Contains(out, "übermittelt") {
		t.Fatalf("resolve: %s", out)
	}
	if acts := outbox(t, b); len(acts) != 0 {
		t.Fatalf("B outbox after resolve: %+v", acts)
	}
	sc := serverCase(t, env, caseReview)
	if sc.Decision == nil || sc.Decision.Outcome != api.OutcomeApproved || len(sc.Notes) != 1 ||
		!strings.Contains(sc.Notes[0].Text, "Nachweis fehlt") || sc.Notes[0].Actor != clerkB {
		t.Fatalf("server: decision %+v notes %+v", sc.Decision, sc.Notes)
	}
}

func TestValidation(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"decide", caseReview, "approved"}, exitUsage, "Begründung"},
		{[]string{"decide", caseReview, "vielleicht", "--reason", "x"}, exitUsage, "unbekanntes Ergebnis"},
		{[]string{"decide", caseReview, "approved", "--reason", "x", "--valid-until", "31.02.2027"}, exitUsage, "ungültiges Datum"},
		{[]string{"decide", "case-000006", "approved", "--reason", "x"}, exitErr, "nicht entschieden werden"},
		{[]string{"assign", caseReview}, exitUsage, "Aufruf"},
		{[]string{"assign", caseReview, "--to", "niemand.hier"}, exitUsage, "Keine Kennung und kein Name passt zu »niemand.hier«. Möglich sind:\n  crivitz."},
		{[]string{"comment", caseReview}, exitUsage, "Aufruf"},
		{[]string{"comment", caseReview, "  "}, exitUsage, "Leerer Text"},
		{[]string{"frobnicate"}, exitUsage, "unbekannter Befehl"},
		{[]string{"purge", "--older-than", "bald"}, exitUsage, "ungültiges Alter"},
		{[]string{"conflicts", "resolve", "nope", "--discard"}, exitErr, "nicht im Postausgang"},
	}
	for _, tt := range tests {
		code, out, errs := c.run(tt.args...)
		if code != tt.code || !strings.Contains(out+errs, tt.msg) {
			t.Errorf("amt %v: exit %d (want %d), output %q (want %q)", tt.args, code, tt.code, out+errs, tt.msg)
		}
	}
	if acts := outbox(t, c); len(acts) != 0 {
		t.Fatalf("invalid commands queued actions: %+v", acts)
	}
}

// The cache holds personal data encrypted: no applicant name, note or form value in plain text
// in any file of the data dir.
func TestCacheHasNoPlainPersonalData(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	c.must(exitOffline, "--server", deadServer, "comment", caseReview, "Geheimnotiz Zwiebelkuchen")
	needles := []string{"Antragsteller 4", "Antragsteller 10", "Schlossstraße", "Zwiebelkuchen", "Einzelhandel mit Backwaren", env.Token(clerkA)}
	found := 0
	err := filepath.WalkDir(c.data, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		found++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("%s contains %q in plain text", p, n)
			}
		}
		return nil
	})
	if err != nil || found == 0 {
		t.Fatalf("walk: %v, %d files", err, found)
	}
	fi, err := os.Stat(filepath.Join(c.data, store.DBFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("db file mode: %v %v", fi.Mode(), err)
	}
}

// Text from the server is sanitised before it reaches the terminal.
func TestShowSanitises(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	hostile := "Hallo \x1b]52;c;ZWNobyBwd25lZA==\x07 Welt \x1b[2J\u202eevil\u202c \u009b31m"
	c.must(0, "comment", caseReview, hostile)
	c.must(0, "sync")
	out := c.must(0, "show", caseReview)
	if !strings.Contains(out, "Hallo") || !strings.Contains(out, "Welt") {
		t.Fatalf("note missing:\n%s", out)
	}
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\u009b"} {
		if strings.Contains(out, bad) {
			t.Errorf("show output contains %q", bad)
		}
	}
	out = c.must(0, "outbox")
	if strings.Contains(out, "\x1b") {
		t.Errorf("outbox output contains ESC")
	}
}

func TestNoKeyMessage(t *testing.T) {
	setupEnv(t)
	t.Setenv("AMT_PASSPHRASE", "")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	c := newCLI(t)
	code, _, errs := c.run("list")
	if code == 0 {
		t.Skip("an OS keyring is available here")
	}
	if !strings.Contains(errs, "AMT_PASSPHRASE") {
		t.Fatalf("no-key error: %q", errs)
	}
}

func TestWrongTokenLogin(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := newCLI(t)
	code, _, errs := c.run("login", "--server", env.URL, "--token", "wrong-token-0123456789")
	if code != exitErr || !strings.Contains(errs, "Token abgelehnt") {
		t.Fatalf("wrong token: %d %q", code, errs)
	}
	// Nothing stored: sync still says "not signed in".
	if code, _, errs := c.run("sync"); code == 0 || !strings.Contains(errs, "login") {
		t.Fatalf("sync after failed login: %d %q", code, errs)
	}
	// Token via stdin.
	stdin = strings.NewReader(env.Token(clerkA) + "\n")
	defer func() { stdin = os.Stdin }()
	c.must(0, "login", "--server", env.URL)
}

func TestPurgeConfigVersion(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	out := c.must(0, "purge", "--older-than", "0d")
	if !strings.Contains(out, "Vorgänge entfernt") {
		t.Fatalf("purge: %s", out)
	}
	path := strings.TrimSpace(c.must(0, "config", "path"))
	if path != os.Getenv("AMT_CONFIG") {
		t.Fatalf("config path = %q", path)
	}
	c.must(0, "config", "init")
	c.must(exitErr, "config", "init")
	if cfg, _, err := loadConfig(""); err != nil || cfg.RetentionDays != 90 || cfg.Lang != "de" {
		t.Fatalf("written config: %+v %v", cfg, err)
	}
	if out := c.must(0, "--version"); !strings.HasPrefix(out, "amt ") {
		t.Fatalf("version: %q", out)
	}
	if out := c.must(0, "help"); !strings.Contains(out, "amt decide") {
		t.Fatalf("help: %q", out)
	}
}

func TestSplitGlobals(t *testing.T) {
	tests := []struct {
		in   []string
		want globals
		rest []string
	}{
		{[]string{"--data", "/d", "list", "--json"}, globals{data: "/d"}, []string{"list", "--json"}},
		{[]string{"list", "--lang=en", "--mine", "-server", "http://x"}, globals{lang: "en", server: "http://x"}, []string{"list", "--mine"}},
		{[]string{"--demo"}, globals{demo: true}, nil},
		{[]string{"comment", "X", "--", "--data", "is text"}, globals{}, []string{"comment", "X", "--", "--data", "is text"}},
		{[]string{"--version"}, globals{version: true}, nil},
	}
	for _, tt := range tests {
		g, rest, err := splitGlobals(tt.in)
		if err != nil || g != tt.want || strings.Join(rest, "|") != strings.Join(tt.rest, "|") {
			t.Errorf("splitGlobals(%v) = %+v %v %v", tt.in, g, rest, err)
		}
	}
	if _, _, err := splitGlobals([]string{"--data"}); err == nil {
		t.Error("--data without a value accepted")
	}
}

func TestDataDirDefault(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg")
	d, err := defaultDataDir()
	if err != nil {
		t.Fatal(err)
	}
	if d != filepath.Join("/xdg", "amt") {
		t.Fatalf("data dir = %q", d)
	}
}

// startServer runs the test server on servertest's small hand-written data set (two Ämter,
// known case ids and states) that these tests rely on; n = 0 means servertest.DefaultCases.
func startServer(t testing.TB, n int, opts ...servertest.Option) *servertest.Env {
	t.Helper()
	if n == 0 {
		n = servertest.DefaultCases
	}
	return servertest.Start(t, append([]servertest.Option{servertest.WithData(servertest.Tiny(n, time.Now()))}, opts...)...)
}

func TestLoginOfflineThenSync(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := newCLI(t)
	code, out, _ := c.run("login", "--server", deadServer, "--token", env.Token(clerkA))
	if code != exitOffline || !strings.Contains(out, "Anmeldung gespeichert") {
		t.Fatalf("offline login: %d %s", code, out)
	}
	if code, _, errs := c.run("list", "--mine"); code != exitErr || !strings.Contains(errs, "Nicht angemeldet") {
		t.Fatalf("--mine before sync: %d %s", code, errs)
	}
	c.must(0, "sync", "--server", env.URL)
	c.must(0, "list", "--mine")
}

func TestSecondProcessGetsAlreadyOpen(t *testing.T) {
	setupEnv(t)
	c := newCLI(t)
	c.must(0, "outbox") // creates the cache
	st, err := store.Open(store.Options{Dir: c.data, Passphrase: "geheim"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	code, _, errs := c.run("list")
	if code != exitErr || !strings.Contains(errs, "bereits geöffnet") {
		t.Fatalf("second open: %d %q", code, errs)
	}
	if d := time.Since(start); d > 8*time.Second { // the store waits 2 s for the lock, then gives up
		t.Fatalf("took %s", d)
	}
}

func TestPrecedenceFlagEnvConfig(t *testing.T) {
	setupEnv(t)
	cfgPath := os.Getenv("AMT_CONFIG")
	if err := os.WriteFile(cfgPath, []byte("server: https://from-config.example\nlang: en\ndata: /from/config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cfg: cfg}
	if got := a.serverURL(nil); got != "https://from-config.example" {
		t.Fatalf("config server: %q", got)
	}
	if d, _ := a.dataDir(); d != "/from/config" {
		t.Fatalf("config data: %q", d)
	}
	t.Setenv("AMT_SERVER", "https://from-env.example")
	t.Setenv("AMT_DATA", "/from/env")
	if got := a.serverURL(nil); got != "https://from-env.example" {
		t.Fatalf("env server: %q", got)
	}
	if d, _ := a.dataDir(); d != "/from/env" {
		t.Fatalf("env data: %q", d)
	}
	a.g = globals{server: "https://from-flag.example", data: "/from/flag"}
	if got := a.serverURL(nil); got != "https://from-flag.example" {
		t.Fatalf("flag server: %q", got)
	}
	if d, _ := a.dataDir(); d != "/from/flag" {
		t.Fatalf("flag data: %q", d)
	}
	for _, tt := range []struct{ flag, cfg, env, want string }{
		{"", "", "", "de"}, {"", "", "en_US.UTF-8", "en"}, {"", "de", "en_US.UTF-8", "de"}, {"en", "de", "", "en"}, {"", "", "C", "de"},
	} {
		if got := pickLang(tt.flag, tt.cfg, tt.env); got != tt.want {
			t.Errorf("pickLang(%q,%q,%q) = %q, want %q", tt.flag, tt.cfg, tt.env, got, tt.want)
		}
	}
	// The config's language applies to messages.
	var out, errb bytes.Buffer
	if code := run([]string{"--data", t.TempDir(), "outbox"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "outbox empty") {
		t.Fatalf("config lang: %d %q %q", code, out.String(), errb.String())
	}
}
