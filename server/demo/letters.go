package demo

import "github.com/amt-mv/amt/api"

// Letterheads are the demo Ämter's letterheads for their Bescheide. The Ämter are real, their
// addresses and contacts here are invented (fictional phone ranges, example domains, the
// standard example IBAN).
func Letterheads() map[string]api.Letterhead {
	const iban, bic = "DE89 3704 0044 0532 0130 00", "COBADEFFXXX"
	return map[string]api.Letterhead{
		"amt-crivitz": {Name: "Amt Crivitz", Department: "Ordnungs- und Sozialamt", Street: "Amtsstraße 1", PostalCode: "19089", City: "Crivitz",
			Phone: "030 23125 100", Email: "post@amt-crivitz.example.org", Web: "amt-crivitz.example.org",
			Hours: "Di 9–12 und 13–18 Uhr, Do 9–12 Uhr", Bank: "Sparkasse (Demo)", IBAN: iban, BIC: bic},
		"amt-neustadt-glewe": {Name: "Amt Neustadt-Glewe", Street: "Markt 1", PostalCode: "19306", City: "Neustadt-Glewe",
			Phone: "040 66969 200", Email: "post@amt-neustadt-glewe.example.org", Hours: "Di 9–12 und 14–18 Uhr",
			Bank: "Sparkasse (Demo)", IBAN: iban, BIC: bic},
		"amt-peenetal-loitz": {Name: "Amt Peenetal/Loitz", Street: "Lange Straße 1", PostalCode: "17121", City: "Loitz",
			Phone: "069 90009 300", Email: "post@amt-peenetal-loitz.example.org", Hours: "Di 9–12 und 13–17 Uhr",
			Bank: "Sparkasse (Demo)", IBAN: iban, BIC: bic},
		"amt-usedom-sued": {Name: "Amt Usedom-Süd", Street: "Markt 7", PostalCode: "17406", City: "Usedom",
			Phone: "0221 4710 400", Email: "post@amt-usedom-sued.example.org", Hours: "Di 9–12 und 13–18 Uhr, Do 9–12 Uhr",
			Bank: "Sparkasse (Demo)", IBAN: iban, BIC: bic},
	}
}

// WithReplyByEmail returns the data set with every applicant who gave an e-mail address having
// chosen e-mail as the reply channel (as in the online service's metadata), so the demo's
// Bescheide travel by e-mail (to the demo's mail sink) and the others by post.
func WithReplyByEmail(d *Data) *Data {
	out := *d
	caseAt := d.Case
	out.Case = func(i int) SeedCase {
		sc := caseAt(i)
		if sc.Case.ReplyChannel == nil && sc.Case.Applicant.Email != "" {
			sc.Case.ReplyChannel = &api.ReplyChannel{Kind: api.ReplyEmail, Address: sc.Case.Applicant.Email}
		}
		return sc
	}
	return &out
}
