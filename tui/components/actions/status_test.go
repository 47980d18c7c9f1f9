package actions

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
)

// TestStatusDialog (issue 15 items 1 and 2): every status change the clerk may set is offered in
// the TUI, in German at 80×24 — starting the review, continuing after documents arrived,
// closing a decided case, and taking one's own proposal back; Enter queues it.
func TestStatusDialog(t *testing.T) {
	lead := api.Me{Clerk: "crivitz.krause", Name: "Carla Krause", Role: api.RoleLead}
	tests := []struct {
		name    string
		status  api.Status
		me      api.Me
		mine    bool // the proposal is Me's
		options []string
		want    api.Status // what Enter on the first option queues
		blocked string
	}{
		{"new case", api.StatusNew, testkit.Me, false, []string{"Bearbeitung beginnen"}, api.StatusInReview, ""},
		{"documents arrived", api.StatusAwaitingDocuments, testkit.Me, false, []string{"Unterlagen eingegangen"}, api.StatusInReview, ""},
		{"decided case", api.StatusDecided, testkit.Me, false, []string{"Abschließen"}, api.StatusClosed, ""},
		{"own proposal", api.StatusDecisionProposed, testkit.Me, true, []string{"Vorschlag zurückziehen"}, api.StatusInReview, ""},
		{"lead on a colleague's proposal", api.StatusDecisionProposed, lead, false, []string{"Vorgang als zurückgenommen ablegen"}, api.StatusWithdrawn, ""},
		{"clerk on a colleague's proposal", api.StatusDecisionProposed, testkit.Me, false, nil, "", "Nur wer den Vorschlag gemacht hat"},
		{"closed case", api.StatusClosed, testkit.Me, false, nil, "", "lässt sich der Status nicht mehr ändern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testkit.Case("c1")
			c.Status = tt.status
			c.Service.FourEyes = tt.status == api.StatusDecisionProposed
			if tt.status == api.StatusDecisionProposed || tt.status == api.StatusDecided {
				actor := "crivitz.meyer"
				if tt.mine {
					actor = tt.me.Clerk
				}
				state := api.DecisionProposed
				if tt.status == api.StatusDecided {
					state = api.DecisionFinal
				}
				c.Decision = &api.Decision{ID: "dec-1", Outcome: api.OutcomeApproved, Reasoning: "ok", State: state, Actor: actor}
			}
			st := testkit.Store(t)
			testkit.Put(t, st, c)
			ctx := testkit.Ctx(st, 80, 24)
			ctx.Me = tt.me
			h := &harness{t: t, st: st, ctx: ctx, m: NewStatus(ctx, "c1")}
			h.run(h.m.Init())
			view := h.m.View()
			if tt.blocked != "" {
				if !strings.Contains(view, tt.blocked) {
					t.Fatalf("want %q in\n%s", tt.blocked, view)
				}
				return
			}
			for _, o := range tt.options {
				if !strings.Contains(view, o) {
					t.Errorf("option %q missing in\n%s", o, view)
				}
			}
			for _, l := range strings.Split(view, "\n") {
				if common.Width(l) > 80 {
					t.Errorf("line wider than 80: %q", l)
				}
			}
			h.send(keyEnter)
			out := h.outbox()
			if len(out) != 1 || out[0].Kind != api.ActionStatus {
				t.Fatalf("outbox = %+v\n%s", out, h.m.View())
			}
			if got := body[api.StatusRequest](t, out[0]); got.Status != tt.want {
				t.Errorf("queued %s, want %s", got.Status, tt.want)
			}
		})
	}
}

// TestDecideWarnsWithoutApprover (issue 15 item 1): the only lead of an Amt proposing a
// four-eyes decision is warned on the confirmation screen that nobody could approve it.
func TestDecideWarnsWithoutApprover(t *testing.T) {
	for _, tt := range []struct {
		name   string
		clerks []api.Clerk
		warn   bool
	}{
		{"only lead", testkit.Clerks, true},
		{"with a deputy", append(append([]api.Clerk(nil), testkit.Clerks...), api.Clerk{ID: "crivitz.meyer2", Name: "Dora Vogt", Role: api.RoleDeputy}), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := testkit.Case("c1")
			c.Service.FourEyes = true
			st := testkit.Store(t)
			testkit.Put(t, st, c)
			ctx := testkit.Ctx(st, 80, 24)
			ctx.Me = api.Me{Clerk: "crivitz.krause", Name: "Carla Krause", Role: api.RoleLead}
			ctx.Clerks = tt.clerks
			h := &harness{t: t, st: st, ctx: ctx, m: NewDecide(ctx, "c1")}
			h.run(h.m.Init())
			h.send(keyTab)
			h.typ("Alle Unterlagen liegen vor.")
			h.send(keySend)
			if !h.m.Confirming() {
				t.Fatalf("not confirming:\n%s", h.m.View())
			}
			got := strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(h.m.View(), "│", " ")), " "), "kann niemand außer Ihnen")
			if got != tt.warn {
				t.Errorf("warning shown: %v, want %v\n%s", got, tt.warn, h.m.View())
			}
		})
	}
}

// TestGoldenStatusAndNoApprover: the status dialog on the lead's own proposal and the decision
// confirmation that warns the only lead, at 80×24.
func TestGoldenStatusAndNoApprover(t *testing.T) {
	lead := api.Me{Clerk: "crivitz.krause", Name: "Carla Krause", Role: api.RoleLead}
	c := testkit.Case("c1")
	c.Service.FourEyes, c.Status = true, api.StatusDecisionProposed
	c.Decision = &api.Decision{ID: "dec-1", Outcome: api.OutcomeApproved, Reasoning: "ok", State: api.DecisionProposed, Actor: lead.Clerk}
	st := testkit.Store(t)
	testkit.Put(t, st, c)
	ctx := testkit.Ctx(st, 80, 24)
	ctx.Me = lead
	h := &harness{t: t, st: st, ctx: ctx, m: NewStatus(ctx, "c1")}
	h.m.SetSize(ctx.Width, ctx.Height)
	h.run(h.m.Init())
	golden(t, filepath.Join("testdata", "status_own_proposal_80x24.golden"), h.m.View())

	c2 := testkit.Case("c2")
	c2.Service.FourEyes = true
	testkit.Put(t, st, c2)
	h = &harness{t: t, st: st, ctx: ctx, m: NewDecide(ctx, "c2")}
	h.m.SetSize(ctx.Width, ctx.Height)
	h.run(h.m.Init())
	h.send(keyTab)
	h.typ("Alle Unterlagen liegen vor.")
	h.send(keySend)
	golden(t, filepath.Join("testdata", "decide_confirm_no_approver_80x24.golden"), h.m.View())
}
