// Package tuitest owns fixtures for the TUI's tests: deterministic cases and summaries (including
// hostile text), a real store in a temporary directory, a fixed clock and key messages.
package tuitest

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// Now is the fixed reference time of every TUI test: Tuesday, 24 November 2026, 10:00 local.
var Now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.Local)

// Clock returns Now.
func Clock() time.Time { return Now }

// Me is the signed-in demo clerk.
var Me = api.Me{Clerk: "crivitz.schulz", Name: "Petra Schulz", Role: api.RoleClerk, Amt: "amt-crivitz", AmtName: "Amt Crivitz"}

// Clerks are Me's colleagues.
var Clerks = []api.Clerk{
	{ID: "crivitz.schulz", Name: "Petra Schulz", Role: api.RoleClerk},
	{ID: "crivitz.mueller", Name: "Jörg Müller", Role: api.RoleLead},
	{ID: "crivitz.oezdemir", Name: "Ayşe Özdemir", Role: api.RoleClerk},
}

var services = []api.Service{
	{Key: "99050012104000", Name: "Gewerbeanmeldung"},
	{Key: "99102013000000", Name: "Wohngeld Erstantrag", FourEyes: true},
	{Key: "99115005000000", Name: "Meldebescheinigung"},
	{Key: "99108008000000", Name: "Hundesteuer Anmeldung"},
	{Key: "99035002000000", Name: "Baugenehmigung vereinfachtes Verfahren", FourEyes: true},
	{Key: "99107004000000", Name: "Sondernutzungserlaubnis Straße"},
}

var prefixes = []string{"GEW", "WOG", "MEL", "HST", "BAU", "SNE"}

var first = []string{"Jürgen", "Anna-Lena", "Björn", "Käthe", "Özlem", "Søren", "Marie", "Hans-Peter", "Grete", "Łukasz"}
var last = []string{"Müller", "Schröder", "Weiß", "Krüger", "Bäcker", "Groß", "Öztürk", "Jäger", "Fuchs", "Lange"}

var statuses = []api.Status{api.StatusNew, api.StatusNew, api.StatusInReview, api.StatusInReview,
	api.StatusAwaitingDocuments, api.StatusDecisionProposed, api.StatusDecided, api.StatusClosed,
	api.StatusNew, api.StatusInReview, api.StatusWithdrawn}

// Case returns deterministic case i, with due dates spread around Now (some overdue, some soon).
func Case(i int) api.Case {
	svc := services[i%len(services)]
	st := statuses[i%len(statuses)]
	due := Now.AddDate(0, 0, (i*7)%45-10).Format("2006-01-02")
	c := api.Case{
		ID:          fmt.Sprintf("case-%06d", i),
		Amt:         Me.Amt,
		Reference:   fmt.Sprintf("%s-2026-%06d", prefixes[i%len(prefixes)], i+1),
		Service:     svc,
		Applicant:   api.Applicant{Kind: "person", Name: first[i%len(first)] + " " + last[(i/3)%len(last)], Address: "Schloßstraße 3, 19089 Crivitz"},
		SubmittedAt: Now.Add(-time.Duration(i%60+1) * 24 * time.Hour).Add(-time.Duration(i%9) * time.Hour),
		DueDate:     due,
		Status:      st,
		Sections: []api.Section{{Title: "Angaben", Fields: []api.Field{
			{Label: "Betrieb", Value: fmt.Sprintf("Bäckerei %s", last[i%len(last)])},
			{Label: "Ort", Value: []string{"Crivitz", "Banzkow", "Plate", "Sukow"}[i%4]},
		}}},
		Version:   int64(1 + i%3),
		UpdatedAt: Now.Add(-time.Hour),
	}
	switch i % 4 {
	case 0:
		c.Assignee = Me.Clerk
	case 1:
		c.Assignee = "crivitz.mueller"
	case 2:
		c.Assignee = ""
	case 3:
		c.Assignee = "crivitz.oezdemir"
	}
	if i%5 == 0 {
		c.Resubmission = &api.Resubmission{ID: fmt.Sprintf("rs-%d", i), Date: Now.AddDate(0, 0, i%3-1).Format("2006-01-02"), Actor: Me.Clerk}
	}
	if i%13 == 7 {
		c.DueDate = ""
	}
	return c
}

// Cases returns cases 0..n-1.
func Cases(n int) []api.Case { return CasesRange(0, n) }

// CasesRange returns cases lo..hi-1.
func CasesRange(lo, hi int) []api.Case {
	out := make([]api.Case, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, Case(i))
	}
	return out
}

// Hostile returns cases whose untrusted fields carry terminal attacks: OSC 52 clipboard writes,
// CSI clear-screen, C1 CSI (U+009B), bidi overrides, BEL, backspaces.
func Hostile() []api.Case {
	mk := func(i int, ref, svc, name, field string) api.Case {
		c := Case(1000 + i)
		c.ID = fmt.Sprintf("hostile-%d", i)
		c.Reference, c.Service.Name, c.Applicant.Name = ref, svc, name
		c.Assignee = Me.Clerk
		c.Status = api.StatusNew
		c.DueDate = Now.Format("2006-01-02")
		c.Sections[0].Fields[0].Value = field
		return c
	}
	return []api.Case{
		mk(1, "EVIL-2026-000001", "Gewerbe\x1b]52;c;cm0gLXJmIC8K\x07anmeldung", "Max \x1b[2J\x1b[HMustermann", "\x1b]8;;http://evil\x1b\\klick\x1b]8;;\x1b\\"),
		mk(2, "EVIL-\u009b2J2026-2", "Hund\u202eeuetsrednuH", "Eve \u009b31mRot\u009b0m \u202egnoR", "bell\x07\x08\x08"),
		mk(3, "EVIL\x1bP1;2|payload\x1b\\-3", "Bau\u2066isolate\u2069", "\x1b[31;1mBöse\x1b[0m Grüße\r\nZeile2", "\x9d52;c;AAAA\x9c"),
	}
}

// Summaries returns n synthetic summaries in store index order (open cases first, then finished
// ones; each by due date, then id), without a
// store: for model tests and benchmarks at 100,000 rows.
func Summaries(n int) []store.Summary {
	out := make([]store.Summary, n)
	for i := range out {
		c := Case(i)
		s := store.Summary{ID: c.ID, Reference: c.Reference, ServiceName: c.Service.Name, ServiceKey: c.Service.Key,
			ApplicantName: c.Applicant.Name, SubmittedAt: c.SubmittedAt, DueDate: c.DueDate, Status: c.Status,
			Assignee: c.Assignee, Version: c.Version, UpdatedAt: c.UpdatedAt, FourEyes: c.Service.FourEyes}
		if c.Resubmission != nil {
			s.ResubmissionDate = c.Resubmission.Date
			s.Resubmissions = c.Resubmission.Actor + "\t" + c.Resubmission.Date
		}
		var b strings.Builder
		b.WriteString(strings.ToLower(c.Reference + " " + c.Service.Name + " " + c.Applicant.Name))
		for _, sec := range c.Sections {
			for _, f := range sec.Fields {
				b.WriteString(" " + strings.ToLower(f.Value))
			}
		}
		s.Search = b.String()
		out[i] = s
	}
	sortIndex(out)
	return out
}

func sortIndex(s []store.Summary) {
	due := func(d string) string {
		if d == "" {
			return "~" // the store sorts cases without a deadline last
		}
		return d
	}
	sort.Slice(s, func(i, j int) bool {
		if a, b := s[i].Status.Open(), s[j].Status.Open(); a != b {
			return a // the store keeps open cases before finished ones
		}
		if a, b := due(s[i].DueDate), due(s[j].DueDate); a != b {
			return a < b
		}
		return s[i].ID < s[j].ID
	})
}

// OpenStore opens a real store in t.TempDir() (cheap KDF, fixed clock) holding cases.
func OpenStore(t testing.TB, cases ...api.Case) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: t.TempDir(), Passphrase: "test-passphrase",
		KDF: &store.KDFParams{Time: 1, Memory: 64, Threads: 1}, LockTimeout: time.Second, Now: Clock})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	Fill(t, st, cases)
	return st
}

// Fill applies cases to the store in change-feed pages of 1000.
func Fill(t testing.TB, st *store.Store, cases []api.Case) {
	t.Helper()
	for lo := 0; lo < len(cases); lo += 1000 {
		hi := min(lo+1000, len(cases))
		items := make([]api.Change, 0, hi-lo)
		for i := lo; i < hi; i++ {
			c := cases[i]
			items = append(items, api.Change{Seq: int64(i + 1), Kind: api.ChangeUpsert, CaseID: c.ID, Case: &c})
		}
		if err := st.ApplyChanges(items, fmt.Sprint(hi)); err != nil {
			t.Fatalf("apply changes: %v", err)
		}
	}
}

// keyTypes maps Bubble Tea key names used in tests to their key types.
var keyTypes = map[string]tea.KeyType{
	"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
	"up": tea.KeyUp, "down": tea.KeyDown, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
	"home": tea.KeyHome, "end": tea.KeyEnd, "backspace": tea.KeyBackspace,
	"ctrl+c": tea.KeyCtrlC, "ctrl+d": tea.KeyCtrlD, "ctrl+s": tea.KeyCtrlS,
}

// Key is the key message for a key name ("enter", "shift+tab", " ") or, for anything else,
// the typed runes.
func Key(name string) tea.KeyMsg {
	if name == " " {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	if t, ok := keyTypes[name]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}
