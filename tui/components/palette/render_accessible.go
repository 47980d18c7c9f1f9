package palette

import (
	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// AccessibleView renders the palette as linear text: what was typed, then one line per matching
// command with its key, the chosen one telling its place ("2 von 5"). The cursor stands on the
// chosen command (Enter runs it), or in the input when nothing matches.
func (m Model) AccessibleView() access.Screen {
	var sc access.Screen
	w := max(20, m.ctx.ScreenWidth)
	in := sc.Add(common.Truncate(i18n.T("palette.title")+" "+i18n.Tf("a11y.palette", m.input.Value()), w))
	sc.Focus(in, min(w-1, common.Width(i18n.T("palette.title")+" "+i18n.Tf("a11y.palette", ""))+m.input.Position()))
	if len(m.matches) == 0 {
		sc.Add(i18n.T("palette.empty"))
		return sc
	}
	for i, x := range m.matches {
		pos := ""
		if i == m.cursor {
			pos = i18n.Tf("a11y.of", i+1, len(m.matches))
		}
		at := sc.Add(common.Truncate(access.Sentence(x.cmd.Title, x.cmd.Keys, pos), w))
		if i == m.cursor {
			sc.Focus(at, 0)
		}
	}
	return sc
}
