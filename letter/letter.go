// Package letter owns the outgoing letters of an Amt — the Bescheid on a decision and the
// Nachforderung of missing documents — as structured text built from one template, which
// amt-server renders to PDF (letter/pdf) and the TUI shows as the clerk's preview.
package letter

import (
	"strconv"
	"strings"

	"github.com/amt-mv/amt/api"
)

// Kind names what a letter is. The values are the wire values of api.Document.Kind.
type Kind string

// Letter kinds.
const (
	KindBescheid      Kind = "bescheid"
	KindNachforderung Kind = "nachforderung"
)

// Sender is the Amt that writes the letter: its letterhead, the return line of the window
// envelope and the contact details (operator config, per Amt; the API's Letterhead).
type Sender api.Letterhead

// Address is the Amt's postal address on one line: "Amtsstraße 5, 19089 Crivitz".
func (s Sender) Address() string {
	parts := []string{}
	if s.Street != "" {
		parts = append(parts, s.Street)
	}
	if pc := strings.TrimSpace(s.PostalCode + " " + s.City); pc != "" {
		parts = append(parts, pc)
	}
	return strings.Join(parts, ", ")
}

// Recipient is the applicant's postal address as printed in the window of a DIN 5008 envelope.
type Recipient struct {
	Name       string   // person or organisation
	Extra      []string // c/o, contact person of an organisation (optional)
	Street     string
	PostalCode string
	City       string
	Country    string // empty for Germany
}

// Lines are the address field lines (at most six, DIN 5008 Anschriftzone).
func (r Recipient) Lines() []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	add(r.Name)
	for _, e := range r.Extra {
		add(e)
	}
	add(r.Street)
	add(r.PostalCode + " " + r.City)
	if c := strings.TrimSpace(r.Country); c != "" && !strings.EqualFold(c, "Deutschland") && !strings.EqualFold(c, "DE") {
		add(strings.ToUpper(c))
	}
	if len(out) > 6 {
		out = append(out[:5], out[len(out)-1])
	}
	return out
}

// Block is one part of the letter's body: an optional heading, paragraphs and a list.
type Block struct {
	Heading    string
	Paragraphs []string
	Items      []string // a list, printed with "–" (or numbered when Numbered)
	Numbered   bool
	After      []string // paragraphs after the list
}

// InfoLine is one labelled line of the information block beside the address field.
type InfoLine struct {
	Label, Value string
}

// Letter is one outgoing letter, fully worded. Text gives its plain-text form; letter/pdf lays
// the same content out on A4 (DIN 5008 form B), in the same order.
type Letter struct {
	Kind       Kind
	Sender     Sender
	ReturnLine string // Rücksendeangabe above the address: "Amt Crivitz · Amtsstraße 5 · 19089 Crivitz"
	Recipient  []string
	Info       []InfoLine // Aktenzeichen, Datum, Ansprechpartner, …
	Subject    string
	Salutation string
	Blocks     []Block
	Closing    string   // "Mit freundlichen Grüßen"
	Signature  []string // "Im Auftrag", the clerk, the four-eyes approver
	Footnote   string   // small print under the signature
}

// LetterheadLines are the lines of the letterhead: the Amt's name (first), then its address
// and contact details.
func (l Letter) LetterheadLines() []string {
	s := l.Sender
	out := []string{s.Name}
	if s.Department != "" {
		out = append(out, s.Department)
	}
	if a := s.Address(); a != "" {
		out = append(out, a)
	}
	var contact []string
	if s.Phone != "" {
		contact = append(contact, "Telefon "+s.Phone)
	}
	if s.Email != "" {
		contact = append(contact, s.Email)
	}
	if s.Web != "" {
		contact = append(contact, s.Web)
	}
	if len(contact) > 0 {
		out = append(out, strings.Join(contact, " · "))
	}
	if s.Hours != "" {
		out = append(out, "Sprechzeiten: "+s.Hours)
	}
	return out
}

// Text renders the letter as plain text, in the order the PDF prints it: letterhead, return
// line, address, information block, subject, salutation, body, closing, signature. Lines of the
// body are not wrapped; the viewer wraps them.
func (l Letter) Text() string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteByte('\n') }
	blank := func() { b.WriteByte('\n') }
	for _, s := range l.LetterheadLines() {
		line(s)
	}
	blank()
	if l.ReturnLine != "" {
		line(l.ReturnLine)
	}
	for _, s := range l.Recipient {
		line(s)
	}
	blank()
	for _, in := range l.Info {
		line(in.Label + ": " + in.Value)
	}
	blank()
	line(l.Subject)
	blank()
	if l.Salutation != "" {
		line(l.Salutation)
		blank()
	}
	for _, bl := range l.Blocks {
		if bl.Heading != "" {
			line(bl.Heading)
		}
		for _, p := range bl.Paragraphs {
			line(p)
		}
		for i, it := range bl.Items {
			line(ItemMark(bl.Numbered, i) + " " + it)
		}
		for _, p := range bl.After {
			line(p)
		}
		blank()
	}
	if l.Closing != "" {
		line(l.Closing)
		blank()
	}
	for _, s := range l.Signature {
		line(s)
	}
	if l.Footnote != "" {
		blank()
		line(l.Footnote)
	}
	return b.String()
}

// ItemMark is the mark before list item i: "1." when numbered, "–" otherwise.
func ItemMark(numbered bool, i int) string {
	if numbered {
		return strconv.Itoa(i+1) + "."
	}
	return "–"
}
