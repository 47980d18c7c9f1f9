// Package termqr renders a QR code for a terminal: two modules per character cell with the
// half-block characters, dark modules drawn as spaces on a light quiet zone so that it scans on
// dark and light terminal themes alike.
package termqr

import (
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Lines renders text as a QR code (error correction level M, with its quiet zone), one string
// per terminal row; every row has the same width in cells.
func Lines(text string) ([]string, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	bm := q.Bitmap() // true = dark, with a 4-module quiet zone
	var out []string
	for y := 0; y < len(bm); y += 2 {
		var b strings.Builder
		for x := range bm[y] {
			top := bm[y][x]
			bottom := y+1 < len(bm) && bm[y+1][x]
			// Light is drawn, dark is left blank: the terminal's background is the dark colour
			// on most clerks' screens; the quiet zone makes the light frame.
			switch {
			case !top && !bottom:
				b.WriteRune('█')
			case !top && bottom:
				b.WriteRune('▀')
			case top && !bottom:
				b.WriteRune('▄')
			default:
				b.WriteRune(' ')
			}
		}
		out = append(out, b.String())
	}
	return out, nil
}

// Size is the width and height in cells that Lines(text) needs.
func Size(text string) (w, h int, err error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return 0, 0, err
	}
	n := len(q.Bitmap())
	return n, (n + 1) / 2, nil
}
