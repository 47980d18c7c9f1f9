package tui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/caseview"
	"github.com/amt-mv/amt/tui/components/help"
	"github.com/amt-mv/amt/tui/components/palette"
)

// The `:` palette offers the open case's actions ("entsch" → Entscheiden) and runs them like
// their keys; in the inbox they act on the case under the cursor.
func TestPaletteCaseActions(t *testing.T) {
	d := newDeps(t, 12)
	m := newRoot(t, d, 80, 24)
	m, _ = press(t, m, "5")
	id := m.Inbox().CurrentID()
	m, _ = press(t, m, "enter")
	if m.State() != common.ViewCase {
		t.Fatal("case view not open")
	}
	tests := []struct {
		typed, first string
		kind         common.DialogKind
	}{
		{"entsch", "case decide", common.DialogDecide},
		{"notiz", "case comment", common.DialogComment},
		{"wiederv", "case resubmission", common.DialogResubmission},
		{"nachford", "case document request", common.DialogDocumentRequest},
	}
	for _, tc := range tests {
		p, _ := press(t, m, ":")
		p = typeText(t, p, tc.typed)
		got := p.palette.Matches()
		if len(got) == 0 || got[0].ID != tc.first {
			t.Fatalf("%q: first of %v, want %q", tc.typed, ids(got), tc.first)
		}
		p, _ = press(t, p, "enter")
		if p.Overlay() != "dialog" || p.dialog.Kind() != tc.kind || p.dialog.CaseIDs()[0] != id {
			t.Fatalf("%q: overlay %q, view:\n%s", tc.typed, p.Overlay(), p.View())
		}
	}
	// From the inbox, the same command acts on the case under the cursor.
	in, _ := press(t, m, "esc")
	in, _ = press(t, in, ":")
	in = typeText(t, in, "entsch")
	in, _ = press(t, in, "enter")
	if in.Overlay() != "dialog" || in.dialog.CaseIDs()[0] != in.Inbox().CurrentID() {
		t.Fatalf("inbox: overlay %q", in.Overlay())
	}
}

func ids(cs []palette.Command) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// `:` "Filter als Sicht speichern" saves the typed filter as a tab and hands it to Deps.SaveView
// (cmd/amt writes it into the config file); AppendView keeps the file's other settings.
func TestPaletteSaveViewWritesConfig(t *testing.T) {
	d := newDeps(t, 40)
	var saved []ViewConfig
	d.SaveView = func(v ViewConfig) error { saved = append(saved, v); return nil }
	m := newRoot(t, d, 80, 24)
	m, _ = press(t, m, "5", "/")
	m = typeText(t, m, "frist:überfällig")
	m, _ = press(t, m, "enter", ":")
	m = typeText(t, m, "als sicht")
	if got := m.palette.Matches(); len(got) == 0 || got[0].ID != "save view" {
		t.Fatalf("matches %v", ids(got))
	}
	m, _ = press(t, m, "enter")
	m = typeText(t, m, "Überfällig")
	m, _ = press(t, m, "enter")
	if len(saved) != 1 || saved[0] != (ViewConfig{Name: "Überfällig", Filter: "status:open frist:überfällig", Sort: "due"}) {
		t.Fatalf("saved %+v", saved)
	}
	if !slices.Contains(m.Toasts(), "Sicht »Überfällig« gespeichert") || !strings.Contains(m.View(), "Überfällig") {
		t.Fatalf("toasts %v view:\n%s", m.Toasts(), m.View())
	}

	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("# meine Einstellungen\ntheme: high-contrast\nviews:\n  - name: Hunde\n    filter: \"leistung:hund\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := AppendView(path, saved[0]); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil || cfg.Theme != "high-contrast" || len(cfg.Views) != 2 || cfg.Views[1] != saved[0] {
		t.Fatalf("config %+v %v", cfg, err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "# meine Einstellungen") {
		t.Fatalf("comment lost:\n%s", b)
	}
	fresh := filepath.Join(t.TempDir(), "neu", "config.yaml")
	if err := AppendView(fresh, saved[0]); err != nil {
		t.Fatal(err)
	}
	if cfg, err := LoadConfig(fresh); err != nil || len(cfg.Views) != 1 {
		t.Fatalf("new config %+v %v", cfg, err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
}

// `?` in the inbox shows the new keys and the filter language (issue 15 item 7).
func TestHelpShowsFilterSyntax(t *testing.T) {
	m := newRoot(t, newDeps(t, 5), 80, 24)
	lines := help.New(m.Ctx(), m.Inbox()).Lines()
	for _, want := range []string{"S  Sortierung umkehren", "*  alle sichtbaren markieren",
		"Filter (/)", "zuständig:NAME  zugewiesen an (Name; ich, niemand)", "frist<DATUM  Frist vor (auch >, <=, >=)",
		"-WORT  schließt aus (auch -status:neu …)"} {
		if !slices.Contains(lines, want) {
			t.Errorf("help lacks %q: %q", want, lines)
		}
	}
	if slices.Contains(help.New(m.Ctx(), caseview.New(m.Ctx(), "")).Lines(), "Filter (/)") {
		t.Error("the case view's help shows the inbox filter")
	}
	m, _ = press(t, m, "?")
	for i := 0; i < 40; i++ {
		m, _ = press(t, m, "j")
	}
	if v := m.View(); !strings.Contains(v, "leistung:TEXT") && !strings.Contains(v, "-WORT") {
		t.Fatalf("help overlay at 80x24 does not reach the filter syntax:\n%s", v)
	}
}

// Bulk actions from the inbox at 80x24 (issue 15 item 9): filter, * marks every shown case, w sets
// one Wiedervorlage on all of them, n one Nachforderung with the same text.
func TestBulkResubmissionAndDocRequestFromInbox(t *testing.T) {
	d := newDeps(t, 40)
	m := newRoot(t, d, 80, 24)
	m, _ = press(t, m, "5", "/")
	m = typeText(t, m, "leistung:gewerbe")
	m, _ = press(t, m, "enter", "*")
	shown := m.Inbox().Rows()
	if len(shown) < 2 || len(m.Inbox().MarkedIDs()) != len(shown) {
		t.Fatalf("%d shown, %d marked", len(shown), len(m.Inbox().MarkedIDs()))
	}
	m, _ = press(t, m, "w")
	if m.Overlay() != "dialog" || len(m.dialog.CaseIDs()) != len(shown) {
		t.Fatalf("w: overlay %q\n%s", m.Overlay(), m.View())
	}
	m = typeText(t, m, "+7")
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyCtrlS})
	out, err := d.Store.Outbox()
	if err != nil || m.Overlay() != "" {
		t.Fatalf("overlay %q err %v\n%s", m.Overlay(), err, m.View())
	}
	byCase := map[string]bool{}
	for _, a := range out {
		if a.Kind == api.ActionResubmission && strings.Contains(string(a.Body), `"2026-12-01"`) {
			byCase[a.CaseID] = true
		}
	}
	allowed := 0
	for _, s := range shown {
		if s.Status.Open() {
			allowed++
			if !byCase[s.ID] {
				t.Errorf("%s has no Wiedervorlage", s.ID)
			}
		}
	}
	if len(byCase) != allowed {
		t.Fatalf("%d Wiedervorlagen for %d cases", len(byCase), allowed)
	}
	// The marks went with the queued actions; mark two and request documents from both.
	m, _ = press(t, m, "g", " ", " ", "n")
	if m.Overlay() != "dialog" || len(m.dialog.CaseIDs()) != 2 {
		t.Fatalf("n: overlay %q ids %v", m.Overlay(), m.Inbox().MarkedIDs())
	}
	m = typeText(t, m, "Mietvertrag")
	m, _ = press(t, m, "tab")
	m = typeText(t, m, "15.12.2026")
	m, _ = send(t, m, tea.KeyMsg{Type: tea.KeyCtrlS})
	out, _ = d.Store.Outbox()
	n := 0
	for _, a := range out {
		if a.Kind == api.ActionDocumentRequest && strings.Contains(string(a.Body), "Mietvertrag") {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d Nachforderungen, want 2\n%s", n, m.View())
	}
}

// b on a selection changes the status of every marked case that allows it, at 80x24.
func TestBulkStatusFromInbox(t *testing.T) {
	d := newDeps(t, 40)
	m := newRoot(t, d, 80, 24)
	m, _ = press(t, m, "5", "/")
	m = typeText(t, m, "status:neu")
	m, _ = press(t, m, "enter", "*", "b")
	shown := m.Inbox().Rows()
	if m.Overlay() != "dialog" || len(shown) < 2 || len(m.dialog.CaseIDs()) != len(shown) {
		t.Fatalf("b: overlay %q, %d shown\n%s", m.Overlay(), len(shown), m.View())
	}
	if !strings.Contains(m.View(), "Bearbeitung beginnen") {
		t.Fatalf("no start-review choice:\n%s", m.View())
	}
	m, _ = press(t, m, "enter")
	out, _ := d.Store.Outbox()
	n := 0
	for _, a := range out {
		if a.Kind == api.ActionStatus && strings.Contains(string(a.Body), string(api.StatusInReview)) {
			n++
		}
	}
	if n != len(shown) {
		t.Fatalf("%d status changes for %d cases\n%s", n, len(shown), m.View())
	}
}

// "schlie" in the palette of a decided case finds "Vorgang: Abschließen" first (it ranked
// "Sprache: Englisch" first), opens the status dialog on that change and Enter queues it.
func TestPaletteCloseCase(t *testing.T) {
	d := newDeps(t, 12)
	m := newRoot(t, d, 80, 24)
	m, _ = send(t, m, common.OpenCaseMsg{ID: "case-000006"}) // decided
	if m.State() != common.ViewCase {
		t.Fatal("case view not open")
	}
	m, _ = press(t, m, ":")
	m = typeText(t, m, "schlie")
	got := m.palette.Matches()
	if len(got) == 0 || got[0].ID != "case status closed" || got[0].Title != "Vorgang: Abschließen" {
		t.Fatalf("schlie: %v", ids(got))
	}
	m, _ = press(t, m, "enter")
	if m.Overlay() != "dialog" || m.dialog.Kind() != common.DialogStatus {
		t.Fatalf("overlay %q\n%s", m.Overlay(), m.View())
	}
	m, _ = press(t, m, "enter")
	out, _ := d.Store.Outbox()
	if len(out) != 1 || out[0].Kind != api.ActionStatus || !strings.Contains(string(out[0].Body), `"closed"`) {
		t.Fatalf("outbox %+v\n%s", out, m.View())
	}
}
