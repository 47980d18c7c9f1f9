package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/caseview"
)

// The clerks of the agreement test's Amt: a clerk and a lead who act, and the colleague whose
// four-eyes proposals wait for approval.
const (
	agrClerk    = "crivitz.schulz"
	agrLead     = "crivitz.krause"
	agrProposer = "crivitz.meier"
)

// agreementData seeds one four-eyes case per status × action kind × acting role, so every cell of
// the table acts on a case of its own.
func agreementData(now time.Time) (*demo.Data, func(i int) (api.Status, api.ActionKind, api.Role)) {
	roles := []api.Role{api.RoleClerk, api.RoleLead}
	cell := func(i int) (api.Status, api.ActionKind, api.Role) {
		r := i % len(roles)
		k := (i / len(roles)) % len(agreementKinds)
		s := i / (len(roles) * len(agreementKinds))
		return api.Statuses[s], agreementKinds[k], roles[r]
	}
	d := &demo.Data{
		Amts: []demo.Amt{{ID: "amt-crivitz", Name: "Amt Crivitz"}},
		Clerks: []demo.Clerk{
			{ID: agrClerk, Name: "Anke Schulz", Amt: "amt-crivitz", Role: api.RoleClerk},
			{ID: agrLead, Name: "Petra Krause", Amt: "amt-crivitz", Role: api.RoleLead},
			{ID: agrProposer, Name: "Jens Meier", Amt: "amt-crivitz", Role: api.RoleClerk},
		},
		N: len(api.Statuses) * len(agreementKinds) * len(roles),
	}
	d.Case = func(i int) demo.SeedCase {
		st, _, _ := cell(i)
		submitted := now.Add(-48 * time.Hour).UTC()
		c := api.Case{ID: fmt.Sprintf("case-%06d", i), Amt: "amt-crivitz", Reference: fmt.Sprintf("WOG-2026-%06d", i),
			Service:   api.Service{Key: "99107004000000", Name: "Wohngeld", FourEyes: true},
			Applicant: api.Applicant{Kind: "person", Name: fmt.Sprintf("Antragsteller %d", i)}, SubmittedAt: submitted,
			DueDate: now.AddDate(0, 1, 0).Format(time.DateOnly), Status: st, Version: 1, UpdatedAt: submitted}
		switch st {
		case api.StatusDecisionProposed:
			c.Decision = &api.Decision{ID: fmt.Sprintf("dec-%d", i), Outcome: api.OutcomeApproved, Reasoning: "passt",
				State: api.DecisionProposed, Actor: agrProposer, CreatedAt: submitted}
		case api.StatusDecided, api.StatusClosed:
			c.Decision = &api.Decision{ID: fmt.Sprintf("dec-%d", i), Outcome: api.OutcomeApproved, Reasoning: "passt",
				State: api.DecisionFinal, Actor: agrProposer, ApprovedBy: agrLead, CreatedAt: submitted}
		}
		return demo.SeedCase{Case: c, Events: []api.Event{{Kind: api.EventReceived, Actor: "applicant", At: submitted}}}
	}
	return d, cell
}

// agreementKinds are the case actions the table covers: every kind but printed, which marks a
// document of the print queue (casework.PrintAllowed) rather than acting on a case's status, and
// evidence_checked, which marks one Nachweis (casework.EvidenceCheckAllowed; its own tests in
// casework, server and caseview).
var agreementKinds = slices.DeleteFunc(slices.Clone(api.ActionKinds), func(k api.ActionKind) bool {
	return k == api.ActionPrinted || k == api.ActionEvidenceChecked
})

// agreementDialog is the TUI dialog of an action kind; status changes have no key of their own.
var agreementDialog = map[api.ActionKind]common.DialogKind{
	api.ActionNote: common.DialogComment, api.ActionDecision: common.DialogDecide, api.ActionApproval: common.DialogApproval,
	api.ActionAssignment: common.DialogAssign, api.ActionResubmission: common.DialogResubmission,
	api.ActionDocumentRequest: common.DialogDocumentRequest,
}

// statusTarget is the status change the CLI offers from st (amt status ID in_review|closed).
func statusTarget(st api.Status) api.Status {
	if st == api.StatusDecided {
		return api.StatusClosed
	}
	return api.StatusInReview
}

// TestTUICLIServerAgree: for a case in every status × every action kind × a clerk and a lead,
// the keys the TUI's case view offers, the CLI's answer and the reference server's answer over
// loopback agree (all three ask casework; the server enforces it).
func TestTUICLIServerAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about a hundred CLI commands")
	}
	setupEnv(t)
	now := time.Now()
	data, cell := agreementData(now)
	env := servertest.Start(t, servertest.WithData(data))

	type answer struct{ tui, cli, server string } // "yes", "no", or "-" (no such key in the TUI)
	got := map[int]*answer{}
	for i := range data.N {
		got[i] = &answer{tui: "-"}
	}
	for _, who := range []struct {
		id   string
		role api.Role
	}{{agrClerk, api.RoleClerk}, {agrLead, api.RoleLead}} {
		c := newCLI(t)
		c.must(0, "login", "--server", env.URL, "--token", env.Token(who.id))
		c.must(0, "sync")

		// The TUI's case view on the same cache: which action keys it offers.
		st, err := store.Open(store.Options{Dir: c.data, Passphrase: "geheim"})
		if err != nil {
			t.Fatal(err)
		}
		me := api.Me{Clerk: who.id, Role: who.role, Amt: "amt-crivitz"}
		ctx := common.NewCtx(st, me, time.Now)
		ctx.Width, ctx.Height = 120, 40
		ctx.Keys.Case.FourEyes.SetEnabled(ctx.IsLead()) // as the root model does
		for i := range data.N {
			s, kind, role := cell(i)
			dlg, hasKey := agreementDialog[kind]
			if role != who.role || s == api.StatusForwarded || !hasKey {
				continue
			}
			m := caseview.New(ctx, fmt.Sprintf("case-%06d", i))
			m, _ = m.Update(m.Init()())
			offered := "no"
			for _, o := range m.OfferedActions() {
				if o.Dialog == dlg {
					offered = "yes"
				}
			}
			got[i].tui = offered
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}

		// The CLI, offline, so that it answers itself: it queues what it accepts.
		for i := range data.N {
			s, kind, role := cell(i)
			if role != who.role {
				continue
			}
			id := fmt.Sprintf("case-%06d", i)
			var args []string
			switch kind {
			case api.ActionNote:
				args = []string{"comment", id, "Abstimmung"}
			case api.ActionDecision:
				args = []string{"decide", id, "approved", "--reason", "passt"}
			case api.ActionApproval:
				args = []string{"approve", id}
			case api.ActionAssignment:
				args = []string{"assign", id, "--to", agrProposer}
			case api.ActionStatus:
				args = []string{"status", id, string(statusTarget(s))}
			case api.ActionResubmission:
				args = []string{"resubmit", id, "+7"}
			case api.ActionDocumentRequest:
				args = []string{"request-docs", id, "--doc", "Nachweis", "--deadline", "+14"}
			}
			code, out, errs := c.run(append([]string{"--server", deadServer}, args...)...)
			switch {
			case code == exitOffline && strings.Contains(out, "vorgemerkt"):
				got[i].cli = "yes"
			case code == exitErr && s == api.StatusForwarded && strings.Contains(errs, "nicht gefunden"):
				got[i].cli = "no" // a forwarded case left the Amt: nobody sees it
			case code == exitErr && errs != "":
				got[i].cli = "no"
			default:
				t.Fatalf("amt %v: exit %d, %q %q", args, code, out, errs)
			}
		}

		// The server, over loopback, with what the clients send.
		cl, err := client.New(client.Config{BaseURL: env.URL, Token: env.Token(who.id)})
		if err != nil {
			t.Fatal(err)
		}
		send := func(kind api.ActionKind, caseID, actionID, sub string, body any, version int64) error {
			b, _ := json.Marshal(body)
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := cl.Send(sctx, client.Action{Kind: kind, CaseID: caseID, ID: actionID, SubID: sub, Body: b, IfMatch: version})
			return err
		}
		// A week ahead: the server judges "past" by the Amt's calendar day, which after 23:00 UTC
		// is already tomorrow.
		later := now.AddDate(0, 0, 7).Format(time.DateOnly)
		for i := range data.N {
			s, kind, role := cell(i)
			if role != who.role {
				continue
			}
			id := fmt.Sprintf("case-%06d", i)
			seed := data.Case(i).Case
			sub := "dec-none"
			if seed.Decision != nil {
				sub = seed.Decision.ID
			}
			var body any
			switch kind {
			case api.ActionNote:
				body = api.NoteRequest{Text: "Abstimmung"}
			case api.ActionDecision:
				body = api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "passt"}
			case api.ActionApproval:
				body = api.ApprovalRequest{Approve: true}
			case api.ActionAssignment:
				body = api.AssignmentRequest{Assignee: agrProposer}
			case api.ActionStatus:
				body = api.StatusRequest{Status: statusTarget(s)}
			case api.ActionResubmission:
				body = api.ResubmissionRequest{Date: later}
			case api.ActionDocumentRequest:
				body = api.DocumentRequestRequest{Documents: []string{"Nachweis"}, Deadline: later}
			}
			version := seed.Version
			var err error
			if kind == api.ActionDecision && s == api.StatusNew {
				// Both clients take a new case into review before deciding it, in the same queue.
				err = send(api.ActionStatus, id, "agr-start-"+id, "", api.StatusRequest{Status: api.StatusInReview}, version)
				version++
			}
			if err == nil {
				err = send(kind, id, "agr-"+id, sub, body, version)
			}
			var rej *client.RejectedError
			switch {
			case err == nil:
				got[i].server = "yes"
			case errors.As(err, &rej) && (rej.Status == 409 || rej.Status == 403 || (rej.Status == 404 && s == api.StatusForwarded)):
				got[i].server = "no"
			default:
				t.Fatalf("server on %s × %s (%s): %v", s, kind, who.role, err)
			}
		}
		cl.Close()
	}

	offeredOnDecided := false
	for i := range data.N {
		s, kind, role := cell(i)
		a := got[i]
		if a.cli != a.server || (a.tui != "-" && a.tui != a.cli) {
			t.Errorf("%s × %s × %s: TUI %s, CLI %s, server %s", s, kind, role, a.tui, a.cli, a.server)
		}
		if s == api.StatusDecided && kind == api.ActionDecision && a.tui == "yes" {
			offeredOnDecided = true
		}
	}
	if offeredOnDecided {
		t.Error("the TUI offers D on a decided case")
	}
	// The table is not trivially one-sided: some cells are allowed, some refused, for both roles.
	yes, no := map[api.Role]int{}, map[api.Role]int{}
	for i := range data.N {
		_, _, role := cell(i)
		if got[i].server == "yes" {
			yes[role]++
		} else {
			no[role]++
		}
	}
	if yes[api.RoleClerk] == 0 || no[api.RoleClerk] == 0 || yes[api.RoleLead] <= yes[api.RoleClerk]-1 || no[api.RoleLead] == 0 {
		t.Errorf("implausible table: allowed %v, refused %v", yes, no)
	}
}
