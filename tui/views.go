package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/caseview"
	"github.com/amt-mv/amt/tui/components/dashboard"
	"github.com/amt-mv/amt/tui/components/pending"
	"github.com/amt-mv/amt/tui/components/printqueue"
	"github.com/amt-mv/amt/tui/keys"
)

// The views' models are values whose Update returns their own type; these adapters give them the
// root's child shape and pass CapturingInput through.

type caseChild struct{ m caseview.Model }

func newCaseView(ctx *common.Ctx, id string) child { return &caseChild{caseview.New(ctx, id)} }

func (c *caseChild) HelpGroups() []keys.Group  { return c.m.HelpGroups() }
func (c *caseChild) ShortHelp() []key.Binding  { return c.m.ShortHelp() }
func (c *caseChild) FullHelp() [][]key.Binding { return c.m.FullHelp() }
func (c *caseChild) Init() tea.Cmd             { return c.m.Init() }
func (c *caseChild) View() string              { return c.m.View() }
func (c *caseChild) SetSize(w, h int)          { c.m.SetSize(w, h) }
func (c *caseChild) CapturingInput() bool      { return c.m.CapturingInput() }
func (c *caseChild) Busy() bool                { return c.m.Busy() }
func (c *caseChild) Close()                    { c.m.Close() }
func (c *caseChild) Update(msg tea.Msg) (child, tea.Cmd) {
	var cmd tea.Cmd
	c.m, cmd = c.m.Update(msg)
	return c, cmd
}

type pendingChild struct{ m pending.Model }

func newPending(ctx *common.Ctx) child { return &pendingChild{pending.New(ctx)} }

func (c *pendingChild) HelpGroups() []keys.Group  { return c.m.HelpGroups() }
func (c *pendingChild) ShortHelp() []key.Binding  { return c.m.ShortHelp() }
func (c *pendingChild) FullHelp() [][]key.Binding { return c.m.FullHelp() }
func (c *pendingChild) Init() tea.Cmd             { return c.m.Init() }
func (c *pendingChild) View() string              { return c.m.View() }
func (c *pendingChild) SetSize(w, h int)          { c.m.SetSize(w, h) }
func (c *pendingChild) CapturingInput() bool      { return c.m.CapturingInput() }
func (c *pendingChild) Update(msg tea.Msg) (child, tea.Cmd) {
	var cmd tea.Cmd
	c.m, cmd = c.m.Update(msg)
	return c, cmd
}

type dashboardChild struct{ m dashboard.Model }

func newDashboard(ctx *common.Ctx) child { return &dashboardChild{dashboard.New(ctx)} }

func (c *dashboardChild) HelpGroups() []keys.Group  { return c.m.HelpGroups() }
func (c *dashboardChild) ShortHelp() []key.Binding  { return c.m.ShortHelp() }
func (c *dashboardChild) FullHelp() [][]key.Binding { return c.m.FullHelp() }
func (c *dashboardChild) Init() tea.Cmd             { return c.m.Init() }
func (c *dashboardChild) View() string              { return c.m.View() }
func (c *dashboardChild) SetSize(w, h int)          { c.m.SetSize(w, h) }
func (c *dashboardChild) Update(msg tea.Msg) (child, tea.Cmd) {
	var cmd tea.Cmd
	c.m, cmd = c.m.Update(msg)
	return c, cmd
}

type printQueueChild struct{ m printqueue.Model }

func newPrintQueue(ctx *common.Ctx) child { return &printQueueChild{printqueue.New(ctx)} }

func (c *printQueueChild) HelpGroups() []keys.Group  { return c.m.HelpGroups() }
func (c *printQueueChild) ShortHelp() []key.Binding  { return c.m.ShortHelp() }
func (c *printQueueChild) FullHelp() [][]key.Binding { return c.m.FullHelp() }
func (c *printQueueChild) Init() tea.Cmd             { return c.m.Init() }
func (c *printQueueChild) View() string              { return c.m.View() }
func (c *printQueueChild) SetSize(w, h int)          { c.m.SetSize(w, h) }
func (c *printQueueChild) Update(msg tea.Msg) (child, tea.Cmd) {
	var cmd tea.Cmd
	c.m, cmd = c.m.Update(msg)
	return c, cmd
}
