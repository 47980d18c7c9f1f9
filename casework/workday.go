package casework

import (
	"time"
)

// Holiday is a public holiday in Mecklenburg-Vorpommern.
type Holiday struct {
	Date string // YYYY-MM-DD
	Name string // German name, as clerks know it
}

// easterSunday returns Easter Sunday of year y (Gregorian calendar; anonymous algorithm of
// Meeus/Jones/Butcher).
func easterSunday(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// HolidaysMV returns the public holidays of Mecklenburg-Vorpommern in year y in date order: the
// nationwide ones, Reformationstag (31.10.) and, since 2023, Internationaler Frauentag (8.3.).
func HolidaysMV(y int) []Holiday {
	fixed := func(m time.Month, d int) string {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	easter := easterSunday(y)
	rel := func(days int) string { return easter.AddDate(0, 0, days).Format(time.DateOnly) }
	hs := []Holiday{{fixed(time.January, 1), "Neujahr"}}
	if y >= 2023 {
		hs = append(hs, Holiday{fixed(time.March, 8), "Internationaler Frauentag"})
	}
	hs = append(hs,
		Holiday{rel(-2), "Karfreitag"},
		Holiday{rel(1), "Ostermontag"},
		Holiday{fixed(time.May, 1), "Tag der Arbeit"},
		Holiday{rel(39), "Christi Himmelfahrt"},
		Holiday{rel(50), "Pfingstmontag"},
		Holiday{fixed(time.October, 3), "Tag der Deutschen Einheit"},
		Holiday{fixed(time.October, 31), "Reformationstag"},
		Holiday{fixed(time.December, 25), "1. Weihnachtstag"},
		Holiday{fixed(time.December, 26), "2. Weihnachtstag"},
	)
	// Frauentag may fall after Karfreitag (Easter in late March); keep date order.
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].Date < hs[j-1].Date; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	return hs
}

// HolidayMV returns the name of the public holiday of Mecklenburg-Vorpommern on the YYYY-MM-DD
// date iso, or "".
func HolidayMV(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return ""
	}
	for _, h := range HolidaysMV(t.Year()) {
		if h.Date == iso {
			return h.Name
		}
	}
	return ""
}

// Shift says why a date was moved to the next working day.
type Shift struct {
	From    string // the date asked for, YYYY-MM-DD
	Weekday time.Weekday
	Holiday string // the holiday's name, "" for a weekend
}

// NextWorkingDay returns the YYYY-MM-DD date iso itself when it is a working day in
// Mecklenburg-Vorpommern (Monday to Friday and no public holiday), otherwise the next working day
// after it together with the reason (shift.From is iso; nil when nothing moved). A date that is not
// YYYY-MM-DD is returned unchanged.
func NextWorkingDay(iso string) (string, *Shift) {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso, nil
	}
	var sh *Shift
	for i := 0; i < 14; i++ { // a working day always follows within a week or two
		d := t.Format(time.DateOnly)
		hol := HolidayMV(d)
		wd := t.Weekday()
		if hol == "" && wd != time.Saturday && wd != time.Sunday {
			return d, sh
		}
		if sh == nil {
			sh = &Shift{From: iso, Weekday: wd, Holiday: hol}
		}
		t = t.AddDate(0, 0, 1)
	}
	return t.Format(time.DateOnly), sh
}

// ParseWorkingDate is ParseFutureDate for dates a clerk picks to act on (Wiedervorlage,
// Nachforderung deadline): a weekend or public holiday of Mecklenburg-Vorpommern moves to the
// next working day; shift says why (nil when the date was a working day). Clients show the hint.
func ParseWorkingDate(s string, now time.Time) (date string, shift *Shift, err error) {
	d, err := ParseFutureDate(s, now)
	if err != nil {
		return "", nil, err
	}
	d, shift = NextWorkingDay(d)
	return d, shift, nil
}

var weekdaysDE = [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}

// FormatDateLong writes a YYYY-MM-DD date with its weekday: "Montag, 07.12.2026" in German,
// "Monday, 2026-12-07" in English. Anything else is returned unchanged.
func FormatDateLong(iso string, lang Lang) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	wd := t.Weekday().String()
	if lang != English {
		wd = weekdaysDE[t.Weekday()]
	}
	return wd + ", " + FormatDate(iso, lang)
}

// holidayEN names the holidays of HolidaysMV in English, for the English UI.
var holidayEN = map[string]string{
	"Neujahr":                   "New Year's Day",
	"Internationaler Frauentag": "International Women's Day",
	"Karfreitag":                "Good Friday",
	"Ostermontag":               "Easter Monday",
	"Tag der Arbeit":            "Labour Day",
	"Christi Himmelfahrt":       "Ascension Day",
	"Pfingstmontag":             "Whit Monday",
	"Tag der Deutschen Einheit": "Day of German Unity",
	"Reformationstag":           "Reformation Day",
	"1. Weihnachtstag":          "Christmas Day",
	"2. Weihnachtstag":          "Boxing Day",
}

// HolidayName is the holiday's name in lang (HolidaysMV names them in German).
func HolidayName(name string, lang Lang) string {
	if en, ok := holidayEN[name]; ok && lang == English {
		return en
	}
	return name
}

// ShiftHint is the hint clients show when a date was moved to the next working day (to):
// "Samstag, 05.12.2026 ist kein Arbeitstag – verschoben auf Montag, 07.12.2026".
func ShiftHint(sh Shift, to string, lang Lang) string {
	from, dest := FormatDateLong(sh.From, lang), FormatDateLong(to, lang)
	switch {
	case lang == English && sh.Holiday != "":
		return from + " is a public holiday (" + HolidayName(sh.Holiday, lang) + ") – moved to " + dest
	case lang == English:
		return from + " is not a working day – moved to " + dest
	case sh.Holiday != "":
		return from + " ist ein Feiertag (" + sh.Holiday + ") – verschoben auf " + dest
	}
	return from + " ist kein Arbeitstag – verschoben auf " + dest
}
