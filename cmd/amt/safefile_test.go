package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestConfigInitRefusesLink: `amt config init --force` on a config path that is a link (planted
// in a folder others can write to) must not write through it.
func TestConfigInitRefusesLink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	setupEnv(t)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("# keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := os.Getenv("AMT_CONFIG")
	if err := os.Symlink(victim, cfg); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	_, _, errs := c.run("config", "init", "--force")
	if !strings.Contains(errs, "not a regular file") {
		t.Fatalf("want a refusal of the link, got %q", errs)
	}
	if got, _ := os.ReadFile(victim); string(got) != "# keep me\n" {
		t.Fatal("config init wrote through the link")
	}
	// A dangling link (the victim does not exist yet) is refused too, and nothing is created.
	dangling := filepath.Join(t.TempDir(), "new")
	os.Remove(cfg)
	if err := os.Symlink(dangling, cfg); err != nil {
		t.Fatal(err)
	}
	c.run("config", "init")
	if _, err := os.Lstat(dangling); err == nil {
		t.Fatal("config init created the link's target")
	}
}
