package tui

import (
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/tuitest"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
}

// newDeps returns Deps over a real store holding n fixture cases (plus extra).
func newDeps(t testing.TB, n int, extra ...api.Case) Deps {
	t.Helper()
	st := tuitest.OpenStore(t, append(tuitest.Cases(n), extra...)...)
	return Deps{Store: st, Me: tuitest.Me, Clerks: tuitest.Clerks, Now: tuitest.Clock}
}

// newRoot builds a root model sized w x h and fully loaded. Store and syncer listeners are off
// and toasts never expire on their own, so every command the root returns completes at once.
func newRoot(t testing.TB, d Deps, w, h int) Model {
	t.Helper()
	m := New(d)
	t.Cleanup(func() { m.Close(); i18n.SetLang(i18n.DE) })
	m.storeCh, m.syncCh = nil, nil
	if d.Store != nil {
		ch, unsub := d.Store.Subscribe()
		storeNotes.Store(m.ctx, ch)
		t.Cleanup(func() { storeNotes.Delete(m.ctx); unsub() })
	}
	m.toasts = m.toasts.WithoutExpiry()
	m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	m, _ = m.update(tea.WindowSizeMsg{Width: w, Height: h})
	m, _ = drain(t, m, m.Init())
	return m
}

// storeNotes holds each test root's own subscription to its store (by context): drain delivers
// the store's change notifications as the running program's listener does (one StoreChangedMsg
// per coalesced notification), without a command that blocks.
var storeNotes sync.Map // *common.Ctx → <-chan struct{}

// storeChanged returns a command reporting a pending store notification of m, or nil.
func storeChanged(m Model) tea.Cmd {
	ch, ok := storeNotes.Load(m.ctx)
	if !ok {
		return nil
	}
	select {
	case <-ch.(<-chan struct{}):
		return func() tea.Msg { return common.StoreChangedMsg{} }
	default:
		return nil
	}
}

// drain runs cmd and everything it leads to, feeding messages back into the root, and delivers
// the store's change notifications once the commands are done. Quit is recorded, spinner ticks
// are dropped (they would re-arm a timer).
func drain(t testing.TB, m Model, cmd tea.Cmd) (Model, []tea.Msg) {
	t.Helper()
	var seen []tea.Msg
	queue := []tea.Cmd{cmd}
	for steps := 0; ; steps++ {
		if len(queue) == 0 {
			if c := storeChanged(m); c != nil {
				queue = append(queue, c)
			} else {
				break
			}
		}
		if steps > 10000 {
			t.Fatal("command loop")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case tea.QuitMsg, spinner.TickMsg:
			seen = append(seen, msg)
			continue
		}
		seen = append(seen, msg)
		var next tea.Cmd
		m, next = m.update(msg)
		queue = append(queue, next)
	}
	return m, seen
}

func send(t testing.TB, m Model, msg tea.Msg) (Model, []tea.Msg) {
	t.Helper()
	m, cmd := m.update(msg)
	return drain(t, m, cmd)
}

var keyMsg = tuitest.Key

func press(t testing.TB, m Model, keys ...string) (Model, []tea.Msg) {
	t.Helper()
	var all []tea.Msg
	for _, k := range keys {
		var seen []tea.Msg
		m, seen = send(t, m, keyMsg(k))
		all = append(all, seen...)
	}
	return m, all
}

func typeText(t testing.TB, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

func quit(msgs []tea.Msg) bool {
	for _, m := range msgs {
		if _, ok := m.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
}

// enqueue puts an action for case id into the store directly.
func enqueue(t testing.TB, st *store.Store, id string, kind api.ActionKind, body any) store.Action {
	t.Helper()
	c, err := st.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	a, err := common.NewAction(kind, id, c.Version, "", body)
	if err != nil {
		t.Fatal(err)
	}
	a, err = st.Enqueue(a)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
