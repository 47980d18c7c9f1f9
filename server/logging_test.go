package server_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestLogsCarryNoSecrets: the access log names route patterns, statuses and clerk ids, never
// tokens, case ids, bodies or applicant data.
func TestLogsCarryNoSecrets(t *testing.T) {
	var logs syncBuf
	env := startFixed(t, servertest.WithConfig(func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}))
	amt := env.Data.Amts[0].ID
	clerk := clerkOf(t, env, amt, api.RoleClerk)
	c := newClient(t, env, clerk)
	cs := reviewable(t, env, c, amt, false, nil)
	c.mustAct(api.ActionNote, cs.ID, "note-secret", "", api.NoteRequest{Text: "Geheimer Vermerk"}, 0)
	c.do("GET", "/cases/"+cs.ID, nil, nil)
	c.do("PUT", "/cases/"+cs.ID+"/notes/x", `{"text":"kaputt`, nil)
	bad := newClient(t, env, "")
	bad.token = "amt_leaked-token-value"
	bad.do("GET", "/me", nil, nil)
	out := logs.String()
	if !strings.Contains(out, "route=/api/v1/cases/{id}") || !strings.Contains(out, "clerk="+clerk) {
		t.Fatalf("access log lacks route or clerk:\n%s", out)
	}
	for _, secret := range []string{env.Token(clerk), "leaked-token-value", "Geheimer", cs.ID, cs.Applicant.Name, "kaputt"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log contains %q", secret)
		}
	}
}
