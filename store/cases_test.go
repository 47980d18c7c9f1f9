package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
)

func TestOverlayPerKind(t *testing.T) {
	fee := int64(1500)
	tests := []struct {
		name     string
		fourEyes bool
		prepare  func(c *api.Case)
		action   Action
		check    func(t *testing.T, c api.Case, sum Summary)
	}{
		{name: "note", action: Action{Kind: api.ActionNote, Body: mustJSON(api.NoteRequest{Text: "Bitte Rückruf"})},
			check: func(t *testing.T, c api.Case, _ Summary) {
				if len(c.Notes) != 1 || c.Notes[0].Text != "Bitte Rückruf" || c.Notes[0].Actor != "k7" || c.Notes[0].ID == "" {
					t.Fatalf("notes %+v", c.Notes)
				}
			}},
		{name: "assignment", action: Action{Kind: api.ActionAssignment, Body: mustJSON(api.AssignmentRequest{Assignee: "k9"})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Assignee != "k9" || sum.Assignee != "k9" {
					t.Fatalf("assignee %q / %q", c.Assignee, sum.Assignee)
				}
			}},
		{name: "status", action: Action{Kind: api.ActionStatus, Body: mustJSON(api.StatusRequest{Status: api.StatusInReview})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusInReview || sum.Status != api.StatusInReview {
					t.Fatalf("status %q / %q", c.Status, sum.Status)
				}
			}},
		{name: "decision", action: Action{Kind: api.ActionDecision, Body: mustJSON(api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "ok", FeeCents: &fee, ValidUntil: "2027-12-31"})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				d := c.Decision
				if c.Status != api.StatusDecided || sum.Status != api.StatusDecided || d == nil || d.State != api.DecisionFinal ||
					d.Outcome != api.OutcomeApproved || *d.FeeCents != 1500 || d.ValidUntil != "2027-12-31" || d.Actor != "k7" {
					t.Fatalf("status %q decision %+v", c.Status, d)
				}
			}},
		{name: "decision four eyes", fourEyes: true, action: Action{Kind: api.ActionDecision, Body: mustJSON(api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "nein"})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusDecisionProposed || sum.Status != api.StatusDecisionProposed || c.Decision.State != api.DecisionProposed {
					t.Fatalf("status %q decision %+v", c.Status, c.Decision)
				}
			}},
		{name: "decision forwarded", action: Action{Kind: api.ActionDecision, Body: mustJSON(api.DecisionRequest{Outcome: api.OutcomeForwarded, Reasoning: "nicht zuständig"})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusForwarded || sum.Status != api.StatusForwarded || c.Decision.State != api.DecisionFinal {
					t.Fatalf("status %q decision %+v", c.Status, c.Decision)
				}
			}},
		{name: "four-eyes forwarding is proposed", fourEyes: true, action: Action{Kind: api.ActionDecision, Body: mustJSON(api.DecisionRequest{Outcome: api.OutcomeForwarded, Reasoning: "nicht zuständig"})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusDecisionProposed || sum.Status != api.StatusDecisionProposed || c.Decision.State != api.DecisionProposed {
					t.Fatalf("status %q decision %+v", c.Status, c.Decision)
				}
			}},
		{name: "decision withdrawn", action: Action{Kind: api.ActionDecision, Body: mustJSON(api.DecisionRequest{Outcome: api.OutcomeWithdrawn})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusWithdrawn || sum.Status != api.StatusWithdrawn {
					t.Fatalf("status %q", c.Status)
				}
			}},
		{name: "status withdrawn returns a proposal", fourEyes: true,
			prepare: func(c *api.Case) {
				c.Status = api.StatusDecisionProposed
				c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, State: api.DecisionProposed, Actor: "k1"}
			},
			action: Action{Kind: api.ActionStatus, Body: mustJSON(api.StatusRequest{Status: api.StatusWithdrawn})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusWithdrawn || c.Decision.State != api.DecisionReturned {
					t.Fatalf("status %q decision %+v", c.Status, c.Decision)
				}
			}},
		{name: "approval of another decision is ignored", fourEyes: true,
			prepare: func(c *api.Case) {
				c.Status = api.StatusDecisionProposed
				c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, State: api.DecisionProposed, Actor: "k1"}
			},
			action: Action{Kind: api.ActionApproval, SubID: "d0", Body: mustJSON(api.ApprovalRequest{Approve: true})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusDecisionProposed || c.Decision.State != api.DecisionProposed {
					t.Fatalf("status %q decision %+v", c.Status, c.Decision)
				}
			}},
		{name: "approval approve", fourEyes: true,
			prepare: func(c *api.Case) {
				c.Status = api.StatusDecisionProposed
				c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, State: api.DecisionProposed, Actor: "k1"}
			},
			action: Action{Kind: api.ActionApproval, SubID: "d1", Body: mustJSON(api.ApprovalRequest{Approve: true})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusDecided || c.Decision.State != api.DecisionFinal || c.Decision.ApprovedBy != "k7" || c.Decision.Actor != "k1" {
					t.Fatalf("status %q decision %+v", c.Status, c.Decision)
				}
			}},
		{name: "approval return", fourEyes: true,
			prepare: func(c *api.Case) {
				c.Status = api.StatusDecisionProposed
				c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeApproved, State: api.DecisionProposed, Actor: "k1"}
			},
			action: Action{Kind: api.ActionApproval, SubID: "d1", Body: mustJSON(api.ApprovalRequest{Approve: false, Comment: "Begründung fehlt"})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusInReview || sum.Status != api.StatusInReview || c.Decision.State != api.DecisionReturned {
					t.Fatalf("status %q decision %+v", c.Status, c.Decision)
				}
			}},
		{name: "resubmission", action: Action{Kind: api.ActionResubmission, Body: mustJSON(api.ResubmissionRequest{Date: "2027-01-15", Reason: "Frist"})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Resubmission == nil || c.Resubmission.Date != "2027-01-15" || sum.ResubmissionDate != "2027-01-15" {
					t.Fatalf("resubmission %+v / %q", c.Resubmission, sum.ResubmissionDate)
				}
			}},
		{name: "document request", action: Action{Kind: api.ActionDocumentRequest, Body: mustJSON(api.DocumentRequestRequest{Documents: []string{"Meldebescheinigung"}, Deadline: "2026-12-24"})},
			check: func(t *testing.T, c api.Case, sum Summary) {
				if c.Status != api.StatusAwaitingDocuments || sum.Status != api.StatusAwaitingDocuments ||
					len(c.DocumentRequests) != 1 || c.DocumentRequests[0].Documents[0] != "Meldebescheinigung" {
					t.Fatalf("status %q requests %+v", c.Status, c.DocumentRequests)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			c := mkCase(1, "2026-12-01", 3)
			c.Service.FourEyes = tc.fourEyes
			if tc.prepare != nil {
				tc.prepare(&c)
			}
			if err := s.ApplyChanges(upsert(c), "1"); err != nil {
				t.Fatal(err)
			}
			a := tc.action
			a.CaseID = c.ID
			a.Actor = "k7"
			q, err := s.Enqueue(a)
			if err != nil {
				t.Fatal(err)
			}
			if q.BaseVersion != 3 {
				t.Errorf("BaseVersion %d, want 3 (filled from the cache)", q.BaseVersion)
			}
			got, err := s.Case(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := s.Summary(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Pending != 1 {
				t.Errorf("Pending %d", sum.Pending)
			}
			tc.check(t, got, sum)
			// The server base is untouched.
			base, err := s.ServerCase(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if base.Status != c.Status || len(base.Notes) != 0 || base.Assignee != "" {
				t.Fatalf("base changed: %+v", base)
			}
			// Rejected actions have no effect.
			if err := s.MarkRejected(q.ID, "nope"); err != nil {
				t.Fatal(err)
			}
			got, _ = s.Case(c.ID)
			sum, _ = s.Summary(c.ID)
			if got.Status != c.Status || len(got.Notes) != 0 || got.Assignee != "" || !sum.Rejected || sum.Pending != 0 {
				t.Fatalf("rejected action still applied: %+v %+v", got.Status, sum)
			}
		})
	}
}

func TestOverlayInSeqOrderAndDedup(t *testing.T) {
	s := newTestStore(t)
	c := mkCase(1, "2026-12-01", 1)
	if err := s.ApplyChanges(upsert(c), ""); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"k1", "k2", ""} {
		if _, err := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionAssignment, Body: mustJSON(api.AssignmentRequest{Assignee: who})}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionNote, Body: mustJSON(api.NoteRequest{Text: "eins"})})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Case(c.ID)
	if got.Assignee != "" {
		t.Fatalf("assignee %q, want last (unassigned)", got.Assignee)
	}
	// The server already shows the note (pulled before MarkDone): not shown twice.
	c2 := c
	c2.Version = 2
	c2.Notes = []api.Note{{ID: n.ID, Text: "eins", Actor: "k7"}}
	if err := s.ApplyChanges(upsert(c2), ""); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Case(c.ID)
	if len(got.Notes) != 1 {
		t.Fatalf("notes %+v", got.Notes)
	}
}

func TestApplyChangesVersionGuard(t *testing.T) {
	s := newTestStore(t)
	v2 := mkCase(1, "2026-12-01", 2)
	v2.Status = api.StatusInReview
	if err := s.ApplyChanges(upsert(v2), "10"); err != nil {
		t.Fatal(err)
	}
	// Replaying the same page is harmless; an older version is ignored.
	v1 := mkCase(1, "2026-11-01", 1)
	for _, page := range [][]api.Change{upsert(v2), upsert(v1)} {
		if err := s.ApplyChanges(page, "11"); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.ServerCase(v2.ID)
	if got.Version != 2 || got.Status != api.StatusInReview || got.DueDate != "2026-12-01" {
		t.Fatalf("got %d %s %s", got.Version, got.Status, got.DueDate)
	}
	if n, _ := s.Count(); n != 1 {
		t.Fatalf("Count %d", n)
	}
	// A newer version moves the index row (due date changed) without leaving the old one.
	v3 := mkCase(1, "2026-10-01", 3)
	if err := s.ApplyChanges(upsert(v3, mkCase(2, "2026-11-01", 1)), "12"); err != nil {
		t.Fatal(err)
	}
	sums, _ := s.AllSummaries()
	if len(sums) != 2 || sums[0].ID != v3.ID || sums[0].DueDate != "2026-10-01" {
		t.Fatalf("summaries %+v", sums)
	}
	if cur, _ := s.Cursor(); cur != "12" {
		t.Fatalf("cursor %q", cur)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestApplyChangesTombstoneKeepsOutbox(t *testing.T) {
	s := newTestStore(t)
	c := mkCase(1, "2026-12-01", 1)
	if err := s.ApplyChanges(upsert(c), "1"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAttachmentMeta(AttachmentMeta{CaseID: c.ID, Attachment: api.Attachment{ID: "att-1"}}); err != nil {
		t.Fatal(err)
	}
	a, err := s.Enqueue(Action{CaseID: c.ID, Kind: api.ActionNote, Body: []byte(`{"text":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	del := []api.Change{{Seq: 2, Kind: api.ChangeDelete, CaseID: c.ID}}
	for i := 0; i < 2; i++ { // idempotent
		if err := s.ApplyChanges(del, "2"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Case(c.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Case after tombstone: %v", err)
	}
	if n, _ := s.Count(); n != 0 {
		t.Fatalf("Count %d", n)
	}
	if _, err := s.AttachmentMeta(c.ID, "att-1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("attachment meta kept: %v", err)
	}
	ob, _ := s.Outbox()
	if len(ob) != 1 || ob[0].ID != a.ID {
		t.Fatalf("outbox %+v", ob)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestApplyChangesSkipsBadItems(t *testing.T) {
	s := newTestStore(t)
	good := mkCase(1, "2026-12-01", 1)
	bad := mkCase(2, "2026-12-01", 1)
	bad.ID = ""
	long := mkCase(3, "2026-12-01", 1)
	long.ID = strings.Repeat("x", 1000)
	items := append(upsert(good, bad, long), api.Change{Kind: api.ChangeUpsert, CaseID: "x"}, api.Change{Kind: "weird"})
	if err := s.ApplyChanges(items, "5"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(); n != 1 {
		t.Fatalf("Count %d", n)
	}
}

func TestResetForResync(t *testing.T) {
	s := newTestStore(t)
	if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1), mkCase(2, "2026-12-02", 1)), "9"); err != nil {
		t.Fatal(err)
	}
	a, err := s.Enqueue(Action{CaseID: "case-000001", Kind: api.ActionNote, Body: []byte(`{"text":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkConflict(a.ID, mkCase(1, "2026-12-01", 2)); err != nil {
		t.Fatal(err)
	}
	if err := s.ResetForResync(); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(); n != 0 {
		t.Fatalf("Count %d", n)
	}
	if cur, _ := s.Cursor(); cur != "" {
		t.Fatalf("cursor %q", cur)
	}
	ob, _ := s.Outbox()
	if len(ob) != 1 || ob[0].State != StateConflict || ob[0].ServerCase == nil {
		t.Fatalf("outbox %+v", ob)
	}
	// The resync brings the case back, with the overlay.
	if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 2)), "1"); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Summary("case-000001")
	if err != nil || !sum.Conflict {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestPagingAndCount(t *testing.T) {
	s := newTestStore(t)
	const n = 230
	var cs []api.Case
	for i := n - 1; i >= 0; i-- { // insert in reverse to prove ordering
		due := fmt.Sprintf("2026-%02d-%02d", 1+i/28%12, 1+i%28)
		c := mkCase(i, due, 1)
		if i%3 == 0 {
			c.Status = []api.Status{api.StatusDecided, api.StatusClosed, api.StatusWithdrawn}[i%9/3]
		}
		cs = append(cs, c)
	}
	undated := mkCase(n, "", 1)
	cs = append(cs, undated)
	if err := s.ApplyChanges(upsert(cs...), ""); err != nil {
		t.Fatal(err)
	}
	all, err := s.AllSummaries()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n+1 {
		t.Fatalf("AllSummaries %d", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := &all[i-1], &all[i]
		if a.Status.Open() != b.Status.Open() {
			if !a.Status.Open() {
				t.Fatalf("finished case %s before open case %s", a.ID, b.ID)
			}
			if a.ID != undated.ID {
				t.Fatalf("undated case is not the last open one")
			}
			continue
		}
		ad, bd := a.DueDate, b.DueDate
		if ad == "" {
			ad = "~"
		}
		if bd == "" {
			bd = "~"
		}
		if ad > bd || (ad == bd && a.ID >= b.ID) {
			t.Fatalf("out of order at %d: %s/%s %s/%s", i, a.DueDate, a.ID, b.DueDate, b.ID)
		}
	}
	if c, _ := s.Count(); c != n+1 {
		t.Fatalf("Count %d", c)
	}
	for _, tc := range []struct{ off, lim, want int }{
		{0, 50, 50}, {50, 50, 50}, {200, 50, 31}, {230, 50, 1}, {231, 50, 0}, {1000, 10, 0}, {120, 1, 1}, {0, 0, 0}, {-1, 5, 0},
	} {
		page, err := s.SummaryPage(tc.off, tc.lim)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != tc.want {
			t.Fatalf("SummaryPage(%d,%d) = %d rows, want %d", tc.off, tc.lim, len(page), tc.want)
		}
		for i := range page {
			if page[i].ID != all[tc.off+i].ID {
				t.Fatalf("SummaryPage(%d,%d)[%d] = %s, want %s", tc.off, tc.lim, i, page[i].ID, all[tc.off+i].ID)
			}
		}
	}
}

// TestCountIsO1 proves Count reads the counter, not the index: with the index bucket emptied
// behind the store's back, Count still answers the counter.
func TestCountIsO1(t *testing.T) {
	s := newTestStore(t)
	if err := s.ApplyChanges(upsert(mkCase(1, "2026-12-01", 1), mkCase(2, "2026-12-01", 1)), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bIndex); err != nil {
			return err
		}
		_, err := tx.CreateBucket(bIndex)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Count(); err != nil || n != 2 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	if err := s.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Check did not notice the counter mismatch: %v", err)
	}
}

func TestSummaryFields(t *testing.T) {
	s := newTestStore(t)
	c := mkCase(7, "2026-12-01", 4)
	c.Reference = "GEW-2026-ÄÖÜ"
	c.Service.FourEyes = true
	c.Sections[0].Fields = append(c.Sections[0].Fields, api.Field{Label: "lang", Value: strings.Repeat("Wörter ", 200)})
	if err := s.ApplyChanges(upsert(c), ""); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Summary(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Reference != c.Reference || sum.ServiceName != "Gewerbeanmeldung" || sum.ServiceKey != c.Service.Key ||
		sum.ApplicantName != c.Applicant.Name || !sum.SubmittedAt.Equal(c.SubmittedAt) || sum.Version != 4 ||
		!sum.UpdatedAt.Equal(c.UpdatedAt) || !sum.FourEyes || sum.Status != api.StatusNew {
		t.Fatalf("summary %+v", sum)
	}
	for _, want := range []string{"gew-2026-äöü", "gewerbeanmeldung", "erika mustermann7", "imbiss mit außer-haus-verkauf", "21/815/00007"} {
		if !strings.Contains(sum.Search, want) {
			t.Errorf("Search lacks %q", want)
		}
	}
	if len(sum.Search) > MaxSearchBytes || !utf8Valid(sum.Search) {
		t.Errorf("Search %d bytes, valid=%v", len(sum.Search), utf8Valid(sum.Search))
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestSummaryCodecRoundTrip(t *testing.T) {
	c := mkCase(3, "2026-12-01", 9)
	c.Resubmission = &api.Resubmission{Date: "2027-02-02"}
	c.Assignee = "k3"
	in := summaryOf(&c)
	in.Pending, in.Conflict, in.Rejected = 3, true, true
	out, err := decodeSummary(encodeSummary(&in))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(in.SubmittedAt.UnixNano(), in.UpdatedAt.UnixNano()) != fmt.Sprint(out.SubmittedAt.UnixNano(), out.UpdatedAt.UnixNano()) {
		t.Fatal("times differ")
	}
	in.SubmittedAt, in.UpdatedAt = out.SubmittedAt, out.UpdatedAt
	if fmt.Sprintf("%+v", in) != fmt.Sprintf("%+v", out) {
		t.Fatalf("round trip:\n%+v\n%+v", in, out)
	}
	enc := encodeSummary(&in)
	for i := 0; i < len(enc); i++ {
		noPanic(t, "decodeSummary", func() { _, _ = decodeSummary(enc[:i]) })
		if _, err := decodeSummary(enc[:i]); err == nil {
			t.Fatalf("truncated summary (%d bytes) decoded", i)
		}
	}
}

func TestReaderVarintsMatchStdlib(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	buf := make([]byte, 12)
	for i := 0; i < 200000; i++ {
		n := r.IntN(len(buf) + 1)
		for j := 0; j < n; j++ {
			buf[j] = byte(r.UintN(256))
			if r.IntN(3) == 0 {
				buf[j] |= 0x80
			}
		}
		in := buf[:n]
		wantU, nu := binary.Uvarint(in)
		rd := reader{b: string(in)}
		gotU := rd.uvarint()
		if (nu > 0) != (rd.err == nil) || (nu > 0 && (gotU != wantU || len(rd.b) != n-nu)) {
			t.Fatalf("uvarint(%x): got %d err=%v, want %d n=%d", in, gotU, rd.err, wantU, nu)
		}
		wantV, nv := binary.Varint(in)
		rd = reader{b: string(in)}
		if gotV := rd.varint(); (nv > 0) != (rd.err == nil) || (nv > 0 && gotV != wantV) {
			t.Fatalf("varint(%x): got %d, want %d", in, gotV, wantV)
		}
	}
}
