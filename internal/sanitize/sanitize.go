// Package sanitize makes untrusted text (from applicants, the server, files) safe to put on a
// terminal: it removes escape sequences whole, C0 and C1 control characters, bidirectional
// overrides and isolates and invisible format characters (zero-width space and joiners, soft
// hyphen, BOM), turns line and paragraph separators into line breaks and replaces invalid UTF-8.
// Fold gives the form of a text that search and lookup compare.
package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the form in which search and lookup compare text: safe (as Line), invisible
// format characters removed, NFKC-normalised (full-width and compatibility forms become their
// plain letters) and lower-cased. So "Max\u200b Mus\u00adtermann" and "ＭＡＸ MUSTERMANN" both
// fold to "max mustermann".
func Fold(s string) string {
	return strings.ToLower(norm.NFKC.String(Line(s)))
}

// Text returns s safe for display, keeping newlines and tabs. Carriage returns are dropped.
func Text(s string) string { return clean(s, false) }

// Line returns s safe for display on one line: newlines and tabs become single spaces.
func Line(s string) string { return clean(s, true) }

// Safe reports whether s would come out of Text unchanged.
func Safe(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		if r != '\n' && r != '\t' && dangerous(r) || r == 0x2028 || r == 0x2029 {
			return false
		}
		i += size
	}
	return true
}

// dangerous reports runes that must never reach the terminal as they are.
func dangerous(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f: // C0 controls (incl. ESC) and DEL
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls (incl. 8-bit CSI, OSC, DCS, ST)
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c: // LRM, RLM, ALM
		return true
	case r == 0xfeff: // BOM / zero-width no-break space
		return true
	case r >= 0x80 && unicode.Is(unicode.Cf, r): // invisible format characters: U+00AD soft
		// hyphen, U+200B zero-width space, U+200C/D joiners, U+2060 word joiner, tags, …
		return true
	}
	return false
}

// Sequence introducers that take a string argument ended by ST (ESC \ or 0x9c) or, for OSC, BEL.
func stringIntroducer(r rune) bool {
	switch r {
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC after ESC
		return true
	}
	return false
}

func c1StringIntroducer(r rune) bool {
	switch r {
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return true
	}
	return false
}

func clean(s string, oneLine bool) string {
	if Safe(s) && (!oneLine || !strings.ContainsAny(s, "\n\t")) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := func() {
		// Collapse runs of whitespace produced by line breaks into one space.
		if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
			b.WriteByte(' ')
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			i += size
			continue
		}
		switch {
		case r == '\n' || r == '\t' || r == 0x2028 || r == 0x2029: // U+2028/9: line/paragraph separator
			if r > 0x7f {
				r = '\n'
			}
			if oneLine {
				space()
			} else {
				b.WriteRune(r)
			}
			i += size
		case r == 0x1b: // ESC: drop the whole sequence
			i = skipEscape(s, i+size)
		case r == 0x9b: // 8-bit CSI
			i = skipCSI(s, i+size)
		case c1StringIntroducer(r):
			i = skipString(s, i+size, r == 0x9d)
		case dangerous(r):
			i += size
		default:
			b.WriteRune(r)
			i += size
		}
	}
	return b.String()
}

// skipEscape skips an escape sequence whose ESC ended just before i and returns the index after it.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == '[':
		return skipCSI(s, i+size)
	case stringIntroducer(r):
		return skipString(s, i+size, r == ']')
	case r >= 0x20 && r <= 0x2f: // intermediate bytes, then one final byte (e.g. ESC ( B)
		i += size
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case r >= 0x30 && r <= 0x7e: // two-character sequence such as ESC c, ESC 7
		return i + size
	}
	// ESC followed by something else: drop only the ESC.
	return i
}

// skipCSI skips parameter and intermediate bytes and the final byte of a control sequence.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x30 && c <= 0x3f, c >= 0x20 && c <= 0x2f: // parameters, intermediates
			i++
		case c >= 0x40 && c <= 0x7e: // final byte
			return i + 1
		default: // malformed: stop here and let the caller handle the rest
			return i
		}
	}
	return i
}

// skipString skips a control string up to and including its terminator (ST, or BEL for OSC).
// An unterminated string swallows the rest of the text: better lose a tail than leak a sequence.
func skipString(s string, i int, osc bool) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x07 && osc:
			return i + size
		case r == 0x9c:
			return i + size
		case r == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1 // a new ESC ends the string; drop it and continue
		}
		i += size
	}
	return i
}
