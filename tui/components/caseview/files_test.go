package caseview

import (
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/i18n"
)

// TestDoubleEnterOpensTwice: Enter pressed twice on a downloaded attachment runs two opens at
// once; both hand a whole copy to the viewer.
func TestDoubleEnterOpensTwice(t *testing.T) {
	m, _, ctx := open(t, attachmentsCase(), 80, 23)
	content := []byte("%PDF-1.4\nx")
	ctx.Download = (&fakeDownload{content: content}).fn
	var mu sync.Mutex
	var opened []string
	ctx.Open = func(p string) error {
		b, err := os.ReadFile(p)
		if err == nil && string(b) != string(content) {
			t.Errorf("viewer got %q", b)
		}
		mu.Lock()
		opened = append(opened, p)
		mu.Unlock()
		return err
	}
	m.setTab(TabAttachments)
	m, cmd := m.Update(press("d"))
	m = drain(t, m, cmd)
	if !m.files["att-1"] {
		t.Fatal("not downloaded")
	}
	var cmds []tea.Cmd
	for range 2 {
		var c tea.Cmd
		m, c = m.Update(press("enter"))
		if c == nil {
			t.Fatal("Enter started no open")
		}
		cmds = append(cmds, c)
	}
	msgs := make([]tea.Msg, len(cmds))
	var wg sync.WaitGroup
	for i, c := range cmds {
		wg.Go(func() { msgs[i] = c() })
	}
	wg.Wait()
	for i, msg := range msgs {
		done, ok := msg.(fileDoneMsg)
		if !ok || done.err != nil {
			t.Fatalf("open %d: %#v", i+1, msg)
		}
		m, _ = m.Update(msg)
		if !m.noticeOK || m.notice != i18n.Tf("case.open.done", "Personalausweis.pdf") {
			t.Errorf("open %d: notice %q", i+1, m.notice)
		}
	}
	if len(opened) != 2 {
		t.Errorf("opened %v, want twice", opened)
	}
}

func TestSafeFileNameLength(t *testing.T) {
	long := strings.Repeat("ä", 150)     // 300 bytes
	odd := "x" + strings.Repeat("€", 99) // 298 bytes, runes of 3
	for _, tc := range []struct {
		name, in, fallback string
		want               string // "" checks the limits only
		ext                string
	}{
		{"short", "Ausweis.pdf", "att-1", "Ausweis.pdf", ".pdf"},
		{"multi-byte", long + ".pdf", "att-1", "", ".pdf"},
		{"cut inside a rune", odd + ".jpeg", "att-1", "", ".jpeg"},
		{"no extension", long, "att-1", "", ""},
		{"long extension dropped", "a." + long, "att-1", "", ""},
		{"fallback without leading dots", "...", "..att-1", "att-1", ""},
		{"fallback made safe", "", `../a:b`, "_a_b", ""},
		{"nothing at all", " . ", " .. ", "anlage", ""},
		{"long fallback", "", strings.Repeat("ö", 200), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SafeFileName(tc.in, tc.fallback)
			if tc.want != "" && got != tc.want {
				t.Errorf("SafeFileName(%q, %q) = %q, want %q", tc.in, tc.fallback, got, tc.want)
			}
			if len(got) > maxFileNameBytes || !utf8.ValidString(got) || got == "" || strings.HasPrefix(got, ".") {
				t.Errorf("SafeFileName = %q (%d bytes, valid %v)", got, len(got), utf8.ValidString(got))
			}
			if tc.ext != "" && !strings.HasSuffix(got, tc.ext) {
				t.Errorf("SafeFileName = %q lost its extension %s", got, tc.ext)
			}
			if tc.ext == "" && strings.HasSuffix(got, ".pdf") {
				t.Errorf("SafeFileName = %q", got)
			}
			if len(tc.in) > maxFileNameBytes && len(got) < maxFileNameBytes-4 {
				t.Errorf("SafeFileName cut %q to %d bytes, more than needed", tc.in, len(got))
			}
		})
	}
}

// TestForeignViewFolder: when Dir/view is not amt's (a link, someone's folder), opening says so
// instead of blaming a missing viewer, and nothing is written there.
func TestForeignViewFolder(t *testing.T) {
	m, st, ctx := open(t, attachmentsCase(), 80, 23)
	ctx.Download = (&fakeDownload{content: []byte("%PDF-1.4\nx")}).fn
	ctx.Open = func(p string) error {
		t.Errorf("viewer started on %s", p)
		return nil
	}
	view := st.Dir() + string(os.PathSeparator) + "view"
	if err := os.RemoveAll(view); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(view+string(os.PathSeparator)+"Urlaub", 0o700); err != nil {
		t.Fatal(err)
	}
	m.setTab(TabAttachments)
	m, cmd := m.Update(press("o"))
	m = drain(t, m, cmd)
	if m.noticeOK || m.notice != i18n.T("case.open.folder") {
		t.Fatalf("notice %q, want the view-folder message", m.notice)
	}
	entries, err := os.ReadDir(view)
	if err != nil || len(entries) != 1 || entries[0].Name() != "Urlaub" {
		t.Fatalf("view/ now holds %v (%v)", entries, err)
	}
}

// TestNoticesFitEighty: the footer cuts a notice at the terminal's width, so the attachment
// notices without arguments must fit 80 columns whole in both languages (the advice is at the end).
func TestNoticesFitEighty(t *testing.T) {
	keys := []string{"case.att.noDownload", "case.att.cancelled", "case.att.failed", "case.att.damaged",
		"case.open.folder", "case.open.failed", "case.open.type", "case.save.failed"}
	for _, k := range keys {
		de, en, ok := i18n.Entry(k)
		if !ok {
			t.Errorf("%s: no catalogue entry", k)
			continue
		}
		for _, s := range []string{de, en} {
			if w := lipgloss.Width(s); w > 80 {
				t.Errorf("%s is %d columns wide, the footer cuts it at 80: %q", k, w, s)
			}
		}
	}
}

// queueRecorder records what the case view hands to the background download queue.
type queueRecorder struct {
	added []string
}

func (q *queueRecorder) Add(caseID string, att api.Attachment) bool {
	key := caseID + "/" + att.ID
	for _, a := range q.added {
		if a == key {
			return false
		}
	}
	q.added = append(q.added, key)
	return true
}

// TestDownloadGoesToTheQueue: with a background queue, d queues the attachment (the clerk may
// leave the case) instead of downloading inside the view; a second d says it is queued already.
func TestDownloadGoesToTheQueue(t *testing.T) {
	m, _, ctx := open(t, attachmentsCase(), 100, 23)
	ctx.Download = (&fakeDownload{content: []byte("x")}).fn
	q := &queueRecorder{}
	ctx.Queue = q
	m.setTab(TabAttachments)
	m, cmd := m.Update(press("d"))
	if cmd != nil || m.dl != nil || m.Busy() {
		t.Fatal("d downloaded inside the view although a queue is there")
	}
	if len(q.added) != 1 || q.added[0] != "c1/att-1" {
		t.Fatalf("queued %v", q.added)
	}
	if !strings.Contains(m.notice, "im Hintergrund") {
		t.Errorf("notice %q", m.notice)
	}
	m, _ = m.Update(press("d"))
	if len(q.added) != 1 || !strings.Contains(m.notice, "schon in der Warteschlange") {
		t.Errorf("second d: queued %v, notice %q", q.added, m.notice)
	}
}

// S saved "rechnung\u202efdp.exe" declared as PDF as "rechnungfdp.exe": the extension comes from
// the declared type, like o's.
func TestSaveFileNameUsesDeclaredType(t *testing.T) {
	tests := []struct{ name, ct, want string }{
		{"rechnung\u202efdp.exe", "application/pdf", "rechnungfdp.pdf"},
		{"Ausweis.pdf", "application/pdf", "Ausweis.pdf"},
		{"Foto.JPG", "image/jpeg", "Foto.jpg"},
		{"Lageplan", "image/png; charset=binary", "Lageplan.png"},
		{"daten.xml.exe", "application/xml", "daten.xml.xml"},
		{"setup.exe", "application/x-msdownload", "setup.bin"},
		{".pdf", "application/pdf", "pdf.pdf"}, // leading dots go (SafeFileName)
		{"", "text/plain", "att-1.txt"},
	}
	for _, tt := range tests {
		if got := SaveFileName(api.Attachment{ID: "att-1", Name: tt.name, ContentType: tt.ct}); got != tt.want {
			t.Errorf("SaveFileName(%q, %s) = %q, want %q", tt.name, tt.ct, got, tt.want)
		}
	}
}
