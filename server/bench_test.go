package server_test

import (
	"fmt"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// BenchmarkChangesPage measures one full page of the change feed over loopback.
func BenchmarkChangesPage(b *testing.B) {
	env := servertest.Start(b, servertest.WithCases(3000))
	c := newClient(b, env, env.Data.Clerks[0].ID)
	b.ResetTimer()
	for b.Loop() {
		p, code := c.changes("", api.MaxChangePageSize, 0)
		if code != 200 || len(p.Items) == 0 {
			b.Fatal(code)
		}
	}
}

// BenchmarkNote measures one applied note action (one bbolt write transaction).
func BenchmarkNote(b *testing.B) {
	env := servertest.Start(b)
	amt := env.Data.Amts[0].ID
	c := newClient(b, env, clerkOf(b, env, amt, api.RoleClerk))
	cs := findCase(b, env, amt, func(c api.Case) bool { return c.Status.Open() })
	i := 0
	for b.Loop() {
		i++
		resp, _ := c.act(api.ActionNote, cs.ID, fmt.Sprintf("bn-%d", i), "", api.NoteRequest{Text: "x"}, 0)
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode)
		}
	}
}
