package actions

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Validation errors of the input parsers. Their messages are catalogue keys; the dialogs
// translate them for display.
var (
	errDateEmpty   = errors.New("act.err.date_empty")
	errDateFormat  = errors.New("act.err.date_format")
	errDatePast    = errors.New("act.err.date_past")
	errFeeFormat   = errors.New("act.err.fee_format")
	errFeeNegative = errors.New("act.err.fee_negative")
)

// ParseDate reads a date as clerks type it and returns it as YYYY-MM-DD. It accepts
// YYYY-MM-DD, DD.MM.YYYY (also D.M.YYYY and DD.MM.YY) and shortcuts relative to now:
// +7 (days), +2w (weeks), +1m (months), and "heute"/"today". Dates before today are rejected
// when future is set.
func ParseDate(s string, now time.Time, future bool) (string, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return "", errDateEmpty
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var d time.Time
	switch {
	case s == "heute" || s == "today":
		d = today
	case strings.HasPrefix(s, "+"):
		rest := s[1:]
		unit := byte('d')
		if n := len(rest); n > 0 && (rest[n-1] < '0' || rest[n-1] > '9') {
			unit = rest[n-1]
			rest = rest[:n-1]
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 0 || n > 3660 {
			return "", errDateFormat
		}
		switch unit {
		case 'd', 't': // Tage
			d = today.AddDate(0, 0, n)
		case 'w':
			d = today.AddDate(0, 0, 7*n)
		case 'm':
			d = addMonths(today, n)
		case 'y', 'j': // Jahre
			d = addMonths(today, 12*n)
		default:
			return "", errDateFormat
		}
	case strings.Contains(s, "."):
		parts := strings.Split(s, ".")
		if len(parts) != 3 {
			return "", errDateFormat
		}
		day, err1 := strconv.Atoi(parts[0])
		mon, err2 := strconv.Atoi(parts[1])
		yr, err3 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil || err3 != nil {
			return "", errDateFormat
		}
		if len(parts[2]) == 2 {
			yr += 2000
		} else if len(parts[2]) != 4 {
			return "", errDateFormat
		}
		var ok bool
		if d, ok = makeDate(yr, mon, day); !ok {
			return "", errDateFormat
		}
	default:
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return "", errDateFormat
		}
		d = t
	}
	if future && d.Before(today) {
		return "", errDatePast
	}
	return d.Format("2006-01-02"), nil
}

// addMonths adds n months, clamping the day to the end of the target month (31.01. + 1m = 28.02.).
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}

func makeDate(y, m, d int) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2999 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, false // 31.02.
	}
	return t, true
}

// ParseFee reads an amount in euros as clerks type it ("26,00", "26", "1.234,50 €", "26.5")
// and returns cents. Empty input means no fee (nil).
func ParseFee(s string) (*int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "€"), "EUR"))
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "-") {
		return nil, errFeeNegative
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
		return nil, errFeeFormat
	}
	for len(cents) < 2 {
		cents += "0"
	}
	e, err := strconv.ParseInt(euros, 10, 64)
	if err != nil || e > 10_000_000 {
		return nil, errFeeFormat
	}
	c, _ := strconv.ParseInt(cents, 10, 64)
	v := e*100 + c
	return &v, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatFee renders cents as German euros: 2600 → "26,00 €", 123450 → "1.234,50 €".
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

// FormatDate renders YYYY-MM-DD as DD.MM.YYYY; anything else is returned unchanged.
func FormatDate(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.Format("02.01.2006")
}
