package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/casework"
)

// buildAmt builds the real amt binary once for the test.
func buildAmt(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the amt binary")
	}
	bin := filepath.Join(t.TempDir(), "amt")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestCLIDatesThroughBinary: the real amt binary accepts every date form the clerk guide
// documents (heute, morgen, +3, +2w, +1m, TT.MM.JJ, TT.MM.JJJJ, ISO) for a Wiedervorlage, a
// Nachforderung deadline and a decision's valid-until, and queues the date casework reads.
func TestCLIDatesThroughBinary(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	bin := buildAmt(t)
	amt := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--data", c.data, "--server", deadServer}, args...)...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}
	day := func(days int) string { return time.Now().AddDate(0, 0, days).Format("02.01.2006") }
	short := day(3)[:6] + day(3)[8:] // TT.MM.JJ
	runs := [][]string{
		{"resubmit", caseReview, "heute"},
		{"resubmit", caseReview, "Morgen"},
		{"resubmit", caseReview, "+3"},
		{"resubmit", caseReview, "+2w"},
		{"resubmit", caseReview, "+1m"},
		{"resubmit", caseReview, short},
		{"resubmit", caseReview, day(4)},
		{"resubmit", caseReview, time.Now().AddDate(0, 0, 5).Format(time.DateOnly)},
		{"request-docs", caseReview, "--doc", "Nachweis", "--deadline", "+2w"},
		{"request-docs", caseReview, "--doc", "Nachweis", "--deadline", short},
		{"decide", caseReview, "rejected", "--reason", "Test", "--valid-until", "+1m"},
	}
	var lo, hi []string // the dates casework reads before and after the run (the same unless midnight passed)
	for _, args := range runs {
		form := args[len(args)-1]
		before, err := casework.ParseDate(form, time.Now())
		if err != nil {
			t.Fatalf("casework refuses %q: %v", form, err)
		}
		code, out := amt(args...)
		after, _ := casework.ParseDate(form, time.Now())
		if args[0] != "decide" { // a Wiedervorlage or deadline on a weekend or holiday moves on
			before, _ = casework.NextWorkingDay(before)
			after, _ = casework.NextWorkingDay(after)
		}
		if code != exitOffline || !strings.Contains(out, "vorgemerkt") {
			t.Fatalf("amt %v: exit %d: %s", args, code, out)
		}
		lo, hi = append(lo, before), append(hi, after)
	}
	acts := outbox(t, c)
	if len(acts) != len(runs) {
		t.Fatalf("%d actions queued, want %d", len(acts), len(runs))
	}
	for i, a := range acts {
		var body struct{ Date, Deadline, ValidUntil string }
		if err := json.Unmarshal(a.Body, &body); err != nil {
			t.Fatal(err)
		}
		if got := body.Date + body.Deadline + body.ValidUntil; got == "" || (got != lo[i] && got != hi[i]) {
			t.Errorf("amt %v queued %s %q, want %q", runs[i], a.Kind, got, lo[i])
		}
	}
	// What the guide does not document is refused with the forms it does, in both languages.
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"resubmit", caseReview, "übermorgen"}, "heute, morgen, +7, +2w, +1m, TT.MM.JJ"},
		{[]string{"resubmit", caseReview, "01.01.20"}, "Vergangenheit"},
		{[]string{"--lang", "en", "resubmit", caseReview, "+1q"}, "today, tomorrow, +7, +2w, +1m, DD.MM.YY"},
	} {
		if code, out := amt(tt.args...); code != exitUsage || !strings.Contains(out, tt.msg) {
			t.Errorf("amt %v: exit %d, %q; want %d and %q", tt.args, code, out, exitUsage, tt.msg)
		}
	}
}
