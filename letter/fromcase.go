package letter

import (
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/catalogue"
)

// From a case to a letter: the one mapping the server uses for the PDF and the TUI for the
// clerk's preview, so both word the same letter.

// RecipientOf returns the applicant's address for the window envelope: the structured postal
// address when the case has one, else the one-line address split at commas.
func RecipientOf(a api.Applicant) Recipient {
	r := Recipient{Name: a.Name}
	if pa := a.PostalAddress; pa != nil {
		r.Street = strings.TrimSpace(pa.Street + " " + pa.HouseNumber)
		if pa.Extra != "" {
			r.Extra = []string{pa.Extra}
		}
		r.PostalCode, r.City = pa.PostalCode, pa.City
		if pa.Country != "" && !strings.EqualFold(pa.Country, "DE") {
			r.Country = pa.Country
		}
		return r
	}
	parts := strings.Split(a.Address, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) > 0 {
		r.PostalCode, r.City = "", parts[len(parts)-1]
		if pc, city, ok := strings.Cut(parts[len(parts)-1], " "); ok && len(pc) == 5 {
			r.PostalCode, r.City = pc, city
		}
		if len(parts) > 1 {
			r.Street = strings.Join(parts[:len(parts)-1], ", ")
		}
	}
	return r
}

// Input is what the server knows when it writes a letter; the TUI's preview builds the same
// from its cached case, so the clerk reads what the applicant will.
type Input struct {
	Case     api.Case
	Sender   Sender
	Service  *catalogue.Service // nil: general wordings
	Clerk    string             // name of the deciding (or requesting) clerk
	Approver string             // name of the approving lead (four-eyes)
	Date     time.Time          // in the Amt's time zone
	FeeDays  int
}

func commonOf(in Input) Common {
	c := in.Case
	return Common{
		Sender: in.Sender, Recipient: RecipientOf(c.Applicant), Person: c.Applicant.Kind != "organisation",
		Reference: c.Reference, Date: in.Date, ServiceName: c.Service.Name, SubmittedAt: c.SubmittedAt.In(in.Date.Location()),
		Clerk: in.Clerk, Texts: TextsOf(in.Service),
	}
}

// ForDecision words the Bescheid on the case's decision.
func ForDecision(in Input) Letter {
	c, d := in.Case, in.Case.Decision
	days := in.FeeDays
	if days <= 0 {
		days = 30
	}
	bi := BescheidInput{Common: commonOf(in), Outcome: d.Outcome, ValidUntil: d.ValidUntil, Reasoning: d.Reasoning,
		FeeCents: d.FeeCents, FeeDue: in.Date.AddDate(0, 0, days), PaymentReference: c.Reference, Approver: in.Approver}
	// The service's decision fields: the catalogue's, else those the case was filed with.
	fields := c.Service.Decision
	if in.Service != nil {
		fields = in.Service.APIService().Decision
	}
	for _, f := range fields {
		if v := d.Values[f.Name]; v != "" && casework.InValues(f.Kind) {
			bi.Values = append(bi.Values, Value{Label: f.Label, Text: casework.FormatDecisionValue(f.Kind, v, casework.German)})
		}
	}
	if p := c.Payment; p != nil {
		if p.Reference != "" {
			bi.PaymentReference = p.Reference
		}
		bi.FeePaid = p.Status == "paid" && d.FeeCents != nil && p.AmountCents >= *d.FeeCents
	}
	return Bescheid(bi)
}

// ForRequest words the request for missing documents dr.
func ForRequest(in Input, dr api.DocumentRequest) Letter {
	return Nachforderung(NachforderungInput{Common: commonOf(in), Documents: dr.Documents, Deadline: dr.Deadline, Message: dr.Message})
}
