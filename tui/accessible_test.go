package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/tuitest"
)

// newAccessible is a loaded root in the accessible mode at w x h over n fixture cases.
func newAccessible(t *testing.T, n, w, h int) (Model, Deps) {
	t.Helper()
	d := newDeps(t, n)
	d.Config.Accessible = true
	return newRoot(t, d, w, h), d
}

// screen renders m and returns its lines and the cursor (View records it).
func screen(t *testing.T, m Model) ([]string, int, int) {
	t.Helper()
	lines := strings.Split(m.View(), "\n")
	row, col, ok := m.Cursor()
	if !ok {
		t.Fatal("no cursor recorded")
	}
	if row < 0 || row >= len(lines) {
		t.Fatalf("cursor row %d outside the screen of %d lines", row, len(lines))
	}
	return lines, row, col
}

// assertLinear fails on anything that only makes sense visually: box drawing, bars, lines wider
// than the screen, more lines than the screen.
func assertLinear(t *testing.T, lines []string, w, h int) {
	t.Helper()
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "─│┌┐└┘├┤╭╮╰╯━┃┏┓┗┛█▓▌") {
			t.Fatalf("box drawing or bar in the accessible screen: %q", l)
		}
		if common.Width(l) > w {
			t.Fatalf("line wider than %d: %q", w, l)
		}
		if strings.Contains(l, "   ") && strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "  ") {
			t.Fatalf("column alignment in the accessible screen: %q", l)
		}
	}
}

// TestAccessibleGolden pins the accessible screens at 80x24: inbox, case, decision dialog, outbox
// and dashboard, each reached by keys alone. Every screen is linear and its cursor stands on the
// selected row or focused field.
// Update with: go test ./tui -run TestAccessibleGolden -update
func TestAccessibleGolden(t *testing.T) {
	m, d := newAccessible(t, 12, 80, 24)
	m, _ = press(t, m, "5", "j", "j")
	check := func(name, atCursor string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			lines, row, _ := screen(t, m)
			assertLinear(t, lines, 80, 24)
			if !strings.Contains(lines[row], atCursor) {
				t.Fatalf("cursor on line %d %q, want the line with %q:\n%s", row, lines[row], atCursor, strings.Join(lines, "\n"))
			}
			golden.RequireEqual(t, []byte(strings.Join(lines, "\n")))
		})
	}
	cur, _ := m.Inbox().Current()
	check("inbox", cur.Reference+", ")
	m, _ = press(t, m, "enter")
	check("case", "Antragsteller")
	m, _ = press(t, m, "D")
	if m.Overlay() != "dialog" {
		t.Fatalf("D opened no dialog:\n%s", m.View())
	}
	check("decide", "Feld 1 von 4: Ergebnis")
	m, _ = press(t, m, "tab")
	check("decide_reasoning", "Feld 2 von 4: Begründung")
	m = typeText(t, m, "Alle Unterlagen liegen vor.")
	m, _ = press(t, m, "ctrl+s")
	check("decide_confirm", "> ")
	m, _ = press(t, m, "esc", "esc", "esc")
	if m.Overlay() != "" || m.State() != common.ViewCase {
		t.Fatalf("Esc did not return to the case:\n%s", m.View())
	}
	m, _ = press(t, m, "c")
	m = typeText(t, m, "Rückruf am Montag")
	m, _ = press(t, m, "ctrl+s")
	if out, _ := d.Store.Outbox(); len(out) != 1 {
		t.Fatalf("outbox %v", out)
	}
	m, _ = send(t, m, common.StoreChangedMsg{})
	m, _ = press(t, m, "P")
	check("outbox", "wartet, ")
	m, _ = press(t, m, "O")
	check("dashboard", "Übersicht")
}

// TestAccessibleCursorFollowsSelection presses every navigation key of the inbox, the case view's
// attachments, the decision dialog and the outbox, and checks after each that the cursor stands on
// the selected row or focused field.
func TestAccessibleCursorFollowsSelection(t *testing.T) {
	m, _ := newAccessible(t, 40, 80, 24)
	m, _ = press(t, m, "5")
	onSelected := func(key string) {
		t.Helper()
		lines, row, col := screen(t, m)
		cur, ok := m.Inbox().Current()
		if !ok {
			t.Fatal("no selected case")
		}
		if !strings.HasPrefix(lines[row], cur.Reference+", ") || col != 0 {
			t.Fatalf("after %s: cursor %d,%d on %q, selected %s:\n%s", key, row, col, lines[row], cur.Reference, strings.Join(lines, "\n"))
		}
	}
	onSelected("start")
	for _, k := range []string{"j", "j", "down", "k", "up", "pgdown", "pgdown", "j", "pgup", "end", "k", "home", "G", "g", "ctrl+d", "ctrl+u"} {
		m, _ = press(t, m, k)
		onSelected(k)
	}
	// The filter: the cursor stands in the input, after what was typed.
	m, _ = press(t, m, "/")
	m = typeText(t, m, "ge")
	lines, row, col := screen(t, m)
	if !strings.HasPrefix(lines[row], "Filter: ge") || col != len("Filter: ge") {
		t.Fatalf("filter cursor %d,%d on %q", row, col, lines[row])
	}
	m, _ = press(t, m, "esc")

	// The decision dialog: Tab and Shift+Tab move the cursor field by field.
	m, _ = press(t, m, "enter", "D")
	for i, k := range []string{"", "tab", "tab", "tab", "shift+tab"} {
		if k != "" {
			m, _ = press(t, m, k)
		}
		want := []int{1, 2, 3, 4, 3}[i]
		lines, row, _ := screen(t, m)
		if !strings.HasPrefix(lines[row], "Feld "+string(rune('0'+want))+" von 4") {
			t.Fatalf("after %q: cursor on %q, want field %d", k, lines[row], want)
		}
	}
	// In the fee field the cursor follows the typed text.
	m = typeText(t, m, "26")
	lines, row, col = screen(t, m)
	if want := common.Width(lines[row][:strings.Index(lines[row], "26")]) + 2; col != want {
		t.Fatalf("fee cursor at %d, want %d on %q", col, want, lines[row])
	}
	m, _ = press(t, m, "esc", "esc")
	if m.Overlay() != "" {
		t.Fatalf("dialog still open:\n%s", m.View())
	}
	lines, row, _ = screen(t, m)
	if !strings.HasPrefix(lines[row], "Antragsteller") {
		t.Fatalf("case view cursor on %q", lines[row])
	}
}

// TestAccessibleCaseAttachmentCursor moves through a case's attachments; the cursor stands on
// the selected one.
func TestAccessibleCaseAttachmentCursor(t *testing.T) {
	m, _ := newAccessible(t, 12, 80, 24)
	m, _ = press(t, m, "5")
	var c api.Case
	for i := 0; i < 12; i++ {
		id := m.Inbox().CurrentID()
		got, _ := m.ctx.Store.Case(id)
		if len(got.Attachments) >= 2 {
			c = got
			break
		}
		m, _ = press(t, m, "j")
	}
	if len(c.Attachments) < 2 {
		t.Skip("no fixture case with two attachments")
	}
	m, _ = press(t, m, "enter", "tab")
	for i, k := range []string{"", "j", "k"} {
		if k != "" {
			m, _ = press(t, m, k)
		}
		want := []int{0, 1, 0}[i]
		lines, row, _ := screen(t, m)
		if !strings.HasPrefix(lines[row], c.Attachments[want].Name) {
			t.Fatalf("after %q: cursor on %q, want attachment %q:\n%s", k, lines[row], c.Attachments[want].Name, strings.Join(lines, "\n"))
		}
	}
}

// TestAccessibleScreenStill lets 30 s of fake clock pass with nothing happening (the root's
// clock tick, a sync that is running): the accessible screen's bytes do not change. The visual
// screen over the same time does change (its "Sync vor …" moves on), so the test can fail.
func TestAccessibleScreenStill(t *testing.T) {
	for _, accessible := range []bool{true, false} {
		now := tuitest.Now
		d := newDeps(t, 12)
		d.Config.Accessible = accessible
		d.Now = func() time.Time { return now }
		m := newRoot(t, d, 80, 24)
		st := m.ctx.Status
		st.Online, st.LastSync = true, now.Add(-45*time.Second)
		m, _ = send(t, m, common.SyncEventMsg(st))
		before := m.View()
		for i := 0; i < 30; i++ {
			now = now.Add(time.Second)
			next, _ := m.Update(clockMsg{})
			m = next.(Model)
		}
		after := m.View()
		switch {
		case accessible && after != before:
			t.Fatalf("accessible screen changed with nothing happening:\nbefore:\n%s\nafter:\n%s", before, after)
		case !accessible && after == before:
			t.Fatal("the visual screen did not change over 30 s: the test would not notice a clock redraw")
		}
	}
}

// TestAccessibleNotices says changes the clerk did not cause once on the first line, and the
// clerk's next key ends them; toasts (which vanish on a timer) are not used.
func TestAccessibleNotices(t *testing.T) {
	m, d := newAccessible(t, 12, 80, 24)
	st := m.ctx.Status
	st.Online, st.Pending = true, 2
	m, _ = send(t, m, common.SyncEventMsg(st))
	st.Pending = 0
	next, cmd := m.Update(common.SyncEventMsg(st))
	m, _ = drain(t, next.(Model), cmd)
	lines, _, _ := screen(t, m)
	if !strings.HasPrefix(lines[0], "Meldung: 2 Aktionen übertragen.") || len(m.Toasts()) != 0 {
		t.Fatalf("notice line %q, toasts %v", lines[0], m.Toasts())
	}
	// A new case arrives from the server.
	tuitest.Fill(t, d.Store, tuitest.CasesRange(12, 13))
	next, cmd = m.Update(common.StoreChangedMsg{})
	m, _ = drain(t, next.(Model), cmd)
	next, _ = m.Update(tea.Msg(nil))
	m = next.(Model)
	if lines, _, _ = screen(t, m); !strings.Contains(lines[0], "Neuer Vorgang eingegangen.") {
		t.Fatalf("notice line %q", lines[0])
	}
	m, _ = press(t, m, "j")
	if lines, _, _ = screen(t, m); lines[0] != "" {
		t.Fatalf("notice line after a key: %q", lines[0])
	}
}

func TestApplyEnv(t *testing.T) {
	for _, tc := range []struct {
		env               map[string]string
		noColor, accessib bool
	}{
		{map[string]string{}, false, false},
		{map[string]string{"NO_COLOR": "1"}, true, false},
		{map[string]string{"NO_COLOR": "yes please"}, true, false},
		{map[string]string{"ACCESSIBLE": "1"}, false, true},
		{map[string]string{"ACCESSIBLE": "true"}, false, true},
		{map[string]string{"ACCESSIBLE": "0"}, false, false},
		{map[string]string{"ACCESSIBLE": "", "NO_COLOR": ""}, false, false},
	} {
		c := ApplyEnv(Config{}, func(k string) string { return tc.env[k] })
		if c.NoColor != tc.noColor || c.Accessible != tc.accessib {
			t.Errorf("%v: no_color %v accessible %v", tc.env, c.NoColor, c.Accessible)
		}
	}
	// NO_COLOR reaches the theme: no colour at all, textual markers instead.
	d := newDeps(t, 3)
	d.Config = ApplyEnv(d.Config, func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] })
	if m := New(d); !m.ctx.Theme.NoColor || !m.ctx.Theme.Plain {
		t.Fatal("NO_COLOR not honoured by the theme")
	}
}

// TestAccessibleSignIn reads the sign-in dialog linearly: the code on its own line under the
// cursor, its expiry as a time of day, so the screen stays still while the clerk signs in.
func TestAccessibleSignIn(t *testing.T) {
	m, _ := newAccessible(t, 3, 80, 24)
	m.signin = &signinDialog{phase: signinWaiting, prompt: SignInPrompt{URL: "https://idp.example/device", Code: "WDJB-MJHT",
		Expiry: tuitest.Now.Add(10 * time.Minute)}}
	lines, row, _ := screen(t, m)
	if lines[row] != "WDJB-MJHT" {
		t.Fatalf("cursor on %q:\n%s", lines[row], strings.Join(lines, "\n"))
	}
	before := m.View()
	m.ctx.Now = func() time.Time { return tuitest.Now.Add(30 * time.Second) }
	if m.View() != before {
		t.Fatal("the sign-in screen moved with the clock")
	}
}
