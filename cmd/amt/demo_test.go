package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
)

// demoTemps counts the demo's temporary dirs in dir.
func demoTemps(t *testing.T, dir string) int {
	m, err := filepath.Glob(filepath.Join(dir, "amt-demo-*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

func TestDemoRunsCommands(t *testing.T) {
	setupEnv(t)
	// A temporary directory of its own: other processes' demos in the shared one do not count.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	demoOptions = demo.Options{Cases: 30}
	var out, errb bytes.Buffer
	if code := run([]string{"--demo", "list", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("amt --demo list: exit %d: %s", code, errb.String())
	}
	var rows []caseJSON
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("demo list: %d rows, %v", len(rows), err)
	}
	out.Reset()
	if code := run([]string{"--demo", "comment", rows[0].ID, "Demo-Notiz"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "übermittelt") {
		t.Fatalf("amt --demo comment: exit %d: %s %s", code, out.String(), errb.String())
	}
	if n := demoTemps(t, tmp); n != 0 {
		t.Fatalf("demo left %d temporary dirs behind", n)
	}
}

func TestDemoTUIStartsAndQuits(t *testing.T) {
	setupEnv(t)
	demoOptions = demo.Options{Cases: 30}
	var screen bytes.Buffer
	tuiProgramOptions = []tea.ProgramOption{tea.WithInput(strings.NewReader("q")), tea.WithOutput(&screen)}
	defer func() { tuiProgramOptions = nil }()
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"--demo"}, &out, &errb) }()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("amt --demo: exit %d: %s", code, errb.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("amt --demo did not quit on q")
	}
}

// The demo network cuts open connections (a waiting long-poll too) and refuses new ones.
func TestDemoNetCutsConnections(t *testing.T) {
	arrived := make(chan struct{}, 1)
	env := startServer(t, 0, servertest.WithHandlerWrapper(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("wait") != "" {
				select {
				case arrived <- struct{}{}:
				default:
				}
			}
			h.ServeHTTP(w, r)
		})
	}))
	dn := newDemoNet()
	defer dn.tr.CloseIdleConnections()
	c, err := client.New(client.Config{BaseURL: env.URL, Token: env.Token(clerkA), Transport: dn.tr})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	page, err := c.Changes(ctx, "", 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	for page.HasMore {
		if page, err = c.Changes(ctx, page.NextCursor, 100, 0); err != nil {
			t.Fatal(err)
		}
	}
	res := make(chan error, 1)
	go func() {
		_, err := c.Changes(ctx, page.NextCursor, 100, 20*time.Second)
		res <- err
	}()
	<-arrived // the long-poll is waiting in the server
	dn.SetOffline(true)
	select {
	case err := <-res:
		if !errors.Is(err, client.ErrOffline) {
			t.Fatalf("cut long-poll: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long-poll not cut")
	}
	if _, err := c.Me(ctx); !errors.Is(err, client.ErrOffline) {
		t.Fatalf("offline request: %v", err)
	}
	dn.SetOffline(false)
	if _, err := c.Me(ctx); err != nil {
		t.Fatalf("back online: %v", err)
	}
}

// The demo's hostile cases (OSC 52, CSI clear-screen, C1 CSI, U+202E) reach the terminal clean.
func TestDemoHostileCasesSanitised(t *testing.T) {
	setupEnv(t)
	demoOptions = demo.Options{Cases: 30}
	check := func(what, s string) {
		for _, r := range s {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
				(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Errorf("%s: output contains %U", what, r)
				return
			}
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--demo", "list"}, &out, &errb); code != 0 {
		t.Fatalf("list: %d %s", code, errb.String())
	}
	check("list", out.String())
	for _, i := range demo.HostileCaseIndexes {
		id := fmt.Sprintf("c-%06d", i+1) // the demo numbers case i as c-(i+1)
		out.Reset()
		if code := run([]string{"--demo", "show", id}, &out, &errb); code != 0 {
			t.Fatalf("show %s: %d %s", id, code, errb.String())
		}
		check("show "+id, out.String())
	}
}

// amt --demo anchored its data to 24.11.2026 but judged deadlines by today ("Fällig 26" of 29
// open on 04.12.2026); like amt-server --demo, its data is now relative to today.
func TestDemoRelativeToToday(t *testing.T) {
	setupEnv(t)
	t.Setenv("TMPDIR", t.TempDir())
	demoOptions = demo.Options{Cases: 30}
	var out, errb bytes.Buffer
	if code := run([]string{"--demo", "list", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("amt --demo list: exit %d: %s", code, errb.String())
	}
	var rows []caseJSON
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("demo list: %d rows, %v", len(rows), err)
	}
	want := demo.Generate(demo.Options{Cases: 30, Now: demo.Today()})
	gen := map[string]time.Time{}
	for i := range want.N {
		c := want.Case(i).Case
		gen[c.ID] = c.SubmittedAt
	}
	for _, r := range rows {
		if w, ok := gen[r.ID]; !ok || !w.Equal(r.SubmittedAt) {
			t.Fatalf("case %s submitted %s, want %s (data relative to today)", r.ID, r.SubmittedAt, w)
		}
	}
}
