package caseview

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// Search within the case (/) and checking Nachweise (p): issue 15 items 8 and 10.

// hit is one line of a tab that contains the search text.
type hit struct {
	tab  Tab
	line int
}

// search is the state of the in-case search.
type search struct {
	open  bool
	input textinput.Model
	query string // the text the hits were found for
	hits  []hit
	cur   int  // index into hits of the shown one, -1 before the first Enter
	none  bool // the last search found nothing
}

func newSearchInput() textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = 200
	return in
}

// searchKey handles a key while the search prompt is open: Enter goes to the next hit (wrapping
// round, across the tabs), Esc closes the prompt and keeps the position.
func (m Model) searchKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Dialog.Cancel), key.Matches(msg, k.Global.Back):
		m.search.open = false
		m.search.input.Blur()
		return m, nil
	case key.Matches(msg, k.Dialog.Confirm):
		q := strings.ToLower(strings.TrimSpace(m.search.input.Value()))
		if q == "" {
			return m, nil
		}
		if q != m.search.query {
			m.search.query, m.search.hits, m.search.cur = q, m.findHits(q), -1
		}
		m.search.none = len(m.search.hits) == 0
		if m.search.none {
			return m, nil
		}
		m.search.cur = (m.search.cur + 1) % len(m.search.hits)
		h := m.search.hits[m.search.cur]
		m.setTab(h.tab)
		m.vp.SetYOffset(max(h.line-1, 0))
		return m, nil
	}
	var cmd tea.Cmd
	m.search.input, cmd = m.search.input.Update(msg)
	return m, cmd
}

// findHits lists the lines of every tab that contain q (lower case), from the current tab on.
func (m Model) findHits(q string) []hit {
	var out []hit
	for i := Tab(0); i < numTabs; i++ {
		t := (m.tab + i) % numTabs
		for n, l := range strings.Split(m.bodies[t], "\n") {
			if strings.Contains(strings.ToLower(ansi.Strip(l)), q) {
				out = append(out, hit{tab: t, line: n})
			}
		}
	}
	return out
}

// searchFooter is the footer while the prompt is open.
func (m Model) searchFooter() string {
	th := m.ctx.Theme
	s := th.Prompt.Render(i18n.T("case.search.prompt")+" ") + m.search.input.View()
	switch {
	case m.search.none:
		s += "  " + th.Error.Render(i18n.T("case.search.none"))
	case m.search.cur >= 0 && len(m.search.hits) > 0:
		s += "  " + th.Muted.Render(i18n.Tf("case.search.hit", m.search.cur+1, len(m.search.hits)))
	}
	return common.Truncate(s, m.w)
}

// evidenceKey handles the Nachweise tab: up/down choose among several records, the check key
// queues evidence_checked for the chosen one. ok is false for keys it does not handle.
func (m Model) evidenceKey(msg tea.KeyMsg) (Model, tea.Cmd, bool) {
	k := m.ctx.Keys
	ev := m.c.Evidence
	switch {
	case len(ev) > 1 && key.Matches(msg, k.List.Up):
		if m.evCursor > 0 {
			m.evCursor--
			m.refreshEvidence()
		}
		return m, nil, true
	case len(ev) > 1 && key.Matches(msg, k.List.Down):
		if m.evCursor < len(ev)-1 {
			m.evCursor++
			m.refreshEvidence()
		}
		return m, nil, true
	case key.Matches(msg, k.Case.CheckEvidence):
		if m.evCursor >= len(ev) {
			return m, nil, true
		}
		e := ev[m.evCursor]
		if err := casework.EvidenceCheckAllowed(*m.c, e.ID); err != nil {
			m.notice, m.noticeOK = i18n.T("case.ev.nothingToCheck"), false
			return m, nil, true
		}
		a, err := common.NewAction(api.ActionEvidenceChecked, m.id, m.c.Version, e.ID, api.EvidenceCheckRequest{})
		if err != nil {
			return m, nil, true
		}
		a.Actor = m.ctx.Me.Clerk
		return m, common.Enqueue(m.ctx, a), true
	}
	return m, nil, false
}

// canCheckEvidence reports whether the check key applies to the chosen record now.
func (m Model) canCheckEvidence() bool {
	if m.c == nil || m.tab != TabEvidence || m.evCursor >= len(m.c.Evidence) || !m.ctx.Keys.Case.CheckEvidence.Enabled() {
		return false
	}
	return casework.EvidenceCheckAllowed(*m.c, m.c.Evidence[m.evCursor].ID) == nil
}

func (m *Model) refreshEvidence() {
	m.bodies[TabEvidence] = m.renderEvidence()
	if m.tab == TabEvidence {
		m.vp.SetContent(m.bodies[TabEvidence])
		if l := m.evLine[min(m.evCursor, len(m.evLine)-1)]; l < m.vp.YOffset || l >= m.vp.YOffset+m.vp.Height {
			m.vp.SetYOffset(l)
		}
	}
}
