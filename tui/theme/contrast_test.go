package theme

import (
	"math"
	"reflect"
	"strconv"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

// The colour maths of WCAG 2.x (relative luminance, contrast ratio) over the xterm 256-colour
// palette the themes are written in, and a simulation of colour vision deficiencies (Machado,
// Oliveira and Fernandes 2009, severity 1.0) for the colour-blind-safe themes.

// backgrounds are the terminal backgrounds the adaptive colours are chosen for: lipgloss picks
// the Light variant on a light terminal and the Dark one on a dark terminal. The test assumes the
// extremes of each (white, black) and the terminal's default text as their opposite; the guide
// (docs/barrierefreiheit.md) tells clerks to set the terminal profile accordingly.
var backgrounds = []struct {
	name   string
	dark   bool
	bg, fg string // xterm indices of the terminal's default background and text
}{{"light", false, "231", "16"}, {"dark", true, "16", "231"}}

// rgb is a colour with channels 0..255.
type rgb struct{ r, g, b float64 }

// xterm returns the RGB value of an xterm 256-colour index from 16 to 255 (0..15 differ between
// terminals, so themes must not use them: the test fails on them).
func xterm(t *testing.T, idx string) rgb {
	t.Helper()
	n, err := strconv.Atoi(idx)
	if err != nil || n < 16 || n > 255 {
		t.Fatalf("colour %q: themes use xterm indices 16..255 (0..15 are set by each terminal)", idx)
	}
	if n >= 232 {
		v := float64(8 + 10*(n-232))
		return rgb{v, v, v}
	}
	n -= 16
	level := func(i int) float64 {
		if i == 0 {
			return 0
		}
		return float64(55 + 40*i)
	}
	return rgb{level(n / 36), level(n / 6 % 6), level(n % 6)}
}

func linear(c float64) float64 {
	c /= 255
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

func unlinear(c float64) float64 {
	c = math.Max(0, math.Min(1, c))
	if c <= 0.0031308 {
		return 255 * c * 12.92
	}
	return 255 * (1.055*math.Pow(c, 1/2.4) - 0.055)
}

// luminance is WCAG's relative luminance.
func luminance(c rgb) float64 {
	return 0.2126*linear(c.r) + 0.7152*linear(c.g) + 0.0722*linear(c.b)
}

// contrast is WCAG's contrast ratio (1..21).
func contrast(a, b rgb) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// resolve picks the variant of c lipgloss shows on a light or dark terminal; ok is false for
// lipgloss.NoColor (the terminal's default).
func resolve(t *testing.T, c lipgloss.TerminalColor, dark bool) (string, bool) {
	t.Helper()
	switch c := c.(type) {
	case nil, lipgloss.NoColor:
		return "", false
	case lipgloss.AdaptiveColor:
		if dark {
			return c.Dark, true
		}
		return c.Light, true
	case lipgloss.Color:
		return string(c), true
	}
	t.Fatalf("unsupported colour type %T", c)
	return "", false
}

// pair is one foreground/background combination a theme puts on screen.
type pair struct {
	style, part string
	fg, bg      string
	text        bool // text (WCAG 1.4.3) rather than a border or separator line (1.4.11)
}

// nonText lists the styles that draw only lines or bars, never words: they need 3:1 (WCAG 1.4.11).
var nonText = map[string]bool{"TabSep": true, "Bar": true, "BarAlt": true}

// pairs lists every foreground/background pair of every lipgloss.Style field of th, found by
// reflection so a style added later is checked too.
func pairs(t *testing.T, th *Theme, dark bool, termBg, termFg string) []pair {
	t.Helper()
	var out []pair
	v := reflect.ValueOf(th).Elem()
	for i := 0; i < v.NumField(); i++ {
		s, ok := v.Field(i).Interface().(lipgloss.Style)
		if !ok {
			continue
		}
		name := v.Type().Field(i).Name
		fg, ok := resolve(t, s.GetForeground(), dark)
		if !ok {
			fg = termFg
		}
		bg, ok := resolve(t, s.GetBackground(), dark)
		if !ok {
			bg = termBg
		}
		if s.GetReverse() {
			fg, bg = bg, fg
		}
		out = append(out, pair{name, "text", fg, bg, !nonText[name]})
		if s.GetBorderTopForeground() != nil {
			if b, ok := resolve(t, s.GetBorderTopForeground(), dark); ok {
				// Borders sit outside the style's background, on the terminal's.
				out = append(out, pair{name, "border", b, termBg, false})
			}
		}
	}
	return out
}

// minText is the contrast each theme's text must reach: WCAG AA (4.5:1) for every theme, AAA
// (7:1) for the high-contrast one. Lines and bars need 3:1 (WCAG 1.4.11), 4.5:1 in high contrast.
func minText(name string) (text, lines float64) {
	if name == HighContrast {
		return 7, 4.5
	}
	return 4.5, 3
}

// TestContrast computes the contrast ratio of every text/background pair of every theme on a light
// and a dark terminal.
func TestContrast(t *testing.T) {
	for _, name := range Names {
		th := Must(name, false)
		for _, b := range backgrounds {
			text, lines := minText(name)
			for _, p := range pairs(t, th, b.dark, b.bg, b.fg) {
				ratio := contrast(xterm(t, p.fg), xterm(t, p.bg))
				want := text
				if !p.text {
					want = lines
				}
				if ratio < want {
					t.Errorf("theme %s on %s terminal: %s %s %s on %s has contrast %.2f:1, want at least %.1f:1",
						name, b.name, p.style, p.part, p.fg, p.bg, ratio, want)
				}
			}
		}
	}
}

// TestContrastMaths checks the maths against WCAG's own reference points.
func TestContrastMaths(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"16", "231", 21},    // black on white
		{"231", "231", 1},    // no contrast
		{"243", "231", 4.54}, // #767676 on white, the classic AA grey
		{"196", "16", 5.25},  // #ff0000 on black
	} {
		if got := contrast(xterm(t, c.a), xterm(t, c.b)); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

// Machado et al. (2009) simulation matrices at severity 1.0, applied to linear RGB.
var deficiencies = map[string][3][3]float64{
	"protanopia": {
		{0.152286, 1.052583, -0.204868},
		{0.114503, 0.786281, 0.099216},
		{-0.003882, -0.048116, 1.051998}},
	"deuteranopia": {
		{0.367322, 0.860646, -0.227968},
		{0.280085, 0.672501, 0.047413},
		{-0.011820, 0.042940, 0.968881}},
	"tritanopia": {
		{1.255528, -0.076749, -0.178779},
		{-0.078411, 0.930809, 0.147602},
		{0.004733, 0.691367, 0.303900}},
}

// simulate shows c as a person with the named deficiency sees it ("" = normal vision).
func simulate(c rgb, kind string) rgb {
	m, ok := deficiencies[kind]
	if !ok {
		return c
	}
	l := [3]float64{linear(c.r), linear(c.g), linear(c.b)}
	var o [3]float64
	for i := range o {
		o[i] = m[i][0]*l[0] + m[i][1]*l[1] + m[i][2]*l[2]
	}
	return rgb{unlinear(o[0]), unlinear(o[1]), unlinear(o[2])}
}

// lab converts sRGB to CIELAB (D65).
func lab(c rgb) (l, a, b float64) {
	r, g, bl := linear(c.r), linear(c.g), linear(c.b)
	x := (0.4124*r + 0.3576*g + 0.1805*bl) / 0.95047
	y := 0.2126*r + 0.7152*g + 0.0722*bl
	z := (0.0193*r + 0.1192*g + 0.9505*bl) / 1.08883
	f := func(v float64) float64 {
		if v > 0.008856 {
			return math.Cbrt(v)
		}
		return 7.787*v + 16.0/116
	}
	fx, fy, fz := f(x), f(y), f(z)
	return 116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)
}

// deltaE is the CIE76 colour difference; about 2.3 is just noticeable, 20 and more reads as
// another colour at a glance.
func deltaE(p, q rgb) float64 {
	l1, a1, b1 := lab(p)
	l2, a2, b2 := lab(q)
	return math.Sqrt((l1-l2)*(l1-l2) + (a1-a2)*(a1-a2) + (b1-b2)*(b1-b2))
}

// minDistinct is the colour difference the state colours of a colour-blind-safe theme keep under
// the deficiency it is made for.
const minDistinct = 20

// safeFor names the deficiencies each colour-blind-safe theme is made for.
var safeFor = map[string][]string{
	RedGreen:   {"", "protanopia", "deuteranopia"},
	BlueYellow: {"", "tritanopia"},
}

// TestColourBlindThemes checks that the colours telling states apart (OK, warning, error, info,
// mark) stay distinct for the deficiencies a theme is made for, on light and dark terminals.
// States never depend on colour alone (see TestStateMarks in the inbox): this is the second line.
func TestColourBlindThemes(t *testing.T) {
	for name, kinds := range safeFor {
		th := Must(name, false)
		p := th.Palette
		roles := []struct {
			name string
			c    lipgloss.TerminalColor
		}{{"OK", p.OK}, {"Warn", p.Warn}, {"Error", p.Error}, {"Info", p.Info}, {"Mark", p.Mark}}
		for _, b := range backgrounds {
			for _, kind := range kinds {
				for i := range roles {
					for j := i + 1; j < len(roles); j++ {
						ci, _ := resolve(t, roles[i].c, b.dark)
						cj, _ := resolve(t, roles[j].c, b.dark)
						d := deltaE(simulate(xterm(t, ci), kind), simulate(xterm(t, cj), kind))
						if d < minDistinct {
							t.Errorf("theme %s on %s terminal, %s: %s (%s) and %s (%s) differ by only ΔE %.1f",
								name, b.name, orNormal(kind), roles[i].name, ci, roles[j].name, cj, d)
						}
					}
				}
			}
		}
	}
	// The test can fail: the default theme's OK green and error red merge for deuteranopia.
	d := Must(Default, false).Palette
	ok, _ := resolve(t, d.OK, false)
	bad, _ := resolve(t, d.Error, false)
	if got := deltaE(simulate(xterm(t, ok), "deuteranopia"), simulate(xterm(t, bad), "deuteranopia")); got >= minDistinct {
		t.Fatalf("simulation too weak: default green %s and red %s still differ by ΔE %.1f for deuteranopia", ok, bad, got)
	}
}

func orNormal(kind string) string {
	if kind == "" {
		return "normal vision"
	}
	return kind
}

// TestSimulationMaths pins the simulation on fixed points: black, white and greys stay as they are.
func TestSimulationMaths(t *testing.T) {
	for kind := range deficiencies {
		for _, c := range []rgb{{0, 0, 0}, {255, 255, 255}, {128, 128, 128}} {
			if d := deltaE(c, simulate(c, kind)); d > 1.5 {
				t.Errorf("%s moves grey %v by ΔE %.2f", kind, c, d)
			}
		}
	}
}
