// Command amt is the clerk's terminal app: the TUI by default, plus scriptable subcommands that
// work the same offline (actions queue in the local cache) and online.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// stdin is where `login` reads a token from when none is given; tests replace it.
var stdin io.Reader = os.Stdin

// Exit codes.
const (
	exitOK      = 0
	exitErr     = 1
	exitUsage   = 2
	exitOffline = 3 // the command worked locally but the server was not reachable
	exitCorrupt = 4 // the local cache is damaged: amt cache rescue
	exitLocked  = 5 // the cache cannot be unlocked: wrong AMT_PASSPHRASE or no keyring (data intact)
	exitNewer   = 6 // the cache was written by a newer amt: update amt
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// globals are the flags accepted before or after the subcommand.
type globals struct {
	data, lang, server, config string
	demo, version, help        bool
	accessible                 bool // --accessible: the terminal app for screen readers and braille
}

// globalValueFlags take a value; globalBoolFlags do not.
var (
	globalValueFlags = map[string]bool{"data": true, "lang": true, "server": true, "config": true}
	globalBoolFlags  = map[string]bool{"demo": true, "version": true, "help": true, "h": true, "accessible": true}
)

// splitGlobals takes the global flags out of args wherever they stand and returns the rest.
// Everything after "--" is left alone.
func splitGlobals(args []string) (globals, []string, error) {
	var g globals
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		switch {
		case globalValueFlags[name]:
			if !hasVal {
				if i+1 >= len(args) {
					return g, nil, fmt.Errorf("flag --%s needs a value", name)
				}
				i++
				val = args[i]
			}
			switch name {
			case "data":
				g.data = val
			case "lang":
				g.lang = val
			case "server":
				g.server = val
			case "config":
				g.config = val
			}
		case globalBoolFlags[name]:
			on := !hasVal || val == "true" || val == "1"
			switch name {
			case "demo":
				g.demo = on
			case "version":
				g.version = on
			case "accessible":
				g.accessible = on
			default:
				g.help = on
			}
		default:
			rest = append(rest, a)
		}
	}
	return g, rest, nil
}

// command is one subcommand.
type command struct {
	name    string
	usage   string // argument synopsis
	helpKey string // message key of the one-line description
	run     func(a *app, args []string) int
}

var commands []command

func init() {
	commands = []command{
		{"login", "--server URL [--token T] [--no-browser]", "help.login", cmdLogin},
		{"sync", "", "help.sync", cmdSync},
		{"list", "[--status S] [--mine] [--overdue] [--service S] [--query Q] [--json]", "help.list", cmdList},
		{"show", "ID [--json]", "help.show", cmdShow},
		{"comment", "ID TEXT|-", "help.comment", cmdComment},
		{"assign", "ID --to CLERK|--me|--none", "help.assign", cmdAssign},
		{"decide", "ID OUTCOME --reason TEXT [--fee-cents N] [--valid-until YYYY-MM-DD]", "help.decide", cmdDecide},
		{"approve", "ID [--return --comment TEXT]", "help.approve", cmdApprove},
		{"resubmit", "ID DATE [--reason TEXT]", "help.resubmit", cmdResubmit},
		{"request-docs", "ID --doc TEXT [--doc TEXT …] --deadline DATE [--message TEXT]", "help.request_docs", cmdRequestDocs},
		{"status", "ID in_review|closed", "help.status", cmdStatus},
		{"check-evidence", "ID [NACHWEIS]", "help.check_evidence", cmdCheckEvidence},
		{"outbox", "[--json] | cancel ACTIONID", "help.outbox", cmdOutbox},
		{"print-queue", "[list] [--json] | print ID [DOC] | printed ID [DOC]", "help.print_queue", cmdPrintQueue},
		{"conflicts", "[list] | resolve ACTIONID --reapply|--as-note|--discard", "help.conflicts", cmdConflicts},
		{"purge", "[--older-than 90d]", "help.purge", cmdPurge},
		{"cache", "path | rescue [--force] [--no-sync] [--from FILE]", "help.cache", cmdCache},
		{"config", "path | init [--force]", "help.config", cmdConfig},
		{"doctor", "[--timeout 10s]", "help.doctor", cmdDoctor},
		{"completion", "bash|zsh|fish|powershell", "help.completion", cmdCompletion},
		{"version", "", "help.version", cmdVersion},
	}
}

// run is main without os.Exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	g, rest, err := splitGlobals(args)
	a := &app{stdout: stdout, stderr: stderr, g: g, lang: pickLang(g.lang, "", os.Getenv("LANG"))}
	if err != nil {
		a.errorf("%v", err)
		return exitUsage
	}
	cfg, cfgPath, err := loadConfig(g.config)
	a.cfg, a.cfgPath = cfg, cfgPath
	a.lang = pickLang(g.lang, cfg.Lang, os.Getenv("LANG"))
	switch {
	case err != nil && errors.Is(err, os.ErrNotExist) && isConfigInit(rest):
		// `amt --config FILE config init` creates FILE.
	case err != nil:
		a.errorf("%s", a.T("err.config", cfgPath, err))
		return exitErr
	default:
		if b, err := os.ReadFile(cfgPath); err == nil {
			a.warnUnknownKeys(b)
		}
	}
	if g.version {
		return cmdVersion(a, nil)
	}
	if g.help && len(rest) == 0 {
		a.usage(a.stdout)
		return exitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a.ctx = ctx

	if g.demo {
		return runDemo(a, rest)
	}
	return a.dispatch(rest)
}

// dispatch runs the subcommand named by args[0], or the TUI when there is none.
func (a *app) dispatch(rest []string) int {
	if len(rest) == 0 {
		return runTUI(a)
	}
	name := rest[0]
	if name == "help" && len(rest) > 1 { // amt help decide
		name, rest, a.g.help = rest[1], rest[1:], true
	} else if name == "help" {
		a.usage(a.stdout)
		return exitOK
	}
	if relayCommands[name] && a.shared == nil && a.demoTransport == nil && !a.g.help {
		if code, ok := a.tryRelay(rest); ok {
			return code
		}
	}
	if name == "__complete" { // values for the shell completions (complete_values.go)
		return cmdCompleteValues(a, rest[1:])
	}
	for _, c := range commands {
		if c.name == name && a.g.help {
			return a.commandHelp(c, rest[1:])
		}
		if c.name == name {
			return c.run(a, rest[1:])
		}
	}
	a.errorf("%s", a.T("err.unknown_command", name))
	a.usage(a.stderr)
	return exitUsage
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, a.T("usage.head"))
	names := make([]string, 0, len(commands))
	byName := map[string]command{}
	for _, c := range commands {
		names = append(names, c.name)
		byName[c.name] = c
	}
	sort.Strings(names)
	for _, n := range names {
		c := byName[n]
		fmt.Fprintf(w, "  amt %s %s\n      %s\n", c.name, c.usage, a.T(c.helpKey))
	}
	fmt.Fprintln(w, a.T("usage.globals"))
}

// parseFlags parses fs allowing flags and positional arguments in any order ("--" ends flags).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newFlags makes a FlagSet whose errors go to the app's stderr.
func (a *app) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("amt "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() { // after a wrong flag: the options; for --help: printed by commandHelp
		if a.helpOut != nil {
			a.printFlags(a.helpOut, fs)
			return
		}
		fmt.Fprintf(a.stderr, "%s\n", a.T("help.see", name))
	}
	return fs
}

// errFlagHelp is flag.ErrHelp; -h is not an error.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}
