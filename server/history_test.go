package server_test

import (
	"reflect"
	"testing"

	"github.com/amt-mv/amt/api"
)

// TestCaseCarriesHistory: every case the server sends (GET /cases/{id}, an action's answer, the
// change feed) carries its stored events, oldest first, the same as GET /cases/{id}/events.
func TestCaseCarriesHistory(t *testing.T) {
	env := startFixed(t)
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	cs := reviewable(t, env, c, amt, false, nil)
	events := func(id string) []api.Event {
		t.Helper()
		resp, out := c.do("GET", "/cases/"+id+"/events", nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("events: %d %s", resp.StatusCode, out)
		}
		var l api.EventList
		mustJSON(t, out, &l)
		return l.Events
	}

	// Seeded: the demo events are embedded.
	seeded := events(cs.ID)
	if len(seeded) == 0 {
		t.Fatal("seeded case has no events")
	}
	if got := c.getCase(cs.ID).History; !reflect.DeepEqual(got, seeded) {
		t.Fatalf("seeded history %+v, events %+v", got, seeded)
	}

	// An action's answer and a later GET carry the new event.
	after := c.mustAct(api.ActionNote, cs.ID, "note-h", "", api.NoteRequest{Text: "Verlauf"}, 0)
	if n := len(after.History); n != len(seeded)+1 || after.History[n-1].Kind != api.EventNote ||
		after.History[n-1].Seq != int64(n) || after.History[n-1].Summary != "Verlauf" {
		t.Fatalf("history after note: %+v", after.History)
	}
	want := events(cs.ID)
	for name, got := range map[string][]api.Event{"action": after.History, "get": c.getCase(cs.ID).History} {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: history %+v, events %+v", name, got, want)
		}
	}

	// The feed carries it too.
	cursor, found := "", false
	for !found {
		p, code := c.changes(cursor, 1000, 0)
		if code != 200 {
			t.Fatalf("changes: %d", code)
		}
		for _, ch := range p.Items {
			if ch.CaseID == cs.ID && ch.Case != nil {
				found = true
				if !reflect.DeepEqual(ch.Case.History, want) {
					t.Errorf("feed: history %+v, events %+v", ch.Case.History, want)
				}
			}
		}
		if !p.HasMore {
			break
		}
		cursor = p.NextCursor
	}
	if !found {
		t.Fatal("case not in the feed")
	}
}
