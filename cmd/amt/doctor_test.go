package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// doctor against a stopped server, a wrong token and a healthy server gives three different,
// actionable answers.
func TestDoctorThreeAnswers(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)

	code, healthy, _ := c.run("doctor")
	if code != 0 || !strings.Contains(healthy, "erreichbar") || !strings.Contains(healthy, clerkA) || !strings.Contains(healthy, "unversehrt") {
		t.Fatalf("healthy doctor: exit %d\n%s", code, healthy)
	}

	code, down, _ := c.run("doctor", "--server", deadServer)
	if code != exitErr || !strings.Contains(down, "nicht erreichbar") || !strings.Contains(down, "Netzwerk/VPN") {
		t.Fatalf("stopped server: exit %d\n%s", code, down)
	}

	t.Setenv("AMT_TOKEN", "wrong-token-0123456789")
	code, bad, _ := c.run("doctor")
	if code != exitErr || !strings.Contains(bad, "Token vom Server abgelehnt") || !strings.Contains(bad, "amt login --token") {
		t.Fatalf("wrong token: exit %d\n%s", code, bad)
	}
	if healthy == down || down == bad || healthy == bad {
		t.Fatal("answers are not distinct")
	}
}

func TestDoctorNotConfigured(t *testing.T) {
	setupEnv(t)
	c := newCLI(t)
	code, out, _ := c.run("doctor")
	if code != exitErr || !strings.Contains(out, "amt login --server") {
		t.Fatalf("unconfigured: exit %d\n%s", code, out)
	}
}

func TestCompletionScripts(t *testing.T) {
	setupEnv(t)
	for _, cmd := range commands {
		if _, ok := commandFlags[cmd.name]; !ok {
			t.Errorf("command %s has no completion entry", cmd.name)
		}
	}
	c := newCLI(t)
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		out := c.must(0, "completion", sh)
		for _, name := range commandNames() {
			if !strings.Contains(out, name) {
				t.Errorf("%s completion lacks %s", sh, name)
			}
		}
		if bin, err := exec.LookPath(sh); err == nil && (sh == "bash" || sh == "zsh" || sh == "fish") {
			f := filepath.Join(t.TempDir(), "amt."+sh)
			if err := os.WriteFile(f, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
			if b, err := exec.Command(bin, "-n", f).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", sh, err, b)
			}
		}
	}
	c.must(exitUsage, "completion", "tcsh")
}
