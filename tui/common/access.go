package common

import (
	"strings"

	"github.com/amt-mv/amt/tui/i18n"
)

// Accessible reports whether the accessible mode is on: views then render linear text screens
// (their AccessibleView) instead of their visual layout.
func (c *Ctx) Accessible() bool { return c.Config.Accessible }

// SpokenHints reads a hint line (see Hint) as one sentence for the accessible mode:
// "Tasten: c Notiz, a zuweisen, Esc zurück".
func SpokenHints(hints ...string) string {
	if len(hints) == 0 {
		return ""
	}
	return i18n.T("a11y.keys") + " " + strings.Join(hints, ", ")
}
