package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// Each subcommand has its own help: `amt decide --help` (or -h, or `amt help decide`) prints the
// command's synopsis, what it does, its options (from its own flag set, so the help never lies)
// and the exit codes a script sees.

// queueCommands are the commands that queue an action (and exit 3 when it stays queued).
var queueCommands = map[string]bool{
	"comment": true, "assign": true, "decide": true, "approve": true, "resubmit": true,
	"request-docs": true, "status": true, "check-evidence": true,
}

// subcommandNames are the commands whose first argument names a subcommand with its own flags.
var subcommandNames = map[string][]string{"cache": {"path", "rescue"}, "config": {"path", "init"},
	"conflicts": {"list", "resolve"}, "outbox": {"cancel"}, "print-queue": {"list", "print", "printed"}}

// bareLists are the commands that list when no subcommand is given (their own flags then).
var bareLists = map[string]bool{"conflicts": true, "outbox": true, "print-queue": true}

// commandHelp prints c's help on stdout; args are the arguments given with --help (a subcommand
// such as `cache rescue` picks that one's options). Nothing is run.
func (a *app) commandHelp(c command, args []string) int {
	w := a.stdout
	fmt.Fprintf(w, "%s amt %s %s\n\n  %s\n", a.T("help.usage_word"), c.name, c.usage, a.T(c.helpKey))
	sub := ""
	if len(args) > 0 {
		for _, s := range subcommandNames[c.name] {
			if args[0] == s {
				sub = s
			}
		}
	}
	// The options come from the command's own flag set: run it with -h only (parsing stops there).
	switch {
	case c.name == "version" || c.name == "completion":
	case subcommandNames[c.name] != nil && sub == "":
		if bareLists[c.name] { // bare `amt conflicts` is `conflicts list`
			a.showFlags(c, []string{"-h"})
		}
	case subcommandNames[c.name] != nil:
		a.showFlags(c, []string{sub, "-h"})
	default:
		a.showFlags(c, []string{"-h"})
	}
	if queueCommands[c.name] {
		fmt.Fprintf(w, "\n%s\n", a.T("help.exit_queue"))
	}
	return exitOK
}

// showFlags runs c with args ending in -h while newFlags prints the options to stdout.
func (a *app) showFlags(c command, args []string) {
	var discard strings.Builder
	b := *a
	b.helpOut = a.stdout
	b.stderr = &discard // a usage line of a command that wanted arguments
	c.run(&b, args)
}

// printFlags writes fs's options as the help shows them (--name TYPE, description, default).
func (a *app) printFlags(w io.Writer, fs *flag.FlagSet) {
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprintf(w, "\n%s\n", a.T("help.options"))
			first = false
		}
		typ, usage := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if typ != "" {
			name += " " + strings.ToUpper(typ)
		}
		fmt.Fprintf(w, "  %s\n      %s", name, usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "-1" && f.DefValue != "[]" {
			fmt.Fprintf(w, " (%s %s)", a.T("help.default"), f.DefValue)
		}
		fmt.Fprintln(w)
	})
}
