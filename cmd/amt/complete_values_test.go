package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
)

// The completions offer case ids and Aktenzeichen, outcomes in German and English and clerk ids
// (they offered flags only); decide takes the German outcome; --to with a name finds the clerk,
// and one that matches nobody lists the valid ids.
func TestCompletionValuesAndClerkNames(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)

	for _, tt := range []struct {
		kind string
		want []string
	}{
		{"cases", []string{caseReview, "GEW-2026-000004"}},
		{"clerks", []string{clerkA, clerkB, "crivitz.krause"}},
		{"outcomes", []string{"approved", "bewilligt", "teilweise_bewilligt", "abgelehnt", "zurückgenommen", "weitergeleitet", "forwarded"}},
	} {
		out := c.must(exitOK, "__complete", tt.kind)
		for _, w := range tt.want {
			if !strings.Contains("\n"+out, "\n"+w+"\n") {
				t.Errorf("__complete %s: no %q in\n%s", tt.kind, w, out)
			}
		}
	}

	// The real bash completion, with amt on the PATH.
	if bash, err := exec.LookPath("bash"); err == nil {
		bin := t.TempDir()
		wrapper := "#!/bin/sh\nexec env AMT_TEST_AS_AMT=1 AMT_DATA='" + c.data + "' '" + os.Args[0] + "' \"$@\"\n"
		if err := os.WriteFile(filepath.Join(bin, "amt"), []byte(wrapper), 0o700); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			words string
			want  []string
		}{
			{"amt decide GEW-2026-000004 ''", []string{"bewilligt", "approved", "abgelehnt"}},
			{"amt show GEW-2026-00000", []string{"GEW-2026-000004"}},
			{"amt --lang de comment ''", []string{caseReview}},
			{"amt assign GEW-2026-000004 --to crivitz.", []string{clerkB, "crivitz.krause"}},
			{"amt decide --reason x GEW-2026-000004 ab", []string{"abgelehnt"}},
		} {
			script := "source <(amt completion bash)\nCOMP_WORDS=(" + tt.words + ")\nCOMP_CWORD=$((${#COMP_WORDS[@]}-1))\n_amt\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
			cmd := exec.Command(bash, "-c", script)
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			for _, w := range tt.want {
				if !strings.Contains("\n"+string(out), "\n"+w+"\n") {
					t.Errorf("bash completion of %s: no %q in\n%s", tt.words, w, out)
				}
			}
		}
	}

	// German outcome; --to by name.
	if code, _, errs := c.run("decide", caseReview, "abgelehnt", "--reason", "Nachweis fehlt"); code != exitOK {
		t.Fatalf("decide abgelehnt: %d %s", code, errs)
	}
	if d := serverCase(t, env, caseReview).Decision; d == nil || d.Outcome != api.OutcomeRejected {
		t.Fatalf("decision: %+v", d)
	}
	c.must(exitOK, "assign", caseOther, "--to", "meier")
	if a := serverCase(t, env, caseOther).Assignee; a != clerkB {
		t.Fatalf("assignee: %q", a)
	}
	code, _, errs := c.run("assign", caseOther, "--to", "Krüger")
	if code != exitUsage || !strings.Contains(errs, "»Krüger«") || !strings.Contains(errs, "crivitz.krause  Petra Krause") || !strings.Contains(errs, clerkB) {
		t.Fatalf("--to Krüger: %d %s", code, errs)
	}
}
