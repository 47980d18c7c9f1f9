package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/pending"
	"github.com/amt-mv/amt/tui/tuitest"
)

// TestConflictNoteSameFromCLIAndTUI: keeping a conflicted decision and a rejected Wiedervorlage
// as notes writes the same note from `amt conflicts resolve --as-note` as from the TUI's
// Ausstehend view (N), with every detail of the clerk's intent.
func TestConflictNoteSameFromCLIAndTUI(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	a := loggedIn(t, env, clerkA)
	lead := loggedIn(t, env, clerkLead)
	const caseResub = "case-000012" // in review, Amt Crivitz

	// Offline, clerk A decides one case and sets a Wiedervorlage on another ...
	a.must(exitOffline, "--server", deadServer, "decide", caseReview, "rejected", "--reason", "Nachweis fehlt",
		"--fee-cents", "123450", "--valid-until", "+1j")
	a.must(exitOffline, "--server", deadServer, "resubmit", caseResub, "+1m", "--reason", "Rückruf abwarten")
	// ... while the lead assigns the first and withdraws the second.
	lead.must(0, "assign", caseReview, "--to", "crivitz.meier")
	lead.must(0, "decide", caseResub, "withdrawn", "--reason", "zurückgezogen")
	a.run("sync") // the decision meets a newer version (conflict), the Wiedervorlage a withdrawn case (rejected)
	settled := map[api.ActionKind]actionJSON{}
	for _, x := range outbox(t, a) {
		if x.State == string(store.StateConflict) || x.State == string(store.StateRejected) {
			settled[x.Kind] = x
		}
	}
	if len(settled) != 2 {
		t.Fatalf("want a conflicted decision and a rejected Wiedervorlage, outbox %+v", outbox(t, a))
	}

	// The same cache twice: the CLI resolves in one, the TUI in the other.
	tuiCache := &cli{t: t, data: t.TempDir()}
	if err := os.CopyFS(tuiCache.data, os.DirFS(a.data)); err != nil {
		t.Fatal(err)
	}
	for _, x := range settled {
		a.must(exitOffline, "--server", deadServer, "conflicts", "resolve", "--as-note", x.ID)
	}
	st, err := store.Open(store.Options{Dir: tuiCache.data, Passphrase: "geheim"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := common.NewCtx(st, api.Me{Clerk: clerkA, Role: api.RoleClerk, Amt: "amt-crivitz"}, time.Now)
	ctx.Width, ctx.Height = 120, 40
	m := pending.New(ctx)
	m, _ = m.Update(m.Init()())
	for _, x := range settled {
		// The list's cursor stops at both ends and the map's order is random: search from the top.
		for range 50 {
			m, _ = m.Update(tuitest.Key("up"))
		}
		for range 50 {
			if sel, ok := m.Selected(); ok && sel.ID == x.ID {
				break
			}
			m, _ = m.Update(tuitest.Key("down"))
		}
		if sel, _ := m.Selected(); sel.ID != x.ID {
			t.Fatalf("action %s not in the TUI's list", x.ID)
		}
		var cmd tea.Cmd
		m, cmd = m.Update(tuitest.Key("N"))
		if cmd == nil {
			t.Fatalf("N on %s did nothing", x.Kind)
		}
		m, _ = m.Update(cmd())
		m, _ = m.Update(m.Init()())
	}
	tuiOut, err := st.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	notes := func(bodies map[string]bool) []string {
		var out []string
		for b := range bodies {
			out = append(out, b)
		}
		return out
	}
	cliNotes, tuiNotes := map[string]bool{}, map[string]bool{}
	for _, x := range outbox(t, a) {
		if x.Kind == api.ActionNote {
			var n api.NoteRequest
			if err := json.Unmarshal(x.Body, &n); err != nil {
				t.Fatal(err)
			}
			cliNotes[n.Text] = true
		}
	}
	for _, x := range tuiOut {
		if x.Kind == api.ActionNote {
			var n api.NoteRequest
			if err := json.Unmarshal(x.Body, &n); err != nil {
				t.Fatal(err)
			}
			tuiNotes[n.Text] = true
		}
	}
	if len(cliNotes) != 2 || len(tuiNotes) != 2 {
		t.Fatalf("notes: CLI %q, TUI %q", notes(cliNotes), notes(tuiNotes))
	}
	for n := range cliNotes {
		if !tuiNotes[n] {
			t.Errorf("the CLI's note %q is not the TUI's (%q)", n, notes(tuiNotes))
		}
	}
	all := strings.Join(notes(cliNotes), "\n")
	in1m := time.Now().AddDate(0, 1, 0) // +1m clamps at a month's end; the month is enough here
	for _, want := range []string{"Nicht übernommen", "abgelehnt", "1.234,50 €", "Begründung: Nachweis fehlt",
		"Wiedervorlage am", in1m.Format(".01.2006"), "Grund: Rückruf abwarten"} {
		if !strings.Contains(all, want) {
			t.Errorf("the notes lack %q:\n%s", want, all)
		}
	}
}
