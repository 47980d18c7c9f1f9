// Package pdf lays a letter.Letter out as a PDF on A4 following DIN 5008 form B (address field
// for a window envelope, information block, fold and punch marks) with the Go fonts embedded, so
// umlauts, ß, § and € print and copy out right.
package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/amt-mv/amt/letter"
)

// ContentType is the media type of what Render writes.
const ContentType = "application/pdf"

// Geometry of DIN 5008 form B, in millimetres from the top-left corner of the page.
const (
	marginLeft   = 25.0
	marginRight  = 20.0
	addressX     = 20.0 + 5.0 // the address field is at 20 mm; its text starts 5 mm in
	addressW     = 80.0
	returnLineY  = 58.0  // the Rücksendeangabe sits in the lowest line of the Zusatzzone (45–62.7 mm)
	addressY     = 63.5  // the Anschriftzone starts at 62.7 mm
	infoX        = 125.0 // the information block
	infoY        = 50.0
	bodyY        = 103.0 // Betreff below the address field (ends at 90 mm) with room to the fold
	foldMark1    = 105.0
	foldMark2    = 210.0
	punchMark    = 148.5
	bottomMargin = 25.0
	lineH        = 5.0 // 11 pt text, 1.15 spacing
)

const fontFamily = "Go"

// PageFooterPrefix starts the footer line printed on every page ("Seite 1 von 2"); tests that
// compare the PDF's text with Letter.Text drop these lines.
const PageFooterPrefix = "Seite "

// Render writes the letter as a PDF. created is stamped as the document's creation date, so the
// same letter and time give the same bytes.
func Render(l letter.Letter, created time.Time) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.SetCatalogSort(true)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetProducer("amt", false)
	f.SetCreator("amt", false)
	f.SetTitle(l.Subject, true)
	f.SetAuthor(l.Sender.Name, true)
	f.SetLang("de-DE")
	f.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	f.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	f.SetMargins(marginLeft, 20, marginRight)
	f.SetAutoPageBreak(true, bottomMargin)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-15)
		f.SetFont(fontFamily, "", 8)
		f.CellFormat(0, 4, fmt.Sprintf("%s%d von {nb}", PageFooterPrefix, f.PageNo()), "", 0, "C", false, 0, "")
	})
	f.AddPage()
	pageW, pageH := f.GetPageSize()
	textW := pageW - marginLeft - marginRight

	// Fold and punch marks on the left edge.
	f.SetLineWidth(0.2)
	for _, y := range []float64{foldMark1, foldMark2} {
		f.Line(3, y, 8, y)
	}
	f.Line(3, punchMark, 10, punchMark)

	// Letterhead: the Amt's name large, then address and contact.
	head := l.LetterheadLines()
	f.SetXY(marginLeft, 15)
	f.SetFont(fontFamily, "B", 16)
	f.CellFormat(textW, 8, head[0], "", 2, "L", false, 0, "")
	f.SetFont(fontFamily, "", 9)
	for _, s := range head[1:] {
		f.SetX(marginLeft)
		f.CellFormat(textW, 4.2, s, "", 2, "L", false, 0, "")
	}

	// Return line and address field (window of a DL/C6 envelope).
	if l.ReturnLine != "" {
		f.SetXY(addressX, returnLineY)
		f.SetFont(fontFamily, "", 7)
		f.CellFormat(addressW, 3.5, l.ReturnLine, "", 2, "L", false, 0, "")
	}
	f.SetFont(fontFamily, "", 10)
	f.SetXY(addressX, addressY)
	for _, s := range l.Recipient {
		f.SetX(addressX)
		f.CellFormat(addressW, 4.23, s, "", 2, "L", false, 0, "")
	}

	// Information block beside the address field.
	f.SetFont(fontFamily, "", 9)
	f.SetXY(infoX, infoY)
	for _, in := range l.Info {
		f.SetX(infoX)
		f.MultiCell(pageW-infoX-marginRight, 4.5, in.Label+": "+in.Value, "", "L", false)
	}

	// Subject, salutation, body.
	f.SetXY(marginLeft, bodyY)
	f.SetFont(fontFamily, "B", 11)
	f.MultiCell(textW, lineH, l.Subject, "", "L", false)
	f.Ln(lineH)
	f.SetFont(fontFamily, "", 11)
	para := func(s string) {
		f.SetX(marginLeft)
		f.MultiCell(textW, lineH, s, "", "L", false)
	}
	if l.Salutation != "" {
		para(l.Salutation)
		f.Ln(lineH)
	}
	for _, b := range l.Blocks {
		if b.Heading != "" {
			// Keep a heading with the first lines of its block.
			if f.GetY()+3*lineH > pageH-bottomMargin {
				f.AddPage()
			}
			f.SetFont(fontFamily, "B", 11)
			para(b.Heading)
			f.SetFont(fontFamily, "", 11)
		}
		for _, p := range b.Paragraphs {
			para(p)
		}
		for i, it := range b.Items {
			f.SetX(marginLeft)
			f.CellFormat(7, lineH, letter.ItemMark(b.Numbered, i), "", 0, "L", false, 0, "")
			f.MultiCell(textW-7, lineH, it, "", "L", false)
		}
		for _, p := range b.After {
			para(p)
		}
		f.Ln(lineH)
	}
	// Closing and signature stay together.
	if f.GetY()+float64(len(l.Signature)+2)*lineH > pageH-bottomMargin {
		f.AddPage()
	}
	if l.Closing != "" {
		para(l.Closing)
		f.Ln(lineH)
	}
	for _, s := range l.Signature {
		para(s)
	}
	if l.Footnote != "" {
		f.Ln(lineH)
		f.SetFont(fontFamily, "", 8)
		f.SetX(marginLeft)
		f.MultiCell(textW, 4, l.Footnote, "", "L", false)
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// FileName is the name a letter's PDF is stored and sent under, e.g.
// "Bescheid_GEW-2026-000043.pdf".
func FileName(kind letter.Kind, reference string) string {
	name := "Schreiben"
	switch kind {
	case letter.KindBescheid:
		name = "Bescheid"
	case letter.KindNachforderung:
		name = "Nachforderung"
	}
	ref := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, reference)
	return name + "_" + ref + ".pdf"
}
