package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, text, line string
	}{
		{"plain", "Müller, Anna", "Müller, Anna", "Müller, Anna"},
		{"newline kept in text", "Zeile 1\nZeile 2\tTab", "Zeile 1\nZeile 2\tTab", "Zeile 1 Zeile 2 Tab"},
		{"osc52 clipboard bel", "Anna\x1b]52;c;ZWNobyBwd25lZA==\x07 Schulz", "Anna Schulz", "Anna Schulz"},
		{"osc52 clipboard st", "A\x1b]52;c;Zm9v\x1b\\B", "AB", "AB"},
		{"csi clear screen", "x\x1b[2J\x1b[Hy", "xy", "xy"},
		{"sgr colour", "\x1b[31;1mrot\x1b[0m", "rot", "rot"},
		{"8-bit csi", "a\u009b2Jb", "ab", "ab"},
		{"8-bit osc", "a\u009d0;title\u009cb", "ab", "ab"},
		{"dcs", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab", "ab"},
		{"rlo", "rechnung\u202Efdp.exe", "rechnungfdp.exe", "rechnungfdp.exe"},
		{"isolates", "a\u2066b\u2069c", "abc", "abc"},
		{"c0 bell backspace cr", "a\x07b\x08c\rd", "abcd", "abcd"},
		{"del", "a\x7fb", "ab", "ab"},
		{"charset designation", "a\x1b(Bb", "ab", "ab"},
		{"two-char escape", "a\x1bcb", "ab", "ab"},
		{"lone esc at end", "ab\x1b", "ab", "ab"},
		{"unterminated osc swallows tail", "ab\x1b]0;evil", "ab", "ab"},
		{"invalid utf8", "a\xffb", "a\uFFFDb", "a\uFFFDb"},
		{"line collapses breaks", "a\n\n\nb", "a\n\n\nb", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.text {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
			}
			if got := Line(tt.in); got != tt.line {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
			}
		})
	}
}

func TestSafeFastPathReturnsSameString(t *testing.T) {
	s := "Gewerbeanmeldung – Bäckerei Müller e.K."
	if got := Text(s); got != s {
		t.Fatalf("changed safe text: %q", got)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = Line(s) }); allocs != 0 {
		t.Fatalf("safe text allocated %v times", allocs)
	}
}

// checkClean fails when out contains anything that could control a terminal.
func checkClean(t *testing.T, in, out string, oneLine bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
	}
	for _, r := range out {
		if (r == '\n' || r == '\t') && !oneLine {
			continue
		}
		if dangerous(r) {
			t.Fatalf("unsafe rune %U survived: %q -> %q", r, in, out)
		}
	}
	if oneLine && strings.ContainsAny(out, "\n\t") {
		t.Fatalf("Line kept a break: %q", out)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "Müller", "\x1b]52;c;ZWNobw==\x07", "\x1b[2J\x1b[H", "\u202e", "\u009b31m", "a\x1bP\x1b\\", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkClean(t, in, Text(in), false)
		checkClean(t, in, Line(in), true)
		// Idempotent: cleaning clean text changes nothing.
		if once := Text(in); Text(once) != once {
			t.Fatalf("Text not idempotent on %q", in)
		}
	})
}

func BenchmarkLineSafe(b *testing.B) {
	s := strings.Repeat("Bewohnerparkausweis Zone A – Müller ", 4)
	for b.Loop() {
		_ = Line(s)
	}
}

// TestInvisibleFormatCharacters: zero-width and format characters (issue #16 item 8) do not pass
// for display, line/paragraph separators become line breaks, and Fold makes look-alikes equal.
func TestInvisibleFormatCharacters(t *testing.T) {
	tests := []struct {
		in, text, line, fold string
	}{
		{"Max\u200b Mus\u00adtermann", "Max Mustermann", "Max Mustermann", "max mustermann"},
		{"\ufeffHST\u200d-2026\u2060-000012", "HST-2026-000012", "HST-2026-000012", "hst-2026-000012"},
		{"Zeile 1\u2028Zeile 2\u2029Ende", "Zeile 1\nZeile 2\nEnde", "Zeile 1 Zeile 2 Ende", "zeile 1 zeile 2 ende"},
		{"ＭＡＸ　ＭＵＳＴＥＲＭＡＮＮ", "ＭＡＸ　ＭＵＳＴＥＲＭＡＮＮ", "ＭＡＸ　ＭＵＳＴＥＲＭＡＮＮ", "max mustermann"},
		{"Straße ﬁ", "Straße ﬁ", "Straße ﬁ", "straße fi"},
	}
	for _, tc := range tests {
		if got := Text(tc.in); got != tc.text {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
		if got := Fold(tc.in); got != tc.fold {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.fold)
		}
		if Safe(tc.in) != (tc.in == tc.text) {
			t.Errorf("Safe(%q) = %v", tc.in, Safe(tc.in))
		}
	}
}
