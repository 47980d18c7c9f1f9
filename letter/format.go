package letter

import (
	"strconv"
	"strings"
	"time"
)

// Euro formats an amount in cents the German way: "26,00 €", "1.234,50 €", "-5,00 €".
func Euro(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var g []string
	for len(whole) > 3 {
		g = append([]string{whole[len(whole)-3:]}, g...)
		whole = whole[:len(whole)-3]
	}
	g = append([]string{whole}, g...)
	s := strings.Join(g, ".") + "," + twoDigits(cents%100) + " €"
	if neg {
		s = "-" + s
	}
	return s
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// Date formats a day the German way: "04.12.2026".
func Date(t time.Time) string { return t.Format("02.01.2006") }

// DateString turns "2026-12-04" into "04.12.2026"; anything else is returned unchanged.
func DateString(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return Date(t)
}
