// Command amt-server is the reference central API of amt: a persistent server over bbolt for
// development, demos, tests and small deployments.
//
//	amt-server [serve] [--config FILE] --data DIR [--addr 127.0.0.1:8080] [--tls-cert F --tls-key F]
//	           [--log-level info] [--rate-limit 50] [--rate-burst 0] [--tombstone-retention 30d]
//	           [--idempotency-retention 90d] [--max-conns 4096]
//	           [--static-tokens true] [--oidc-issuer URL --oidc-audience AUD --oidc-client-id ID]
//	           [--demo] [--demo-cases N] [--demo-date YYYY-MM-DD] [--oidc]
//	amt-server backup [--config FILE] --data DIR --out FILE
//	amt-server restore [--config FILE] --data DIR --from FILE
//	amt-server token create --data DIR --amt AMT --clerk CLERK --role clerk|lead|deputy [--name NAME] [--amt-name NAME]
//	amt-server token list --data DIR [--json]
//	amt-server token revoke --data DIR (--amt AMT --clerk CLERK | --id ID)
//	amt-server token rotate --data DIR --id ID [--valid-for DAYS]
//	amt-server migrate [--config FILE] --database postgres://…
//	amt-server migrate-store --from-bbolt DIR --to postgres://…
//	amt-server config example
//	amt-server intake status [--config FILE] [--intake FILE] [--json]
//	amt-server demo submit --data DIR [--amt AMT] [--service LEIKA-KEY]
//	amt-server --version
//
// Settings come from flags, then environment variables (AMT_SERVER_DATA, AMT_SERVER_ADDR, …),
// then the config file (--config or AMT_SERVER_CONFIG), then defaults; see config.go.
//
// serve prints "listening on http://ADDR" (the real address, also for port 0) once it accepts
// connections, and shuts down gracefully on SIGINT/SIGTERM: /readyz answers 503 at once,
// long-polls end, in-flight requests finish. While it runs it serves consistent backups on the
// admin socket DATA/admin.sock (0600), which "amt-server backup" uses; with the server stopped,
// backup reads the database directly. restore (server stopped) installs a verified backup as
// DATA/server.db, keeps the replaced file, and resets the change feeds so that every client
// resynchronises fully. --demo seeds an empty data directory with the
// deterministic demo data and writes one token per demo clerk to DATA/demo-tokens.json (0600);
// with --oidc it also runs a test OpenID provider on loopback whose users are the demo clerks,
// so that "amt login" can sign in by the device flow (the approval page needs no password).
// Token commands open the data file and so run while the server is stopped; create prints the
// new token, creating the clerk (and Amt) when --name is given; list shows each token's id (a
// prefix of its hash, never the token), Amt, clerk, role, creation time and last day of use;
// revoke deletes every token of a clerk, or the one token with --id.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/internal/safefile"
	"github.com/amt-mv/amt/internal/version"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/fcdemo"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "amt-server:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  amt-server [serve] [--config FILE] --data DIR [--addr HOST:PORT] [--tls-cert F --tls-key F] ...
  amt-server backup [--config FILE] --data DIR --out FILE
  amt-server restore [--config FILE] --data DIR --from FILE   (server stopped)
  amt-server token create --data DIR --amt AMT --clerk CLERK [--role clerk|lead|deputy] [--name NAME]
  amt-server token list --data DIR [--json]                   (server stopped)
  amt-server token revoke --data DIR --amt AMT --clerk CLERK  (all tokens of the clerk)
  amt-server token revoke --data DIR --id ID                  (one token; ID from token list)
  amt-server token rotate --data DIR --id ID [--valid-for 365d] (new token for the same clerk; old one revoked)
  amt-server migrate --database URL                           (PostgreSQL schema; serve does it too)
  amt-server migrate-store --from-bbolt DIR --to URL          (move a bbolt deployment to PostgreSQL; server stopped)
  amt-server config example
  amt-server intake status [--intake FILE] [--json]           (what waits at FIT-Connect, per destination)
  amt-server demo submit --data DIR [--amt AMT] [--service KEY] (a new application to a running --demo)
  amt-server --version
Run "amt-server serve -h" for every flag.`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return serve(ctx, args[1:], stdout, stderr)
		case "backup":
			return backup(ctx, args[1:], stdout, stderr)
		case "restore":
			return restore(args[1:], stdout, stderr)
		case "migrate":
			return migrate(ctx, args[1:], stdout, stderr)
		case "migrate-store":
			return migrateStore(ctx, args[1:], stdout, stderr)
		case "token":
			if len(args) > 1 && args[1] == "create" {
				return tokenCreate(args[2:], stdout, stderr)
			}
			if len(args) > 1 && args[1] == "revoke" {
				return tokenRevoke(args[2:], stdout, stderr)
			}
			if len(args) > 1 && args[1] == "list" {
				return tokenList(args[2:], stdout, stderr)
			}
			if len(args) > 1 && args[1] == "rotate" {
				return tokenRotate(args[2:], stdout, stderr)
			}
			return errors.New("usage: amt-server token create|list|revoke|rotate --data DIR ...; see amt-server help")
		case "intake":
			if len(args) > 1 && args[1] == "status" {
				return intakeStatus(ctx, args[2:], stdout, stderr)
			}
			return errors.New("usage: amt-server intake status [--config FILE] [--intake FILE] [--json]")
		case "demo":
			if len(args) > 1 && args[1] == "submit" {
				return demoSubmit(ctx, args[2:], stdout, stderr)
			}
			return errors.New("usage: amt-server demo submit --data DIR [--amt AMT] [--service KEY]")
		case "config":
			if len(args) == 2 && args[1] == "example" {
				_, err := io.WriteString(stdout, exampleConfig)
				return err
			}
			return errors.New("usage: amt-server config example")
		case "version", "--version", "-version":
			fmt.Fprintln(stdout, version.String("amt-server"))
			return nil
		case "help", "--help", "-help", "-h":
			fmt.Fprintln(stdout, usage)
			return nil
		}
	}
	return serve(ctx, args, stdout, stderr)
}

type serveFlags struct {
	demoInterval time.Duration
	demoDate     string
	demo         bool
	oidc         bool
	demoCases    int
	version      bool
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("amt-server serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	resolve := configFlags(fs)
	fs.BoolVar(&f.demo, "demo", false, "seed an empty data directory with demo data and write DATA/demo-tokens.json")
	fs.IntVar(&f.demoCases, "demo-cases", 0, "number of demo cases (0 = the realistic default)")
	fs.StringVar(&f.demoDate, "demo-date", "", "reference date of the demo data, YYYY-MM-DD (default today)")
	fs.BoolVar(&f.oidc, "oidc", false, "with --demo: also run a test OpenID provider on loopback with the demo clerks, so amt login can try the device flow")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	fs.DurationVar(&f.demoInterval, "demo-interval", 3*time.Minute, "with --demo: how often a new application arrives through FIT-Connect")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.oidc && !f.demo {
		return errors.New("--oidc runs a test sign-in provider for the demo; use it with --demo (for a real provider set oidc.issuer)")
	}
	if f.version {
		fmt.Fprintln(stdout, version.String("amt-server"))
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (%s)", fs.Arg(0), "subcommands: serve, backup, restore, token, config; see amt-server help")
	}
	st, err := resolve()
	if err != nil {
		return err
	}
	if st.Data == "" && st.Database == "" {
		return errors.New("--data DIR is required (or AMT_SERVER_DATA, or data: in the config file), or --database URL")
	}
	if f.demo && st.Data == "" {
		return errors.New("--demo writes demo-tokens.json into --data DIR: give --data too")
	}
	if (st.TLSCert == "") != (st.TLSKey == "") {
		return fmt.Errorf("tls_cert and tls_key go together (tls_cert from %s, tls_key from %s)",
			sourceOr(st, "tls_cert"), sourceOr(st, "tls_key"))
	}
	if st.TLSCert != "" {
		// Fail before opening the database, with the file named, not at the first handshake.
		if _, err := loadKeyPair(st.TLSCert, st.TLSKey); err != nil {
			return err
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: st.LogLevel}))
	if st.ConfigFile != "" {
		logger.Info("config file", "path", st.ConfigFile)
	}

	rate := st.RateLimit
	if rate == 0 {
		rate = -1 // off
	}
	maxConns := st.MaxConns
	if maxConns == 0 {
		maxConns = -1 // no limit
	}
	perAddr := st.MaxConnsPerAddr
	if perAddr == 0 {
		perAddr = -1 // no limit
	}
	authFails := st.AuthFailPerMinute
	if authFails == 0 {
		authFails = -1 // no throttling
	}
	var intake *server.IntakeConfig
	if st.Intake != "" && !f.demo {
		if intake, err = loadIntake(st.Intake, os.LookupEnv); err != nil {
			return err
		}
		logger.Info("FIT-Connect intake", "file", st.Intake, "destinations", len(intake.Destinations))
	}
	var world *fcdemo.World
	if f.demo {
		// The demo's FIT-Connect: an emulator on loopback with a destination per demo Amt.
		var amts []string
		for _, a := range demoData(1, time.Now()).Amts {
			amts = append(amts, a.ID)
		}
		if err := os.MkdirAll(st.Data, 0o700); err != nil {
			return err
		}
		if world, err = startDemoFitConnect(st.Data, amts, logger); err != nil {
			return fmt.Errorf("demo FIT-Connect: %w", err)
		}
		defer world.Close()
		intake = world.IntakeConfig()
		ep := fitconnect.DefaultReplyEndpoints // the emulator answers replies as §9.2 infers them
		intake.Reply = &ep
		logger.Info("demo FIT-Connect emulator", "url", world.URL, "file", filepath.Join(st.Data, demoFitConnectFile))
	}
	if intake != nil {
		intake.Failpoint = failpointFromEnv(logger)
	}
	oidcCfg, err := st.oidcConfig()
	if err != nil {
		return err
	}
	if f.oidc {
		if oidcCfg != nil {
			return errors.New("--oidc starts its own test provider; leave oidc.issuer unset")
		}
		prov, err := startDemoProvider(f, logger)
		if err != nil {
			return err
		}
		defer prov.Close()
		oidcCfg = &server.OIDCConfig{Issuer: prov.Issuer(), Audience: demoAudience, ClientID: demoClientID}
	}
	if !st.StaticTokens && oidcCfg == nil {
		return fmt.Errorf("static_tokens is false (from %s) and oidc.issuer is not set: nobody could sign in", sourceOr(st, "static_tokens"))
	}
	if oidcCfg != nil {
		logger.Info("sign-in through OpenID provider", "issuer", oidcCfg.Issuer, "audience", oidcCfg.Audience,
			"client_id", oidcCfg.ClientID, "static_tokens", st.StaticTokens)
	}
	docs, err := documentsConfig(st.Docs)
	if err != nil {
		return err
	}
	if f.demo {
		// The demo's Bescheide go by e-mail to a mail sink writing DATA/mail/*.eml.
		demoDocs, stop, err := server.DemoDocuments(st.Data)
		if err != nil {
			return err
		}
		defer stop()
		if docs.Letterheads == nil {
			docs.Letterheads = demoDocs.Letterheads
		}
		if docs.Mail == nil {
			docs.Mail = demoDocs.Mail
		}
		logger.Info("demo mail relay writes what applicants receive", "dir", filepath.Join(st.Data, server.DemoMailDir))
	}
	if intake != nil && intake.Reply != nil && docs.FitConnect == nil {
		docs.FitConnect = intake.ReplySender(*intake.Reply) // unverified endpoints (docs/betrieb.md)
		logger.Info("Bescheide as FIT-Connect replies", "create", intake.Reply.Create)
	}
	srv, err := server.New(server.Config{DataDir: st.Data, Database: st.Database, Logger: logger, RateLimit: rate, RateBurst: st.RateBurst, Documents: docs,
		TombstoneRetention: st.TombstoneRetention, IdempotencyRetention: st.IdempotencyRetention, TokenValidity: st.TokenValidity, MaxConns: maxConns, MaxConnsPerAddr: perAddr,
		AuthFailBurst: st.AuthFailBurst, AuthFailPerMinute: authFails, TrustedProxies: st.TrustedProxies,
		OIDC: oidcCfg, DisableStaticTokens: !st.StaticTokens, Intake: intake})
	if err != nil {
		return err
	}
	defer srv.Close()
	if f.demo {
		if err := seedDemo(srv, st.Data, f, logger); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", st.Addr)
	if err != nil {
		return err
	}
	ln = srv.Listener(ln)
	if st.Database != "" {
		logger.Info("store: PostgreSQL (back it up with pg_dump or pg_basebackup; amt-server backup is for bbolt)")
	} else if err := srv.StartAdmin(); err != nil {
		// The API works without it; only live backups do not.
		logger.Warn("no admin socket: amt-server backup works only while the server is stopped", "err", err)
	}
	hs := srv.HTTPServer(logger)
	scheme := "http"
	if st.TLSCert != "" {
		scheme = "https"
		// TLS terminated by the server's own listener, so that even net/http's own error
		// answers over TLS are problem+json (issue #16 item 7); HTTP/2 as negotiated.
		cert, err := loadKeyPair(st.TLSCert, st.TLSKey)
		if err != nil {
			return err
		}
		cfg := server.TLSConfig()
		cfg.Certificates = []tls.Certificate{cert}
		ln = server.TLSListener(ln, cfg)
		hs = srv.HTTPServerTLS(logger)
	}
	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, ln.Addr())
	if f.oidc {
		fmt.Fprintf(stdout, "test sign-in provider on %s; try: amt login --server %s://%s\n", oidcCfg.Issuer, scheme, ln.Addr())
	}
	if world != nil {
		world.SetCallbacks("http://" + ln.Addr().String())
		srv.WakeIntake("")
		dctx, dcancel := context.WithCancel(ctx)
		defer dcancel()
		go world.Run(dctx, f.demoInterval, logger)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	srv.StopAdmin()
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return srv.Close()
}

// migrate brings a PostgreSQL database to this binary's schema (serve does the same at start;
// this lets an operator do it first, e.g. with a role allowed to change the schema).
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("amt-server migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	resolve := configFlags(fs, "database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	st, err := resolve()
	if err != nil {
		return err
	}
	if st.Database == "" {
		return errors.New("usage: amt-server migrate --database postgres://… (or AMT_DATABASE, or database: in the config file)")
	}
	from, to, err := server.MigrateDatabase(ctx, st.Database)
	if err != nil {
		return err
	}
	if from == to {
		fmt.Fprintf(stdout, "database schema is up to date (version %d)\n", to)
		return nil
	}
	fmt.Fprintf(stdout, "database schema migrated from version %d to %d\n", from, to)
	return nil
}

// migrateStore moves a bbolt deployment (server stopped) into an empty PostgreSQL database and
// prints what it copied and verified.
func migrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("amt-server migrate-store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from-bbolt", "", "data directory of the bbolt deployment (amt-server stopped)")
	to := fs.String("to", "", "PostgreSQL URL of an empty database (postgres://…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *from == "" || *to == "" {
		return errors.New("usage: amt-server migrate-store --from-bbolt DIR --to postgres://… (with amt-server stopped)")
	}
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return errors.New("--to is a URL postgres://user@host:5432/dbname")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	rep, err := server.MoveBboltToPostgres(ctx, *from, *to)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS\tSHA-256 (source = copy)")
	for _, t := range rep.Tables {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", t.Name, t.Rows, t.Checksum)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range rep.Skipped {
		fmt.Fprintln(stderr, "not copied:", s)
	}
	fmt.Fprintf(stdout, "copied and verified in %v; start amt-server with --database and without --data's server.db (keep it until you have a PostgreSQL backup)\n",
		time.Since(start).Round(time.Millisecond))
	return nil
}

// restore makes a backup the database of the (stopped) server.
func restore(args []string, stdout, stderr io.Writer) error {
	fs, parse := dataSubcommand("amt-server restore", stderr)
	from := fs.String("from", "", "backup file written by amt-server backup")
	st, err := parse(args)
	if err != nil {
		return err
	}
	if st.Data == "" || *from == "" {
		return errors.New("usage: amt-server restore --data DIR --from FILE (with the server stopped)")
	}
	res, err := server.RestoreDataDir(*from, st.Data)
	if err != nil {
		return err
	}
	if err := matchOwner(res.Path, st.Data); err != nil {
		return fmt.Errorf("restored, but could not give %s the owner of %s: %w", res.Path, st.Data, err)
	}
	fmt.Fprintf(stdout, "restored %s as %s\n", *from, res.Path)
	if res.Saved != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s\n", res.Saved)
	}
	fmt.Fprintf(stdout, "%d change feed(s) reset: every amt client resynchronises fully at its next sync and keeps its pending actions\n", res.Feeds)
	return nil
}

// dataSubcommand makes the flag set of a subcommand that works on a (stopped) server's data dir:
// --config and --data (flag, env or config file). parse parses args, refuses stray arguments and
// resolves the settings.
func dataSubcommand(name string, stderr io.Writer) (*flag.FlagSet, func(args []string) (*settings, error)) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	resolve := configFlags(fs, "data")
	return fs, func(args []string) (*settings, error) {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() > 0 {
			return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
		}
		return resolve()
	}
}

// loadKeyPair checks that the certificate and key load and match.
func loadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return c, fmt.Errorf("TLS certificate %s / key %s: %w", certFile, keyFile, err)
	}
	return c, nil
}

func sourceOr(st *settings, key string) string {
	if s, ok := st.Source[key]; ok {
		return s
	}
	return "nowhere"
}

// backup writes a consistent, verified copy of the database to --out.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, parse := dataSubcommand("amt-server backup", stderr)
	out := fs.String("out", "", "backup file to write (replaced atomically; 0600)")
	st, err := parse(args)
	if err != nil {
		return err
	}
	if st.Data == "" || *out == "" {
		return errors.New("usage: amt-server backup --data DIR --out FILE")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	res, err := server.BackupDataDir(ctx, st.Data, *out)
	if err != nil {
		return err
	}
	how := "copied from the stopped database"
	if res.Live {
		how = "copied from the running server"
	}
	fmt.Fprintf(stdout, "backup %s: %d bytes, %s, verified, in %v\n", res.Path, res.Size, how, time.Since(start).Round(time.Millisecond))
	return nil
}

// demoToken is one entry of DATA/demo-tokens.json.
type demoToken struct {
	Amt   string   `json:"amt"`
	Clerk string   `json:"clerk"`
	Role  api.Role `json:"role"`
	Token string   `json:"token"`
}

func seedDemo(srv *server.Server, data string, f serveFlags, logger *slog.Logger) error {
	empty, err := srv.Empty()
	if err != nil {
		return err
	}
	if !empty {
		logger.Info("data directory is not empty; demo data not seeded again")
		return nil
	}
	// The reference time is midnight UTC of the demo date, so the same date always gives the
	// same data and no case is submitted in the future.
	ref := demo.Today()
	if f.demoDate != "" {
		ref, err = time.ParseInLocation(time.DateOnly, f.demoDate, time.UTC)
		if err != nil {
			return fmt.Errorf("--demo-date: %w", err)
		}
	}
	start := time.Now()
	d := demo.WithReplyByEmail(demoData(f.demoCases, ref))
	if err := srv.Seed(d); errors.Is(err, server.ErrNotEmpty) {
		// Another instance on the same database seeded first.
		logger.Info("database seeded by another instance meanwhile; demo data not seeded again")
		return nil
	} else if err != nil {
		return err
	}
	if err := srv.SeedDocuments(context.Background(), d); err != nil {
		return err
	}
	logger.Info("seeded demo data", "cases", d.N, "took", time.Since(start).Round(time.Millisecond))
	tokens := make([]demoToken, 0, len(d.Clerks))
	roles := demoRoles(d.Clerks)
	for _, c := range d.Clerks {
		tok, err := srv.CreateToken(c.Amt, c.ID, roles[c.ID])
		if err != nil {
			return err
		}
		tokens = append(tokens, demoToken{Amt: c.Amt, Clerk: c.ID, Role: roles[c.ID], Token: tok})
	}
	raw, err := json.MarshalIndent(tokens, "", "  ")
	if err != nil {
		return err
	}
	return writeFile0600(filepath.Join(data, "demo-tokens.json"), append(raw, '\n'))
}

func writeFile0600(path string, data []byte) error {
	return safefile.WriteFile(path, data)
}

// openStore opens the server's store for an admin command: PostgreSQL with --database (the
// servers may keep running), else the bbolt file in --data (the server stopped).
func openStore(st *settings) (*server.Server, error) {
	return server.New(server.Config{DataDir: st.Data, Database: st.Database, PruneInterval: -1, TokenValidity: st.TokenValidity})
}

func tokenCreate(args []string, stdout, stderr io.Writer) error {
	fs, parse := dataSubcommand("amt-server token create", stderr)
	amt := fs.String("amt", "", "id of the Amt")
	amtName := fs.String("amt-name", "", "name of the Amt, if it is created")
	clerk := fs.String("clerk", "", "clerk id")
	name := fs.String("name", "", "clerk's name, if the clerk is created")
	role := fs.String("role", "clerk", "clerk, lead or deputy (approves like a lead)")
	validFor := fs.String("valid-for", "", "how long the token is accepted (e.g. 90d); default token_validity (365d)")
	st, err := parse(args)
	if err != nil {
		return err
	}
	if (st.Data == "" && st.Database == "") || *amt == "" || *clerk == "" {
		return errors.New("--data (or --database), --amt and --clerk are required")
	}
	r := api.Role(*role)
	if !r.Valid() {
		return fmt.Errorf("--role must be clerk, lead or deputy, not %q", *role)
	}
	validity, err := validForFlag(*validFor)
	if err != nil {
		return err
	}
	srv, err := openStore(st)
	if err != nil {
		return err
	}
	defer srv.Close()
	tok, err := srv.CreateTokenValidFor(*amt, *clerk, r, validity)
	if errors.Is(err, server.ErrUnknownClerk) {
		if *name == "" {
			return fmt.Errorf("clerk %q does not exist in %q; pass --name to create it", *clerk, *amt)
		}
		if !srv.HasAmt(*amt) {
			n := *amtName
			if n == "" {
				n = *amt
			}
			if err := srv.CreateAmt(*amt, n); err != nil {
				return err
			}
		}
		if err := srv.CreateClerk(*amt, *clerk, *name, r); err != nil {
			return err
		}
		tok, err = srv.CreateTokenValidFor(*amt, *clerk, r, validity)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return srv.Close()
}

func tokenRevoke(args []string, stdout, stderr io.Writer) error {
	fs, parse := dataSubcommand("amt-server token revoke", stderr)
	amt := fs.String("amt", "", "id of the Amt (with --clerk: revoke all the clerk's tokens)")
	clerk := fs.String("clerk", "", "clerk id")
	id := fs.String("id", "", "revoke only the token with this id (see amt-server token list)")
	st, err := parse(args)
	if err != nil {
		return err
	}
	byID := *id != ""
	if (st.Data == "" && st.Database == "") || byID == (*amt != "" || *clerk != "") || (!byID && (*amt == "" || *clerk == "")) {
		return errors.New("--data (or --database) and either --id ID or --amt AMT --clerk CLERK are required")
	}
	srv, err := openStore(st)
	if err != nil {
		return err
	}
	defer srv.Close()
	if byID {
		ti, err := srv.RevokeToken(*id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked token %s of %s (%s)\n", ti.ID, ti.Clerk, ti.Amt)
		return srv.Close()
	}
	n, err := srv.RevokeTokens(*amt, *clerk)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %d token(s) of %s\n", n, *clerk)
	return srv.Close()
}

// validForFlag parses --valid-for: "" = the configured token_validity (0), else days or a Go
// duration of at least a day.
func validForFlag(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := parseDays(v)
	if err != nil {
		return 0, fmt.Errorf("--valid-for: %w", err)
	}
	if d < 24*time.Hour {
		return 0, fmt.Errorf("--valid-for %q is too short (at least 1d)", v)
	}
	return d, nil
}

// tokenRotate replaces one token (--id) by a new one for the same clerk, printed once, and
// revokes the old one. The clerk signs in with it (amt login --token …) and keeps the cache.
func tokenRotate(args []string, stdout, stderr io.Writer) error {
	fs, parse := dataSubcommand("amt-server token rotate", stderr)
	id := fs.String("id", "", "the token to replace (see amt-server token list)")
	validFor := fs.String("valid-for", "", "how long the new token is accepted (e.g. 90d); default token_validity (365d)")
	st, err := parse(args)
	if err != nil {
		return err
	}
	if (st.Data == "" && st.Database == "") || *id == "" {
		return errors.New("--data (or --database) and --id ID are required")
	}
	validity, err := validForFlag(*validFor)
	if err != nil {
		return err
	}
	srv, err := openStore(st)
	if err != nil {
		return err
	}
	defer srv.Close()
	tok, old, err := srv.RotateToken(*id, validity)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	fmt.Fprintf(stderr, "replaced token %s of %s (%s), which is revoked; the clerk signs in with the new one: amt login --token …\n",
		old.ID, old.Clerk, old.Amt)
	return srv.Close()
}

// tokenList prints the tokens of the (stopped) server's database: a table, or JSON with --json.
func tokenList(args []string, stdout, stderr io.Writer) error {
	fs, parse := dataSubcommand("amt-server token list", stderr)
	asJSON := fs.Bool("json", false, "print a JSON array (id, amt, clerk, role, created, lastUsed) for scripts")
	st, err := parse(args)
	if err != nil {
		return err
	}
	var toks []server.TokenInfo
	switch {
	case st.Database != "":
		srv, err := openStore(st)
		if err != nil {
			return err
		}
		toks, err = srv.Tokens()
		srv.Close()
		if err != nil {
			return err
		}
	case st.Data != "":
		if toks, err = server.ListTokens(st.Data); err != nil {
			return err
		}
	default:
		return errors.New("--data (or --database) is required")
	}
	if *asJSON {
		if toks == nil {
			toks = []server.TokenInfo{}
		}
		raw, err := json.MarshalIndent(toks, "", "  ")
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(raw, '\n'))
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAMT\tCLERK\tROLE\tCREATED\tLAST USED\tEXPIRES")
	now := time.Now()
	for _, t := range toks {
		last := t.LastUsed
		if last == "" {
			last = "-"
		}
		exp := "never (rotate it)"
		if !t.Expires.IsZero() {
			exp = t.Expires.Local().Format("2006-01-02")
			if !now.Before(t.Expires) {
				exp += " (expired)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Amt, t.Clerk, t.Role, t.Created.Local().Format("2006-01-02 15:04"), last, exp)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(toks) == 0 {
		fmt.Fprintln(stderr, "no tokens")
	}
	return nil
}
