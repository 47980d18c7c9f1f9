package casework

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	now := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		future bool
		want   string
		err    error
	}{
		{"2026-02-15", true, "2026-02-15", nil},
		{"15.02.2026", true, "2026-02-15", nil},
		{"5.3.2026", true, "2026-03-05", nil},
		{"05.03.26", true, "2026-03-05", nil},
		{"+7", true, "2026-02-07", nil},
		{"+14", true, "2026-02-14", nil},
		{"+14d", true, "2026-02-14", nil},
		{"+2w", true, "2026-02-14", nil},
		{"+1m", true, "2026-02-28", nil}, // clamped to the end of February
		{"+1M", true, "2026-02-28", nil},
		{"+0", true, "2026-01-31", nil},
		{"heute", true, "2026-01-31", nil},
		{" +7 ", true, "2026-02-07", nil},
		{"", true, "", ErrDateEmpty},
		{"31.02.2026", true, "", ErrDateFormat},
		{"2026-13-01", true, "", ErrDateFormat},
		{"+x", true, "", ErrDateFormat},
		{"+7q", true, "", ErrDateFormat},
		{"morgen", true, "2026-02-01", nil},
		{"Morgen", true, "2026-02-01", nil},
		{"tomorrow", true, "2026-02-01", nil},
		{"today", true, "2026-01-31", nil},
		{"+1j", true, "2027-01-31", nil},
		{"+3t", true, "2026-02-03", nil},
		{"+10y", true, "2036-01-31", nil},
		{"+11y", true, "", ErrDateFormat}, // more than ten years ahead
		{"+3661", true, "", ErrDateFormat},
		{"+", true, "", ErrDateFormat},
		{"+-3", true, "", ErrDateFormat},
		{"+ 3", true, "", ErrDateFormat},
		{"29.02.2028", true, "2028-02-29", nil},
		{"29.02.27", true, "", ErrDateFormat},
		{"1.1.1899", false, "", ErrDateFormat},
		{"01.01.026", true, "", ErrDateFormat},
		{"001.01.2026", true, "", ErrDateFormat},
		{"1.1.+026", true, "", ErrDateFormat},
		{"2026-2-01", true, "", ErrDateFormat},
		{"2026-02-01x", true, "", ErrDateFormat},
		{"gestern", true, "", ErrDateFormat},
		// From the CLI's former table: clerks' forms it reads, and what it refuses.
		{"1.2.2027", true, "2027-02-01", nil},
		{" 05.12.2026 ", true, "2026-12-05", nil},
		{"29.02.2027", true, "", ErrDateFormat},
		{"2027-02-30", true, "", ErrDateFormat},
		{"2027-1-5", true, "", ErrDateFormat},
		{"01.13.2027", true, "", ErrDateFormat},
		{"0.1.2027", true, "", ErrDateFormat},
		{"1.1.0999", true, "", ErrDateFormat},
		{"0000-01-01", false, "", ErrDateFormat},
		{"+٣", true, "", ErrDateFormat},
		{"٣١.٠١.٢٠٢٧", true, "", ErrDateFormat},
		{"1.1.2020", true, "", ErrDatePast},
		{"1.1.2020", false, "2020-01-01", nil},
	}
	for _, tt := range tests {
		parse := ParseDate
		if tt.future {
			parse = ParseFutureDate
		}
		got, err := parse(tt.in, now)
		if err != tt.err || got != tt.want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseFee(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // -1: nil
		err  error
	}{
		{"", -1, nil},
		{"  ", -1, nil},
		{"26,00", 2600, nil},
		{"26", 2600, nil},
		{"26,5", 2650, nil},
		{"26.50", 2650, nil},
		{"26,00 €", 2600, nil},
		{"1.234,56", 123456, nil},
		{"1.234", 123400, nil},
		{"0,99", 99, nil},
		{",99", 99, nil},
		{"26,001", 0, ErrFeeFormat},
		{"abc", 0, ErrFeeFormat},
		{"-5", 0, ErrFeeNegative},
		{"1e5", 0, ErrFeeFormat},
	}
	for _, tt := range tests {
		got, err := ParseFee(tt.in)
		if err != tt.err {
			t.Errorf("ParseFee(%q) err = %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		if tt.want < 0 {
			if got != nil {
				t.Errorf("ParseFee(%q) = %d, want nil", tt.in, *got)
			}
			continue
		}
		if got == nil || *got != tt.want {
			t.Errorf("ParseFee(%q) = %v, want %d", tt.in, got, tt.want)
		}
	}
}

func TestFormatFee(t *testing.T) {
	for in, want := range map[int64]string{0: "0,00 €", 2600: "26,00 €", 5: "0,05 €", 123456: "1.234,56 €", 100000000: "1.000.000,00 €"} {
		if got := FormatFee(in); got != want {
			t.Errorf("FormatFee(%d) = %q, want %q", in, got, want)
		}
	}
}

// TestParseDateCountsFromTheLocalDay: relative dates count from the clerk's calendar day, not
// UTC's (at 00:30 in Germany it is still the previous day in UTC).
func TestParseDateCountsFromTheLocalDay(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2026, 12, 4, 0, 30, 0, 0, berlin) // still 3 December in UTC
	for in, want := range map[string]string{"heute": "2026-12-04", "morgen": "2026-12-05", "+1": "2026-12-05"} {
		if got, err := ParseFutureDate(in, now); err != nil || got != want {
			t.Errorf("ParseFutureDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		in   string
		lang Lang
		want string
	}{
		{"2026-11-24", German, "24.11.2026"},
		{"2026-11-24", English, "2026-11-24"},
		{"", German, ""},
		{"24.11.2026", German, "24.11.2026"},
		{"2026-11-24T10:00", German, "2026-11-24T10:00"},
	}
	for _, tt := range tests {
		if got := FormatDate(tt.in, tt.lang); got != tt.want {
			t.Errorf("FormatDate(%q, %s) = %q, want %q", tt.in, tt.lang, got, tt.want)
		}
	}
}

// TestDatesRoundTrip: every date the reader returns, written in German, reads back to itself.
func TestDatesRoundTrip(t *testing.T) {
	now := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	for _, in := range []string{"heute", "morgen", "+3", "+2w", "+1m", "+1j", "05.03.26", "2027-12-31"} {
		iso, err := ParseDate(in, now)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		back, err := ParseDate(FormatDate(iso, German), now)
		if err != nil || back != iso {
			t.Errorf("%q → %s → %s → %s, %v", in, iso, FormatDate(iso, German), back, err)
		}
	}
}

// FuzzParseDate: a typed date is an error or a real calendar date YYYY-MM-DD that parses back to
// itself.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2027-01-31", "31.01.2027", "1.2.2027", "+7", "+2w", "+0", "31.02.2027", "2027-13-01",
		"+99999", "+3650d", "heute", "morgen", "+1m", "31.01.27", "+-1", "٣١.٠١.٢٠٢٧", "0000-01-01", "29.02.2028", " 2027-01-31 "} {
		f.Add(s)
	}
	today := time.Date(2026, 11, 24, 9, 0, 0, 0, time.Local)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s, today)
		if err != nil {
			return
		}
		tm, perr := time.Parse(time.DateOnly, d)
		if perr != nil || tm.Format(time.DateOnly) != d {
			t.Fatalf("ParseDate(%q) = %q (%v)", s, d, perr)
		}
		if again, err := ParseDate(d, today); err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %q, again %q %v", s, d, again, err)
		}
	})
}
