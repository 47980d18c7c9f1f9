package catalogue_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
)

func TestDefault(t *testing.T) {
	c := catalogue.Default()
	if len(c.Services) != 10 {
		t.Fatalf("default catalogue has %d services, want the demo's 10", len(c.Services))
	}
	s, ok := c.Lookup("99050012104000")
	if !ok || s.Name != "Gewerbeanmeldung" || s.Prefix != "GEW" || s.DeadlineDays != 3 || s.FeeCents != 2600 {
		t.Fatalf("Lookup(Gewerbeanmeldung) = %+v, %v", s, ok)
	}
	if got, ok := c.LookupURN("urn:de:fim:leika:leistung:99050012104000"); !ok || got != s {
		t.Errorf("LookupURN did not find the Gewerbeanmeldung")
	}
	if s.URN() != "urn:de:fim:leika:leistung:99050012104000" {
		t.Errorf("URN = %q", s.URN())
	}
	for _, bad := range []string{"urn:de:fim:leika:leistung:00000000000000", "99050012104000", "urn:x:99050012104000"} {
		if _, ok := c.LookupURN(bad); ok {
			t.Errorf("LookupURN(%q) found a service", bad)
		}
	}
	w, _ := c.Lookup("99107004018000")
	if !w.FourEyes || len(w.Decision) != 2 || w.Decision[0].Kind != catalogue.KindAmountPerMonth || w.Decision[1].Kind != catalogue.KindPeriod {
		t.Errorf("Wohngeld = %+v", w)
	}
	if w.Data.Applicant.Street == "" || len(w.Data.Applicant.Name) != 2 {
		t.Errorf("Wohngeld applicant mapping not shared from the anchor: %+v", w.Data.Applicant)
	}
}

const minimal = `
services:
  - key: "99050012104000"
    name: Gewerbeanmeldung
    prefix: GEW
    deadlineDays: 3
    decision: [{name: fee, label: Gebühr, kind: fee}]
    data:
      schemaUri: https://example.org/gew.json
      applicant: {name: [/vorname, /name]}
`

func TestParseErrors(t *testing.T) {
	if _, err := catalogue.Parse([]byte(minimal)); err != nil {
		t.Fatalf("minimal catalogue: %v", err)
	}
	tests := []struct{ name, from, to, want string }{
		{"unquoted key", `"99050012104000"`, `9905001210400`, "no LeiKa key"},
		{"unknown field", `prefix: GEW`, "prefix: GEW\n    prefx: X", "field prefx not found"},
		{"lower-case prefix", `prefix: GEW`, `prefix: gew`, "capital letters"},
		{"no deadline", `deadlineDays: 3`, `deadlineDays: 0`, "deadlineDays"},
		{"bad kind", `kind: fee`, `kind: money`, `kind "money"`},
		{"bad decision name", `name: fee`, `name: "1fee"`, "identifier"},
		{"relative schema", `https://example.org/gew.json`, `gew.json`, "absolute URI"},
		{"bad pointer", `[/vorname, /name]`, `[vorname]`, "must start with /"},
		{"no name", `{name: [/vorname, /name]}`, `{email: /email}`, "name or organisation"},
		{"xml data", `schemaUri: https://example.org/gew.json`, "schemaUri: https://example.org/gew.json\n      mimeType: application/xml", "only application/json"},
		{"no services", minimal, "services: []", "no services"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(minimal, tt.from, tt.to, 1)
			if doc == minimal {
				t.Fatal("replacement did not apply")
			}
			_, err := catalogue.Parse([]byte(doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	dup := minimal + strings.Replace(strings.SplitN(minimal, "services:\n", 2)[1], "GEW", "GEX", 1)
	if _, err := catalogue.Parse([]byte(dup)); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate key: err = %v", err)
	}
	dupPrefix := minimal + strings.Replace(strings.SplitN(minimal, "services:\n", 2)[1], "99050012104000", "99050012104001", 1)
	if _, err := catalogue.Parse([]byte(dupPrefix)); err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("duplicate prefix: err = %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "katalog.yaml")
	if err := os.WriteFile(p, []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := catalogue.Load(p)
	if err != nil || len(c.Services) != 1 {
		t.Fatalf("Load = %v, %v", c, err)
	}
	if _, err := catalogue.Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "service catalogue") {
		t.Errorf("missing file: err = %v", err)
	}
}

func gew(t *testing.T) *catalogue.Service {
	t.Helper()
	s, _ := catalogue.Default().Lookup("99050012104000")
	return s
}

func TestMapPerson(t *testing.T) {
	data := `{
	  "antragsteller": {"vorname": "Hans-Jürgen", "familienname": "Müller", "email": "hj@example.org",
	    "anschrift": {"strasse": "Dorfstraße", "hausnummer": "12a", "plz": "19089", "ort": "Crivitz", "staat": "DE"}},
	  "angabenZumBetrieb": {"rechtsform": "Einzelunternehmen", "zahlDerBeschaeftigten": 3, "imNebenerwerb": true},
	  "betriebsstaette": {"anschrift": null},
	  "bemerkung": "bitte schnell",
	  "anlagen": [{"name": "a"}, {"name": "b"}]
	}`
	m, err := gew(t).Map([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := api.Applicant{Kind: "person", Name: "Hans-Jürgen Müller", Email: "hj@example.org",
		Address:       "Dorfstraße 12a, 19089 Crivitz",
		PostalAddress: &api.PostalAddress{Street: "Dorfstraße", HouseNumber: "12a", PostalCode: "19089", City: "Crivitz"}}
	if !reflect.DeepEqual(m.Applicant, want) {
		t.Errorf("applicant = %+v\nwant %+v", m.Applicant, want)
	}
	wantSecs := []api.Section{
		{Title: "Angaben zum Betrieb", Fields: []api.Field{{Label: "Rechtsform", Value: "Einzelunternehmen"},
			{Label: "Im Nebenerwerb", Value: "ja"}, {Label: "Zahl der Beschäftigten", Value: "3"}}},
		{Title: catalogue.ExtraSectionTitle, Fields: []api.Field{{Label: "anlagen/0/name", Value: "a"},
			{Label: "anlagen/1/name", Value: "b"}, {Label: "bemerkung", Value: "bitte schnell"}}},
	}
	if !reflect.DeepEqual(m.Sections, wantSecs) {
		t.Errorf("sections = %+v\nwant %+v", m.Sections, wantSecs)
	}
}

func TestMapOrganisation(t *testing.T) {
	data := `{"antragsteller": {"organisation": "Heitmann Bau GmbH", "vorname": "Olaf", "familienname": "Heitmann",
	  "anschrift": {"strasse": "Am See", "plz": "17459", "ort": "Koserow", "staat": "PL"}}}`
	m, err := gew(t).Map([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if m.Applicant.Kind != "organisation" || m.Applicant.Name != "Heitmann Bau GmbH" ||
		m.Applicant.Address != "Am See, 17459 Koserow, PL" || m.Applicant.PostalAddress.Country != "PL" {
		t.Errorf("applicant = %+v", m.Applicant)
	}
	if len(m.Sections) != 0 {
		t.Errorf("the contact person's name must not land in Weitere Angaben: %+v", m.Sections)
	}
}

func TestMapErrors(t *testing.T) {
	tests := []struct {
		name, data string
		syntax     bool
		want       string
	}{
		{"not json", `{"antragsteller":`, true, ""},
		{"trailing data", `{} {}`, true, "after"},
		{"array", `[]`, false, "not a JSON object"},
		{"no name", `{"antragsteller": {"email": "a@example.org"}}`, false, "name is missing"},
		{"object as value", `{"antragsteller": {"vorname": {"x": 1}, "familienname": "M"}}`, false, "/antragsteller/vorname"},
		{"nested list", `{"antragsteller": {"vorname": "A", "familienname": "M"}, "angabenZumBetrieb": {"rechtsform": [[1]]}}`, false, "nested"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gew(t).Map([]byte(tt.data))
			var de *catalogue.DataError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a DataError", err)
			}
			if de.Syntax != tt.syntax || !strings.Contains(de.Error(), tt.want) {
				t.Errorf("err = %v (syntax %v), want syntax %v and %q", de, de.Syntax, tt.syntax, tt.want)
			}
		})
	}
}

func TestDocumentRoundTrip(t *testing.T) {
	s := gew(t)
	app := api.Applicant{Kind: "person", Name: "Anna Maria Schulz", Email: "a@example.org", Phone: "030 23125 001",
		PostalAddress: &api.PostalAddress{Street: "Lindenallee", HouseNumber: "4", PostalCode: "19089", City: "Crivitz"}}
	app.Address = catalogue.OneLine(*app.PostalAddress)
	secs := []api.Section{
		{Title: "Angaben zum Betrieb", Fields: []api.Field{{Label: "Rechtsform", Value: "GmbH"}, {Label: "Im Nebenerwerb", Value: "nein"}}},
		{Title: "Betriebsstätte", Fields: []api.Field{{Label: "Anschrift", Value: "Am See 1, 19089 Crivitz"}}},
	}
	doc, err := s.Document(app, secs)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Map(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Applicant, app) || !reflect.DeepEqual(m.Sections, secs) {
		t.Errorf("round trip:\n got %+v %+v\nwant %+v %+v", m.Applicant, m.Sections, app, secs)
	}
	if _, err := s.Document(app, []api.Section{{Title: "Unbekannt"}}); err == nil {
		t.Error("Document accepted an unknown section")
	}
	if _, err := s.Document(app, []api.Section{{Title: "Betriebsstätte", Fields: []api.Field{{Label: "X", Value: "1"}}}}); err == nil {
		t.Error("Document accepted an unknown field")
	}
}

func TestApplyTexts(t *testing.T) {
	c := catalogue.Default()
	dir := t.TempDir()
	p := filepath.Join(dir, "texte.yaml")
	texts := `
default:
  rechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats Widerspruch erhoben werden.
services:
  "99050012104000":
    textBlocks:
      begruendung:
        - {id: vollstaendig, title: Vollständig, outcome: approved, text: Die Anzeige ist vollständig.}
      nachforderung:
        - {id: ausweis, title: Ausweis, text: Bitte reichen Sie eine Kopie Ihres Ausweises ein.}
    rechtsbehelfsbelehrung: Eigene Belehrung.
`
	if err := os.WriteFile(p, []byte(texts), 0o600); err != nil {
		t.Fatal(err)
	}
	tx, err := catalogue.LoadTexts(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ApplyTexts(tx); err != nil {
		t.Fatal(err)
	}
	g, _ := c.Lookup("99050012104000")
	if g.Rechtsbehelfsbelehrung != "Eigene Belehrung." || len(g.TextBlocks.Begruendung) != 1 || g.TextBlocks.Nachforderung[0].ID != "ausweis" {
		t.Errorf("Gewerbeanmeldung texts = %+v %q", g.TextBlocks, g.Rechtsbehelfsbelehrung)
	}
	h, _ := c.Lookup("99101005012000")
	if !strings.HasPrefix(h.Rechtsbehelfsbelehrung, "Gegen diesen Bescheid") {
		t.Errorf("default Rechtsbehelfsbelehrung not applied: %q", h.Rechtsbehelfsbelehrung)
	}
	bad := []catalogue.Texts{
		{Services: map[string]catalogue.ServiceTexts{"11111111111111": {}}},
		{Default: catalogue.ServiceTexts{TextBlocks: catalogue.TextBlocks{Begruendung: []catalogue.TextBlock{{ID: "a", Text: "x", Outcome: "maybe"}}}}},
		{Default: catalogue.ServiceTexts{TextBlocks: catalogue.TextBlocks{Nachforderung: []catalogue.TextBlock{{ID: "a", Text: "x"}, {ID: "a", Text: "y"}}}}},
		{Default: catalogue.ServiceTexts{TextBlocks: catalogue.TextBlocks{Nachforderung: []catalogue.TextBlock{{ID: "a"}}}}},
	}
	for i, b := range bad {
		if err := c.ApplyTexts(&b); err == nil {
			t.Errorf("bad texts %d accepted", i)
		}
	}
}

// A decision's picker offers the Begründung blocks of its outcome and those for every outcome.
func TestTextBlocksForDecision(t *testing.T) {
	tb := catalogue.TextBlocks{Begruendung: []catalogue.TextBlock{{ID: "a", Outcome: api.OutcomeApproved}, {ID: "any"}, {ID: "r", Outcome: api.OutcomeRejected}}}
	for _, tc := range []struct {
		o    api.Outcome
		want []string
	}{
		{api.OutcomeApproved, []string{"a", "any"}},
		{api.OutcomeRejected, []string{"any", "r"}},
		{api.OutcomeWithdrawn, []string{"any"}},
	} {
		var got []string
		for _, b := range tb.ForDecision(tc.o) {
			got = append(got, b.ID)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %v, want %v", tc.o, got, tc.want)
		}
	}
	// The built-in texts give the Gewerbeanmeldung a block per outcome it is decided with.
	svc, ok := catalogue.DefaultWithTexts().Lookup("99050012104000")
	if !ok || len(svc.TextBlocks.ForDecision(api.OutcomeApproved)) == 0 || len(svc.TextBlocks.ForDecision(api.OutcomeRejected)) == 0 ||
		len(svc.TextBlocks.Nachforderung) == 0 {
		t.Fatalf("built-in Gewerbeanmeldung blocks: %+v", svc.TextBlocks)
	}
}

func TestDecisionFieldsOf(t *testing.T) {
	own := []api.DecisionField{{Name: "x", Label: "X", Kind: "text"}}
	if got := catalogue.DecisionFieldsOf(api.Service{Key: "99107004018000", Decision: own}); len(got) != 1 || got[0].Name != "x" {
		t.Errorf("carried fields: %+v", got)
	}
	got := catalogue.DecisionFieldsOf(api.Service{Key: "99107004018000"})
	if len(got) != 2 || got[0].Name != "monthlyAmount" || !got[0].Required || got[1].Kind != "period" {
		t.Errorf("built-in Wohngeld fields: %+v", got)
	}
	if got := catalogue.DecisionFieldsOf(api.Service{Key: "00000000000000"}); got != nil {
		t.Errorf("unknown service: %+v", got)
	}
}
