package actions

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
		{"", true, "", errDateEmpty},
		{"31.02.2026", true, "", errDateFormat},
		{"2026-13-01", true, "", errDateFormat},
		{"+x", true, "", errDateFormat},
		{"+7q", true, "", errDateFormat},
		{"morgen", true, "", errDateFormat},
		{"1.1.2020", true, "", errDatePast},
		{"1.1.2020", false, "2020-01-01", nil},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, now, tt.future)
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
		{"26,001", 0, errFeeFormat},
		{"abc", 0, errFeeFormat},
		{"-5", 0, errFeeNegative},
		{"1e5", 0, errFeeFormat},
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
