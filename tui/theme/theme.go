// Package theme owns the TUI's colours and lipgloss styles: built once per theme (default, high
// contrast, red-green and blue-yellow safe, no colour) so views never construct styles while rendering.
package theme

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Names of the built-in themes.
const (
	Default = "default"
	// HighContrast keeps every text/background pair at WCAG AAA (7:1) on a black or white terminal.
	HighContrast = "high-contrast"
	// RedGreen is safe for protanopia and deuteranopia: states are told apart by blue, orange
	// and lightness, never by red against green.
	RedGreen = "red-green"
	// BlueYellow is safe for tritanopia: states are told apart by red, teal and lightness, never
	// by blue against green or yellow against pink.
	BlueYellow = "blue-yellow"
)

// Names lists the built-in themes in palette order.
var Names = []string{Default, HighContrast, RedGreen, BlueYellow}

// Palette holds a theme's colours, for components that derive their own styles once at construction.
// With NoColor every colour is lipgloss.NoColor{}.
type Palette struct {
	Fg, Muted, Subtle, Accent, AccentFg, Selection, SelectionFg, Mark lipgloss.TerminalColor
	OK, Warn, Error, Info                                             lipgloss.TerminalColor
	Border, BarBg, BarFg                                              lipgloss.TerminalColor
}

// Theme is a named set of styles. Treat it as read-only once built.
type Theme struct {
	Name    string
	NoColor bool
	// Plain is true when no styling reaches the terminal (NO_COLOR or an Ascii colour profile):
	// views then add textual markers (cursor "›", active tab in brackets) instead of relying on
	// reverse video or colour.
	Plain   bool
	Palette Palette

	// General text.
	Text, Muted, Bold, Accent, Error, Warn, OK, Title lipgloss.Style
	// Tabs (saved views, case tabs).
	Tab, TabActive, TabSep lipgloss.Style
	// Tables and lists.
	Header, Row, RowCursor, RowMarked, RowCursorMarked lipgloss.Style
	Overdue, DueSoon, Pending, Conflict, Rejected      lipgloss.Style
	// Boxes: panes, preview, dialogs, help and palette overlays.
	Pane, PaneFocused, Dialog, DialogTitle lipgloss.Style
	Label, Value                           lipgloss.Style
	// Filter / text input prompt.
	Prompt, Input, Placeholder lipgloss.Style
	// Status bar segments.
	StatusBar, StatusOnline, StatusOffline, StatusSyncing, StatusPending, StatusConflict, StatusClerk, StatusDemo lipgloss.Style
	// Toasts.
	ToastInfo, ToastSuccess, ToastWarn, ToastError lipgloss.Style
	// Help overlay.
	HelpKey, HelpDesc, HelpGroup lipgloss.Style
	// Palette matches.
	MatchChar lipgloss.Style
	// Charts.
	Bar, BarAlt lipgloss.Style
}

// New builds the named theme; noColor (NO_COLOR set) drops every colour and keeps only bold,
// underline and reverse, so state is still visible.
func New(name string, noColor bool) (*Theme, error) {
	var p Palette
	switch name {
	case "", Default:
		name = Default
		p = base()
	case HighContrast:
		// After the Modus themes (k9s's Modus skins): black on white or white on black, every
		// state colour at 7:1 or more.
		p = Palette{
			Fg: ac("16", "231"), Muted: ac("16", "231"), Subtle: ac("16", "231"), Accent: ac("19", "51"),
			AccentFg: ac("231", "16"), Selection: ac("16", "231"), SelectionFg: ac("231", "16"), Mark: ac("90", "226"),
			OK: ac("22", "46"), Warn: ac("52", "226"), Error: ac("124", "203"), Info: ac("19", "51"),
			Border: ac("16", "231"), BarBg: ac("16", "231"), BarFg: ac("231", "16"),
		}
	case RedGreen:
		// Blue for good, yellow-brown for soon, dark red or orange for bad, teal for info, violet
		// or pink for marks: apart in lightness and on the blue-yellow axis, which protanopes and
		// deuteranopes keep (checked by simulation in TestColourBlindThemes).
		p = base()
		p.Accent, p.Info = ac("25", "39"), ac("23", "36")
		p.OK, p.Warn, p.Error, p.Mark = ac("25", "39"), ac("94", "220"), ac("52", "215"), ac("93", "225")
	case BlueYellow:
		// Green, violet, red, blue and brown or pale yellow: apart on the red-green axis and in
		// lightness, which tritanopes keep.
		p = base()
		p.Accent, p.Info = ac("26", "110"), ac("26", "110")
		p.OK, p.Warn, p.Error, p.Mark = ac("22", "46"), ac("128", "177"), ac("160", "209"), ac("94", "229")
	default:
		return nil, fmt.Errorf("theme: unknown theme %q (known: %s)", name, strings.Join(Names, ", "))
	}
	if noColor {
		n := lipgloss.NoColor{}
		p = Palette{Fg: n, Muted: n, Subtle: n, Accent: n, AccentFg: n, Selection: n, SelectionFg: n, Mark: n,
			OK: n, Warn: n, Error: n, Info: n, Border: n, BarBg: n, BarFg: n}
	}
	return build(name, noColor, p), nil
}

// ac is an adaptive colour: the light terminal's xterm index, then the dark one's.
func ac(light, dark string) lipgloss.AdaptiveColor {
	return lipgloss.AdaptiveColor{Light: light, Dark: dark}
}

// base is the default palette, which the colour-blind-safe themes start from. Every pair meets
// WCAG AA (4.5:1 for text, 3:1 for lines) on a white or black terminal (TestContrast).
func base() Palette {
	return Palette{
		Fg: ac("235", "252"), Muted: ac("243", "245"), Subtle: ac("245", "242"), Accent: ac("25", "75"),
		AccentFg: ac("231", "16"), Selection: ac("195", "24"), SelectionFg: ac("16", "231"), Mark: ac("94", "220"),
		OK: ac("22", "78"), Warn: ac("94", "220"), Error: ac("124", "210"), Info: ac("25", "111"),
		Border: ac("245", "242"), BarBg: ac("255", "236"), BarFg: ac("235", "250"),
	}
}

// Must is New for known names; it panics on an unknown one.
func Must(name string, noColor bool) *Theme {
	t, err := New(name, noColor)
	if err != nil {
		panic(err)
	}
	return t
}

func build(name string, noColor bool, p Palette) *Theme {
	s := lipgloss.NewStyle
	hc := name == HighContrast
	t := &Theme{Name: name, NoColor: noColor, Palette: p,
		Plain: noColor || lipgloss.ColorProfile() == termenv.Ascii}
	t.Text = s().Foreground(p.Fg)
	t.Muted = s().Foreground(p.Muted)
	if noColor {
		t.Muted = s().Faint(true)
	}
	t.Bold = s().Bold(true)
	t.Accent = s().Foreground(p.Accent).Bold(true)
	t.Error = s().Foreground(p.Error).Bold(true)
	t.Warn = s().Foreground(p.Warn).Bold(true)
	t.OK = s().Foreground(p.OK)
	t.Title = s().Foreground(p.Accent).Bold(true)

	t.Tab = s().Foreground(p.Muted).Padding(0, 1)
	t.TabActive = s().Foreground(p.AccentFg).Background(p.Accent).Bold(true).Padding(0, 1)
	if noColor || hc {
		t.TabActive = t.TabActive.Reverse(noColor).Underline(true)
	}
	t.TabSep = s().Foreground(p.Subtle)

	t.Header = s().Foreground(p.Muted).Bold(true)
	t.Row = s().Foreground(p.Fg)
	t.RowCursor = s().Foreground(p.SelectionFg).Background(p.Selection).Bold(true)
	if noColor {
		t.RowCursor = s().Reverse(true)
	}
	t.RowMarked = s().Foreground(p.Mark).Bold(true)
	t.RowCursorMarked = t.RowCursor.Foreground(p.Mark)
	if hc {
		// No state colour reaches 7:1 on the inverted selection: underline instead.
		t.RowCursorMarked = t.RowCursor.Underline(true)
	}
	if noColor {
		t.RowCursorMarked = s().Reverse(true).Bold(true)
	}
	t.Overdue = s().Foreground(p.Error).Bold(true)
	t.DueSoon = s().Foreground(p.Warn)
	t.Pending = s().Foreground(p.Info)
	t.Conflict = s().Foreground(p.Error).Bold(true)
	t.Rejected = s().Foreground(p.Error)

	border := lipgloss.RoundedBorder()
	if hc {
		border = lipgloss.ThickBorder()
	}
	t.Pane = s().Border(lipgloss.NormalBorder()).BorderForeground(p.Border).Padding(0, 1)
	t.PaneFocused = t.Pane.BorderForeground(p.Accent)
	t.Dialog = s().Border(border).BorderForeground(p.Accent).Padding(0, 1)
	t.DialogTitle = s().Foreground(p.Accent).Bold(true)
	t.Label = s().Foreground(p.Muted)
	t.Value = s().Foreground(p.Fg)

	t.Prompt = s().Foreground(p.Accent).Bold(true)
	t.Input = s().Foreground(p.Fg)
	t.Placeholder = s().Foreground(p.Muted)
	if noColor {
		t.Placeholder = s().Faint(true)
	}

	t.StatusBar = s().Foreground(p.BarFg).Background(p.BarBg)
	if noColor {
		t.StatusBar = s().Reverse(true)
	}
	seg := t.StatusBar.Padding(0, 1)
	t.StatusOnline = seg.Foreground(p.OK).Bold(true)
	t.StatusOffline = seg.Foreground(p.Error).Bold(true)
	t.StatusSyncing = seg.Foreground(p.Info)
	t.StatusPending = seg.Foreground(p.Warn).Bold(true)
	t.StatusConflict = seg.Foreground(p.Error).Bold(true)
	t.StatusClerk = seg
	t.StatusDemo = seg.Foreground(p.Mark).Bold(true)
	if hc {
		// The inverted bar keeps its own two colours; the segments' words carry the state.
		for _, st := range []*lipgloss.Style{&t.StatusOnline, &t.StatusOffline, &t.StatusSyncing, &t.StatusPending, &t.StatusConflict, &t.StatusDemo} {
			*st = seg.Bold(true)
		}
	}

	toast := s().Padding(0, 1).Border(border)
	t.ToastInfo = toast.BorderForeground(p.Info)
	t.ToastSuccess = toast.BorderForeground(p.OK)
	t.ToastWarn = toast.BorderForeground(p.Warn)
	t.ToastError = toast.BorderForeground(p.Error).Bold(true)

	t.HelpKey = s().Foreground(p.Accent).Bold(true)
	t.HelpDesc = s().Foreground(p.Fg)
	t.HelpGroup = s().Foreground(p.Mark).Bold(true).Underline(true)
	t.MatchChar = s().Foreground(p.Mark).Underline(true)
	t.Bar = s().Foreground(p.Accent)
	t.BarAlt = s().Foreground(p.Mark)
	return t
}
