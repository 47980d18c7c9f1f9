package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/idp"
	"github.com/amt-mv/amt/signin"
	"github.com/amt-mv/amt/tui/common"
)

// TestSignInInPlace: the syncer reports the sign-in refused; the TUI says so, offers the device
// flow in a dialog, shows the code of a real provider, and closes with a success toast once the
// clerk confirmed; the outbox is not touched.
func TestSignInInPlace(t *testing.T) {
	p, err := idp.Start(idp.Options{PollInterval: time.Second, Users: []idp.User{{Username: "anna", Name: "Anna", Amt: "amt-a"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var got signin.Session
	d := newDeps(t, 5)
	d.SignIn = func(ctx context.Context) (SignInPrompt, error) {
		prov, err := signin.Discover(ctx, nil, api.OIDCInfo{Issuer: p.Issuer(), ClientID: "amt"})
		if err != nil {
			return SignInPrompt{}, err
		}
		flow, err := prov.StartDeviceFlow(ctx)
		if err != nil {
			return SignInPrompt{}, err
		}
		if err := p.Approve(flow.UserCode, "anna"); err != nil { // the clerk's browser
			return SignInPrompt{}, err
		}
		return SignInPrompt{URL: flow.VerificationURIComplete, Code: flow.UserCode, Expiry: flow.Expiry,
			Wait: func(ctx context.Context) error { got, err = flow.Wait(ctx); return err }}, nil
	}
	m := newRoot(t, d, 100, 50)
	m, _ = send(t, m, common.SyncEventMsg{Online: true, Pending: 2})
	if m.signin != nil {
		t.Fatal("dialog without a refused sign-in")
	}
	m, _ = send(t, m, common.SyncEventMsg{Online: false, ErrKind: "unauthorized", Pending: 2})
	if m.signin == nil || !strings.Contains(m.View(), "Anmeldung abgelaufen") || !strings.Contains(m.View(), "Enter: jetzt neu anmelden") {
		t.Fatalf("no offer:\n%s", m.View())
	}
	// Esc postpones; the next refusal offers again.
	m, _ = m.update(keyMsg("esc"))
	if m.signin != nil {
		t.Fatal("Esc did not close the dialog")
	}
	m, _ = send(t, m, common.SyncEventMsg{Online: true, Pending: 2})
	m, _ = send(t, m, common.SyncEventMsg{ErrKind: "unauthorized", Pending: 2})
	if m.signin == nil {
		t.Fatal("no offer after a new refusal")
	}

	m, cmd := m.update(tea.KeyMsg{Type: tea.KeyEnter})
	if !strings.Contains(m.View(), "Verbinde") {
		t.Fatalf("no progress:\n%s", m.View())
	}
	m, cmd = m.update(cmd())
	view := m.View()
	if m.signin == nil || m.signin.phase != signinWaiting || !strings.Contains(view, m.signin.prompt.Code) ||
		!strings.Contains(view, p.Issuer()) || !strings.Contains(view, "Warte auf Bestätigung") {
		t.Fatalf("no code shown:\n%s", view)
	}
	m, msgs := drain(t, m, cmd)
	if m.signin != nil || got.RefreshToken == "" {
		t.Fatalf("dialog still open (%v) or no session", m.signin != nil)
	}
	toast := false
	for _, msg := range msgs {
		if tm, ok := msg.(common.ToastMsg); ok && strings.Contains(tm.Text, "Angemeldet") {
			toast = true
		}
	}
	if !toast {
		t.Fatalf("no success toast in %v", msgs)
	}
	if m.ctx.Status.Pending != 2 {
		t.Fatalf("pending %d", m.ctx.Status.Pending)
	}
}

// TestSignInInPlaceOnlyForProviderSignIn: with static tokens (no Deps.SignIn) a refusal shows
// in the status bar only.
func TestSignInInPlaceOnlyForProviderSignIn(t *testing.T) {
	m := newRoot(t, newDeps(t, 3), 80, 24)
	m, _ = send(t, m, common.SyncEventMsg{ErrKind: "unauthorized"})
	if m.signin != nil {
		t.Fatal("sign-in dialog without a provider")
	}
}
