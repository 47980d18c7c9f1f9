// Command amt-server is the reference central API of amt: a persistent server over bbolt for
// development, demos, tests and small deployments.
//
//	amt-server [serve] --data DIR [--addr 127.0.0.1:8080] [--demo] [--demo-cases N] [--demo-date YYYY-MM-DD] [--tls-cert F --tls-key F] [--log-level info]
//	amt-server token create --data DIR --amt AMT --clerk CLERK --role clerk|lead [--name NAME] [--amt-name NAME]
//	amt-server token revoke --data DIR --amt AMT --clerk CLERK
//	amt-server --version
//
// serve prints "listening on http://ADDR" (the real address, also for port 0) once it accepts
// connections, and shuts down gracefully on SIGINT/SIGTERM. --demo seeds an empty data directory
// with the deterministic demo data and writes one token per demo clerk to DATA/demo-tokens.json
// (0600). Token commands open the data file and so run while the server is stopped; create
// prints the new token, creating the clerk (and Amt) when --name is given.
package main

import (
	"context"
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
	"syscall"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/version"
	"github.com/amt-mv/amt/server"
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

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return serve(ctx, args[1:], stdout, stderr)
		case "token":
			if len(args) > 1 && args[1] == "create" {
				return tokenCreate(args[2:], stdout, stderr)
			}
			if len(args) > 1 && args[1] == "revoke" {
				return tokenRevoke(args[2:], stdout, stderr)
			}
			return errors.New("usage: amt-server token create|revoke --data DIR --amt AMT --clerk CLERK [--role clerk|lead] [--name NAME]")
		case "version", "--version", "-version":
			fmt.Fprintln(stdout, version.String("amt-server"))
			return nil
		}
	}
	return serve(ctx, args, stdout, stderr)
}

type serveFlags struct {
	data, addr, certFile, keyFile, demoDate, logLevel string
	demo                                              bool
	demoCases                                         int
	version                                           bool
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("amt-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	fs.StringVar(&f.data, "data", "", "data directory (created 0700)")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address; port 0 picks a free one")
	fs.BoolVar(&f.demo, "demo", false, "seed an empty data directory with demo data and write DATA/demo-tokens.json")
	fs.IntVar(&f.demoCases, "demo-cases", 0, "number of demo cases (0 = the realistic default)")
	fs.StringVar(&f.demoDate, "demo-date", "", "reference date of the demo data, YYYY-MM-DD (default today)")
	fs.StringVar(&f.certFile, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&f.keyFile, "tls-key", "", "TLS key file (PEM)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.version {
		fmt.Fprintln(stdout, version.String("amt-server"))
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if f.data == "" {
		return errors.New("--data DIR is required")
	}
	if (f.certFile == "") != (f.keyFile == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	srv, err := server.New(server.Config{DataDir: f.data, Logger: logger})
	if err != nil {
		return err
	}
	defer srv.Close()
	if f.demo {
		if err := seedDemo(srv, f, logger); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // a 1 MiB body takes ~35 s at 256 kbit/s
		WriteTimeout:      time.Duration(api.MaxWaitSeconds)*time.Second + 60*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(srv.Drain)
	scheme := "http"
	if f.certFile != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, ln.Addr())

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		if f.certFile != "" {
			errc <- hs.ServeTLS(ln, f.certFile, f.keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
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

// demoToken is one entry of DATA/demo-tokens.json.
type demoToken struct {
	Amt   string   `json:"amt"`
	Clerk string   `json:"clerk"`
	Role  api.Role `json:"role"`
	Token string   `json:"token"`
}

func seedDemo(srv *server.Server, f serveFlags, logger *slog.Logger) error {
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
	ref := time.Now().UTC().Truncate(24 * time.Hour)
	if f.demoDate != "" {
		ref, err = time.ParseInLocation(time.DateOnly, f.demoDate, time.UTC)
		if err != nil {
			return fmt.Errorf("--demo-date: %w", err)
		}
	}
	start := time.Now()
	d := demoData(f.demoCases, ref)
	if err := srv.Seed(d); err != nil {
		return err
	}
	logger.Info("seeded demo data", "cases", d.N, "took", time.Since(start).Round(time.Millisecond))
	tokens := make([]demoToken, 0, len(d.Clerks))
	for _, c := range d.Clerks {
		tok, err := srv.CreateToken(c.Amt, c.ID, c.Role)
		if err != nil {
			return err
		}
		tokens = append(tokens, demoToken{Amt: c.Amt, Clerk: c.ID, Role: c.Role, Token: tok})
	}
	raw, err := json.MarshalIndent(tokens, "", "  ")
	if err != nil {
		return err
	}
	return writeFile0600(filepath.Join(f.data, "demo-tokens.json"), append(raw, '\n'))
}

func writeFile0600(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func tokenCreate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("amt-server token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory")
	amt := fs.String("amt", "", "id of the Amt")
	amtName := fs.String("amt-name", "", "name of the Amt, if it is created")
	clerk := fs.String("clerk", "", "clerk id")
	name := fs.String("name", "", "clerk's name, if the clerk is created")
	role := fs.String("role", "clerk", "clerk or lead")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" || *amt == "" || *clerk == "" {
		return errors.New("--data, --amt and --clerk are required")
	}
	r := api.Role(*role)
	if r != api.RoleClerk && r != api.RoleLead {
		return fmt.Errorf("--role must be clerk or lead, not %q", *role)
	}
	srv, err := server.New(server.Config{DataDir: *data, PruneInterval: -1})
	if err != nil {
		return err
	}
	defer srv.Close()
	tok, err := srv.CreateToken(*amt, *clerk, r)
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
		tok, err = srv.CreateToken(*amt, *clerk, r)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return srv.Close()
}

func tokenRevoke(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("amt-server token revoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory")
	amt := fs.String("amt", "", "id of the Amt")
	clerk := fs.String("clerk", "", "clerk id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" || *amt == "" || *clerk == "" {
		return errors.New("--data, --amt and --clerk are required")
	}
	srv, err := server.New(server.Config{DataDir: *data, PruneInterval: -1})
	if err != nil {
		return err
	}
	defer srv.Close()
	n, err := srv.RevokeTokens(*amt, *clerk)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %d token(s) of %s\n", n, *clerk)
	return srv.Close()
}
