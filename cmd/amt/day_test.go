package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
)

// TestScriptedDay is the clerk's day of issue 15 against the reference server over loopback:
// two clerks, a lead and a deputy of Amt Crivitz, each with their own cache, with offline phases,
// the terminal app open beside the command line, four-eyes with the deputy, an action taken back
// before it left, and a conflict resolved the only way the case allows. Every step must succeed,
// and every action must reach the server exactly once (and the one taken back never).
func TestScriptedDay(t *testing.T) {
	setupEnv(t)
	data := servertest.Tiny(servertest.DefaultCases, time.Now())
	const clerkDeputy = "crivitz.vogel"
	data.Clerks = append(data.Clerks, demo.Clerk{ID: clerkDeputy, Name: "Sabine Vogel", Amt: "amt-crivitz", Role: api.RoleDeputy})
	env := servertest.Start(t, servertest.WithData(data))
	// The cases of the day (servertest.Tiny, Amt Crivitz).
	const (
		caseNew      = "case-000016" // new, Gewerbe
		caseForA     = "case-000024" // new, Gewerbe: B gives it to A
		caseCall     = "case-000004" // in review, Gewerbe: A's Rückruf and Wiedervorlage
		caseWohngeld = "case-000020" // in review, Wohngeld (four-eyes): A proposes, the deputy approves
		caseLead     = "case-000032" // new, Wohngeld (four-eyes): the lead proposes, the deputy approves
		caseClash    = "case-000028" // in review, Gewerbe: A decides offline, B first
		caseTUI      = "case-000000" // new, Gewerbe: assigned while A's app is open
		caseRethink  = "case-000008" // new, Wohngeld (four-eyes): A proposes, then takes it back
	)

	// Morning: everyone signs in and syncs.
	a, b, lead, deputy := loggedIn(t, env, clerkA), loggedIn(t, env, clerkB), loggedIn(t, env, clerkLead), loggedIn(t, env, clerkDeputy)
	a.must(exitOK, "assign", caseNew, "--me")
	a.must(exitOK, "status", caseNew, "in_review")
	b.must(exitOK, "assign", caseForA, "--to", "Schulz") // a name, not an id
	// A proposes on a four-eyes case and takes the proposal back before anyone approved it.
	a.must(exitOK, "decide", caseRethink, "abgelehnt", "--reason", "Einkommen zu hoch")
	a.must(exitOK, "status", caseRethink, "in_review")
	a.must(exitOK, "sync")
	if out := a.must(exitOK, "list", "--mine"); !strings.Contains(out, "GEW-2026-000024") || !strings.Contains(out, "GEW-2026-000016") {
		t.Fatalf("A's cases:\n%s", out)
	}

	// Out in the field, A works offline: everything queues (exit 3).
	off := []string{"--server", deadServer}
	a.must(exitOffline, append(off, "comment", caseCall, "Rückruf vereinbart")...)
	a.must(exitOffline, append(off, "resubmit", caseCall, "+7", "--reason", "Rückruf abwarten")...)
	a.must(exitOffline, append(off, "decide", caseWohngeld, "bewilligt", "--reason", "Einkommen nachgewiesen", "--fee-cents", "0")...)
	a.must(exitOffline, append(off, "decide", caseClash, "approved", "--reason", "Unterlagen vollständig")...)
	a.must(exitOffline, append(off, "comment", caseNew, "versehentlich")...)
	// … and takes the last one back before it left.
	acts := outbox(t, a)
	if len(acts) != 5 {
		t.Fatalf("A's outbox: %+v", acts)
	}
	a.must(exitOK, "outbox", "cancel", acts[4].ID)
	// Meanwhile B rejects the case A decided offline, and sets her own Wiedervorlage on the case
	// A called about (one per clerk: neither replaces the other).
	b.must(exitOK, "decide", caseClash, "rejected", "--reason", "Nachweis fehlt")
	b.must(exitOK, "resubmit", caseCall, "+14", "--reason", "Akte prüfen")
	// The lead proposes on a four-eyes case; she is the only lead, her deputy approves (offline).
	lead.must(exitOK, "decide", caseLead, "approved", "--reason", "Voraussetzungen erfüllt")
	deputy.must(exitOK, "sync")
	deputy.must(exitOffline, append(off, "approve", caseLead, "--comment", "geprüft")...)

	// Back at the office: A's queue goes out; the clash is a conflict A resolves as a note (the
	// decided case allows nothing else).
	if code, _, errs := a.run("sync"); code != exitOK {
		t.Fatalf("A's sync: %d %s", code, errs)
	}
	var conflict *actionJSON
	for _, x := range outbox(t, a) {
		switch {
		case x.State == string(store.StateConflict) && x.CaseID == caseClash:
			x := x
			conflict = &x
		default:
			t.Fatalf("left in A's outbox: %+v", x)
		}
	}
	if conflict == nil {
		t.Fatal("no conflict on the clashing decision")
	}
	a.must(exitOK, "conflicts", "resolve", "--as-note", conflict.ID)
	deputy.must(exitOK, "sync")
	deputy.must(exitOK, "approve", caseWohngeld, "--comment", "passt")
	a.must(exitOK, "sync")
	a.must(exitOK, "status", caseWohngeld, "closed")

	// Afternoon: A's terminal app is open; B gives her another case; the command line works beside
	// the app.
	keys, done := startTUIProc(t, a)
	b.must(exitOK, "assign", caseTUI, "--to", clerkA)
	if code, _, errs := a.proc("", "sync"); code != exitOK {
		t.Fatalf("sync beside the app: %d %s", code, errs)
	}
	if code, out, errs := a.proc("", "list", "--mine"); code != exitOK || !strings.Contains(out, "GEW-2026-000000") {
		t.Fatalf("list beside the app: %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := a.proc("Antragsteller informiert\n", "comment", caseTUI, "-"); code != exitOK {
		t.Fatalf("comment beside the app: %d %s", code, errs)
	}
	if _, err := keys.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != exitOK {
		t.Fatalf("app exit %d", code)
	}
	for _, c := range []*cli{a, b, lead, deputy} {
		c.must(exitOK, "sync")
		if acts := outbox(t, c); len(acts) != 0 {
			t.Fatalf("left in an outbox at the end of the day: %+v", acts)
		}
	}

	// Evening: the server has every action once, the one taken back never.
	type ev struct {
		kind           api.EventKind
		actor, summary string
	}
	want := map[string][]ev{
		caseNew:      {{api.EventAssigned, clerkA, ""}, {api.EventStatusChanged, clerkA, ""}},
		caseForA:     {{api.EventAssigned, clerkB, ""}},
		caseCall:     {{api.EventNote, clerkA, "Rückruf vereinbart"}, {api.EventResubmission, clerkA, ""}, {api.EventResubmission, clerkB, ""}},
		caseWohngeld: {{api.EventDecisionProposed, clerkA, ""}, {api.EventDecisionApproved, clerkDeputy, ""}, {api.EventStatusChanged, clerkA, ""}},
		caseLead:     {{api.EventDecisionProposed, clerkLead, ""}, {api.EventDecisionApproved, clerkDeputy, ""}},
		caseClash:    {{api.EventDecided, clerkB, ""}, {api.EventNote, clerkA, ""}},
		caseTUI:      {{api.EventAssigned, clerkB, ""}, {api.EventNote, clerkA, "Antragsteller informiert"}},
		caseRethink:  {{api.EventDecisionProposed, clerkA, ""}, {api.EventDecisionWithdrawn, clerkA, ""}},
	}
	cl, err := client.New(client.Config{BaseURL: env.URL, Token: env.Token(clerkLead)})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for id, evs := range want {
		got, err := cl.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		var mine []string
		for _, e := range got {
			if e.Actor == clerkA || e.Actor == clerkB || e.Actor == clerkLead || e.Actor == clerkDeputy {
				k := fmt.Sprintf("%s/%s/%s", e.Kind, e.Actor, e.Summary)
				seen[k]++
				mine = append(mine, k)
				if seen[k] > 1 {
					t.Errorf("%s: event %s reached the server twice: %v", id, k, mine)
				}
			}
			if strings.Contains(e.Summary, "versehentlich") {
				t.Errorf("%s: the action taken back reached the server: %+v", id, e)
			}
		}
		for _, w := range evs {
			n := 0
			for _, e := range got {
				if e.Kind == w.kind && e.Actor == w.actor && (w.summary == "" || strings.Contains(e.Summary, w.summary)) {
					n++
				}
			}
			if n != 1 {
				b, _ := json.MarshalIndent(got, "", " ")
				t.Errorf("%s: %d events %s by %s %q, want 1:\n%s", id, n, w.kind, w.actor, w.summary, b)
			}
		}
	}
	if rs := casework.Resubmissions(serverCase(t, env, caseCall)); len(rs) != 2 || rs[0].Actor == rs[1].Actor {
		t.Errorf("%s: Wiedervorlagen %+v, want A's and B's", caseCall, rs)
	}
	if sc := serverCase(t, env, caseWohngeld); sc.Status != api.StatusClosed || sc.Decision == nil || sc.Decision.State != api.DecisionFinal {
		t.Errorf("%s: %s %+v", caseWohngeld, sc.Status, sc.Decision)
	}
	if sc := serverCase(t, env, caseRethink); sc.Status != api.StatusInReview || (sc.Decision != nil && sc.Decision.State == api.DecisionProposed) {
		t.Errorf("%s after withdrawing the proposal: %s %+v", caseRethink, sc.Status, sc.Decision)
	}
	if sc := serverCase(t, env, caseLead); sc.Decision == nil || sc.Decision.State != api.DecisionFinal {
		t.Errorf("%s: %+v", caseLead, sc.Decision)
	}
	if sc := serverCase(t, env, caseClash); sc.Decision == nil || sc.Decision.Outcome != api.OutcomeRejected || sc.Decision.Actor != clerkB {
		t.Errorf("%s: %+v", caseClash, sc.Decision)
	}
}
