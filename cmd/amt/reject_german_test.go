package main

import (
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/pending"
	"github.com/amt-mv/amt/tui/i18n"
)

// A rejected action showed the server's English "Action not allowed in this state: …" in the
// German Ausstehend view and amt outbox: the problem's kind is now said in the clerk's language.
func TestRejectionReasonInGerman(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	a := loggedIn(t, env, clerkA)
	lead := loggedIn(t, env, clerkLead)
	const caseResub = "case-000012" // in review, Amt Crivitz
	a.must(exitOffline, "--server", deadServer, "resubmit", caseResub, "+1m", "--reason", "Rückruf abwarten")
	lead.must(exitOK, "decide", caseResub, "withdrawn", "--reason", "zurückgezogen")
	a.run("sync") // the Wiedervorlage meets a withdrawn case: rejected
	out := a.must(exitOK, "outbox")
	if strings.Contains(out, "not allowed") || !strings.Contains(out, "abgelehnt: Der Vorgang lässt diese Aktion in seinem jetzigen Stand nicht zu") {
		t.Fatalf("outbox:\n%s", out)
	}
	if out := a.must(exitOK, "outbox", "--lang", "en"); !strings.Contains(out, "rejected: The case does not allow this action") {
		t.Fatalf("outbox in English:\n%s", out)
	}

	st, err := store.Open(store.Options{Dir: a.data, Passphrase: "geheim"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	i18n.SetLang(i18n.DE)
	ctx := common.NewCtx(st, api.Me{Clerk: clerkA, Role: api.RoleClerk, Amt: "amt-crivitz"}, time.Now)
	ctx.Width, ctx.Height = 80, 24
	m := pending.New(ctx)
	m, _ = m.Update(m.Init()())
	view := m.View()
	if strings.Contains(view, "not allowed") || !strings.Contains(view, "Der Vorgang lässt diese Aktion") {
		t.Fatalf("Ausstehend view:\n%s", view)
	}
}
