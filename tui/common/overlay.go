package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Overlay draws fg over bg with fg's top-left corner at column x, row y. Both may contain ANSI
// styling; cells are cut ANSI-aware, so colours of the background outside fg survive.
func Overlay(bg, fg string, x, y int) string {
	bl := strings.Split(bg, "\n")
	fl := strings.Split(fg, "\n")
	x, y = max(0, x), max(0, y)
	for i, f := range fl {
		r := y + i
		if r >= len(bl) {
			break
		}
		line := bl[r]
		w := ansi.StringWidth(line)
		fw := ansi.StringWidth(f)
		left := ansi.Truncate(line, x, "")
		if lw := ansi.StringWidth(left); lw < x {
			left += strings.Repeat(" ", x-lw)
		}
		right := ""
		if x+fw < w {
			right = ansi.TruncateLeft(line, x+fw, "")
		}
		bl[r] = left + "\x1b[0m" + f + "\x1b[0m" + right
		if !strings.Contains(line, "\x1b") && !strings.Contains(f, "\x1b") {
			bl[r] = left + f + right // plain text stays free of escape codes
		}
	}
	return strings.Join(bl, "\n")
}

// OverlayCenter draws fg centred over a bg of w x h cells.
func OverlayCenter(bg, fg string, w, h int) string {
	fw, fh := Size(fg)
	return Overlay(bg, fg, (w-fw)/2, (h-fh)/2)
}

// Size returns the width and height of a rendered block.
func Size(s string) (w, h int) {
	lines := strings.Split(s, "\n")
	for _, l := range lines {
		w = max(w, ansi.StringWidth(l))
	}
	return w, len(lines)
}
