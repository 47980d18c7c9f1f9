package toast

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/tuitest"
)

func TestToasts(t *testing.T) {
	m := New(common.NewCtx(nil, tuitest.Me, tuitest.Clock))
	m, cmd := m.Push(common.ToastMsg{Text: "eins"})
	if cmd == nil {
		t.Fatal("no expiry scheduled")
	}
	m = m.WithoutExpiry()
	for _, s := range []string{"zwei", "drei", "eins", "vier\x1b[2J"} {
		m, _ = m.Update(common.ToastMsg{Text: s, Kind: common.ToastError})
	}
	if got := m.Texts(); !slices.Equal(got, []string{"drei", "eins", "vier"}) {
		t.Fatalf("stack %v", got)
	}
	if v := m.View(40); strings.Contains(v, "\x1b") || !strings.Contains(v, "✗ vier") {
		t.Fatalf("view %q", v)
	}
	m, _ = m.Update(ExpireMsg{ID: 1}) // the first "eins" was replaced, its expiry is harmless
	if m.Len() != 3 {
		t.Fatal("stale expiry removed a toast")
	}
	for _, id := range []int{3, 4, 5} {
		m, _ = m.Update(ExpireMsg{ID: id})
	}
	if m.Len() != 0 || m.View(40) != "" {
		t.Fatalf("left %v", m.Texts())
	}
}

// A keyed toast replaces the shown toast with the same key instead of stacking.
func TestKeyedToastReplaces(t *testing.T) {
	m := New(common.NewCtx(nil, tuitest.Me, tuitest.Clock)).WithoutExpiry()
	m, _ = m.Push(common.ToastMsg{Text: "Vorgemerkt"})
	for _, s := range []string{"Sortiert nach Eingang", "Sortiert nach Aktenzeichen", "Sortiert nach Status"} {
		m, _ = m.Push(common.ToastMsg{Text: s, Key: "sort"})
	}
	if got := m.Texts(); !slices.Equal(got, []string{"Vorgemerkt", "Sortiert nach Status"}) {
		t.Fatalf("stack %v", got)
	}
	if b := m.Boxes(60); len(b) != 2 || !strings.Contains(b[1], "Sortiert nach Status") {
		t.Fatalf("boxes %q", b)
	}
}

// At 80 columns the toast showed "✗ Konflikt: ein Kollege hat den Vorgang geändert – sieh…": a
// message a clerk must act on wraps instead, within the width the root gives (72).
func TestToastWrapsAdvice(t *testing.T) {
	i18n.SetLang(i18n.DE)
	m := New(common.NewCtx(nil, tuitest.Me, tuitest.Clock)).WithoutExpiry()
	m, _ = m.Push(common.ToastMsg{Text: i18n.T("toast.newConflict"), Kind: common.ToastError})
	b := m.Boxes(72)
	if len(b) != 1 {
		t.Fatalf("boxes %q", b)
	}
	flat := ""
	for _, l := range strings.Split(b[0], "\n") {
		if w := ansi.StringWidth(l); w > 72 {
			t.Errorf("line %d cells wide: %q", w, l)
		}
		flat += " " + strings.Trim(l, " │╭╮╰╯─")
	}
	if !strings.Contains(strings.Join(strings.Fields(flat), " "), "siehe Ausstehend (P)") || strings.Contains(flat, "…") {
		t.Fatalf("advice cut off:\n%s", b[0])
	}
}
