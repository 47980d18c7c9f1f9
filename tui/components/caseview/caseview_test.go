package caseview

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions/testkit"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/tuitest"
)

func TestMain(m *testing.M) {
	testkit.Init()
	os.Exit(m.Run())
}

func open(t *testing.T, c api.Case, w, h int) (Model, *store.Store, *common.Ctx) {
	t.Helper()
	st := testkit.Store(t)
	testkit.Put(t, st, c)
	ctx := testkit.Ctx(st, w, h)
	m := New(ctx, c.ID)
	m, _ = m.Update(m.Init()())
	if _, ok := m.Case(); !ok {
		t.Fatalf("case not loaded:\n%s", m.View())
	}
	return m, st, ctx
}

var press = tuitest.Key

func TestGoldenTabs(t *testing.T) {
	c := testkit.Case("c1")
	fee := int64(2600)
	c.Payment = &api.Payment{AmountCents: 2600, Status: "paid", Method: "ePayBL", Reference: "PAY-1"}
	c.Resubmission = &api.Resubmission{ID: "r1", Date: "2026-12-01", Reason: "Rückruf", Actor: "crivitz.schulz"}
	c.Decision = nil
	_ = fee
	for _, size := range [][2]int{{80, 24}, {140, 40}} {
		m, _, _ := open(t, c, size[0], size[1])
		for tab := TabForm; tab < numTabs; tab++ {
			name := []string{"form", "attachments", "evidence", "history"}[tab]
			if m.Tab() != tab {
				t.Fatalf("tab = %d, want %d", m.Tab(), tab)
			}
			v := m.View()
			if got := strings.Count(v, "\n") + 1; got != size[1]-1 {
				t.Errorf("%s %dx%d: %d lines, want %d", name, size[0], size[1], got, size[1]-1)
			}
			for i, l := range strings.Split(v, "\n") {
				if w := common.Width(l); w > size[0] {
					t.Errorf("%s: line %d is %d wide", name, i, w)
				}
			}
			testkit.Golden(t, filepath.Join("testdata", name+"_"+itoa(size[0])+"x"+itoa(size[1])+".golden"), v, testkit.UpdateFlag())
			m, _ = m.Update(press("tab"))
		}
	}
}

func TestHostileCaseRendersClean(t *testing.T) {
	c := testkit.Hostile("c1")
	c.Decision = &api.Decision{ID: "d1", Outcome: api.OutcomeRejected, Reasoning: "nein " + testkit.OSC52, State: api.DecisionProposed,
		Actor: "x" + testkit.Bidi}
	c.DocumentRequests = []api.DocumentRequest{{ID: "q1", Documents: []string{"Pass" + testkit.CSI}, Deadline: "2026-12-01", Message: testkit.C1, Actor: "a"}}
	c.Payment = &api.Payment{AmountCents: 1, Status: "paid" + testkit.CSI, Method: testkit.OSC52}
	for _, size := range [][2]int{{80, 23}, {140, 39}} {
		m, _, _ := open(t, c, size[0], size[1])
		for tab := TabForm; tab < numTabs; tab++ {
			if i := testkit.Dirty(m.View()); i >= 0 {
				t.Errorf("tab %d: unsafe output at %d: %q", tab, i, m.View())
			}
			m, _ = m.Update(press("tab"))
		}
	}
}

func TestActionKeysOpenDialogs(t *testing.T) {
	m, _, _ := open(t, testkit.Case("c1"), 80, 23)
	for k, want := range map[string]common.DialogKind{
		"c": common.DialogComment, "a": common.DialogAssign, "w": common.DialogResubmission,
		"n": common.DialogDocumentRequest, "D": common.DialogDecide, "F": common.DialogApproval,
	} {
		_, cmd := m.Update(press(k))
		if cmd == nil {
			t.Errorf("%s: no command", k)
			continue
		}
		msg, ok := cmd().(common.OpenDialogMsg)
		if !ok || msg.Kind != want || len(msg.CaseIDs) != 1 || msg.CaseIDs[0] != "c1" {
			t.Errorf("%s: got %#v, want %s", k, msg, want)
		}
	}
	// "d" (lower case) is no action key outside the Anlagen tab, and Esc is left to the root.
	if _, cmd := m.Update(press("d")); cmd != nil {
		t.Errorf("d on the form tab returned a command")
	}
	if m.CapturingInput() {
		t.Error("capturing input without download or prompt")
	}
}

func TestScrolling(t *testing.T) {
	c := testkit.Case("c1")
	for i := 0; i < 40; i++ {
		c.Sections[1].Fields = append(c.Sections[1].Fields, api.Field{Label: "Feld " + itoa(i), Value: "Wert"})
	}
	m, _, _ := open(t, c, 80, 23)
	m, _ = m.Update(press("pgdown"))
	if m.vp.YOffset == 0 {
		t.Fatal("pgdown did not scroll")
	}
	m, _ = m.Update(press("g"))
	if m.vp.YOffset != 0 {
		t.Fatal("home did not go to the top")
	}
	m, _ = m.Update(press("j"))
	if m.vp.YOffset != 1 {
		t.Fatalf("down: offset %d", m.vp.YOffset)
	}
	m, _ = m.Update(press("G"))
	if !m.vp.AtBottom() {
		t.Fatal("end did not go to the bottom")
	}
}

func TestReloadShowsQueuedNote(t *testing.T) {
	m, st, ctx := open(t, testkit.Case("c1"), 100, 30)
	a, err := common.NewAction(api.ActionNote, "c1", 7, "", api.NoteRequest{Text: "Neue Notiz offline"})
	if err != nil {
		t.Fatal(err)
	}
	a.Actor = ctx.Me.Clerk
	if _, err := st.Enqueue(a); err != nil {
		t.Fatal(err)
	}
	m, cmd := m.Update(common.StoreChangedMsg{})
	m, _ = m.Update(cmd())
	m.setTab(TabHistory)
	v := m.View()
	for _, want := range []string{"Neue Notiz offline", "wartet auf Übertragung", "Anna Schulz", "1 ausstehend"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q in\n%s", want, v)
		}
	}
}

func TestGoneCase(t *testing.T) {
	st := testkit.Store(t)
	ctx := testkit.Ctx(st, 80, 23)
	m := New(ctx, "missing")
	m, _ = m.Update(m.Init()())
	if !strings.Contains(m.View(), "nicht mehr im Amt") {
		t.Errorf("no gone message:\n%s", m.View())
	}
}

// fakeDownload writes content into the store's writer and commits, reporting progress, or blocks
// until cancelled.
type fakeDownload struct {
	content []byte
	block   bool
	started chan struct{}
	calls   int
	damage  func() // after each commit (nil: none)
}

func (f *fakeDownload) fn(ctx context.Context, caseID string, att api.Attachment, dst *store.AttachmentWriter, progress func(done, total int64)) error {
	f.calls++
	if f.started != nil {
		close(f.started)
	}
	if f.block {
		<-ctx.Done()
		return ctx.Err()
	}
	progress(int64(len(f.content)/2), int64(len(f.content)))
	if err := dst.Reset(); err != nil {
		return err
	}
	if _, err := dst.Write(f.content); err != nil {
		return err
	}
	if err := dst.Commit(); err != nil {
		return err
	}
	if f.damage != nil {
		f.damage()
	}
	progress(int64(len(f.content)), int64(len(f.content)))
	return nil
}

// drain runs a command tree and feeds every message back into m.
func drain(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0 && n < 100; n++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, x := range b {
				queue = append(queue, x)
			}
			continue
		}
		if msg == nil {
			continue
		}
		var next tea.Cmd
		m, next = m.Update(msg)
		queue = append(queue, next)
	}
	return m
}

func attachmentsCase() api.Case {
	c := testkit.Case("c1")
	c.Attachments[0].Size = 10
	return c
}

func TestDownloadAndOpen(t *testing.T) {
	m, st, ctx := open(t, attachmentsCase(), 80, 23)
	f := &fakeDownload{content: []byte("%PDF-1.4\n")}
	f.content = append(f.content, 'x')
	ctx.Download = f.fn
	var opened string
	ctx.Open = func(p string) error { opened = p; return nil }
	m.setTab(TabAttachments)

	var cmd tea.Cmd
	m, cmd = m.Update(press("o")) // not on disk yet: download, then open
	if !m.Busy() || m.CapturingInput() {
		t.Fatal("download running: want Busy (Esc cancels) without capturing the keyboard")
	}
	m = drain(t, m, cmd)
	if m.dl != nil {
		t.Fatal("download still running")
	}
	if b, err := os.ReadFile(st.AttachmentPath("c1", "att-1")); err != nil || bytes.Contains(b, []byte("%PDF")) {
		t.Fatalf("sealed file holds the plaintext (%v)", err)
	}
	// The viewer gets a decrypted copy in the cache's private view directory.
	want := filepath.Join(st.Dir(), store.ViewDir, "c1", "att-1.pdf")
	if opened != want {
		t.Errorf("opened %q, want %q", opened, want)
	}
	if b, err := os.ReadFile(want); err != nil || string(b) != string(f.content) {
		t.Fatalf("viewer copy = %q, %v", b, err)
	}
	if fi, err := os.Stat(want); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("viewer copy mode: %v", err)
	}
	if fi, err := os.Stat(filepath.Dir(want)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("view directory mode: %v", err)
	}
	if !strings.Contains(m.View(), "✓ geladen") {
		t.Errorf("no local mark:\n%s", m.View())
	}
	// Opening again needs no second download.
	m, cmd = m.Update(press("o"))
	m = drain(t, m, cmd)
	if f.calls != 1 {
		t.Errorf("downloaded %d times", f.calls)
	}
}

// TestDamagedAttachmentIsFetchedAgain: a sealed file that fails authentication is never opened;
// the view fetches the attachment again, once, and then opens or saves it.
func TestDamagedAttachmentIsFetchedAgain(t *testing.T) {
	for _, save := range []bool{false, true} {
		m, st, ctx := open(t, attachmentsCase(), 80, 23)
		content := []byte("%PDF-1.4\nx")
		f := &fakeDownload{content: content}
		ctx.Download = f.fn
		var opened []string
		ctx.Open = func(p string) error { opened = append(opened, p); return nil }
		m.setTab(TabAttachments)
		m, cmd := m.Update(press("d"))
		m = drain(t, m, cmd)
		damage := func() {
			p := st.AttachmentPath("c1", "att-1")
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			raw[len(raw)-1] ^= 1 // the final chunk's tag
			if err := os.WriteFile(p, raw, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		damage()
		dir := t.TempDir()
		if save {
			m, _ = m.Update(press("S"))
			m.folder.SetValue(dir)
			m, cmd = m.Update(press("enter"))
		} else {
			m, cmd = m.Update(press("o"))
		}
		m = drain(t, m, cmd)
		if f.calls != 2 {
			t.Fatalf("save=%v: %d downloads, want a second one for the damaged file", save, f.calls)
		}
		if save {
			if b, err := os.ReadFile(filepath.Join(dir, "Personalausweis.pdf")); err != nil || string(b) != string(content) {
				t.Errorf("saved after fetching again: %q, %v", b, err)
			}
		} else if len(opened) != 1 {
			t.Errorf("opened %v, want once after fetching again", opened)
		}
		// Damaged again after fetching it again: no endless loop, a notice instead.
		damage()
		f.damage = damage
		before := len(opened)
		m, cmd = m.Update(press("o"))
		m = drain(t, m, cmd)
		if f.calls != 3 || len(opened) != before || m.noticeOK || m.notice != i18n.T("case.att.damaged") {
			t.Errorf("save=%v: %d downloads (want 3), opened %v, notice %q:\n%s", save, f.calls, opened, m.notice, m.View())
		}
	}
}

func TestDownloadCancel(t *testing.T) {
	m, _, ctx := open(t, attachmentsCase(), 80, 23)
	f := &fakeDownload{block: true, started: make(chan struct{})}
	ctx.Download = f.fn
	m.setTab(TabAttachments)
	m, cmd := m.Update(press("d"))
	batch := cmd().(tea.BatchMsg)
	done := make(chan tea.Msg, 1)
	go func() { batch[0](); done <- nil }()
	<-f.started
	if !strings.Contains(m.View(), "Esc bricht ab") {
		t.Errorf("no cancel hint:\n%s", m.View())
	}
	m, _ = m.Update(press("esc"))
	<-done
	msg := batch[1]() // the waiter sees the end of the download
	m, _ = m.Update(msg)
	if m.dl != nil || m.Busy() {
		t.Fatal("download not finished after Esc")
	}
	if !strings.Contains(m.View(), "abgebrochen") {
		t.Errorf("no cancelled notice:\n%s", m.View())
	}
}

func TestSaveToFolder(t *testing.T) {
	c := attachmentsCase()
	c.Attachments[0].Name = "../Ausweis" + testkit.Bidi + ".pdf"
	m, _, ctx := open(t, c, 80, 23)
	f := &fakeDownload{content: []byte("0123456789")}
	ctx.Download = f.fn
	m.setTab(TabAttachments)
	dir := t.TempDir()
	m, _ = m.Update(press("S"))
	if !m.CapturingInput() {
		t.Fatal("prompt open but not capturing")
	}
	m.folder.SetValue(dir)
	m, cmd := m.Update(press("enter"))
	m = drain(t, m, cmd)
	want := filepath.Join(dir, "_Ausweisgpj.exe.pdf")
	if b, err := os.ReadFile(want); err != nil || string(b) != "0123456789" {
		entries, _ := os.ReadDir(dir)
		t.Fatalf("saved file %s: %q %v (dir has %v)", want, b, err, entries)
	}
	// A second save does not overwrite.
	m, _ = m.Update(press("S"))
	m.folder.SetValue(dir)
	m, cmd = m.Update(press("enter"))
	m = drain(t, m, cmd)
	if _, err := os.Stat(filepath.Join(dir, "_Ausweisgpj.exe (2).pdf")); err != nil {
		t.Errorf("second save: %v", err)
	}
	if !strings.Contains(m.View(), "Gespeichert") {
		t.Errorf("no saved notice:\n%s", m.View())
	}
}

func TestDownloadUnavailable(t *testing.T) {
	m, _, _ := open(t, attachmentsCase(), 80, 23)
	m.setTab(TabAttachments)
	m, cmd := m.Update(press("d"))
	if cmd != nil || m.dl != nil {
		t.Fatal("download started without a download function")
	}
	if !strings.Contains(m.View(), "nicht möglich") {
		t.Errorf("no notice:\n%s", m.View())
	}
}

func TestSafeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"Ausweis.pdf":             "Ausweis.pdf",
		"../../etc/passwd":        "_.._etc_passwd",
		"rechnung\u202efdp.exe":   "rechnungfdp.exe",
		"\x1b]52;c;AAAA\x07a.txt": "a.txt",
		"":                        "att-1",
		"...":                     "att-1",
		`C:\Windows\system32.dll`: "C__Windows_system32.dll",
	} {
		if got := SafeFileName(in, "att-1"); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpenNeverLaunchesByName(t *testing.T) {
	c := attachmentsCase()
	c.Attachments[0].Name = "rechnung\u202efdp.exe"
	c.Attachments[0].ContentType = "application/x-msdownload"
	m, _, ctx := open(t, c, 80, 23)
	ctx.Download = (&fakeDownload{content: []byte("MZ........")}).fn
	opened := ""
	ctx.Open = func(p string) error { opened = p; return nil }
	m.setTab(TabAttachments)
	m, cmd := m.Update(press("o"))
	m = drain(t, m, cmd)
	if opened != "" {
		t.Fatalf("opened %s", opened)
	}
	if !strings.Contains(m.View(), "nicht direkt geöffnet") {
		t.Errorf("no notice:\n%s", m.View())
	}
	for ct, want := range map[string]string{"application/pdf": ".pdf", "IMAGE/PNG; q=1": ".png", "text/html": "", "application/x-sh": ""} {
		if got := ViewerExt(ct); got != want {
			t.Errorf("ViewerExt(%q) = %q, want %q", ct, got, want)
		}
	}
}

// TestHistoryFromServer renders the server's history the case carries: German labels, clerk
// names, translated status/outcome/date summaries, the notes' full text (not the shortened
// summary), and a queued document request with its pending mark.
func TestHistoryFromServer(t *testing.T) {
	c := testkit.Case("c1")
	long := "Rückfrage zur Betriebsstätte telefonisch geklärt. " + strings.Repeat("Weiterer Text. ", 20) + "ENDE"
	c.Notes[0].Text = long
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	c.History = []api.Event{
		{Seq: 1, Kind: api.EventReceived, Actor: "system", At: at(2, 9), Summary: "Antrag über das MV-Serviceportal eingegangen"},
		{Seq: 2, Kind: api.EventAssigned, Actor: "crivitz.krause", At: at(3, 8), Summary: "crivitz.schulz"},
		{Seq: 3, Kind: api.EventStatusChanged, Actor: "crivitz.schulz", At: at(3, 10), Summary: string(api.StatusInReview)},
		{Seq: 4, Kind: api.EventNote, Actor: "crivitz.meyer", At: c.Notes[0].CreatedAt, Summary: long[:200]},
		{Seq: 5, Kind: api.EventResubmission, Actor: "crivitz.schulz", At: at(6, 11), Summary: "2026-12-01"},
		{Seq: 6, Kind: api.EventDecisionReturned, Actor: "crivitz.krause", At: at(7, 12), Summary: "Bitte Begründung ergänzen."},
	}
	m, st, ctx := open(t, c, 100, 60)
	a, err := common.NewAction(api.ActionDocumentRequest, "c1", 7, "", api.DocumentRequestRequest{Documents: []string{"Mietvertrag"}, Deadline: "2026-12-10"})
	if err != nil {
		t.Fatal(err)
	}
	a.Actor = ctx.Me.Clerk
	if _, err := st.Enqueue(a); err != nil {
		t.Fatal(err)
	}
	m, cmd := m.Update(common.StoreChangedMsg{})
	m, _ = m.Update(cmd())
	m.setTab(TabHistory)
	v := m.View()
	want := []string{
		"Verlauf (7)",
		"02.11.2026 09:00 Antrag eingegangen · System",
		"03.11.2026 08:00 Zugewiesen · Carla Krause", "Anna Schulz",
		"03.11.2026 10:00 Status geändert · Anna Schulz", "In Prüfung",
		"05.11.2026 14:30 Notiz · Bernd Meyer", "ENDE",
		"06.11.2026 11:00 Wiedervorlage · Anna Schulz", "01.12.2026",
		"07.11.2026 12:00 Entscheidung zurückgegeben · Carla Krause", "Bitte Begründung ergänzen.",
		"Unterlagen nachgefordert · Anna Schulz", "wartet auf Übertragung", "Mietvertrag",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(v[max(last, 0):], w)
		if i >= 0 {
			i += max(last, 0)
		}
		if i < 0 {
			t.Errorf("missing %q (after the entries before it) in\n%s", w, v)
			continue
		}
		last = i
	}
	if n := strings.Count(v, "Notiz · Bernd Meyer"); n != 1 {
		t.Errorf("note shown %d times:\n%s", n, v)
	}
}
