package server_test

import (
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

func TestSmoke(t *testing.T) {
	env := servertest.Start(t)
	c := newClient(t, env, env.Data.Clerks[0].ID)
	resp, body := c.do("GET", "/me", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var me api.Me
	mustJSON(t, body, &me)
	if me.Clerk != env.Data.Clerks[0].ID || me.AmtName == "" {
		t.Fatalf("me = %+v", me)
	}
	resp, body = c.do("GET", "/changes?limit=5", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("changes: %d %s", resp.StatusCode, body)
	}
	var page api.ChangePage
	mustJSON(t, body, &page)
	if len(page.Items) != 5 || !page.HasMore {
		t.Fatalf("page %d items hasMore=%v", len(page.Items), page.HasMore)
	}
}
