package casework

import (
	"errors"
	"strconv"
	"strings"
)

// Errors of ParseFee (catalogue keys of the TUI, like the date errors).
var (
	ErrFeeFormat   = errors.New("act.err.fee_format")
	ErrFeeNegative = errors.New("act.err.fee_negative")
)

// ParseFee reads an amount in euros as clerks type it ("26,00", "26", "1.234,50 €", "26.5") and
// returns cents. Empty input means no fee (nil).
func ParseFee(s string) (*int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "€"), "EUR"))
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "-") {
		return nil, ErrFeeNegative
	}
	euros, cents := s, ""
	if i := strings.LastIndexByte(s, ','); i >= 0 {
		euros, cents = s[:i], s[i+1:]
		euros = strings.ReplaceAll(euros, ".", "") // thousands separators
	} else if i := strings.LastIndexByte(s, '.'); i >= 0 && len(s)-i-1 <= 2 && strings.Count(s, ".") == 1 {
		euros, cents = s[:i], s[i+1:] // "26.5" typed with a decimal point
	} else {
		euros = strings.ReplaceAll(euros, ".", "")
	}
	if euros == "" {
		euros = "0"
	}
	if len(cents) > 2 || !digits(euros) || !digits(cents) {
		return nil, ErrFeeFormat
	}
	for len(cents) < 2 {
		cents += "0"
	}
	e, err := strconv.ParseInt(euros, 10, 64)
	if err != nil || e > 10_000_000 {
		return nil, ErrFeeFormat
	}
	c, _ := strconv.ParseInt(cents, 10, 64)
	v := e*100 + c
	return &v, nil
}

// FormatFee writes cents as German euros: 2600 → "26,00 €", 123450 → "1.234,50 €".
func FormatFee(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	e := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range e {
		if i > 0 && (len(e)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	out := b.String() + "," + strconv.FormatInt(cents%100+100, 10)[1:] + " €"
	if neg {
		out = "-" + out
	}
	return out
}
