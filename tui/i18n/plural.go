package i18n

import (
	"fmt"
	"strings"
)

// Plurals: a catalogue text names both forms of a counted word, "%d {Aktion|Aktionen}"; Tf (and
// Sprintf for other catalogues) picks the first form when the argument of the nearest verb before
// it is 1 (or -1), the second otherwise. So one entry covers "1 Aktion · 2 Konflikte".

// Sprintf formats like fmt.Sprintf after resolving the {singular|plural} forms of format.
func Sprintf(format string, args ...any) string {
	if !strings.Contains(format, "{") {
		return fmt.Sprintf(format, args...)
	}
	var b strings.Builder
	arg := -1 // index of the last verb's argument
	for i := 0; i < len(format); i++ {
		ch := format[i]
		switch {
		case ch == '%' && i+1 < len(format) && format[i+1] == '%':
			b.WriteString("%%")
			i++
			continue
		case ch == '%':
			arg++
		case ch == '{':
			end := strings.IndexByte(format[i:], '}')
			bar := strings.IndexByte(format[i:], '|')
			if end > 0 && bar > 0 && bar < end {
				one, other := format[i+1:i+bar], format[i+bar+1:i+end]
				if arg >= 0 && arg < len(args) && isOne(args[arg]) {
					b.WriteString(one)
				} else {
					b.WriteString(other)
				}
				i += end
				continue
			}
		}
		b.WriteByte(ch)
	}
	return fmt.Sprintf(b.String(), args...)
}

func isOne(v any) bool {
	switch n := v.(type) {
	case int:
		return n == 1 || n == -1
	case int64:
		return n == 1 || n == -1
	case int32:
		return n == 1 || n == -1
	case uint64:
		return n == 1
	case uint32:
		return n == 1
	case uint:
		return n == 1
	}
	return false
}
