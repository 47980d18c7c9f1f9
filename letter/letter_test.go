package letter

import (
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
)

func TestEuro(t *testing.T) {
	for _, tc := range []struct {
		cents int64
		want  string
	}{
		{0, "0,00 €"}, {5, "0,05 €"}, {2600, "26,00 €"}, {3070, "30,70 €"}, {123450, "1.234,50 €"},
		{100000000, "1.000.000,00 €"}, {-500, "-5,00 €"},
	} {
		if got := Euro(tc.cents); got != tc.want {
			t.Errorf("Euro(%d) = %q, want %q", tc.cents, got, tc.want)
		}
	}
}

func TestDateString(t *testing.T) {
	for in, want := range map[string]string{"2026-12-04": "04.12.2026", "": "", "morgen": "morgen"} {
		if got := DateString(in); got != want {
			t.Errorf("DateString(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParagraphs(t *testing.T) {
	got := Paragraphs("Erster\r\nAbsatz.\n\n\n  Zweiter   Absatz. \n\n")
	if len(got) != 2 || got[0] != "Erster Absatz." || got[1] != "Zweiter Absatz." {
		t.Fatalf("Paragraphs = %q", got)
	}
}

func TestRecipientLines(t *testing.T) {
	r := Recipient{Name: "Heitmann Haustechnik GmbH", Extra: []string{"z. Hd. Frau Heitmann"}, Street: "Lindenweg 4",
		PostalCode: "19089", City: "Crivitz", Country: "Deutschland"}
	want := []string{"Heitmann Haustechnik GmbH", "z. Hd. Frau Heitmann", "Lindenweg 4", "19089 Crivitz"}
	if got := r.Lines(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Lines = %q, want %q", got, want)
	}
	r.Country = "Polen"
	if got := r.Lines(); got[len(got)-1] != "POLEN" {
		t.Fatalf("foreign country not last in capitals: %q", got)
	}
	r.Extra = []string{"a", "b", "c", "d", "e"}
	if got := r.Lines(); len(got) != 6 || got[5] != "POLEN" || got[0] != r.Name {
		t.Fatalf("address field holds at most six lines, name first and country last: %q", got)
	}
}

func common() Common {
	return Common{
		Sender:    Sender{Name: "Amt Crivitz", Street: "Amtsstraße 5", PostalCode: "19089", City: "Crivitz", Phone: "03863 5430", IBAN: "DE00 0000", Bank: "Sparkasse"},
		Recipient: Recipient{Name: "Jörg Weiß", Street: "Straße 1", PostalCode: "19089", City: "Crivitz"}, Person: true,
		Reference: "SNE-2026-000004", Date: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), ServiceName: "Sondernutzungserlaubnis",
		SubmittedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Clerk: "Anja Peters", Texts: textsFor("99058007261000"),
	}
}

func TestBescheidTenor(t *testing.T) {
	fee := int64(5000)
	zero := int64(0)
	tests := []struct {
		name      string
		in        BescheidInput
		want, not []string
	}{
		{"approved with validity and fee", BescheidInput{Common: common(), Outcome: api.OutcomeApproved, ValidUntil: "2027-12-31", FeeCents: &fee,
			FeeDue: time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), PaymentReference: "KZ-1", Reasoning: "Gründe."},
			[]string{"1. Dem Antrag wird stattgegeben.", "bis zum 31.12.2027 erlaubt", "Restgehwegbreite", "50,00 €", "bis zum 04.01.2027",
				"Kassenzeichens KZ-1", "Rechtsbehelfsbelehrung", "innerhalb eines Monats", "Amt Crivitz, Amtsstraße 5, 19089 Crivitz, einzulegen",
				"Rechtsgrundlage: § 22", "Im Auftrag\nAnja Peters\n", "Guten Tag Jörg Weiß,"},
			[]string{"Vier-Augen"}},
		{"rejected free of charge", BescheidInput{Common: common(), Outcome: api.OutcomeRejected, FeeCents: &zero, Reasoning: "Nein."},
			[]string{"1. Der Antrag wird abgelehnt.", "2. Dieser Bescheid ergeht gebührenfrei.", "keine Gebühren"},
			[]string{"erlaubt", "Restgehwegbreite", "€"}},
		{"partially approved, fee paid, four eyes", BescheidInput{Common: common(), Outcome: api.OutcomePartiallyApproved, ValidUntil: "2027-06-30",
			FeeCents: &fee, FeePaid: true, Approver: "Kerstin Schulz"},
			[]string{"teilweise stattgegeben; im Übrigen wird er abgelehnt", "bereits bezahlt", "Freigegeben im Vier-Augen-Prinzip von Kerstin Schulz",
				"beruht auf den Angaben"},
			[]string{"überweisen"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			txt := Bescheid(tc.in).Text()
			for _, w := range tc.want {
				if !strings.Contains(txt, w) {
					t.Errorf("missing %q in\n%s", w, txt)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(txt, w) {
					t.Errorf("unexpected %q in\n%s", w, txt)
				}
			}
		})
	}
}

func TestNachforderung(t *testing.T) {
	c := common()
	c.Texts = textsFor("99107004018000")
	c.Person = false
	txt := Nachforderung(NachforderungInput{Common: c, Documents: []string{"Mietbescheinigung", "Kontoauszüge"},
		Deadline: "2026-12-18", Message: "Bitte vollständig."}).Text()
	for _, w := range []string{"Sehr geehrte Damen und Herren,", "– Mietbescheinigung\n– Kontoauszüge\n", "bis zum 18.12.2026",
		"Die Frist endet am 18.12.2026.", "§§ 60, 66", "Hinweis\nBitte vollständig.", "Aktenzeichen SNE-2026-000004 an"} {
		if !strings.Contains(txt, w) {
			t.Errorf("missing %q in\n%s", w, txt)
		}
	}
	if strings.Contains(txt, "Rechtsbehelfsbelehrung") {
		t.Error("a Nachforderung is no administrative act and carries no Rechtsbehelfsbelehrung")
	}
}

func TestHasBescheid(t *testing.T) {
	for _, o := range api.Outcomes {
		want := o != api.OutcomeWithdrawn && o != api.OutcomeForwarded
		if HasBescheid(o) != want {
			t.Errorf("HasBescheid(%s) = %v", o, !want)
		}
	}
}

var builtin = catalogue.DefaultWithTexts()

func textsFor(key string) ServiceTexts {
	s, _ := builtin.Lookup(key)
	return TextsOf(s)
}

func TestTextBlocksOfEveryService(t *testing.T) {
	for _, s := range builtin.Services {
		if s.Rechtsbehelfsbelehrung == "" || !strings.Contains(s.Rechtsbehelfsbelehrung, "Monats") {
			t.Errorf("%s: Rechtsbehelfsbelehrung %q", s.Name, s.Rechtsbehelfsbelehrung)
		}
		if s.Letter.LegalBasis == "" {
			t.Errorf("%s: no legal basis", s.Name)
		}
	}
}
