package inbox

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/keys"
	"github.com/amt-mv/amt/tui/theme"
	"github.com/amt-mv/amt/tui/tuitest"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
}

// newCtx builds a context over st (may be nil) at w x h.
func newCtx(st common.Store, w, h int) *common.Ctx {
	i18n.SetLang(i18n.DE)
	c := common.NewCtx(st, tuitest.Me, tuitest.Clock)
	c.Theme = theme.Must(theme.Default, false)
	c.Keys = keys.Default()
	c.Clerks = tuitest.Clerks
	c.ScreenWidth, c.ScreenHeight = w, h+1
	c.Width, c.Height = w, h
	return c
}

// effects collects what the inbox asked of the root while draining.
type effects struct {
	toasts  []common.ToastMsg
	opened  []string
	dialogs []common.OpenDialogMsg
	msgs    []tea.Msg
}

// drain runs cmd and every command it leads to, feeding inbox messages back into m. The inbox's
// commands never block (no timers, no channels), so this is deterministic.
func drain(t testing.TB, m Model, cmd tea.Cmd) (Model, *effects) {
	t.Helper()
	fx := &effects{}
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case common.ToastMsg:
			fx.toasts = append(fx.toasts, msg)
		case common.OpenCaseMsg:
			fx.opened = append(fx.opened, msg.ID)
		case common.OpenDialogMsg:
			fx.dialogs = append(fx.dialogs, msg)
		case firstPageMsg, loadedMsg, filterMsg, detailMsg:
			var next tea.Cmd
			m, next = m.Update(msg)
			queue = append(queue, next)
		default:
			fx.msgs = append(fx.msgs, msg)
		}
	}
	return m, fx
}

// send delivers msg and drains the result.
func send(t testing.TB, m Model, msg tea.Msg) (Model, *effects) {
	t.Helper()
	m, cmd := m.Update(msg)
	return drain(t, m, cmd)
}

var keyMsg = tuitest.Key

// press sends keys one by one, draining after each.
func press(t testing.TB, m Model, ks ...string) Model {
	t.Helper()
	for _, k := range ks {
		m, _ = send(t, m, keyMsg(k))
	}
	return m
}

// typeText types s into a focused input rune by rune.
func typeText(t testing.TB, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

// loaded returns an inbox over a real store holding n fixture cases, fully loaded.
func loaded(t testing.TB, n, w, h int, extra ...api.Case) Model {
	t.Helper()
	st := tuitest.OpenStore(t, append(tuitest.Cases(n), extra...)...)
	m := New(newCtx(st, w, h))
	m, _ = drain(t, m, m.Init())
	if !m.Loaded() {
		t.Fatal("inbox not loaded")
	}
	return m
}
