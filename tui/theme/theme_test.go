package theme

import (
	"testing"

	"github.com/charmbracelet/lipgloss"
)

func TestThemes(t *testing.T) {
	for _, name := range append([]string{""}, Names...) {
		for _, noColor := range []bool{false, true} {
			th, err := New(name, noColor)
			if err != nil {
				t.Fatalf("%q: %v", name, err)
			}
			if noColor {
				if _, ok := th.Palette.Accent.(lipgloss.NoColor); !ok || !th.Plain {
					t.Fatalf("%q: NO_COLOR keeps colours", name)
				}
			}
		}
	}
	if _, err := New("neon", false); err == nil {
		t.Fatal("unknown theme accepted")
	}
}
