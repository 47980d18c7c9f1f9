// Package testkit builds what the view tests of caseview, actions, pending and dashboard share: a
// real store in a temporary directory, a context with a fixed clock, and sample and hostile cases.
package testkit

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// Now is the fixed clock of every view test: Tuesday, 24 November 2026, 10:00 UTC.
var Now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// Clock returns Now.
func Clock() time.Time { return Now }

// Me is the signed-in clerk of the tests (a clerk, not a lead).
var Me = api.Me{Clerk: "crivitz.schulz", Name: "Anna Schulz", Role: api.RoleClerk, Amt: "amt-crivitz", AmtName: "Amt Crivitz"}

// Clerks are Me's colleagues.
var Clerks = []api.Clerk{
	{ID: "crivitz.schulz", Name: "Anna Schulz", Role: api.RoleClerk},
	{ID: "crivitz.meyer", Name: "Bernd Meyer", Role: api.RoleClerk},
	{ID: "crivitz.krause", Name: "Carla Krause", Role: api.RoleLead},
}

// Init registers -update (unless registered), sets the Ascii colour profile, UTC as local zone
// and German; call it from TestMain before m.Run.
func Init() {
	if flag.Lookup("update") == nil { // teatest's golden package may have registered it already
		flag.Bool("update", false, "rewrite golden files")
	}
	time.Local = time.UTC // dates and times render the same on every machine
	lipgloss.SetColorProfile(termenv.Ascii)
	i18n.SetLang(i18n.DE)
}

// Store opens a real store in t.TempDir() with cheap key derivation and the fixed clock.
func Store(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: t.TempDir(), Passphrase: "test", Now: Clock,
		KDF: &store.KDFParams{Time: 1, Memory: 8, Threads: 1}})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// Ctx builds a context over st with the fixed clock, size w×h, Me and Clerks.
func Ctx(st common.Store, w, h int) *common.Ctx {
	c := common.NewCtx(st, Me, Clock)
	c.Clerks = Clerks
	c.ScreenWidth, c.ScreenHeight = w, h
	c.Width, c.Height = w, h-1
	c.Status.Online = true
	return c
}

// Put stores cases as the server sent them.
func Put(t testing.TB, st *store.Store, cases ...api.Case) {
	t.Helper()
	items := make([]api.Change, 0, len(cases))
	for i := range cases {
		c := cases[i]
		items = append(items, api.Change{Seq: int64(i + 1), Kind: api.ChangeUpsert, CaseID: c.ID, Case: &c})
	}
	if err := st.ApplyChanges(items, "c1"); err != nil {
		t.Fatalf("apply changes: %v", err)
	}
}

// Case returns a realistic Gewerbeanmeldung case in review, version 7.
func Case(id string) api.Case {
	return api.Case{
		ID: id, Amt: "amt-crivitz", Reference: "GEW-2026-000123",
		Service:     api.Service{Key: "99050012104000", Name: "Gewerbeanmeldung"},
		Applicant:   api.Applicant{Kind: "person", Name: "Jens Petersen", Address: "Schweriner Str. 4, 19089 Crivitz", Email: "jens@example.org"},
		SubmittedAt: time.Date(2026, 11, 2, 9, 15, 0, 0, time.UTC),
		DueDate:     "2026-11-20",
		Status:      api.StatusInReview,
		Assignee:    "crivitz.schulz",
		Sections: []api.Section{
			{Title: "Betrieb", Fields: []api.Field{{Label: "Name des Betriebs", Value: "Petersen Fahrradservice"},
				{Label: "Tätigkeit", Value: "Reparatur und Verkauf von Fahrrädern"}, {Label: "Beginn", Value: "01.12.2026"}}},
			{Title: "Betriebsstätte", Fields: []api.Field{{Label: "Anschrift", Value: "Marktplatz 2, 19089 Crivitz"}}},
		},
		Attachments: []api.Attachment{
			{ID: "att-1", Name: "Personalausweis.pdf", ContentType: "application/pdf", Size: 183_402, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
			{ID: "att-2", Name: "Mietvertrag.png", ContentType: "image/png", Size: 1_204_332, SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"},
		},
		Evidence: []api.Evidence{{ID: "ev-1", Register: "Melderegister", Title: "Meldebestätigung", Issuer: "Amt Crivitz",
			RetrievedAt: time.Date(2026, 11, 2, 9, 16, 0, 0, time.UTC), Verified: true,
			Fields: []api.Field{{Label: "Wohnanschrift", Value: "Schweriner Str. 4, 19089 Crivitz"}}}},
		Notes: []api.Note{{ID: "n-1", Text: "Rückfrage zur Betriebsstätte telefonisch geklärt.", Actor: "crivitz.meyer",
			CreatedAt: time.Date(2026, 11, 5, 14, 30, 0, 0, time.UTC)}},
		Version:   7,
		UpdatedAt: time.Date(2026, 11, 5, 14, 30, 0, 0, time.UTC),
	}
}

// Hostile strings: OSC 52 clipboard write, CSI clear screen, 8-bit CSI and OSC (C1), a bidi override.
const (
	OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
	CSI   = "\x1b[2J\x1b[H"
	C1    = "\u009b31m\u009d0;title\u009c"
	Bidi  = "\u202egpj.exe"
)

// Hostile returns a case whose untrusted texts carry escape sequences, C1 controls and bidi
// overrides everywhere a view might show them.
func Hostile(id string) api.Case {
	c := Case(id)
	c.Reference = "GEW-2026-" + CSI + "000666"
	c.Service.Name = "Gewerbe" + C1 + "anmeldung"
	c.Applicant.Name = "Mallory " + OSC52 + "Evil" + Bidi
	c.Sections[0].Title = "Betrieb" + CSI
	c.Sections[0].Fields[0].Value = "Firma " + OSC52 + C1 + Bidi
	c.Sections[0].Fields[1].Label = "Tätig" + C1 + "keit"
	c.Attachments[0].Name = "rechnung" + Bidi + "fdp.exe"
	c.Attachments[1].ContentType = "image/png" + CSI
	c.Evidence[0].Title = "Melde" + OSC52 + "bestätigung"
	c.Evidence[0].Fields[0].Value = "Straße " + CSI + Bidi
	c.Notes = append(c.Notes, api.Note{ID: "n-evil", Text: "Notiz " + OSC52 + "\nzweite Zeile " + C1 + Bidi, Actor: "crivitz.meyer" + CSI,
		CreatedAt: time.Date(2026, 11, 6, 8, 0, 0, 0, time.UTC)})
	return c
}

// Dirty reports the first byte or rune that must never reach the terminal: ESC, C1 controls and
// bidi overrides/isolates. It returns -1 when s is clean.
func Dirty(s string) int {
	for i, r := range s {
		switch {
		case r == 0x1b, r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return i
		}
	}
	return -1
}

// UpdateFlag reports whether the test binary runs with -update.
func UpdateFlag() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Golden compares got with the golden file at path, or rewrites it when update is set.
func Golden(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test with -update to accept):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
