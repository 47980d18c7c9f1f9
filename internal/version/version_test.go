package version

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		version, commit, date string
		want, notWant         string
	}{
		{"1.2.0", "0123456789abcdef0123", "2026-11-24T10:00:00Z", "amt 1.2.0 (commit 0123456789ab, 2026-11-24T10:00:00Z, ", ""},
		{"0.0.1-snapshot", "none", "0001-01-01T00:00:00Z", "amt 0.0.1-snapshot (commit ", "0001-01-01"},
	}
	for _, tt := range tests {
		Version, Commit, Date = tt.version, tt.commit, tt.date
		got := String("amt")
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("String = %q, want prefix %q", got, tt.want)
		}
		if tt.notWant != "" && strings.Contains(got, tt.notWant) {
			t.Errorf("String = %q shows the placeholder %q", got, tt.notWant)
		}
	}
	Version, Commit, Date = "dev", "", ""
}
