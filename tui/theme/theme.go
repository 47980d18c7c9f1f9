// Package theme owns the TUI's colours and lipgloss styles: built once per theme (default, high
// contrast, no colour) so views never construct styles while rendering.
package theme

import (
	"fmt"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Names of the built-in themes.
const (
	Default      = "default"
	HighContrast = "high-contrast"
)

// Names lists the built-in themes in palette order.
var Names = []string{Default, HighContrast}

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
		p = Palette{
			Fg: lipgloss.AdaptiveColor{Light: "235", Dark: "252"}, Muted: lipgloss.AdaptiveColor{Light: "243", Dark: "245"},
			Subtle: lipgloss.AdaptiveColor{Light: "250", Dark: "238"}, Accent: lipgloss.AdaptiveColor{Light: "25", Dark: "75"},
			AccentFg: lipgloss.AdaptiveColor{Light: "231", Dark: "16"}, Selection: lipgloss.AdaptiveColor{Light: "153", Dark: "24"},
			SelectionFg: lipgloss.AdaptiveColor{Light: "16", Dark: "231"}, Mark: lipgloss.AdaptiveColor{Light: "130", Dark: "214"},
			OK: lipgloss.AdaptiveColor{Light: "28", Dark: "78"}, Warn: lipgloss.AdaptiveColor{Light: "130", Dark: "220"},
			Error: lipgloss.AdaptiveColor{Light: "160", Dark: "203"}, Info: lipgloss.AdaptiveColor{Light: "25", Dark: "111"},
			Border: lipgloss.AdaptiveColor{Light: "248", Dark: "240"}, BarBg: lipgloss.AdaptiveColor{Light: "254", Dark: "236"},
			BarFg: lipgloss.AdaptiveColor{Light: "235", Dark: "250"},
		}
	case HighContrast:
		p = Palette{
			Fg: lipgloss.AdaptiveColor{Light: "16", Dark: "231"}, Muted: lipgloss.AdaptiveColor{Light: "16", Dark: "231"},
			Subtle: lipgloss.AdaptiveColor{Light: "16", Dark: "231"}, Accent: lipgloss.AdaptiveColor{Light: "19", Dark: "51"},
			AccentFg: lipgloss.AdaptiveColor{Light: "231", Dark: "16"}, Selection: lipgloss.AdaptiveColor{Light: "16", Dark: "231"},
			SelectionFg: lipgloss.AdaptiveColor{Light: "231", Dark: "16"}, Mark: lipgloss.AdaptiveColor{Light: "90", Dark: "226"},
			OK: lipgloss.AdaptiveColor{Light: "22", Dark: "46"}, Warn: lipgloss.AdaptiveColor{Light: "94", Dark: "226"},
			Error: lipgloss.AdaptiveColor{Light: "124", Dark: "196"}, Info: lipgloss.AdaptiveColor{Light: "19", Dark: "51"},
			Border: lipgloss.AdaptiveColor{Light: "16", Dark: "231"}, BarBg: lipgloss.AdaptiveColor{Light: "16", Dark: "231"},
			BarFg: lipgloss.AdaptiveColor{Light: "231", Dark: "16"},
		}
	default:
		return nil, fmt.Errorf("theme: unknown theme %q (known: %s, %s)", name, Default, HighContrast)
	}
	if noColor {
		n := lipgloss.NoColor{}
		p = Palette{Fg: n, Muted: n, Subtle: n, Accent: n, AccentFg: n, Selection: n, SelectionFg: n, Mark: n,
			OK: n, Warn: n, Error: n, Info: n, Border: n, BarBg: n, BarFg: n}
	}
	return build(name, noColor, p), nil
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
