package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/tuitest"
)

// serverUpdate stores a newer server version of c, as a sync would.
func serverUpdate(t *testing.T, st *store.Store, c api.Case) {
	t.Helper()
	if err := st.ApplyChanges([]api.Change{{Seq: c.Version, Kind: api.ChangeUpsert, CaseID: c.ID, Case: &c}}, ""); err != nil {
		t.Fatal(err)
	}
}

// noticeCase is a Wohngeld case of Me with Me's proposal awaiting approval.
func noticeCase() api.Case {
	c := tuitest.Case(910)
	c.ID, c.Reference = "case-note", "WOG-2026-000910"
	c.Service.FourEyes, c.Status, c.Assignee = true, api.StatusDecisionProposed, tuitest.Me.Clerk
	at := tuitest.Now.Add(-time.Hour)
	c.Decision = &api.Decision{ID: "dec-1", Outcome: api.OutcomeApproved, Reasoning: "ok", State: api.DecisionProposed, Actor: tuitest.Me.Clerk, CreatedAt: at}
	c.History = []api.Event{{Seq: 1, Kind: api.EventReceived, Actor: "applicant", At: at.Add(-time.Hour)},
		{Seq: 2, Kind: api.EventDecisionProposed, Actor: tuitest.Me.Clerk, At: at}}
	c.UpdatedAt = at
	return c
}

// TestNoticesTellTheClerk (issue 15 item 6): what reached the clerk from the server is said in a
// toast and marked in the list until they open the case — their proposal approved (Wendt's screen
// "just changed"), a colleague's change to their case, documents for their Nachforderung; what
// was there at start and their own changes are no news.
func TestNoticesTellTheClerk(t *testing.T) {
	const lead, colleague = "crivitz.mueller", "crivitz.oezdemir"
	c := noticeCase()
	mine := tuitest.Case(911)
	mine.ID, mine.Reference, mine.Assignee, mine.Status = "case-mine", "GEW-2026-000911", tuitest.Me.Clerk, api.StatusInReview
	mine.History = []api.Event{{Seq: 1, Kind: api.EventReceived, Actor: "applicant", At: tuitest.Now.Add(-48 * time.Hour)}}
	mine.UpdatedAt = tuitest.Now.Add(-48 * time.Hour)
	st := tuitest.OpenStore(t, append(tuitest.Cases(3), c, mine)...)
	m := newRoot(t, Deps{Store: st, Me: tuitest.Me, Clerks: tuitest.Clerks, Now: tuitest.Clock}, 80, 24)
	if len(m.Toasts()) != 0 || len(m.Ctx().Notices) != 0 {
		t.Fatalf("news at start: %v %v", m.Toasts(), m.Ctx().Notices)
	}

	// The lead approves Me's proposal; a colleague notes on Me's other case.
	at := tuitest.Now
	c.Version++
	c.Status = api.StatusDecided
	d := *c.Decision
	d.State, d.ApprovedBy = api.DecisionFinal, lead
	c.Decision = &d
	c.History = append(c.History, api.Event{Seq: 3, Kind: api.EventDecisionApproved, Actor: lead, At: at},
		api.Event{Seq: 4, Kind: api.EventDecided, Actor: lead, At: at})
	c.UpdatedAt = at
	serverUpdate(t, st, c)
	mine.Version++
	mine.Notes = append(mine.Notes, api.Note{ID: "n-9", Text: "Rückruf erledigt", Actor: colleague, CreatedAt: at})
	mine.History = append(mine.History, api.Event{Seq: 2, Kind: api.EventNote, Actor: colleague, At: at})
	mine.UpdatedAt = at
	serverUpdate(t, st, mine)
	m, _ = send(t, m, common.SyncEventMsg{Changed: true})

	for _, want := range []string{"Ihr Vorschlag zu WOG-2026-000910 wurde von Jörg Müller freigegeben.",
		"Ayşe Özdemir hat Ihren Vorgang GEW-2026-000911 geändert."} {
		if !slices.Contains(m.Toasts(), want) {
			t.Errorf("toast %q missing: %v", want, m.Toasts())
		}
	}
	if v := m.View(); !strings.Contains(v, common.MarkNotice+" GEW-2026-000911") {
		t.Errorf("no mark in the list:\n%s", v)
	}
	// The same state again is no news; opening the case clears its mark.
	n := len(m.Toasts())
	m, _ = send(t, m, common.SyncEventMsg{Changed: true})
	if len(m.Toasts()) != n {
		t.Errorf("told twice: %v", m.Toasts())
	}
	m, _ = send(t, m, common.OpenCaseMsg{ID: mine.ID})
	m, _ = press(t, m, "esc")
	if v := m.View(); strings.Contains(v, common.MarkNotice+" GEW-2026-000911") {
		t.Errorf("mark stays after opening:\n%s", v)
	}

	// A case that arrives for the first time (the first sync after sign-in brings many) is no
	// news, however much history it carries.
	fresh := tuitest.Case(912)
	fresh.ID, fresh.Reference, fresh.Assignee = "case-fresh", "GEW-2026-000912", tuitest.Me.Clerk
	fresh.History = []api.Event{{Seq: 1, Kind: api.EventNote, Actor: colleague, At: at}}
	serverUpdate(t, st, fresh)
	n = len(m.Toasts())
	m, _ = send(t, m, common.SyncEventMsg{Changed: true})
	if len(m.Toasts()) != n || len(m.Ctx().Notices[fresh.ID]) != 0 {
		t.Errorf("a newly arrived case is news: %v", m.Toasts())
	}

	// Documents arrive for Me's Nachforderung.
	mine.Version++
	mine.Status = api.StatusInReview
	mine.DocumentRequests = []api.DocumentRequest{{ID: "dr-1", Documents: []string{"Mietvertrag"}, Actor: tuitest.Me.Clerk, CreatedAt: at}}
	mine.History = append(mine.History, api.Event{Seq: 3, Kind: api.EventDocumentsReceived, Actor: "applicant", At: at.Add(time.Minute)})
	serverUpdate(t, st, mine)
	m, _ = send(t, m, common.SyncEventMsg{Changed: true})
	if !slices.Contains(m.Toasts(), "Unterlagen zur Nachforderung eingegangen: GEW-2026-000911") {
		t.Errorf("documents not told: %v", m.Toasts())
	}
}

// TestApprovalTabForLeads (issue 15 item 6): leads and deputies have a "Zur Freigabe" tab listing
// the proposals; clerks do not.
func TestApprovalTabForLeads(t *testing.T) {
	c := noticeCase()
	for _, tt := range []struct {
		role api.Role
		want bool
	}{{api.RoleClerk, false}, {api.RoleLead, true}, {api.RoleDeputy, true}} {
		me := tuitest.Me
		me.Clerk, me.Role = "crivitz.chef", tt.role
		st := tuitest.OpenStore(t, append(tuitest.Cases(3), c)...)
		m := newRoot(t, Deps{Store: st, Me: me, Clerks: tuitest.Clerks, Now: tuitest.Clock}, 120, 30)
		if got := strings.Contains(strings.SplitN(m.View(), "\n", 2)[0], "Zur Freigabe"); got != tt.want {
			t.Fatalf("%s: tab shown %v:\n%s", tt.role, got, m.View())
		}
		if !tt.want {
			continue
		}
		for i, v := range m.Inbox().SavedViews() {
			if v.NameKey == "tab.approval" {
				m, _ = press(t, m, string(rune('1'+i)))
			}
		}
		if v := m.View(); !strings.Contains(v, "WOG-2026-000910") {
			t.Fatalf("%s: proposal not in the tab:\n%s", tt.role, v)
		}
	}
}
