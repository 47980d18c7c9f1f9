package common

import (
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/i18n"
)

func TestFormatting(t *testing.T) {
	i18n.SetLang(i18n.DE)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.Local)
	tests := []struct{ got, want string }{
		{FormatDate("2026-11-24"), "24.11.2026"},
		{FormatDate("morgen\x1b[2J"), "morgen"},
		{Relative(time.Time{}, now), "noch nie"},
		{Relative(now.Add(-30*time.Second), now), "gerade eben"},
		{Relative(now.Add(-5*time.Minute), now), "vor 5 Min."},
		{Relative(now.Add(-3*time.Hour), now), "vor 3 Std."},
		{Relative(now.Add(-30*time.Hour), now), "gestern"},
		{Relative(now.Add(-80*time.Hour), now), "vor 3 Tagen"},
		{StatusLabel(api.StatusAwaitingDocuments), "Unterlagen fehlen"},
		{StatusLabel("bogus\u202e"), "bogus"},
		{Fit("Müller", 8), "Müller  "},
		{Fit("Grünflächenamt", 8), "Grünflä…"},
		{FitRight("Öl", 4), "  Öl"},
		{Truncate("abc", 0), ""},
		{Line("a\x1b]52;c;AAAA\x07b\u009b2Jc"), "abc"},
	}
	for i, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%d: got %q, want %q", i, tc.got, tc.want)
		}
	}
	today, soon := Today(now), AddDays(now, 3)
	for due, want := range map[string]Due{"": DueNone, "2026-11-23": DueOverdue, "2026-11-24": DueSoon,
		"2026-11-27": DueSoon, "2026-11-28": DueOK} {
		if got := DueState(due, today, soon); got != want {
			t.Errorf("DueState(%q) = %v, want %v", due, got, want)
		}
	}
	if DueOverdue.Symbol() == DueSoon.Symbol() || DueOverdue.Label() != "überfällig" {
		t.Fatal("due marks")
	}
}

func TestOverlay(t *testing.T) {
	bg := "aaaaaa\nbbbbbb\ncccccc"
	got := Overlay(bg, "XY\nZW", 2, 1)
	if got != "aaaaaa\nbbXYbb\nccZWcc" {
		t.Fatalf("%q", got)
	}
	if got := OverlayCenter("äääää\nööööö\nüüüüü", "#", 5, 3); got != "äääää\nöö#öö\nüüüüü" {
		t.Fatalf("%q", got)
	}
	if w, h := Size("ab\nä\n"); w != 2 || h != 3 {
		t.Fatal(w, h)
	}
}

func TestNewActionAndToast(t *testing.T) {
	a, err := NewAction(api.ActionNote, "c1", 4, "", api.NoteRequest{Text: "Grüße"})
	if err != nil || a.ID == "" || a.CaseID != "c1" || a.BaseVersion != 4 || !strings.Contains(string(a.Body), "Grüße") {
		t.Fatalf("%+v %v", a, err)
	}
	b, _ := NewAction(api.ActionNote, "c1", 4, "", api.NoteRequest{Text: "x"})
	if a.ID == b.ID {
		t.Fatal("action ids repeat")
	}
	online, offline := ActionQueuedMsg{Online: true}, ActionQueuedMsg{}
	if online.Toast().Kind != ToastSuccess || offline.Toast().Text != i18n.T("toast.queuedOffline") {
		t.Fatal("toast texts")
	}
}

func TestClerkName(t *testing.T) {
	c := NewCtx(nil, api.Me{Clerk: "me", Name: "Ich"}, nil)
	c.Clerks = []api.Clerk{{ID: "x", Name: "Xaver\x1b[31m"}}
	for id, want := range map[string]string{"": "—", "me": "Ich", "x": "Xaver", "y\u202e": "y"} {
		if got := c.ClerkName(id); got != want {
			t.Errorf("%q: %q", id, got)
		}
	}
	if c.Now().IsZero() || c.DueSoonDays() != 3 {
		t.Fatal("defaults")
	}
}
