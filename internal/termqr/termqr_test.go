package termqr

import (
	"strings"
	"testing"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"
)

// TestLinesMatchBitmap decodes the rendered rows back into modules and compares them with the
// QR code's bitmap, so every module is drawn where it belongs.
func TestLinesMatchBitmap(t *testing.T) {
	for _, text := range []string{"http://127.0.0.1:4567/device?user_code=BCDF-GHJK",
		"https://login.example.de/realms/amt/device?user_code=WXYZ-BCDF"} {
		lines, err := Lines(text)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := qrcode.New(text, qrcode.Medium)
		bm := q.Bitmap()
		w, h, _ := Size(text)
		if len(lines) != h || w != len(bm) {
			t.Fatalf("%d lines, size %dx%d, bitmap %d", len(lines), w, h, len(bm))
		}
		for y, line := range lines {
			if utf8.RuneCountInString(line) != w {
				t.Fatalf("line %d is %d cells, want %d", y, utf8.RuneCountInString(line), w)
			}
			for x, r := range []rune(line) {
				top, bottom := !strings.ContainsRune("█▀", r), !strings.ContainsRune("█▄", r)
				if top != bm[2*y][x] || (2*y+1 < len(bm) && bottom != bm[2*y+1][x]) {
					t.Fatalf("module (%d,%d) drawn wrong", x, 2*y)
				}
			}
		}
	}
}
