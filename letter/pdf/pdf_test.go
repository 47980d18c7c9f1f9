package pdf

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/internal/pdftest"
	"github.com/amt-mv/amt/letter"
)

var update = flag.Bool("update", false, "rewrite the golden texts")

type demoService struct {
	Key, Name, Prefix string
	FeeCents          int64
	ValidUntil        string
}

// demoServices are the services of the built-in catalogue (the demo's), with a validity for
// those whose decision carries one.
var demoServices = func() []demoService {
	valid := map[string]string{"BPA": "2027-12-03", "SNE": "2027-03-31", "WOG": "2027-11-30"}
	var out []demoService
	for _, s := range catalogue.Default().Services {
		out = append(out, demoService{s.Key, s.Name, s.Prefix, s.FeeCents, valid[s.Prefix]})
	}
	return out
}()

var day = time.Date(2026, 12, 4, 10, 14, 0, 0, time.UTC)

func sender() letter.Sender {
	return letter.Sender{Name: "Amt Crivitz", Street: "Amtsstraße 5", PostalCode: "19089", City: "Crivitz",
		Phone: "03863 5430", Email: "post@amt-crivitz.example", Web: "www.amt-crivitz.example",
		Hours: "Di 9–12 und 13–18 Uhr, Do 9–12 Uhr", Bank: "Sparkasse Mecklenburg-Schwerin",
		IBAN: "DE02 1405 2000 0000 0000 00", BIC: "NOLADE21LWL"}
}

func common(key, name, prefix string) letter.Common {
	return letter.Common{
		Sender:    sender(),
		Recipient: letter.Recipient{Name: "Jürgen Weißbäcker", Street: "Schloßstraße 12", PostalCode: "19089", City: "Crivitz"},
		Person:    true, Reference: prefix + "-2026-000043", Date: day, ServiceName: name,
		SubmittedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Clerk: "Mathias Krüger", Texts: textsFor(key),
	}
}

func bescheid(i int) letter.Letter {
	s := demoServices[i]
	fee := s.FeeCents
	return letter.Bescheid(letter.BescheidInput{
		Common: common(s.Key, s.Name, s.Prefix), Outcome: api.OutcomeApproved, ValidUntil: s.ValidUntil,
		Reasoning: "Die Prüfung Ihres Antrags hat ergeben, dass alle Voraussetzungen erfüllt sind.\n\nÄnderungen " +
			"müssen Sie uns mitteilen; Größe und Maße wurden geprüft.",
		FeeCents: &fee, FeeDue: day.AddDate(0, 1, 0), PaymentReference: "KZ-CRI-2026-000043", Approver: "Kerstin Schulz",
	})
}

func nachforderung(i int) letter.Letter {
	s := demoServices[i]
	return letter.Nachforderung(letter.NachforderungInput{
		Common:    common(s.Key, s.Name, s.Prefix),
		Documents: []string{"Kopie des Personalausweises", "Nachweis über die Größe der Fläche"},
		Deadline:  "2026-12-18", Message: "Die Unterlagen können Sie auch persönlich abgeben.",
	})
}

// TestRenderedTextPerService renders every demo service's Bescheid and Nachforderung, reads
// them back with pdftotext and compares with a golden text per service.
func TestRenderedTextPerService(t *testing.T) {
	for i, s := range demoServices {
		for _, kind := range []letter.Kind{letter.KindBescheid, letter.KindNachforderung} {
			t.Run(s.Prefix+"-"+string(kind), func(t *testing.T) {
				l := bescheid(i)
				if kind == letter.KindNachforderung {
					l = nachforderung(i)
				}
				b, err := Render(l, day)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(b, []byte("%PDF-")) {
					t.Fatal("not a PDF")
				}
				txt := pdftest.Text(t, b)
				want := []string{s.Prefix + "-2026-000043", "Jürgen Weißbäcker", "Schloßstraße 12", "19089 Crivitz", "04.12.2026", "Mathias Krüger"}
				if kind == letter.KindBescheid {
					want = append(want, "Dem Antrag wird stattgegeben.", "Begründung", "Voraussetzungen erfüllt", "Größe und Maße",
						"Rechtsbehelfsbelehrung", "innerhalb eines Monats", "Kostenentscheidung", "Kerstin Schulz", "Im Auftrag")
					if s.FeeCents > 0 {
						want = append(want, letter.Euro(s.FeeCents), "04.01.2027", "KZ-CRI-2026-000043")
					} else {
						want = append(want, "gebührenfrei")
					}
				} else {
					want = append(want, "fehlende Unterlagen", "Kopie des Personalausweises", "18.12.2026", "Die Frist endet am 18.12.2026.")
				}
				flat := strings.Join(strings.Fields(txt), " ")
				for _, w := range want {
					if !strings.Contains(flat, w) {
						t.Errorf("%q missing from the PDF's text:\n%s", w, txt)
					}
				}
				golden := filepath.Join("testdata", s.Prefix+"-"+string(kind)+".txt")
				if *update {
					if err := os.WriteFile(golden, []byte(txt), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				g, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if string(g) != txt {
					t.Errorf("PDF text differs from %s (run with -update if on purpose):\n%s", golden, txt)
				}
			})
		}
	}
}

// TestPreviewMatchesPDF: the clerk's preview (Letter.Text) and the PDF's text are the same words
// in the same order — one template for both.
func TestPreviewMatchesPDF(t *testing.T) {
	for i := range demoServices {
		for _, l := range []letter.Letter{bescheid(i), nachforderung(i)} {
			b, err := Render(l, day)
			if err != nil {
				t.Fatal(err)
			}
			got := pdftest.Words(pdftest.Text(t, b), PageFooterPrefix)
			want := pdftest.Words(l.Text())
			if !slices.Equal(got, want) {
				t.Fatalf("%s %s: preview and PDF differ\npreview: %q\npdf:     %q", l.Kind, l.Subject, want, got)
			}
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	a, err := Render(bescheid(0), day)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(bescheid(0), day)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("the same letter rendered twice gives different bytes")
	}
}

func TestLongLetterBreaksPages(t *testing.T) {
	in := letter.BescheidInput{Common: common(demoServices[3].Key, demoServices[3].Name, "SNE"), Outcome: api.OutcomeRejected,
		Reasoning: strings.Repeat("Die Prüfung hat ergeben, dass die Nutzung den Verkehr gefährdet. ", 40) + "\n\n" +
			strings.Repeat("Auch der Anliegergebrauch der Nachbarn wäre unzumutbar beeinträchtigt. ", 40)}
	l := letter.Bescheid(in)
	b, err := Render(l, day)
	if err != nil {
		t.Fatal(err)
	}
	txt := pdftest.Text(t, b)
	if !strings.Contains(txt, "Seite 2 von ") {
		t.Fatalf("a long Bescheid should run onto a second page:\n%s", txt)
	}
	if got, want := pdftest.Words(txt, PageFooterPrefix), pdftest.Words(l.Text()); !slices.Equal(got, want) {
		t.Fatalf("words differ across the page break\n%q\n%q", got, want)
	}
}

func TestFileName(t *testing.T) {
	if got := FileName(letter.KindBescheid, "GEW-2026-000043"); got != "Bescheid_GEW-2026-000043.pdf" {
		t.Fatal(got)
	}
	if got := FileName(letter.KindNachforderung, "a/b\\..c"); got != "Nachforderung_a_b___c.pdf" {
		t.Fatal(got)
	}
}

var builtin = catalogue.DefaultWithTexts()

func textsFor(key string) letter.ServiceTexts {
	s, ok := builtin.Lookup(key)
	if !ok {
		panic("no service " + key)
	}
	return letter.TextsOf(s)
}
