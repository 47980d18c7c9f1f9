package main

import (
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/casework"
)

// Issue 15 item 3: a comment queued offline is taken back with `amt outbox cancel ID` and never
// reaches the server; an unknown id says it is not in the outbox.
func TestOutboxCancel(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	c.must(exitOffline, "--server", deadServer, "comment", caseReview, "aus Versehen")
	acts := outbox(t, c)
	if len(acts) != 1 {
		t.Fatalf("outbox: %+v", acts)
	}
	if code, _, _ := c.run("outbox", "cancel"); code != exitUsage {
		t.Fatalf("cancel without an id: exit %d", code)
	}
	out := c.must(0, "outbox", "cancel", acts[0].ID)
	if !strings.Contains(out, "zurückgenommen") {
		t.Fatalf("cancel output: %s", out)
	}
	if acts := outbox(t, c); len(acts) != 0 {
		t.Fatalf("outbox after cancel: %+v", acts)
	}
	c.must(0, "sync")
	if sc := serverCase(t, env, caseReview); len(sc.Notes) != 0 {
		t.Fatalf("the cancelled note reached the server: %+v", sc.Notes)
	}
	if out := c.must(exitErr, "outbox", "cancel", acts[0].ID); !strings.Contains(out, "nicht im Postausgang") {
		t.Fatalf("second cancel: %s", out)
	}
}

// Issue 15 item 5: `amt resubmit` moves a Saturday to Monday and says so; a colleague's
// Wiedervorlage on the same case stays.
func TestResubmitWorkingDayPerClerk(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	a := loggedIn(t, env, clerkA)
	b := loggedIn(t, env, clerkB)
	sat := time.Now().AddDate(0, 0, 8)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDate(0, 0, 1)
	}
	want, _ := casework.NextWorkingDay(sat.Format(time.DateOnly))
	out := a.must(0, "resubmit", caseReview, sat.Format("02.01.2006"), "--reason", "Rückruf Antragsteller")
	if !strings.Contains(out, "ist kein Arbeitstag – verschoben auf") {
		t.Fatalf("no hint: %s", out)
	}
	b.must(0, "resubmit", caseReview, "+30")
	sc := serverCase(t, env, caseReview)
	mine, ok := casework.ResubmissionOf(sc, clerkA)
	if !ok || mine.Date != want || mine.Reason != "Rückruf Antragsteller" {
		t.Fatalf("A's Wiedervorlage %+v (want %s); all %+v", mine, want, sc.Resubmissions)
	}
	if _, ok := casework.ResubmissionOf(sc, clerkB); !ok {
		t.Fatalf("B's Wiedervorlage missing: %+v", sc.Resubmissions)
	}
	// amt show lists both, each with who set it.
	a.must(0, "sync")
	out = a.must(0, "show", caseReview)
	if strings.Count(out, "Wiedervorlage: ") != 2 || !strings.Contains(out, "Rückruf Antragsteller") {
		t.Fatalf("show:\n%s", out)
	}
}
