package help

import (
	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// AccessibleView renders the help as linear text: a title, then per group its name and one line
// per key ("D: entscheiden"), from the live keymap like the visual help. The cursor stands on the
// first line shown; arrow keys scroll.
func (m Model) AccessibleView() access.Screen {
	var sc access.Screen
	w := max(20, m.ctx.ScreenWidth)
	sc.AddWrapped(i18n.T("a11y.help.title"), w)
	sc.AddWrapped(i18n.T("a11y.help.layout"), w)
	for _, g := range append(m.of.HelpGroups(), m.below()...) {
		sc.Add(common.Truncate(g.Title, w))
		for _, b := range g.Bindings {
			sc.AddWrapped(access.Field(b.Help().Key, b.Help().Desc), w)
		}
	}
	row := min(m.scroll, len(sc.Lines)-1)
	sc.Lines = sc.Lines[row:]
	return sc
}
