package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The template's commented-out examples are keys amt reads: uncommented, none is unknown.
func TestConfigTemplateKeysAreKnown(t *testing.T) {
	example := regexp.MustCompile(`(?m)^# ([a-z][a-z_A-Z]*:)`).ReplaceAllString(configTemplate, "$1")
	example = regexp.MustCompile(`(?m)^# (  .*)$`).ReplaceAllString(example, "$1") // keys: / views: bodies
	if u := unknownConfigKeys([]byte(example)); len(u) != 0 {
		t.Fatalf("the template names keys nobody reads: %+v\n%s", u, example)
	}
	if !strings.Contains(example, "\ndue_soon_days: 3") || !strings.Contains(example, "\nviews:\n  - name: Gewerbe") {
		t.Fatalf("uncommenting went wrong:\n%s", example)
	}
}

func TestUnknownConfigKeys(t *testing.T) {
	tests := []struct {
		yaml string
		want []unknownKey
	}{
		{"server: x\nlang: de\ndue_soon_days: 3\nkeys:\n  whatever: [x]\n", nil},
		{"dueSoonDays: 3\n", []unknownKey{{"dueSoonDays", 1, "due_soon_days"}}},
		{"lang: de\nretension_days: 30\n", []unknownKey{{"retension_days", 2, "retention_days"}}},
		{"servr: x\n", []unknownKey{{"servr", 1, "server"}}},
		{"views:\n  - name: A\n    filtr: x\n", []unknownKey{{"views[0].filtr", 3, "filter"}}},
		{"zzzzzzzz: 1\n", []unknownKey{{"zzzzzzzz", 1, ""}}},
		{"not: [valid\n", nil},
	}
	for _, tt := range tests {
		got := unknownConfigKeys([]byte(tt.yaml))
		if len(got) != len(tt.want) {
			t.Errorf("%q: %+v, want %+v", tt.yaml, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: %+v, want %+v", tt.yaml, got[i], tt.want[i])
			}
		}
	}
}

// Every command reports an unknown key with the one meant, and still works.
func TestUnknownConfigKeyReported(t *testing.T) {
	setupEnv(t)
	cfg := os.Getenv("AMT_CONFIG")
	if err := os.WriteFile(cfg, []byte("lang: de\ndueSoonDays: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := newCLI(t).run("config", "path")
	if code != exitOK || strings.TrimSpace(out) != cfg {
		t.Fatalf("exit %d: %q %q", code, out, errs)
	}
	if !strings.Contains(errs, "»dueSoonDays«") || !strings.Contains(errs, "»due_soon_days«") || !strings.Contains(errs, "Zeile 2") {
		t.Fatalf("no warning: %q", errs)
	}
}

// `amt --config FILE config init` creates FILE (AMT_CONFIG always did); reading a missing
// explicit file is still an error for every other command.
func TestConfigInitExplicitPath(t *testing.T) {
	setupEnv(t)
	path := filepath.Join(t.TempDir(), "sub", "amt.yaml")
	c := newCLI(t)
	out := c.must(exitOK, "--config", path, "config", "init")
	if !strings.Contains(out, path) {
		t.Fatalf("config init: %s", out)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != configTemplate {
		t.Fatalf("written: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	c.must(exitErr, "--config", path, "config", "init") // exists: --force
	c.must(exitOK, "--config", path, "config", "init", "--force")
	if code, _, errs := c.run("--config", path+".missing", "list"); code != exitErr || !strings.Contains(errs, "nicht lesbar") {
		t.Fatalf("missing explicit config: %d %s", code, errs)
	}
}
