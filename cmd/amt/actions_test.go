package main

import (
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

const (
	clerkLead    = "crivitz.krause" // the lead of clerk A's Amt
	caseFourEyes = "case-000002"    // Wohngeld (four-eyes), awaiting documents
	caseFourEye2 = "case-000020"    // Wohngeld (four-eyes), in review
	caseNew      = "case-000000"    // Gewerbeanmeldung, new
)

// Four-eyes: a clerk proposes, the lead approves (queued offline, sent on sync) or returns with a
// comment; clerks cannot approve, nor can anyone approve their own proposal.
func TestApproveAndReturn(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	a := loggedIn(t, env, clerkA)
	lead := loggedIn(t, env, clerkLead)

	a.must(0, "decide", caseFourEyes, "approved", "--reason", "Einkommen nachgewiesen")
	a.must(0, "decide", caseFourEye2, "rejected", "--reason", "Einkommen zu hoch")
	if sc := serverCase(t, env, caseFourEyes); sc.Status != api.StatusDecisionProposed {
		t.Fatalf("status after the proposal: %s", sc.Status)
	}
	if code, _, errs := a.run("approve", caseFourEyes); code != exitErr || !strings.Contains(errs, "Nur die Leitung oder ihre Stellvertretung") {
		t.Fatalf("clerk approves: %d %s", code, errs)
	}
	lead.must(0, "sync")
	if code, _, errs := lead.run("approve", caseFourEyes, "--return"); code != exitUsage || !strings.Contains(errs, "Kommentar") {
		t.Fatalf("return without comment: %d %s", code, errs)
	}
	if code, _, errs := lead.run("approve", caseNew); code != exitErr || !strings.Contains(errs, "Keine vorgeschlagene Entscheidung") {
		t.Fatalf("approve without proposal: %d %s", code, errs)
	}
	if out := lead.must(exitOffline, "--server", deadServer, "approve", caseFourEyes, "--comment", "passt"); !strings.Contains(out, "vorgemerkt (offline)") {
		t.Fatalf("approve offline: %s", out)
	}
	if out := lead.must(0, "outbox"); !strings.Contains(out, "Freigabe") || !strings.Contains(out, "freigeben passt") {
		t.Fatalf("outbox: %s", out)
	}
	lead.must(0, "sync")
	sc := serverCase(t, env, caseFourEyes)
	if sc.Status != api.StatusDecided || sc.Decision == nil || sc.Decision.State != api.DecisionFinal || sc.Decision.ApprovedBy != clerkLead {
		t.Fatalf("after approval: %s %+v", sc.Status, sc.Decision)
	}
	if out := lead.must(0, "approve", caseFourEye2, "--return", "--comment", "Berechnung prüfen"); !strings.Contains(out, "übermittelt") {
		t.Fatalf("return: %s", out)
	}
	sc = serverCase(t, env, caseFourEye2)
	if sc.Status != api.StatusInReview || sc.Decision == nil || sc.Decision.State != api.DecisionReturned {
		t.Fatalf("after return: %s %+v", sc.Status, sc.Decision)
	}
	// The lead's own proposal needs another lead: with no other lead or deputy in the Amt the
	// lead is warned when proposing, and may take the proposal back (issue 15 item 1).
	if code, _, errs := lead.run("decide", caseFourEye2, "approved", "--reason", "neu berechnet"); code != 0 || !strings.Contains(errs, "niemand im Amt diesen Vorschlag freigeben") {
		t.Fatalf("proposal without an approver: %d %s", code, errs)
	}
	if code, _, errs := lead.run("approve", caseFourEye2); code != exitErr || !strings.Contains(errs, "Eigene Vorschläge") {
		t.Fatalf("own proposal: %d %s", code, errs)
	}
	a.must(0, "sync")
	if code, _, errs := a.run("status", caseFourEye2, "in_review"); code != exitErr || !strings.Contains(errs, "Nur wer die Entscheidung vorgeschlagen hat") {
		t.Fatalf("a clerk takes the lead's proposal back: %d %s", code, errs)
	}
	if code, _, errs := a.run("status", caseFourEye2, "withdrawn"); code != exitUsage {
		t.Fatalf("a clerk withdraws over a proposal: %d %s", code, errs)
	}
	if out := lead.must(0, "status", caseFourEye2, "in_review"); !strings.Contains(out, "übermittelt") {
		t.Fatalf("take the proposal back: %s", out)
	}
	if sc := serverCase(t, env, caseFourEye2); sc.Status != api.StatusInReview || sc.Decision.State != api.DecisionReturned {
		t.Fatalf("after taking it back: %s %+v", sc.Status, sc.Decision)
	}

	// Close the decided case.
	a.must(0, "sync")
	if out := a.must(0, "status", caseFourEyes, "closed"); !strings.Contains(out, "übermittelt") {
		t.Fatalf("close: %s", out)
	}
	if sc := serverCase(t, env, caseFourEyes); sc.Status != api.StatusClosed {
		t.Fatalf("status after close: %s", sc.Status)
	}
}

func TestStatusResubmitRequestDocs(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)

	if out := c.must(0, "status", caseNew, "in-review"); !strings.Contains(out, "übermittelt") {
		t.Fatalf("start review: %s", out)
	}
	if sc := serverCase(t, env, caseNew); sc.Status != api.StatusInReview {
		t.Fatalf("status: %s", sc.Status)
	}

	// A Wiedervorlage or deadline on a weekend or holiday moves to the next working day.
	week, _ := casework.NextWorkingDay(time.Now().AddDate(0, 0, 7).Format(time.DateOnly))
	c.must(0, "resubmit", caseReview, "+7", "--reason", "Rückruf abwarten")
	if sc := serverCase(t, env, caseReview); sc.Resubmission == nil || sc.Resubmission.Date != week || sc.Resubmission.Reason != "Rückruf abwarten" {
		t.Fatalf("resubmission: %+v", sc.Resubmission)
	}
	next := time.Now().AddDate(1, 0, 0)
	c.must(exitOffline, "--server", deadServer, "resubmit", caseReview, next.Format("02.01.2006"))
	c.must(0, "sync")
	nextDay, _ := casework.NextWorkingDay(next.Format(time.DateOnly))
	if sc := serverCase(t, env, caseReview); sc.Resubmission == nil || sc.Resubmission.Date != nextDay {
		t.Fatalf("resubmission (DD.MM.YYYY): %+v", sc.Resubmission)
	}

	deadline, _ := casework.NextWorkingDay(time.Now().AddDate(0, 0, 14).Format(time.DateOnly))
	c.must(0, "request-docs", caseReview, "--doc", "Kopie Personalausweis", "--doc", "Handelsregisterauszug",
		"--deadline", "+2w", "--message", "Bitte bis zur Frist nachreichen.")
	sc := serverCase(t, env, caseReview)
	if sc.Status != api.StatusAwaitingDocuments || len(sc.DocumentRequests) != 1 ||
		strings.Join(sc.DocumentRequests[0].Documents, "|") != "Kopie Personalausweis|Handelsregisterauszug" ||
		sc.DocumentRequests[0].Deadline != deadline {
		t.Fatalf("document request: %s %+v", sc.Status, sc.DocumentRequests)
	}
	if out := c.must(0, "show", caseReview); !strings.Contains(out, "Nachforderung: Kopie Personalausweis, Handelsregisterauszug") {
		t.Fatalf("show: %s", out)
	}

	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"status", caseReview, "decided"}, exitUsage, "möglich sind in_review"},
		{[]string{"status", caseNew, "closed"}, exitErr, "kein Wechsel möglich"},
		{[]string{"status", caseReview}, exitUsage, "Aufruf"},
		{[]string{"resubmit", caseReview, "01.01.2020"}, exitUsage, "Vergangenheit"},
		{[]string{"resubmit", caseReview, "31.02.2030"}, exitUsage, "ungültiges Datum"},
		{[]string{"resubmit", caseReview, "bald"}, exitUsage, "ungültiges Datum"},
		{[]string{"resubmit", caseReview, "+99999"}, exitUsage, "ungültiges Datum"},
		{[]string{"resubmit", "case-000006", "+7"}, exitErr, "nicht mehr offen"},
		{[]string{"request-docs", caseReview, "--deadline", "+7"}, exitUsage, "Aufruf"},
		{[]string{"request-docs", caseReview, "--doc", "x"}, exitUsage, "Aufruf"},
		{[]string{"request-docs", caseReview, "--doc", " ", "--deadline", "+7"}, exitUsage, "Leerer Text"},
		{[]string{"request-docs", "case-000006", "--doc", "x", "--deadline", "+7"}, exitErr, "keine Unterlagen"},
		{[]string{"approve", caseReview, "--return", "--comment", strings.Repeat("x", casework.MaxReasonRunes+1)}, exitUsage, "zu lang"},
		{[]string{"--lang", "en", "resubmit", caseReview, "32.01.2030"}, exitUsage, "invalid date"},
	}
	for _, tt := range tests {
		code, out, errs := c.run(tt.args...)
		if code != tt.code || !strings.Contains(out+errs, tt.msg) {
			t.Errorf("amt %v: exit %d (want %d), output %q (want %q)", tt.args, code, tt.code, out+errs, tt.msg)
		}
	}
	if acts := outbox(t, c); len(acts) != 0 {
		t.Fatalf("invalid commands queued actions: %+v", acts)
	}
}

// TestProposalTakenBackOffline (issue 15 item 1): the lead proposes and takes the proposal back
// while offline; both reach the server in order on the next sync, the proposal returned.
func TestProposalTakenBackOffline(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	lead := loggedIn(t, env, clerkLead)
	lead.must(0, "sync")
	if code, _, errs := lead.run("--server", deadServer, "decide", caseFourEye2, "approved", "--reason", "passt"); code != exitOffline {
		t.Fatalf("offline proposal: %d %s", code, errs)
	}
	if code, _, errs := lead.run("--server", deadServer, "status", caseFourEye2, "in_review"); code != exitOffline {
		t.Fatalf("offline take-back: %d %s", code, errs)
	}
	lead.must(0, "sync")
	sc := serverCase(t, env, caseFourEye2)
	if sc.Status != api.StatusInReview || sc.Decision == nil || sc.Decision.State != api.DecisionReturned {
		t.Fatalf("after sync: %s %+v", sc.Status, sc.Decision)
	}
	if h := sc.History; len(h) == 0 || h[len(h)-1].Kind != api.EventDecisionWithdrawn {
		t.Fatalf("last event: %+v", h[len(h)-1])
	}
}
