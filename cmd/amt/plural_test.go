package main

import (
	"strings"
	"testing"
)

// "1 attempts", "1 Aktionen bleiben vorgemerkt": the command line counts in the singular too.
func TestCLISingulars(t *testing.T) {
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "outbox.retry", []any{1, "10:00:00", "HTTP 503"}, "1 attempt, next at 10:00:00 (HTTP 503)"},
		{"de", "outbox.retry", []any{2, "10:00:00", "HTTP 503"}, "2 Versuche, nächster um 10:00:00 (HTTP 503)"},
		{"de", "sync.queued", []any{1}, "1 Aktion bleibt vorgemerkt."},
		{"de", "sync.ok", []any{1, 0, 1, 0}, "Abgeglichen: 1 Vorgang, 0 ausstehend, 1 Konflikt, 0 abgelehnt."},
		{"en", "purge.auto", []any{1, 1}, "1 finished case older than 1 day removed from the local cache (retention_days)."},
	}
	for _, tt := range tests {
		if got := tr(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
	// And through the command: one action queued offline.
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	c.must(exitOffline, "--server", deadServer, "comment", caseReview, "offline")
	if code, _, errs := c.run("--server", deadServer, "sync"); code != exitOffline || !strings.Contains(errs, "1 Aktion bleibt vorgemerkt.") {
		t.Fatalf("offline sync with one action: %d %s", code, errs)
	}
}
