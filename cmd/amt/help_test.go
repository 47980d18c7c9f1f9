package main

import (
	"strings"
	"testing"
)

// Every subcommand has its own --help (it printed the global help), with the options that were
// only in the completions; nothing is run.
func TestEveryCommandHasItsOwnHelp(t *testing.T) {
	setupEnv(t)
	c := newCLI(t)
	want := map[string][]string{ // options each help must name
		"decide":    {"--reason", "--fee-cents", "--valid-until", "Rückgabewert 0", "3: vorgemerkt"},
		"purge":     {"--compact", "--older-than"},
		"sync":      {"--timeout"},
		"list":      {"--status", "--mine", "--json"},
		"assign":    {"--to", "--me", "--none"},
		"login":     {"--token", "--no-browser"},
		"doctor":    {"--timeout"},
		"conflicts": {"--json"},
	}
	for _, cmd := range commands {
		for _, form := range [][]string{{cmd.name, "--help"}, {cmd.name, "-h"}, {"help", cmd.name}, {cmd.name, "X", "--help"}} {
			code, out, errs := c.run(form...)
			if code != exitOK || errs != "" {
				t.Errorf("amt %s: exit %d, stderr %q", strings.Join(form, " "), code, errs)
			}
			if !strings.HasPrefix(out, "Aufruf: amt "+cmd.name+" ") || strings.Contains(out, "Befehle:") {
				t.Errorf("amt %s is not the command's help:\n%s", strings.Join(form, " "), out)
			}
			for _, w := range want[cmd.name] {
				if !strings.Contains(out, w) {
					t.Errorf("amt %s: no %q in\n%s", strings.Join(form, " "), w, out)
				}
			}
		}
	}
	out := c.must(exitOK, "cache", "rescue", "--help")
	for _, w := range []string{"--force", "--no-sync", "--from"} {
		if !strings.Contains(out, w) {
			t.Errorf("cache rescue --help: no %s:\n%s", w, out)
		}
	}
	if out := c.must(exitOK, "config", "init", "--help", "--lang", "en"); !strings.HasPrefix(out, "usage: amt config") || !strings.Contains(out, "--force") {
		t.Errorf("config init --help:\n%s", out)
	}
	if out := c.must(exitOK, "--help"); !strings.Contains(out, "Befehle:") {
		t.Errorf("global help:\n%s", out)
	}
	// A wrong flag says where the help is.
	if code, _, errs := c.run("decide", "x", "approved", "--fee", "3"); code != exitUsage || !strings.Contains(errs, "amt decide --help") {
		t.Errorf("wrong flag: %d %q", code, errs)
	}
}
