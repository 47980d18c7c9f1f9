package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// Retention is applied by itself, at most once a day: after a day has passed, `amt sync` removes
// exactly the finished cases last changed before the cut-off and says so; within the day it does
// not run again, even with a shorter retention configured.
func TestAutoPurge(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	now := time.Now()
	t.Cleanup(func() { timeNow = time.Now })
	timeNow = func() time.Time { return now }
	c := loggedIn(t, env, clerkA) // applies the default 90 days once: nothing that old here

	summaries := func() []store.Summary {
		t.Helper()
		st, err := store.Open(store.Options{Dir: c.data, Passphrase: "geheim"})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		all, err := st.AllSummaries()
		if err != nil {
			t.Fatal(err)
		}
		return all
	}
	const days = 10
	if err := os.WriteFile(os.Getenv("AMT_CONFIG"), []byte("retention_days: "+strconv.Itoa(days)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	finishedBefore := func(cut time.Time) map[string]bool {
		ids := map[string]bool{}
		for _, s := range summaries() {
			switch s.Status {
			case api.StatusClosed, api.StatusDecided, api.StatusWithdrawn, api.StatusForwarded:
				if s.UpdatedAt.Before(cut) {
					ids[s.ID] = true
				}
			}
		}
		return ids
	}
	before := summaries()

	// Within the day: not again, although 10 days would now remove some.
	timeNow = func() time.Time { return now.Add(time.Hour) }
	if due := finishedBefore(now.Add(time.Hour).AddDate(0, 0, -days)); len(due) == 0 {
		t.Fatal("test data has no finished case older than 10 days")
	}
	if out := c.must(0, "sync"); strings.Contains(out, "entfernt") || len(summaries()) != len(before) {
		t.Fatalf("retention applied twice in a day: %s", out)
	}

	// A day later: exactly the finished cases older than 10 days go.
	later := now.Add(25 * time.Hour)
	timeNow = func() time.Time { return later }
	due := finishedBefore(later.AddDate(0, 0, -days))
	out := c.must(0, "sync")
	if want := strconv.Itoa(len(due)) + " abgeschlossene Vorgänge, älter als 10 Tage"; !strings.Contains(out, want) {
		t.Fatalf("sync output %q, want %q", out, want)
	}
	after := summaries()
	if len(after) != len(before)-len(due) {
		t.Fatalf("%d cases left of %d, %d due", len(after), len(before), len(due))
	}
	for _, s := range after {
		if due[s.ID] {
			t.Errorf("case %s kept", s.ID)
		}
	}
	// And not again the same day.
	if out := c.must(0, "sync"); strings.Contains(out, "entfernt") {
		t.Fatalf("retention applied twice in a day: %s", out)
	}
}
