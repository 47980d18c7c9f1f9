package letter

import (
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
)

// ServiceTexts are the per-service wordings of the letters: the catalogue's letter texts and
// Rechtsbehelfsbelehrung (written from the legal facts, see catalogue/texts.yaml). Empty fields
// fall back to the general wordings.
type ServiceTexts struct {
	catalogue.LetterTexts
	// Remedy is the Rechtsbehelfsbelehrung; "{amt}" and "{anschrift}" become the Amt's name and
	// address. Empty: DefaultRemedy.
	Remedy string
}

// TextsOf returns the letter wordings of a catalogue service (nil: the general wordings).
func TextsOf(s *catalogue.Service) ServiceTexts {
	if s == nil {
		return ServiceTexts{}
	}
	return ServiceTexts{LetterTexts: s.Letter, Remedy: s.Rechtsbehelfsbelehrung}
}

// DefaultRemedy is the Rechtsbehelfsbelehrung of a Bescheid of an Amt in Mecklenburg-Vorpommern,
// where the objection procedure (Widerspruch, §§ 68 ff. VwGO) applies: one month from
// notification, in writing or on record at the Amt (§ 70 VwGO). Without it, § 58 Abs. 2 VwGO
// extends the time limit to one year.
const DefaultRemedy = "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. " +
	"Der Widerspruch ist schriftlich oder zur Niederschrift bei {amt}, {anschrift}, einzulegen."

// DefaultMissingConsequence says what happens when documents requested in a Nachforderung
// are not sent in time (the applicant's duty to cooperate, § 26 Abs. 2 VwVfG).
const DefaultMissingConsequence = "Gehen die Unterlagen bis zu diesem Tag nicht ein, entscheiden wir nach Aktenlage. " +
	"Fehlen dann Nachweise, die für die Entscheidung notwendig sind, muss Ihr Antrag abgelehnt werden."

// Common is what every letter of a case shares: who writes to whom about what.
type Common struct {
	Sender      Sender
	Recipient   Recipient
	Person      bool      // the applicant is a natural person (salutation by name)
	Reference   string    // Aktenzeichen
	Date        time.Time // the letter's date (in the Amt's time zone)
	ServiceName string
	SubmittedAt time.Time
	Clerk       string // name of the clerk who wrote or decided
	Texts       ServiceTexts
}

// BescheidInput is everything a Bescheid says.
type BescheidInput struct {
	Common
	Outcome          api.Outcome
	ValidUntil       string // YYYY-MM-DD, optional
	Reasoning        string // the Begründung; paragraphs separated by blank lines
	FeeCents         *int64 // nil or 0: free of charge
	FeePaid          bool   // the fee was paid with the application
	FeeDue           time.Time
	PaymentReference string // Kassenzeichen
	Approver         string // name of the lead who approved a four-eyes decision
	// Values are the service's further decision fields of a grant, in catalogue order and
	// worded for people ("Wohngeld monatlich", "312,50 € monatlich").
	Values []Value
}

// Value is one decision field of a grant as the Bescheid states it.
type Value struct{ Label, Text string }

// NachforderungInput is everything a Nachforderung says.
type NachforderungInput struct {
	Common
	Documents []string
	Deadline  string // YYYY-MM-DD
	Message   string // the clerk's own words, optional
}

// HasBescheid reports whether a decision with this outcome is made known with a Bescheid. A
// withdrawn application ends without one; a forwarded one leaves the Amt.
func HasBescheid(o api.Outcome) bool {
	switch o {
	case api.OutcomeApproved, api.OutcomePartiallyApproved, api.OutcomeRejected:
		return true
	}
	return false
}

func (c Common) salutation() string {
	if c.Person && strings.TrimSpace(c.Recipient.Name) != "" {
		return "Guten Tag " + strings.TrimSpace(c.Recipient.Name) + ","
	}
	return "Sehr geehrte Damen und Herren,"
}

func (c Common) returnLine() string {
	parts := []string{c.Sender.Name}
	if c.Sender.Street != "" {
		parts = append(parts, c.Sender.Street)
	}
	if pc := strings.TrimSpace(c.Sender.PostalCode + " " + c.Sender.City); pc != "" {
		parts = append(parts, pc)
	}
	return strings.Join(parts, " · ")
}

func (c Common) info() []InfoLine {
	out := []InfoLine{{"Aktenzeichen", c.Reference}, {"Datum", Date(c.Date)}}
	if c.Clerk != "" {
		out = append(out, InfoLine{"Ansprechpartner", c.Clerk})
	}
	if c.Sender.Phone != "" {
		out = append(out, InfoLine{"Telefon", c.Sender.Phone})
	}
	if c.Sender.Email != "" {
		out = append(out, InfoLine{"E-Mail", c.Sender.Email})
	}
	return out
}

// application names the application the letter answers: "Ihr Antrag vom 09.10.2026 (Baumfällgenehmigung)".
func (c Common) application(article string) string {
	s := article + " Antrag"
	if !c.SubmittedAt.IsZero() {
		s += " vom " + Date(c.SubmittedAt)
	}
	if c.ServiceName != "" {
		s += " (" + c.ServiceName + ")"
	}
	return s
}

func (c Common) base(kind Kind, subject string) Letter {
	return Letter{
		Kind:       kind,
		Sender:     c.Sender,
		ReturnLine: c.returnLine(),
		Recipient:  c.Recipient.Lines(),
		Info:       c.info(),
		Subject:    subject,
		Salutation: c.salutation(),
		Closing:    "Mit freundlichen Grüßen",
	}
}

func fill(s string, c Common, validUntil string) string {
	r := strings.NewReplacer("{amt}", c.Sender.Name, "{anschrift}", c.Sender.Address(), "{bis}", DateString(validUntil))
	return r.Replace(s)
}

// Paragraphs splits free text into paragraphs at blank lines; line breaks inside a paragraph
// become spaces.
func Paragraphs(s string) []string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		p = strings.Join(strings.Fields(p), " ")
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Bescheid words the Bescheid on a decision.
func Bescheid(in BescheidInput) Letter {
	l := in.base(KindBescheid, "Bescheid über "+in.application("Ihren"))
	t := in.Texts

	// Tenor: the outcome and what exactly is granted, with conditions and the fee.
	var tenor []string
	switch in.Outcome {
	case api.OutcomeApproved:
		tenor = append(tenor, "Dem Antrag wird stattgegeben.")
	case api.OutcomePartiallyApproved:
		tenor = append(tenor, "Dem Antrag wird teilweise stattgegeben; im Übrigen wird er abgelehnt.")
	case api.OutcomeRejected:
		tenor = append(tenor, "Der Antrag wird abgelehnt.")
	default:
		tenor = append(tenor, "Das Verfahren ist beendet.")
	}
	granted := in.Outcome == api.OutcomeApproved || in.Outcome == api.OutcomePartiallyApproved
	if granted {
		switch {
		case in.ValidUntil != "" && t.Grant != "":
			tenor = append(tenor, fill(t.Grant, in.Common, in.ValidUntil))
		case in.ValidUntil != "" && t.Grant == "":
			tenor = append(tenor, "Die Entscheidung gilt bis zum "+DateString(in.ValidUntil)+".")
		case t.GrantNoDate != "":
			tenor = append(tenor, fill(t.GrantNoDate, in.Common, ""))
		case t.Grant != "" && !strings.Contains(t.Grant, "{bis}"):
			tenor = append(tenor, fill(t.Grant, in.Common, ""))
		}
		for _, v := range in.Values {
			tenor = append(tenor, v.Label+": "+v.Text+".")
		}
		for _, cond := range t.Conditions {
			tenor = append(tenor, fill(cond, in.Common, in.ValidUntil))
		}
	}
	fee := int64(0)
	if in.FeeCents != nil {
		fee = *in.FeeCents
	}
	if fee > 0 {
		tenor = append(tenor, "Für diesen Bescheid wird eine Verwaltungsgebühr von "+Euro(fee)+" festgesetzt.")
	} else {
		tenor = append(tenor, "Dieser Bescheid ergeht gebührenfrei.")
	}
	l.Blocks = append(l.Blocks, Block{
		Paragraphs: []string{"über " + in.application("Ihren") + " entscheiden wir wie folgt:"},
		Items:      tenor, Numbered: true,
	})

	// Begründung (§ 39 VwVfG): the facts and the legal reasons the clerk gave.
	reasons := Paragraphs(in.Reasoning)
	if len(reasons) == 0 {
		reasons = []string{"Die Entscheidung beruht auf den Angaben und Nachweisen Ihres Antrags."}
	}
	if t.LegalBasis != "" {
		reasons = append(reasons, "Rechtsgrundlage: "+t.LegalBasis+".")
	}
	l.Blocks = append(l.Blocks, Block{Heading: "Begründung", Paragraphs: reasons})

	// Kostenentscheidung: fee, its basis, due date and payment reference.
	var costs []string
	if fee > 0 {
		s := "Die Verwaltungsgebühr beträgt " + Euro(fee) + "."
		if t.FeeBasis != "" {
			s = "Die Verwaltungsgebühr beträgt " + Euro(fee) + " (" + t.FeeBasis + ")."
		}
		costs = append(costs, s)
		if in.FeePaid {
			costs = append(costs, "Die Gebühr haben Sie bei der Antragstellung bereits bezahlt; es ist nichts mehr zu zahlen.")
		} else {
			pay := "Bitte überweisen Sie den Betrag bis zum " + Date(in.FeeDue)
			if in.PaymentReference != "" {
				pay += " unter Angabe des Kassenzeichens " + in.PaymentReference
			}
			if in.Sender.IBAN != "" {
				pay += " auf das Konto der Amtskasse"
				if in.Sender.Bank != "" {
					pay += " bei der " + in.Sender.Bank
				}
				pay += ", IBAN " + in.Sender.IBAN
				if in.Sender.BIC != "" {
					pay += ", BIC " + in.Sender.BIC
				}
			}
			costs = append(costs, pay+".")
		}
	} else {
		costs = append(costs, "Für diesen Bescheid werden keine Gebühren erhoben.")
	}
	l.Blocks = append(l.Blocks, Block{Heading: "Kostenentscheidung", Paragraphs: costs})

	// Rechtsbehelfsbelehrung (§ 58 VwGO).
	remedy := t.Remedy
	if remedy == "" {
		remedy = DefaultRemedy
	}
	rb := []string{fill(remedy, in.Common, in.ValidUntil)}
	if t.RemedyNote != "" {
		rb = append(rb, fill(t.RemedyNote, in.Common, in.ValidUntil))
	}
	l.Blocks = append(l.Blocks, Block{Heading: "Rechtsbehelfsbelehrung", Paragraphs: rb})

	l.Signature = signature(in.Clerk, in.Approver)
	l.Footnote = "Dieses Schreiben wurde maschinell erstellt und ist ohne Unterschrift gültig."
	return l
}

func signature(clerk, approver string) []string {
	sig := []string{"Im Auftrag", clerk}
	if approver != "" {
		sig = append(sig, "Freigegeben im Vier-Augen-Prinzip von "+approver)
	}
	return sig
}

// Nachforderung words the letter that asks the applicant for missing documents.
func Nachforderung(in NachforderungInput) Letter {
	l := in.base(KindNachforderung, in.application("Ihr")+" – fehlende Unterlagen")
	body := Block{
		Paragraphs: []string{"wir bearbeiten " + in.application("Ihren") + ". Um darüber entscheiden zu können, benötigen wir von Ihnen noch:"},
		Items:      append([]string(nil), in.Documents...),
		After: []string{"Bitte reichen Sie diese Unterlagen bis zum " + DateString(in.Deadline) + " bei uns ein: per Post an " +
			in.Sender.Name + ", " + in.Sender.Address() + ", persönlich während der Sprechzeiten oder über das Online-Portal, " +
			"über das Sie den Antrag gestellt haben. Bitte geben Sie dabei das Aktenzeichen " + in.Reference + " an."},
	}
	l.Blocks = append(l.Blocks, body)
	if msg := Paragraphs(in.Message); len(msg) > 0 {
		l.Blocks = append(l.Blocks, Block{Heading: "Hinweis", Paragraphs: msg})
	}
	cons := in.Texts.MissingConsequence
	if cons == "" {
		cons = DefaultMissingConsequence
	}
	l.Blocks = append(l.Blocks, Block{Heading: "Frist", Paragraphs: []string{
		"Die Frist endet am " + DateString(in.Deadline) + ". " + fill(cons, in.Common, ""),
		"Wenn Sie die Unterlagen nicht rechtzeitig beschaffen können, melden Sie sich bitte vorher bei uns.",
	}})
	l.Signature = signature(in.Clerk, "")
	l.Footnote = "Dieses Schreiben wurde maschinell erstellt und ist ohne Unterschrift gültig."
	return l
}
