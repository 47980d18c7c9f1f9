package casework

import (
	"testing"
	"time"
)

func TestEasterSunday(t *testing.T) {
	// Published dates of Easter Sunday.
	tests := map[int]string{
		2019: "2019-04-21", 2020: "2020-04-12", 2021: "2021-04-04", 2022: "2022-04-17",
		2023: "2023-04-09", 2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05",
		2027: "2027-03-28", 2028: "2028-04-16", 2029: "2029-04-01", 2030: "2030-04-21",
		2038: "2038-04-25", 2285: "2285-03-22",
	}
	for y, want := range tests {
		if got := easterSunday(y).Format(time.DateOnly); got != want {
			t.Errorf("easter %d = %s, want %s", y, got, want)
		}
	}
}

func TestHolidaysMV(t *testing.T) {
	tests := []struct {
		year int
		want []string
	}{
		{2022, []string{"2022-01-01", "2022-04-15", "2022-04-18", "2022-05-01", "2022-05-26", "2022-06-06",
			"2022-10-03", "2022-10-31", "2022-12-25", "2022-12-26"}}, // no Frauentag before 2023
		{2023, []string{"2023-01-01", "2023-03-08", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-18",
			"2023-05-29", "2023-10-03", "2023-10-31", "2023-12-25", "2023-12-26"}},
		{2024, []string{"2024-01-01", "2024-03-08", "2024-03-29", "2024-04-01", "2024-05-01", "2024-05-09",
			"2024-05-20", "2024-10-03", "2024-10-31", "2024-12-25", "2024-12-26"}},
		{2026, []string{"2026-01-01", "2026-03-08", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14",
			"2026-05-25", "2026-10-03", "2026-10-31", "2026-12-25", "2026-12-26"}},
		{2027, []string{"2027-01-01", "2027-03-08", "2027-03-26", "2027-03-29", "2027-05-01", "2027-05-06",
			"2027-05-17", "2027-10-03", "2027-10-31", "2027-12-25", "2027-12-26"}},
		{2035, []string{"2035-01-01", "2035-03-08", "2035-03-23", "2035-03-26", "2035-05-01", "2035-05-03",
			"2035-05-14", "2035-10-03", "2035-10-31", "2035-12-25", "2035-12-26"}},
	}
	for _, tt := range tests {
		hs := HolidaysMV(tt.year)
		if len(hs) != len(tt.want) {
			t.Errorf("%d: %d holidays %v, want %d", tt.year, len(hs), hs, len(tt.want))
			continue
		}
		for i, h := range hs {
			if h.Date != tt.want[i] {
				t.Errorf("%d: holiday %d = %s (%s), want %s", tt.year, i, h.Date, h.Name, tt.want[i])
			}
		}
	}
}

func TestNextWorkingDay(t *testing.T) {
	tests := []struct {
		in, want string
		moved    bool
		holiday  string
	}{
		{"2026-12-04", "2026-12-04", false, ""},                   // Friday
		{"2026-12-05", "2026-12-07", true, ""},                    // Saturday → Monday
		{"2026-12-06", "2026-12-07", true, ""},                    // Sunday → Monday
		{"2026-12-24", "2026-12-24", false, ""},                   // Heiligabend is no holiday
		{"2026-12-25", "2026-12-28", true, "1. Weihnachtstag"},    // Fri holiday, Sat/Sun after
		{"2026-04-03", "2026-04-07", true, "Karfreitag"},          // Karfreitag → past Ostermontag
		{"2026-05-14", "2026-05-15", true, "Christi Himmelfahrt"}, // Thursday
		{"2026-05-25", "2026-05-26", true, "Pfingstmontag"},
		{"2027-03-08", "2027-03-09", true, "Internationaler Frauentag"},
		{"2022-03-08", "2022-03-08", false, ""}, // before MV made it a holiday
		{"2027-10-31", "2027-11-01", true, "Reformationstag"},
		{"2027-01-01", "2027-01-04", true, "Neujahr"},
		{"2025-10-03", "2025-10-06", true, "Tag der Deutschen Einheit"},
		{"2027-05-01", "2027-05-03", true, "Tag der Arbeit"},
		{"nonsense", "nonsense", false, ""},
	}
	for _, tt := range tests {
		got, sh := NextWorkingDay(tt.in)
		if got != tt.want || (sh != nil) != tt.moved {
			t.Errorf("NextWorkingDay(%s) = %s, %+v; want %s, moved %v", tt.in, got, sh, tt.want, tt.moved)
			continue
		}
		if sh != nil && (sh.Holiday != tt.holiday || sh.From != tt.in) {
			t.Errorf("NextWorkingDay(%s) shift = %+v, want holiday %q", tt.in, sh, tt.holiday)
		}
	}
}

func TestParseWorkingDate(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC) // Friday
	tests := []struct {
		in, want string
		moved    bool
		err      error
	}{
		{"+1", "2026-12-07", true, nil}, // Saturday 05.12. → Monday
		{"+3", "2026-12-07", false, nil},
		{"05.12.2026", "2026-12-07", true, nil},
		{"+21", "2026-12-28", true, nil}, // Friday 25.12.
		{"gestern", "", false, ErrDateFormat},
		{"01.12.2026", "", false, ErrDatePast},
	}
	for _, tt := range tests {
		got, sh, err := ParseWorkingDate(tt.in, now)
		if got != tt.want || (sh != nil) != tt.moved || err != tt.err {
			t.Errorf("ParseWorkingDate(%q) = %s, %+v, %v; want %s, moved %v, %v", tt.in, got, sh, err, tt.want, tt.moved, tt.err)
		}
	}
}

func TestShiftHint(t *testing.T) {
	tests := []struct {
		in   string
		lang Lang
		want string
	}{
		{"2026-12-05", German, "Samstag, 05.12.2026 ist kein Arbeitstag – verschoben auf Montag, 07.12.2026"},
		{"2026-12-25", German, "Freitag, 25.12.2026 ist ein Feiertag (1. Weihnachtstag) – verschoben auf Montag, 28.12.2026"},
		{"2026-12-05", English, "Saturday, 2026-12-05 is not a working day – moved to Monday, 2026-12-07"},
		{"2026-04-03", English, "Friday, 2026-04-03 is a public holiday (Good Friday) – moved to Tuesday, 2026-04-07"},
	}
	for _, tt := range tests {
		to, sh := NextWorkingDay(tt.in)
		if sh == nil {
			t.Fatalf("%s not moved", tt.in)
		}
		if got := ShiftHint(*sh, to, tt.lang); got != tt.want {
			t.Errorf("ShiftHint(%s, %s) = %q, want %q", tt.in, tt.lang, got, tt.want)
		}
	}
}

// Every holiday of MV has an English name, so the English UI never shows a German one.
func TestHolidayNamesInEnglish(t *testing.T) {
	for y := 2022; y <= 2030; y++ {
		for _, h := range HolidaysMV(y) {
			if en := HolidayName(h.Name, English); en == h.Name || en == "" {
				t.Errorf("%s (%s): no English name", h.Name, h.Date)
			}
			if de := HolidayName(h.Name, German); de != h.Name {
				t.Errorf("%s in German: %q", h.Name, de)
			}
		}
	}
}
