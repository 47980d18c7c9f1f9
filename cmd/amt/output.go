package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/amt-mv/amt/internal/sanitize"
)

// cell sanitises untrusted text for one table cell and bounds its width.
func cell(s string, max int) string {
	s = sanitize.Line(s)
	s = strings.ReplaceAll(s, "\t", " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

// writeJSON prints v as indented JSON. encoding/json already escapes C0 controls; C1 controls,
// bidi overrides and other invisible format characters are escaped too, so raw JSON on a terminal
// is as safe as the plain-text output (the decoded strings are unchanged). A slice is written an
// element at a time (same bytes as json.MarshalIndent), so listing 100,000 cases does not hold
// the whole document in memory; an empty or nil slice prints [].
func (a *app) writeJSON(v any) int {
	w := bufio.NewWriterSize(a.stdout, 64<<10)
	fail := func(err error) int {
		a.errorf("%v", err)
		return exitErr
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
		w.WriteString("[")
		for i := range rv.Len() {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n  ")
			b, err := json.MarshalIndent(rv.Index(i).Interface(), "  ", "  ")
			if err != nil {
				return fail(err)
			}
			writeEscapedJSON(w, b)
		}
		if rv.Len() > 0 {
			w.WriteString("\n")
		}
		w.WriteString("]")
	} else {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fail(err)
		}
		writeEscapedJSON(w, b)
	}
	w.WriteString("\n")
	if err := w.Flush(); err != nil {
		return exitErr
	}
	return exitOK
}

// writeEscapedJSON copies JSON to w, escaping DEL, C1 controls and Unicode format characters
// (bidi overrides, zero-width marks) as \uXXXX. Such runes only occur inside JSON strings.
func writeEscapedJSON(w *bufio.Writer, b []byte) {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Cf, r) {
			fmt.Fprintf(w, "\\u%04x", r)
		} else {
			w.Write(b[:n])
		}
		b = b[n:]
	}
}

func indent(s, pre string) string { return strings.ReplaceAll(s, "\n", "\n"+pre) }
