package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"sync"
)

// fileKind names one of the small attachment files every case draws from. The bytes are built in
// Go once (see sampleFiles) and shared by all cases.
type fileKind int

const (
	filePersonalausweis fileKind = iota // PDF: copy of an identity card
	fileMietvertrag                     // PDF: tenancy agreement
	fileHandelsregister                 // PDF: extract from the commercial register
	fileEinkommen                       // PDF: proof of income
	fileKonzept                         // PDF: safety concept / traffic sign plan
	fileVollmacht                       // PDF: power of attorney / request letter
	fileScan                            // PNG: scan of a paper document
	fileLageplan                        // PNG: site plan
	fileFotoBaum                        // PNG: photo of a tree
	numFileKinds
)

// sampleFile is one generated file with its content type and digest.
type sampleFile struct {
	Data        []byte
	ContentType string
	SHA256      string
}

var (
	filesOnce sync.Once
	files     [numFileKinds]sampleFile
)

// sampleFiles returns the shared attachment files, building them on first use.
func sampleFiles() *[numFileKinds]sampleFile {
	filesOnce.Do(func() {
		pdf := func(k fileKind, title string, lines ...string) {
			files[k] = newSample(makePDF(title, lines), "application/pdf")
		}
		pdf(filePersonalausweis, "Personalausweis (Kopie)",
			"BUNDESREPUBLIK DEUTSCHLAND - PERSONALAUSWEIS",
			"Name: MUSTERMANN   Vorname: ERIKA",
			"Geburtstag: 12.08.1983   Geburtsort: SCHWERIN",
			"Staatsangehörigkeit: DEUTSCH",
			"Gültig bis: 03.05.2031",
			"Kopie - nur zur Vorlage bei der Behörde")
		pdf(fileMietvertrag, "Mietvertrag über Wohnraum",
			"Zwischen der Wohnungsbaugenossenschaft (Vermieterin)",
			"und Frau Erika Mustermann (Mieterin) wird folgender Vertrag geschlossen:",
			"§ 1 Mietsache: 2-Zimmer-Wohnung, 1. OG links, ca. 58 m²",
			"§ 2 Mietzeit: Das Mietverhältnis beginnt am 01.04.2024.",
			"§ 3 Miete: Grundmiete 402,00 EUR, Betriebskosten 110,40 EUR",
			"Unterschriften: Vermieterin / Mieterin")
		pdf(fileHandelsregister, "Aktueller Ausdruck Handelsregister",
			"Amtsgericht Schwerin - Handelsregister Abteilung B",
			"Nummer der Firma: HRB 00000 (Beispiel)",
			"Firma: Muster Haustechnik GmbH",
			"Sitz: Crivitz   Gegenstand: Installation von Heizungs- und Sanitäranlagen",
			"Geschäftsführer: Mustermann, Erika, *12.08.1983, Schwerin")
		pdf(fileEinkommen, "Verdienstbescheinigung",
			"Arbeitgeber: Musterbetrieb GmbH, Parchim",
			"Arbeitnehmerin: Erika Mustermann",
			"Abrechnungszeitraum: 10/2026",
			"Gesamtbrutto: 1.850,00 EUR   Netto: 1.402,17 EUR",
			"Diese Bescheinigung wurde maschinell erstellt.")
		pdf(fileKonzept, "Verkehrszeichenplan / Sicherheitskonzept",
			"Maßnahme: Sperrung des Gehwegs, Umleitung der Fußgänger",
			"Beschilderung: VZ 123 (Arbeitsstelle), VZ 259 (Fußgänger-Verbot)",
			"Absperrung: Absperrschranken mit Warnleuchten",
			"Verantwortlich vor Ort: Bauleitung, erreichbar 24 h")
		pdf(fileVollmacht, "Vollmacht",
			"Hiermit bevollmächtige ich die unten genannte Person,",
			"den Antrag in meinem Namen zu stellen und Bescheide entgegenzunehmen.",
			"Ort, Datum, Unterschrift")
		files[fileScan] = newSample(makePNG(scanImage()), "image/png")
		files[fileLageplan] = newSample(makePNG(planImage()), "image/png")
		files[fileFotoBaum] = newSample(makePNG(treeImage()), "image/png")
	})
	return &files
}

func newSample(data []byte, contentType string) sampleFile {
	sum := sha256.Sum256(data)
	return sampleFile{Data: data, ContentType: contentType, SHA256: hex.EncodeToString(sum[:])}
}

// makePDF builds a valid one-page PDF 1.4 with a title and lines of text in Helvetica
// (WinAnsiEncoding, so German umlauts show), with a correct cross-reference table.
func makePDF(title string, lines []string) []byte {
	var content bytes.Buffer
	content.WriteString("BT\n/F1 16 Tf\n56 780 Td\n(")
	content.Write(pdfString(title))
	content.WriteString(") Tj\n/F1 11 Tf\n0 -32 Td\n")
	for _, l := range lines {
		content.WriteString("(")
		content.Write(pdfString(l))
		content.WriteString(") Tj\n0 -18 Td\n")
	}
	content.WriteString("ET\n")

	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Length " + strconv.Itoa(content.Len()) + " >>\nstream\n" + content.String() + "\nendstream",
		"<< /Producer (amt demo) /Title (" + string(pdfString(title)) + ") >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n",
		len(objects)+1, len(objects), xref)
	return b.Bytes()
}

// pdfString encodes s as the bytes of a PDF literal string in WinAnsiEncoding (Latin-1 for the
// characters used here), escaping the delimiters.
func pdfString(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			out = append(out, '\\', byte(r))
		case r >= 0x20 && r < 0x7f:
			out = append(out, byte(r))
		case r >= 0xa0 && r <= 0xff:
			out = append(out, byte(r))
		default:
			out = append(out, '?')
		}
	}
	return out
}

func makePNG(img image.Image) []byte {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		panic("demo: encode png: " + err.Error()) // cannot happen for an in-memory image
	}
	return b.Bytes()
}

// scanImage draws a 64x48 greyscale "document scan": off-white paper, a letterhead block, lines of
// text as grey bars and a signature stroke.
func scanImage() image.Image {
	img := image.NewGray(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			v := uint8(236 + (x*7+y*13)%9) // paper grain
			if x < 2 || x > 61 || y < 2 || y > 45 {
				v = 120 // scanner bed around the sheet
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	fill := func(x0, y0, x1, y1 int, v uint8) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				img.SetGray(x, y, color.Gray{Y: v})
			}
		}
	}
	fill(6, 5, 26, 9, 60) // letterhead
	for i, w := range []int{50, 44, 52, 38, 48, 30} {
		fill(6, 14+i*4, 6+w, 16+i*4, 110)
	}
	for x := 36; x < 56; x++ { // signature
		y := 41 + (x%5)/2 - (x%3)/2
		img.SetGray(x, y, color.Gray{Y: 30})
	}
	return img
}

// planImage draws a 64x48 site plan: a street, a parcel outline and a marked area.
func planImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			c := color.RGBA{250, 250, 244, 255}
			switch {
			case y >= 34 && y < 42:
				c = color.RGBA{190, 190, 190, 255} // street
			case (x == 8 || x == 56) && y >= 6 && y < 34, (y == 6 || y == 33) && x >= 8 && x <= 56:
				c = color.RGBA{40, 40, 40, 255} // parcel boundary
			case x >= 30 && x < 50 && y >= 26 && y < 38:
				c = color.RGBA{220, 60, 50, 255} // requested area
			case x%8 == 0 || y%8 == 0:
				c = color.RGBA{228, 232, 240, 255} // grid
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// treeImage draws a 64x48 photo-like tree: sky, meadow, trunk and crown.
func treeImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			c := color.RGBA{uint8(150 + y), uint8(190 + y), 235, 255}
			if y >= 38 {
				c = color.RGBA{70, uint8(130 + (x*3)%20), 60, 255}
			}
			dx, dy := x-32, y-16
			switch {
			case dx*dx+dy*dy*2 < 220:
				c = color.RGBA{40, uint8(100 + (x*y)%40), 45, 255}
			case x >= 30 && x < 35 && y >= 22 && y < 40:
				c = color.RGBA{100, 70, 40, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}
