package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/tui/common"
)

// listenQueue waits for the download queue's next status.
func (m Model) listenQueue() tea.Cmd {
	ch := m.queueCh
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return nil
		}
		return common.QueueEventMsg(queueStatusOf(s))
	}
}

// queueEvent takes a new queue status; a finished download refreshes the views (the case view
// then marks the file as held).
func (m *Model) queueEvent(msg common.QueueEventMsg) tea.Cmd {
	prev := m.ctx.QueueStatus
	m.ctx.QueueStatus = common.QueueStatus(msg)
	cmds := []tea.Cmd{m.listenQueue()}
	if msg.Done > prev.Done {
		cmds = append(cmds, m.broadcast(common.StoreChangedMsg{})...)
	}
	return tea.Batch(cmds...)
}
