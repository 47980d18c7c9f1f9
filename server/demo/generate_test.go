package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/png"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

var (
	reCaseID    = regexp.MustCompile(`^c-[0-9]{6,}$`)
	reReference = regexp.MustCompile(`^[A-Z]{3}-20[0-9]{2}-[0-9]{6,}$`)
	reLeiKa     = regexp.MustCompile(`^99[0-9]{12}$`)
	reURLSafe   = regexp.MustCompile(`^[a-z0-9.-]+$`)
)

func caseJSON(t testing.TB, sc SeedCase) []byte {
	t.Helper()
	b, err := json.Marshal(struct {
		Case   api.Case
		Events []api.Event
	}{sc.Case, sc.Events})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeterministic(t *testing.T) {
	a, b := Generate(Options{}), Generate(Options{})
	big := Generate(Options{Cases: 5000})
	other := Generate(Options{Seed: 7})
	if a.N != DefaultCases || b.N != DefaultCases {
		t.Fatalf("N = %d, %d; want %d", a.N, b.N, DefaultCases)
	}
	differ := 0
	for i := range a.N {
		ja, jb := caseJSON(t, a.Case(i)), caseJSON(t, b.Case(i))
		if !bytes.Equal(ja, jb) {
			t.Fatalf("case %d differs between two Generate calls", i)
		}
		if again := caseJSON(t, a.Case(i)); !bytes.Equal(ja, again) {
			t.Fatalf("case %d differs between two Case calls", i)
		}
		if jbig := caseJSON(t, big.Case(i)); !bytes.Equal(ja, jbig) {
			t.Fatalf("case %d depends on the size of the data set", i)
		}
		if !bytes.Equal(ja, caseJSON(t, other.Case(i))) {
			differ++
		}
	}
	if differ < a.N/2 {
		t.Errorf("only %d of %d cases differ with another seed", differ, a.N)
	}
	// Files bytes are equal (and shared).
	for i := range a.N {
		fa, fb := a.Case(i).Files, b.Case(i).Files
		if len(fa) != len(fb) {
			t.Fatalf("case %d: files differ", i)
		}
		for id, d := range fa {
			if !bytes.Equal(d, fb[id]) {
				t.Fatalf("case %d: file %s differs", i, id)
			}
		}
	}
}

// checker validates cases of one data set.
type checker struct {
	t      testing.TB
	d      *Data
	now    time.Time
	clerks map[string]Clerk
	amts   map[string]bool
	seen   map[string]bool // checked file digests
}

func newChecker(t testing.TB, d *Data, now time.Time) *checker {
	c := &checker{t: t, d: d, now: now, clerks: map[string]Clerk{}, amts: map[string]bool{}, seen: map[string]bool{}}
	for _, a := range d.Amts {
		c.amts[a.ID] = true
	}
	for _, k := range d.Clerks {
		c.clerks[k.ID] = k
	}
	return c
}

func (ch *checker) check(i int, sc SeedCase) {
	t := ch.t
	t.Helper()
	c := sc.Case
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("case %d (%s): %s", i, c.ID, fmt.Sprintf(format, args...))
	}
	if !reCaseID.MatchString(c.ID) {
		fail("id not URL-safe / wrong form")
	}
	if !ch.amts[c.Amt] {
		fail("unknown amt %q", c.Amt)
	}
	if !c.Status.Valid() {
		fail("invalid status %q", c.Status)
	}
	if !reReference.MatchString(c.Reference) || !strings.Contains(c.Reference, "-"+strconv.Itoa(c.SubmittedAt.Year())+"-") {
		fail("reference %q", c.Reference)
	}
	if !reLeiKa.MatchString(c.Service.Key) || c.Service.Name == "" {
		fail("service %+v", c.Service)
	}
	if c.Applicant.Name == "" || (c.Applicant.Kind != "person" && c.Applicant.Kind != "organisation") {
		fail("applicant %+v", c.Applicant)
	}
	if e := c.Applicant.Email; e != "" && !strings.HasSuffix(e, ".example") &&
		!slices.ContainsFunc(mailDomains, func(d string) bool { return strings.HasSuffix(e, "@"+d) }) {
		fail("e-mail %q not on an example domain", e)
	}
	if !c.SubmittedAt.Before(ch.now) {
		fail("submitted %v not before now %v", c.SubmittedAt, ch.now)
	}
	due, err := time.Parse("2006-01-02", c.DueDate)
	if err != nil {
		fail("due date: %v", err)
	} else if !due.After(c.SubmittedAt) {
		fail("due %s not after submission %v", c.DueDate, c.SubmittedAt)
	}
	if c.Assignee != "" {
		if k, ok := ch.clerks[c.Assignee]; !ok || k.Amt != c.Amt {
			fail("assignee %q not a clerk of %s", c.Assignee, c.Amt)
		}
	} else if c.Status != api.StatusNew {
		fail("unassigned in status %s", c.Status)
	}
	if len(c.Sections) == 0 || c.Attachments == nil || c.Evidence == nil {
		fail("sections/attachments/evidence missing")
	}
	for _, s := range c.Sections {
		if s.Title == "" || len(s.Fields) == 0 {
			fail("empty section %q", s.Title)
		}
		for _, f := range s.Fields {
			if f.Label == "" || f.Value == "" {
				fail("empty field %+v in %q", f, s.Title)
			}
		}
	}

	// Events.
	ev := sc.Events
	if len(ev) == 0 {
		fail("no events")
		return
	}
	if ev[0].Kind != api.EventReceived || !ev[0].At.Equal(c.SubmittedAt) {
		fail("first event %+v", ev[0])
	}
	for j, e := range ev {
		if e.Seq != int64(j+1) {
			fail("event %d has seq %d", j, e.Seq)
		}
		if j > 0 && !e.At.After(ev[j-1].At) {
			fail("event %d at %v not after %v", j, e.At, ev[j-1].At)
		}
		if e.At.After(ch.now) {
			fail("event %d in the future", j)
		}
		if e.Actor != "system" && e.Actor != "applicant" {
			if k, ok := ch.clerks[e.Actor]; !ok || k.Amt != c.Amt {
				fail("event %d actor %q", j, e.Actor)
			}
		}
	}
	last := ev[len(ev)-1]
	if c.Version != int64(len(ev)) || !c.UpdatedAt.Equal(last.At) {
		fail("version %d / updatedAt %v vs %d events, last %v", c.Version, c.UpdatedAt, len(ev), last.At)
	}
	kinds := map[api.EventKind]int{}
	for _, e := range ev {
		kinds[e.Kind]++
	}
	if c.Assignee != "" && kinds[api.EventAssigned] == 0 {
		fail("assigned without event")
	}
	if kinds[api.EventNote] != len(c.Notes) {
		fail("%d note events, %d notes", kinds[api.EventNote], len(c.Notes))
	}
	for _, n := range c.Notes {
		if !slices.ContainsFunc(ev, func(e api.Event) bool {
			return e.Kind == api.EventNote && e.Summary == n.Text && e.At.Equal(n.CreatedAt) && e.Actor == n.Actor
		}) {
			fail("note %s has no matching event", n.ID)
		}
	}
	if kinds[api.EventDocumentRequest] != len(c.DocumentRequests) {
		fail("%d document request events, %d requests", kinds[api.EventDocumentRequest], len(c.DocumentRequests))
	}
	for _, r := range c.DocumentRequests {
		if len(r.Documents) == 0 || r.CreatedAt.IsZero() {
			fail("document request %+v", r)
		}
		if dl, err := time.Parse("2006-01-02", r.Deadline); err != nil || !dl.After(r.CreatedAt) {
			fail("document request deadline %q: %v", r.Deadline, err)
		}
	}
	if r := c.Resubmission; r != nil {
		if _, err := time.Parse("2006-01-02", r.Date); err != nil || kinds[api.EventResubmission] != 1 {
			fail("resubmission %+v", r)
		}
	}

	// Replaying the history through the state machine ends in the case's status.
	if st, err := replay(ev); err != nil {
		fail("history: %v", err)
	} else if st != c.Status {
		fail("history ends in %s, case is %s", st, c.Status)
	}

	// State consistency.
	d := c.Decision
	switch c.Status {
	case api.StatusNew:
		if d != nil || len(ev) > 3 {
			fail("new case with decision or history")
		}
	case api.StatusAwaitingDocuments:
		if len(c.DocumentRequests) == 0 || d != nil {
			fail("awaiting documents without request")
		}
	case api.StatusInReview:
		if d != nil && d.State != api.DecisionReturned {
			fail("in review with decision %+v", d)
		}
	case api.StatusDecisionProposed:
		if !c.Service.FourEyes || d == nil || d.State != api.DecisionProposed || ch.clerks[d.Actor].Role != api.RoleClerk {
			fail("decision proposed: %+v", d)
		}
	case api.StatusDecided, api.StatusClosed:
		if d == nil || d.State != api.DecisionFinal || !slices.Contains([]api.Outcome{api.OutcomeApproved, api.OutcomePartiallyApproved, api.OutcomeRejected}, d.Outcome) {
			fail("decided without final decision: %+v", d)
		} else if c.Service.FourEyes && (ch.clerks[d.ApprovedBy].Role != api.RoleLead || d.ApprovedBy == d.Actor) {
			fail("four-eyes decision not approved by another lead: %+v", d)
		}
	case api.StatusWithdrawn:
		if d == nil || d.Outcome != api.OutcomeWithdrawn {
			fail("withdrawn: %+v", d)
		}
	case api.StatusForwarded:
		if d == nil || d.Outcome != api.OutcomeForwarded {
			fail("forwarded: %+v", d)
		}
	}
	if d != nil {
		if !d.Outcome.Valid() || d.Reasoning == "" || d.CreatedAt.IsZero() || d.CreatedAt.After(ch.now) {
			fail("decision %+v", d)
		}
		if d.ValidUntil != "" {
			if v, err := time.Parse("2006-01-02", d.ValidUntil); err != nil || !v.After(d.CreatedAt) {
				fail("validUntil %q (decided %v): %v", d.ValidUntil, d.CreatedAt, err)
			}
		}
	}
	if p := c.Payment; p != nil {
		if p.AmountCents <= 0 || !slices.Contains([]string{"paid", "pending", "waived"}, p.Status) || p.Reference == "" {
			fail("payment %+v", p)
		}
	}

	// Evidence.
	for _, e := range c.Evidence {
		if e.Register == "Melderegister" {
			birth, err1 := time.Parse("02.01.2006", e.Fields[2].Value)
			moved, err2 := time.Parse("02.01.2006", e.Fields[4].Value)
			if err1 != nil || err2 != nil || !moved.After(birth) || moved.After(c.SubmittedAt) {
				fail("Melderegister dates: born %q, moved in %q", e.Fields[2].Value, e.Fields[4].Value)
			}
		}
		if e.ID == "" || e.Register == "" || e.Issuer == "" || len(e.Fields) == 0 ||
			e.RetrievedAt.Before(c.SubmittedAt) || e.RetrievedAt.After(ch.now) {
			fail("evidence %+v", e)
		}
	}

	// Attachments and their bytes.
	if len(sc.Files) != len(c.Attachments) {
		fail("%d files for %d attachments", len(sc.Files), len(c.Attachments))
	}
	for _, a := range c.Attachments {
		data, ok := sc.Files[a.ID]
		if !ok {
			fail("attachment %s has no bytes", a.ID)
			continue
		}
		if !reURLSafe.MatchString(a.ID) || !strings.HasPrefix(a.ID, c.ID+"-") {
			fail("attachment id %q", a.ID)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != a.SHA256 || a.Size != int64(len(data)) {
			fail("attachment %s: sha256/size mismatch", a.ID)
		}
		if ch.seen[a.SHA256] {
			continue
		}
		ch.seen[a.SHA256] = true
		switch a.ContentType {
		case "application/pdf":
			if err := checkPDF(data); err != nil {
				fail("attachment %s: %v", a.ID, err)
			}
		case "image/png":
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				fail("attachment %s: %v", a.ID, err)
			} else if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 48 {
				fail("attachment %s: %v", a.ID, b)
			}
		default:
			fail("attachment %s: content type %q", a.ID, a.ContentType)
		}
	}

	if n := len(caseJSON(t, SeedCase{Case: c})); n < 800 || n > 4000 {
		fail("case JSON is %d bytes", n)
	}
}

// replay applies the events to the state machine of the design (new → in_review ⇄
// awaiting_documents → (decision_proposed →) decided → closed; withdrawn / forwarded from any
// open state) and returns the resulting status, or an error at the first illegal step.
func replay(evs []api.Event) (api.Status, error) {
	st := api.StatusNew
	for _, e := range evs {
		switch e.Kind {
		case api.EventReceived, api.EventAssigned, api.EventNote, api.EventResubmission:
			if e.Kind != api.EventReceived && !st.Open() {
				return st, fmt.Errorf("event %d %s on a %s case", e.Seq, e.Kind, st)
			}
			if (e.Kind == api.EventReceived) != (e.Seq == 1) {
				return st, fmt.Errorf("received must be the first event and only that")
			}
		case api.EventStatusChanged:
			to := api.Status(e.Summary)
			ok := map[api.Status][]api.Status{
				api.StatusNew:               {api.StatusInReview, api.StatusWithdrawn},
				api.StatusInReview:          {api.StatusAwaitingDocuments, api.StatusWithdrawn},
				api.StatusAwaitingDocuments: {api.StatusInReview, api.StatusWithdrawn},
				api.StatusDecided:           {api.StatusClosed},
			}[st]
			if !slices.Contains(ok, to) {
				return st, fmt.Errorf("event %d: %s → %s", e.Seq, st, to)
			}
			st = to
		case api.EventDocumentRequest:
			if st != api.StatusNew && st != api.StatusInReview && st != api.StatusAwaitingDocuments {
				return st, fmt.Errorf("event %d: document request in %s", e.Seq, st)
			}
			st = api.StatusAwaitingDocuments
		case api.EventDocumentsReceived:
			if st != api.StatusAwaitingDocuments || e.Summary != string(api.StatusInReview) {
				return st, fmt.Errorf("event %d: documents received in %s", e.Seq, st)
			}
			st = api.StatusInReview
		case api.EventDecisionProposed:
			if st != api.StatusInReview && st != api.StatusAwaitingDocuments {
				return st, fmt.Errorf("event %d: proposal in %s", e.Seq, st)
			}
			st = api.StatusDecisionProposed
		case api.EventDecisionReturned:
			if st != api.StatusDecisionProposed {
				return st, fmt.Errorf("event %d: return in %s", e.Seq, st)
			}
			st = api.StatusInReview
		case api.EventDecisionApproved:
			if st != api.StatusDecisionProposed {
				return st, fmt.Errorf("event %d: approval in %s", e.Seq, st)
			}
			// the decided event that follows finishes the approval
		case api.EventDecided:
			o := api.Outcome(e.Summary)
			switch {
			case !o.Valid():
				return st, fmt.Errorf("event %d: outcome %q", e.Seq, o)
			case st == api.StatusNew && o != api.OutcomeWithdrawn && o != api.OutcomeForwarded,
				!st.Open():
				return st, fmt.Errorf("event %d: decision %s in %s", e.Seq, o, st)
			case st == api.StatusDecisionProposed && evs[e.Seq-2].Kind != api.EventDecisionApproved:
				return st, fmt.Errorf("event %d: four-eyes decision without approval", e.Seq)
			}
			switch o {
			case api.OutcomeWithdrawn:
				st = api.StatusWithdrawn
			case api.OutcomeForwarded:
				st = api.StatusForwarded
			default:
				st = api.StatusDecided
			}
		default:
			return st, fmt.Errorf("event %d: unknown kind %q", e.Seq, e.Kind)
		}
	}
	return st, nil
}

// checkPDF validates the structure of a generated PDF: header, trailer, and that startxref and
// every cross-reference entry point at what they claim.
func checkPDF(b []byte) error {
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		return fmt.Errorf("no %%PDF- header")
	}
	if !bytes.HasSuffix(bytes.TrimRight(b, "\r\n"), []byte("%%EOF")) {
		return fmt.Errorf("no %%%%EOF trailer")
	}
	i := bytes.LastIndex(b, []byte("startxref\n"))
	if i < 0 {
		return fmt.Errorf("no startxref")
	}
	var off int
	if _, err := fmt.Sscan(string(b[i+len("startxref\n"):]), &off); err != nil {
		return fmt.Errorf("startxref: %v", err)
	}
	if !bytes.HasPrefix(b[off:], []byte("xref\n")) {
		return fmt.Errorf("startxref %d does not point at xref", off)
	}
	lines := strings.Split(string(b[off:]), "\n")
	var first, count int
	if _, err := fmt.Sscan(lines[1], &first, &count); err != nil || first != 0 || count < 2 {
		return fmt.Errorf("xref subsection %q", lines[1])
	}
	for n := 1; n < count; n++ {
		entry := lines[2+n]
		if len(entry)+1 != 20 || !strings.HasSuffix(entry, " n ") {
			return fmt.Errorf("xref entry %d: %q", n, entry)
		}
		o, _ := strconv.Atoi(entry[:10])
		if want := strconv.Itoa(n) + " 0 obj"; !bytes.HasPrefix(b[o:], []byte(want)) {
			return fmt.Errorf("xref entry %d points at %q", n, b[o:min(o+10, len(b))])
		}
	}
	if !bytes.Contains(b, []byte("/Root 1 0 R")) {
		return fmt.Errorf("no /Root")
	}
	return nil
}

func TestCasesValid(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"default", Options{}},
		{"seed 42, 500 cases", Options{Seed: 42, Cases: 500}},
		{"other now, early morning", Options{Seed: -3, Cases: 300, Now: time.Date(2027, 3, 1, 6, 30, 0, 0, time.UTC)}},
		{"now at midnight", Options{Seed: 4, Cases: 300, Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}},
		{"now not in UTC", Options{Seed: 9, Cases: 200, Now: time.Date(2026, 5, 4, 23, 59, 59, 0, time.FixedZone("CEST", 2*3600))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Generate(tc.opts)
			now := tc.opts.Now
			if now.IsZero() {
				now = DefaultNow
			}
			ch := newChecker(t, d, now)
			ids := map[string]bool{}
			for i := range d.N {
				sc := d.Case(i)
				if ids[sc.Case.ID] {
					t.Fatalf("duplicate case id %s", sc.Case.ID)
				}
				ids[sc.Case.ID] = true
				ch.check(i, sc)
			}
			if len(ch.seen) < 5 {
				t.Errorf("only %d distinct files used", len(ch.seen))
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	d := Generate(Options{})
	if len(d.Amts) < 3 {
		t.Errorf("%d Ämter, want at least 3", len(d.Amts))
	}
	ids := map[string]bool{}
	for _, a := range d.Amts {
		if !strings.HasPrefix(a.ID, "amt-") || !reURLSafe.MatchString(a.ID) || !strings.HasPrefix(a.Name, "Amt ") {
			t.Errorf("amt %+v", a)
		}
		leads, clerks := 0, 0
		for _, k := range d.Clerks {
			if k.Amt != a.ID {
				continue
			}
			switch k.Role {
			case api.RoleLead:
				leads++
			case api.RoleClerk:
				clerks++
			default:
				t.Errorf("clerk %s: role %q", k.ID, k.Role)
			}
		}
		if leads < 1 || clerks < 2 {
			t.Errorf("%s: %d leads, %d clerks", a.ID, leads, clerks)
		}
	}
	for _, k := range d.Clerks {
		if ids[k.ID] || !reURLSafe.MatchString(k.ID) || k.Name == "" {
			t.Errorf("clerk %+v duplicate or invalid", k)
		}
		ids[k.ID] = true
	}
	if len(services) < 8 {
		t.Errorf("%d services, want at least 8", len(services))
	}
	keys, prefixes := map[string]bool{}, map[string]bool{}
	fourEyes := 0
	for _, s := range services {
		if keys[s.Key] || prefixes[s.Prefix] || !reLeiKa.MatchString(s.Key) || s.DueDays <= 0 || len(s.Docs) == 0 || len(s.Notes) == 0 {
			t.Errorf("service %s: duplicate or incomplete", s.Name)
		}
		keys[s.Key], prefixes[s.Prefix] = true, true
		if s.FourEyes {
			fourEyes++
		}
	}
	if fourEyes == 0 {
		t.Error("no four-eyes service")
	}
}

func TestDefaultSetMix(t *testing.T) {
	for _, seed := range []int64{0, 1, 2026} {
		t.Run("seed "+strconv.FormatInt(seed, 10), func(t *testing.T) {
			d := Generate(Options{Seed: seed})
			today := DefaultNow.Format("2006-01-02")
			weekEnd := DefaultNow.AddDate(0, 0, 7).Format("2006-01-02")
			statuses := map[api.Status]int{}
			svcs, amts := map[string]bool{}, map[string]int{}
			var overdue, dueSoon, unassignedOpen, resub, returned, orgs, payPending, payPaid, evidenceKinds int
			registers := map[string]bool{}
			for i := range d.N {
				c := d.Case(i).Case
				statuses[c.Status]++
				svcs[c.Service.Key] = true
				amts[c.Amt]++
				if c.Status.Open() {
					switch {
					case c.DueDate < today:
						overdue++
					case c.DueDate < weekEnd:
						dueSoon++
					}
					if c.Assignee == "" {
						unassignedOpen++
					}
				}
				if c.Resubmission != nil {
					resub++
				}
				if c.Decision != nil && c.Decision.State == api.DecisionReturned {
					returned++
				}
				if c.Applicant.Kind == "organisation" {
					orgs++
				}
				if c.Payment != nil {
					switch c.Payment.Status {
					case "paid":
						payPaid++
					case "pending":
						payPending++
					}
				}
				for _, e := range c.Evidence {
					if !registers[e.Register] {
						evidenceKinds++
					}
					registers[e.Register] = true
				}
			}
			for _, s := range api.Statuses {
				if statuses[s] == 0 {
					t.Errorf("no case in status %s", s)
				}
			}
			if len(svcs) < 8 {
				t.Errorf("%d services used, want at least 8", len(svcs))
			}
			if len(amts) != len(d.Amts) {
				t.Errorf("cases in %d of %d Ämter", len(amts), len(d.Amts))
			}
			for name, n := range map[string]int{"overdue": overdue, "due this week": dueSoon,
				"unassigned open": unassignedOpen, "resubmission": resub, "organisation": orgs,
				"payment paid": payPaid, "payment pending": payPending} {
				if n == 0 {
					t.Errorf("no %s case", name)
				}
			}
			if evidenceKinds < 3 {
				t.Errorf("evidence from %d registers: %v", evidenceKinds, registers)
			}
			t.Logf("statuses %v; overdue %d, due this week %d, returned %d, registers %d", statuses, overdue, dueSoon, returned, evidenceKinds)
		})
	}
}

// unsafeRune reports what a terminal must never receive as it is.
func unsafeRune(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func TestHostileCases(t *testing.T) {
	d := Generate(Options{})
	hostile := map[int]bool{}
	for _, i := range HostileCaseIndexes {
		hostile[i] = true
		c := d.Case(i).Case
		if c.Amt != d.Amts[0].ID || !c.Status.Open() {
			t.Errorf("hostile case %d: amt %s, status %s; want %s and open", i, c.Amt, c.Status, d.Amts[0].ID)
		}
	}
	want := map[string]bool{HostileOSC52: false, HostileCSI: false, HostileC1: false, HostileRLOName: false}
	for i := range d.N {
		sc := d.Case(i)
		var text []string
		text = append(text, sc.Case.Applicant.Name, sc.Case.Applicant.Address)
		for _, s := range sc.Case.Sections {
			for _, f := range s.Fields {
				text = append(text, f.Label, f.Value)
			}
		}
		for _, a := range sc.Case.Attachments {
			text = append(text, a.Name)
		}
		for _, n := range sc.Case.Notes {
			text = append(text, n.Text)
		}
		for _, e := range sc.Events {
			text = append(text, e.Summary)
		}
		all := strings.Join(text, "\n")
		dirty := strings.ContainsFunc(strings.ReplaceAll(all, "\n", " "), unsafeRune)
		if dirty != hostile[i] {
			t.Errorf("case %d: unsafe text = %v, hostile = %v", i, dirty, hostile[i])
		}
		for s := range want {
			if strings.Contains(all, s) {
				want[s] = true
			}
		}
	}
	for s, found := range want {
		if !found {
			t.Errorf("hostile value %q not in the default set", s)
		}
	}
	// The hostile values also reach the wire intact.
	b := caseJSON(t, d.Case(3))
	var back struct{ Case api.Case }
	if err := json.Unmarshal(b, &back); err != nil || !strings.Contains(back.Case.Applicant.Name, HostileOSC52) {
		t.Errorf("OSC 52 lost in JSON round trip: %v", err)
	}
}

func TestScale(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 cases: not in -short")
	}
	const n = 100_000
	d := Generate(Options{Cases: n, Seed: 5})
	if d.N != n {
		t.Fatalf("N = %d", d.N)
	}
	// Generate on every CPU: cases are independent, so this also proves Case is safe for
	// concurrent use.
	workers := runtime.GOMAXPROCS(0)
	ids := make([]string, n)
	refs := make([]string, n)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				c := d.Case(i).Case
				ids[i], refs[i] = c.ID, c.Reference
			}
		})
	}
	wg.Wait()
	t.Logf("generated %d cases in %v on %d workers", n, time.Since(start), workers)
	seenID := make(map[string]bool, n)
	seenRef := make(map[string]bool, n)
	for i := range n {
		if seenID[ids[i]] || seenRef[refs[i]] {
			t.Fatalf("case %d: duplicate id %s or reference %s", i, ids[i], refs[i])
		}
		seenID[ids[i]], seenRef[refs[i]] = true, true
	}
	ch := newChecker(t, d, DefaultNow)
	for i := 0; i < n; i += 997 {
		ch.check(i, d.Case(i))
	}
	ch.check(n-1, d.Case(n-1))
}

func BenchmarkGenerateCase(b *testing.B) {
	d := Generate(Options{Cases: 100_000})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = d.Case(i % d.N)
		i++
	}
}

func TestReplayRejectsIllegalHistories(t *testing.T) {
	e := func(kind api.EventKind, summary string) api.Event { return api.Event{Kind: kind, Summary: summary} }
	rcv := e(api.EventReceived, "")
	tests := []struct {
		name string
		evs  []api.Event
	}{
		{"approve from new", []api.Event{rcv, e(api.EventDecided, "approved")}},
		{"documents received while in review", []api.Event{rcv, e(api.EventStatusChanged, "in_review"), e(api.EventDocumentsReceived, "in_review")}},
		{"close before decision", []api.Event{rcv, e(api.EventStatusChanged, "in_review"), e(api.EventStatusChanged, "closed")}},
		{"four-eyes without approval", []api.Event{rcv, e(api.EventStatusChanged, "in_review"), e(api.EventDecisionProposed, "approved"), e(api.EventDecided, "approved")}},
		{"note after close", []api.Event{rcv, e(api.EventDecided, "withdrawn"), e(api.EventNote, "x")}},
		{"received twice", []api.Event{rcv, rcv}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.evs {
				tc.evs[i].Seq = int64(i + 1)
			}
			if st, err := replay(tc.evs); err == nil {
				t.Errorf("replay accepted it, ending in %s", st)
			}
		})
	}
}

func TestCheckPDFRejectsBrokenFiles(t *testing.T) {
	good := sampleFiles()[filePersonalausweis].Data
	if err := checkPDF(good); err != nil {
		t.Fatalf("good PDF rejected: %v", err)
	}
	xref := bytes.Index(good, []byte("xref\n"))
	tests := []struct {
		name   string
		mutate func([]byte) []byte
	}{
		{"no header", func(b []byte) []byte { return b[1:] }},
		{"no EOF", func(b []byte) []byte { return b[:len(b)-7] }},
		{"object offset off by one", func(b []byte) []byte {
			i := xref + len("xref\n0 7\n0000000000 65535 f \n") + 9
			b[i]++
			return b
		}},
		{"startxref wrong", func(b []byte) []byte {
			return bytes.Replace(b, []byte("startxref\n"+strconv.Itoa(xref)), []byte("startxref\n"+strconv.Itoa(xref-1)), 1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkPDF(tc.mutate(slices.Clone(good))); err == nil {
				t.Error("broken PDF accepted")
			}
		})
	}
}

func TestConcurrentCases(t *testing.T) {
	d := Generate(Options{Cases: 400, Seed: 11})
	want := make([][]byte, d.N)
	for i := range d.N {
		want[i] = caseJSON(t, d.Case(i))
	}
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := w; i < d.N; i += 4 {
				if !bytes.Equal(caseJSON(t, d.Case(d.N-1-i)), want[d.N-1-i]) {
					errs <- fmt.Errorf("case %d differs when generated concurrently", d.N-1-i)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestOfficeHours(t *testing.T) {
	d := Generate(Options{})
	var clerkEvents, inHours int
	for i := range d.N {
		for _, e := range d.Case(i).Events {
			if e.Actor == "system" || e.Actor == "applicant" {
				continue
			}
			clerkEvents++
			if wd := e.At.Weekday(); wd != time.Saturday && wd != time.Sunday && e.At.Hour() >= 7 && e.At.Hour() < 16 {
				inHours++
			}
		}
	}
	if inHours*10 < clerkEvents*9 {
		t.Errorf("only %d of %d clerk events on weekdays 07:00–16:00", inHours, clerkEvents)
	}
}
