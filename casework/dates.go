package casework

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Errors of ParseDate. Their texts are catalogue keys of the TUI (act.err.*); the CLI has its
// own messages for them.
var (
	ErrDateEmpty  = errors.New("act.err.date_empty")
	ErrDateFormat = errors.New("act.err.date_format")
	ErrDatePast   = errors.New("act.err.date_past")
)

// MaxDaysAhead bounds relative dates ("+N…"): at most about ten years ahead.
const MaxDaysAhead = 3660

// ParseDate reads a calendar date as clerks type it and returns it as YYYY-MM-DD. It accepts
// "heute"/"today", "morgen"/"tomorrow", "+N" or "+Nd"/"+Nt" (days), "+Nw" (weeks), "+Nm" (months,
// the day clamped to the month's end), "+Nj"/"+Ny" (years), TT.MM.JJJJ (also T.M.JJJJ), TT.MM.JJ
// (20JJ) and ISO YYYY-MM-DD, in any letter case. Relative forms count from now's calendar day in
// now's location and reach at most MaxDaysAhead days.
func ParseDate(s string, now time.Time) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", ErrDateEmpty
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var d time.Time
	switch {
	case s == "heute" || s == "today":
		d = today
	case s == "morgen" || s == "tomorrow":
		d = today.AddDate(0, 0, 1)
	case strings.HasPrefix(s, "+"):
		rest := s[1:]
		unit := byte('d')
		if n := len(rest); n > 0 && (rest[n-1] < '0' || rest[n-1] > '9') {
			unit, rest = rest[n-1], rest[:n-1]
		}
		if rest == "" || len(rest) > 5 || !digits(rest) {
			return "", ErrDateFormat
		}
		n, _ := strconv.Atoi(rest)
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
			return "", ErrDateFormat
		}
		if d.Sub(today) > MaxDaysAhead*24*time.Hour {
			return "", ErrDateFormat
		}
	case strings.Contains(s, "."):
		parts := strings.Split(s, ".")
		if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 ||
			!digits(parts[0]) || !digits(parts[1]) || !digits(parts[2]) {
			return "", ErrDateFormat
		}
		day, _ := strconv.Atoi(parts[0])
		mon, _ := strconv.Atoi(parts[1])
		yr, _ := strconv.Atoi(parts[2])
		switch len(parts[2]) {
		case 2:
			yr += 2000
		case 4:
		default:
			return "", ErrDateFormat
		}
		var ok bool
		if d, ok = makeDate(yr, mon, day); !ok {
			return "", ErrDateFormat
		}
	default:
		if len(s) != 10 {
			return "", ErrDateFormat
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return "", ErrDateFormat
		}
		if _, ok := makeDate(t.Year(), int(t.Month()), t.Day()); !ok {
			return "", ErrDateFormat
		}
		d = t
	}
	return d.Format(time.DateOnly), nil
}

// ParseFutureDate is ParseDate for dates that must not lie before now's day (Wiedervorlage,
// Nachforderung deadline, valid-until): ErrDatePast otherwise.
func ParseFutureDate(s string, now time.Time) (string, error) {
	d, err := ParseDate(s, now)
	if err != nil {
		return "", err
	}
	if d < now.Format(time.DateOnly) {
		return "", ErrDatePast
	}
	return d, nil
}

// addMonths adds n months, clamping the day to the end of the target month (31.01. + 1m = 28.02.).
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// makeDate builds a date of the years 1900–2999, refusing days a month does not have (31.02.).
func makeDate(y, m, d int) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2999 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, false
	}
	return t, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Lang is a language dates and amounts are written in for people.
type Lang string

// Languages.
const (
	German  Lang = "de"
	English Lang = "en"
)

// FormatDate writes a YYYY-MM-DD date for people: "24.11.2026" in German, "2026-11-24" in
// English. Anything that is not such a date is returned unchanged (callers sanitise it).
func FormatDate(iso string, lang Lang) string {
	if len(iso) != 10 || iso[4] != '-' || iso[7] != '-' || lang == English {
		return iso
	}
	return iso[8:10] + "." + iso[5:7] + "." + iso[0:4]
}
