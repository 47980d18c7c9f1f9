package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/tuitest"
)

// blockingDownload hands out the context of each download and blocks until it is cancelled.
type blockingDownload struct{ ctxs chan context.Context }

func (b *blockingDownload) fn(ctx context.Context, _ string, _ api.Attachment, _ *store.AttachmentWriter, _ func(done, total int64)) error {
	b.ctxs <- ctx
	<-ctx.Done()
	return ctx.Err()
}

// startDownload opens the case with an attachment, switches to Anlagen and presses d. It runs the
// download itself in the background (draining would block on it) and returns its context.
func startDownload(t *testing.T) (Model, context.Context) {
	t.Helper()
	c := tuitest.Cases(1)[0]
	c.ID, c.Reference = "dl-1", "GEW-2026-009999"
	c.Attachments = []api.Attachment{{ID: "att-1", Name: "Plan.pdf", ContentType: "application/pdf", Size: 4096, SHA256: "00"}}
	d := newDeps(t, 5, c)
	b := &blockingDownload{ctxs: make(chan context.Context, 1)}
	d.Download = b.fn
	m := newRoot(t, d, 100, 30)
	m, _ = send(t, m, common.OpenCaseMsg{ID: "dl-1"})
	m, _ = press(t, m, "tab")
	m, cmd := m.update(keyMsg("d"))
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) == 0 {
		t.Fatalf("d started no download: %#v", cmd())
	}
	go batch[0]()
	select {
	case ctx := <-b.ctxs:
		return m, ctx
	case <-time.After(5 * time.Second):
		t.Fatal("download did not start")
	}
	return m, nil
}

func cancelled(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	case <-time.After(5 * time.Second):
		return false
	}
}

// Esc during a download cancels the download and stays in the case view.
func TestEscCancelsDownloadFirst(t *testing.T) {
	m, ctx := startDownload(t)
	m, _ = press(t, m, "esc")
	if m.State() != common.ViewCase {
		t.Fatalf("state %v: the first Esc left the case view", m.State())
	}
	if !cancelled(ctx) {
		t.Fatal("Esc did not cancel the download")
	}
}

// A download does not hold the keyboard: global keys work, and dropping the case view (another
// case, back, quit) cancels the download instead of letting it run on unseen.
func TestLeavingCaseViewCancelsDownload(t *testing.T) {
	m, ctx := startDownload(t)
	m, _ = press(t, m, "I")
	if m.State() != common.ViewInbox {
		t.Fatalf("I during a download: state %v", m.State())
	}
	m, _ = press(t, m, "5", "enter") // opens a case: the old view is dropped
	if m.State() != common.ViewCase {
		t.Fatalf("state %v", m.State())
	}
	if !cancelled(ctx) {
		t.Fatal("the dropped case view's download still runs")
	}

	m, ctx = startDownload(t)
	if _, msgs := press(t, m, "ctrl+c"); !quit(msgs) { // q inside a case goes back (ui.go)
		t.Fatal("ctrl+c does not quit during a download")
	}
	m.Close() // what Run does with the final model
	if !cancelled(ctx) {
		t.Fatal("quitting left the download running")
	}
}

// Stacked toasts of different widths are laid over the view one by one: the view beside a narrow
// toast stays visible (a joined block would blank it with its padding).
func TestToastsDoNotBlankTheView(t *testing.T) {
	m := newRoot(t, newDeps(t, 12), 100, 30)
	m, _ = send(t, m, common.ToastMsg{Text: "Eine recht lange Meldung über etwas Wichtiges", Kind: common.ToastInfo})
	m, _ = send(t, m, common.ToastMsg{Text: "Kurz", Kind: common.ToastSuccess})
	lines := strings.Split(m.View(), "\n")
	last := lines[len(lines)-2] // the view's last line, above the status bar
	if !strings.Contains(last, "─╰") {
		t.Fatalf("the preview's border beside the short toast is blanked: %q\n%s", last, m.View())
	}
	if !strings.Contains(m.View(), "✓ Kurz") || !strings.Contains(m.View(), "Wichtiges") {
		t.Fatalf("toasts missing:\n%s", m.View())
	}
}

// "Alle Aktionen übertragen" replaces the "Vorgemerkt" toast of the work it reports on, instead of
// stacking a second toast that says the first is over.
func TestSentToastReplacesQueued(t *testing.T) {
	m := newRoot(t, newDeps(t, 10), 100, 30)
	m, _ = send(t, m, common.SyncEventMsg{Online: true, LastSync: tuitest.Now})
	m, _ = send(t, m, common.ActionQueuedMsg{Online: true, Actions: make([]store.Action, 1)})
	if got := m.Toasts(); len(got) != 1 || got[0] != "Vorgemerkt – wird gesendet · z rückgängig" {
		t.Fatalf("toasts %v", got)
	}
	m, _ = send(t, m, common.SyncEventMsg{Online: true, Pending: 0, LastSync: tuitest.Now})
	if got := m.Toasts(); len(got) != 1 || got[0] != "Alle Aktionen übertragen" {
		t.Fatalf("toasts %v, want only the sent toast", got)
	}
}

// After midnight the tab counts follow the new day without waiting for a sync.
func TestMidnightRecountsTabs(t *testing.T) {
	now := tuitest.Now
	d := newDeps(t, 60)
	d.Now = func() time.Time { return now }
	m := newRoot(t, d, 100, 30)
	count := func(today time.Time) int {
		week := common.AddDays(today, 7)
		n := 0
		for _, s := range m.Inbox().Summaries() {
			if s.Status.Open() && s.DueDate != "" && s.DueDate <= week {
				n++
			}
		}
		return n
	}
	before, after := count(now), count(now.AddDate(0, 0, 3))
	if before == after {
		t.Fatalf("fixture: Fällig count %d does not change over three days", before)
	}
	if !strings.Contains(m.View(), fmt.Sprintf("Fällig %d", before)) {
		t.Fatalf("tab bar lacks Fällig %d:\n%s", before, m.View())
	}
	now = now.AddDate(0, 0, 3)
	m, _ = send(t, m, clockMsg{})
	if !strings.Contains(m.View(), fmt.Sprintf("Fällig %d", after)) {
		t.Fatalf("after midnight the tab bar lacks Fällig %d:\n%s", after, m.View())
	}
}
