package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// stepCase opens the next (d = 1) or previous (d = -1) case of the inbox's list from the case
// view, without going back; Esc still returns to where the first case was opened from. At either
// end of the list, or for a case the list does not show, the clerk is told and stays.
func (m Model) stepCase(d int) (Model, tea.Cmd) {
	if m.caseView == nil {
		return m, nil
	}
	cur, ok := m.caseView.(interface{ ID() string })
	if !ok {
		return m, nil
	}
	next, inList := m.inbox.StepFrom(cur.ID(), d)
	switch {
	case !inList:
		return m, common.Toast(common.ToastInfo, i18n.T("case.nav.notInList"))
	case next == "" && d > 0:
		return m, common.Toast(common.ToastInfo, i18n.T("case.nav.last"))
	case next == "":
		return m, common.Toast(common.ToastInfo, i18n.T("case.nav.first"))
	}
	return m, m.openCase(next)
}

// ID is the shown case's id.
func (c *caseChild) ID() string { return c.m.ID() }
