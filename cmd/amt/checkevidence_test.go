package main

import (
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
)

// amt check-evidence marks a Nachweis as checked through the outbox, as `p` in the TUI does: by
// part of its title (folded) or its id; a case with several unchecked ones and no name, or a
// name that fits none, lists them and queues nothing; a case with every Nachweis checked is
// refused in German.
func TestCheckEvidenceCLI(t *testing.T) {
	setupEnv(t)
	// The test data's Nachweise are all checked: give one case two unchecked ones.
	data := servertest.Tiny(servertest.DefaultCases, time.Now())
	seed := data.Case
	data.Case = func(i int) demo.SeedCase {
		sc := seed(i)
		if sc.Case.ID == caseReview {
			at := time.Now().Add(-time.Hour).UTC()
			sc.Case.Evidence = []api.Evidence{
				{ID: "ev-melde", Register: "Melderegister", Title: "Meldebestätigung", Issuer: "Amt Crivitz", RetrievedAt: at},
				{ID: "ev-gewerbe", Register: "Gewerberegister", Title: "Gewerbeauskunft", Issuer: "Amt Crivitz", RetrievedAt: at},
			}
		}
		return sc
	}
	env := servertest.Start(t, servertest.WithData(data))
	a := loggedIn(t, env, clerkA)
	c := serverCase(t, env, caseReview)
	if len(c.Evidence) != 2 || !c.Status.Open() {
		t.Fatalf("test case: %s %+v", c.Status, c.Evidence)
	}
	first, second := c.Evidence[0], c.Evidence[1]

	code, _, errs := a.run("check-evidence", c.ID)
	if code != exitUsage || !strings.Contains(errs, "Welcher Nachweis?") || !strings.Contains(errs, first.ID) || !strings.Contains(errs, second.ID) {
		t.Fatalf("no name, two unchecked: exit %d\n%s", code, errs)
	}
	code, _, errs = a.run("check-evidence", c.ID, "gibt es nicht")
	if code != exitUsage || !strings.Contains(errs, "Kein ungeprüfter Nachweis passt zu „gibt es nicht“") {
		t.Fatalf("a name that fits none: exit %d\n%s", code, errs)
	}
	if out := a.must(0, "outbox", "--json"); strings.Contains(out, string(api.ActionEvidenceChecked)) {
		t.Fatalf("something was queued: %s", out)
	}

	a.must(0, "check-evidence", c.ID, strings.ToUpper(first.Title))
	sc := serverCase(t, env, c.ID)
	if !sc.Evidence[0].Verified || sc.Evidence[0].CheckedBy != clerkA || sc.Evidence[1].Verified {
		t.Fatalf("after checking %q by title: %+v", first.Title, sc.Evidence)
	}
	a.must(0, "check-evidence", c.ID, second.ID)
	sc = serverCase(t, env, c.ID)
	for _, e := range sc.Evidence {
		if !e.Verified || e.CheckedBy != clerkA {
			t.Fatalf("not checked by id: %+v", e)
		}
	}
	a.must(0, "sync")
	code, _, errs = a.run("check-evidence", c.ID)
	if code != exitErr || !strings.Contains(errs, "Alle Nachweise dieses Vorgangs sind bereits geprüft.") {
		t.Fatalf("all checked: exit %d\n%s", code, errs)
	}
}
