package server_test

import (
	"encoding/json"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// TestChangesRemainingAndDeltas: every page says how many items are left; with deltas=1 an
// upsert of a case the cursor already covered comes as a delta that rebuilds the server's case
// from the version the client holds; without it, as the whole case.
func TestChangesRemainingAndDeltas(t *testing.T) {
	env := startFixed(t, servertest.WithCases(40))
	amt := env.Data.Amts[0].ID
	c := newClient(t, env, clerkOf(t, env, amt, api.RoleClerk))
	held := map[string]api.Case{}
	cursor, total, loaded := "", -1, 0
	for {
		p, code := c.changes(cursor, 3, 0)
		if code != 200 {
			t.Fatal(code)
		}
		if total < 0 {
			total = p.Remaining
		} else if loaded+p.Remaining != total {
			t.Fatalf("remaining %d after %d loaded, total %d", p.Remaining, loaded, total)
		}
		for _, it := range p.Items {
			if it.Delta != nil {
				t.Fatalf("delta without deltas=1: %+v", it)
			}
			held[it.CaseID] = *it.Case
		}
		loaded += len(p.Items)
		cursor = p.NextCursor
		if !p.HasMore {
			break
		}
	}
	if loaded != total || total != len(held) {
		t.Fatalf("loaded %d, remaining said %d, cases %d", loaded, total, len(held))
	}
	var id string
	for k, cs := range held {
		if cs.Status == api.StatusInReview || cs.Status == api.StatusNew {
			id = k
			break
		}
	}
	c.mustAct(api.ActionNote, id, "note-delta-1", "", api.NoteRequest{Text: "Rückruf erledigt"}, 0)
	want := c.getCase(id)

	resp, out := c.do("GET", "/changes?deltas=1&cursor="+cursor, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	var p api.ChangePage
	mustJSON(t, out, &p)
	if len(p.Items) != 1 || p.Items[0].Delta == nil || p.Items[0].Case != nil || p.Remaining != 1 {
		t.Fatalf("want one delta item, remaining 1: %s", out)
	}
	d := *p.Items[0].Delta
	if d.Base != held[id].Version || (d.Append["notes"] == nil && d.Set["notes"] == nil) || d.Append["history"] == nil || d.Set["history"] != nil {
		t.Fatalf("delta %+v, held version %d", d, held[id].Version)
	}
	got, err := api.ApplyCaseDelta(held[id], d)
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Fatalf("rebuilt\n %s\nwant\n %s", gj, wj)
	}
	// A client from the start (or with deltas off) gets the whole case.
	for _, q := range []string{"/changes?deltas=0&cursor=" + cursor, "/changes?deltas=1&limit=1000"} {
		resp, out := c.do("GET", q, nil, nil)
		var p api.ChangePage
		mustJSON(t, out, &p)
		for _, it := range p.Items {
			if it.Delta != nil || (it.Kind == api.ChangeUpsert && it.Case == nil) {
				t.Fatalf("%s: %d: item %+v", q, resp.StatusCode, it)
			}
		}
	}
	for _, q := range []string{"deltas=2", "deltas=yes"} {
		resp, out := c.do("GET", "/changes?"+q, nil, nil)
		wantProblem(t, resp, out, 400, api.ProblemBadRequest)
	}
}
