package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// startServerProcess runs the amt-server binary with args and returns its base URL once it
// listens; the process is killed when the test ends.
func startServerProcess(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return cmd, addr
		}
	}
	t.Fatalf("amt-server %v did not start", args)
	return nil, ""
}

// TestPostgresSIGKILLDuringBurst: two amt-server processes on one database; one is killed with
// SIGKILL during a burst of writes to both. Every acknowledged action is present exactly once,
// no action is half applied (each note has its event), the feed is whole and ordered, and the
// other instance answered every request throughout.
func TestPostgresSIGKILLDuringBurst(t *testing.T) {
	db := pgOnly(t)
	bin := filepath.Join(t.TempDir(), "amt-server")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/amt-mv/amt/cmd/amt-server").CombinedOutput(); err != nil {
		t.Fatalf("build amt-server: %v\n%s", err, out)
	}
	url := db.Schema(t)
	dirA, dirB := t.TempDir(), t.TempDir()
	common := []string{"--database", url, "--addr", "127.0.0.1:0", "--rate-limit", "0", "--log-level", "error"}
	procA, urlA := startServerProcess(t, bin, append([]string{"serve", "--data", dirA, "--demo", "--demo-cases", "40"}, common...)...)
	_, urlB := startServerProcess(t, bin, append([]string{"serve", "--data", dirB}, common...)...)

	raw, err := os.ReadFile(filepath.Join(dirA, "demo-tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	var toks []struct {
		Amt, Clerk, Token string
	}
	if err := json.Unmarshal(raw, &toks); err != nil || len(toks) == 0 {
		t.Fatalf("demo tokens: %v", err)
	}
	tok := toks[0].Token
	var open []string
	for _, c := range feedFrom(t, urlB, tok) {
		if c.Kind == api.ChangeUpsert && c.Case.Status.Open() {
			open = append(open, c.CaseID)
		}
	}
	if len(open) == 0 {
		t.Fatal("no open case")
	}

	var acked sync.Map
	var failB, okA, okB, failA atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Timeout: 20 * time.Second}
			base := urlA
			if w%2 == 1 {
				base = urlB
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				caseID := open[(w+i)%len(open)]
				id := fmt.Sprintf("k%d-%d", w, i)
				path, _ := api.ActionPath(api.ActionNote, caseID, id, "")
				st, _, err := call(hc, base, tok, "PUT", path, api.NoteRequest{Text: "Notiz " + id}, nil)
				switch {
				case err == nil && st == 200:
					acked.Store(id, caseID)
					if base == urlA {
						okA.Add(1)
					} else {
						okB.Add(1)
					}
				case base == urlB:
					failB.Add(1)
				default:
					failA.Add(1)
					time.Sleep(20 * time.Millisecond) // the killed instance refuses at once
				}
			}
		}()
	}
	// Kill A once it has acknowledged some writes.
	for deadline := time.Now().Add(60 * time.Second); okA.Load() < 20 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if err := procA.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// B carries on: it acknowledges another 50 writes after the kill.
	for afterKill, deadline := okB.Load(), time.Now().Add(60*time.Second); okB.Load() < afterKill+50; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("B acknowledged %d writes in 60 s after A was killed", okB.Load()-afterKill)
			break
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("acknowledged by A before the kill: %d; refused by A after: %d; B failures: %d", okA.Load(), failA.Load(), failB.Load())
	if failB.Load() != 0 {
		t.Fatalf("the surviving instance failed %d requests", failB.Load())
	}

	notes := map[string]map[string]int{}
	for _, id := range open {
		st, body, err := call(http.DefaultClient, urlB, tok, "GET", "/cases/"+id, nil, nil)
		if err != nil || st != 200 {
			t.Fatalf("case %s: %d %v", id, st, err)
		}
		var c api.Case
		mustJSON(t, body, &c)
		// Only the burst's notes (ids k…, texts "Notiz k…"): each with its event, each event
		// with its note.
		m := map[string]int{}
		for _, n := range c.Notes {
			if strings.HasPrefix(n.ID, "k") {
				m[n.ID]++
			}
		}
		events := map[string]int{}
		for _, e := range c.History {
			if e.Kind == api.EventNote && strings.HasPrefix(e.Summary, "Notiz k") {
				events[strings.TrimPrefix(e.Summary, "Notiz ")]++
			}
		}
		if len(events) != len(m) {
			t.Errorf("case %s: %d burst notes but %d of their events: an action was half applied", id, len(m), len(events))
		}
		for nid := range m {
			if events[nid] != 1 {
				t.Errorf("case %s: note %s has %d events", id, nid, events[nid])
			}
		}
		for nid, n := range m {
			if n != 1 {
				t.Errorf("case %s: note %s %d times", id, nid, n)
			}
		}
		notes[id] = m
	}
	acked.Range(func(k, v any) bool {
		if notes[v.(string)][k.(string)] != 1 {
			t.Errorf("acknowledged note %s missing from case %s", k, v)
		}
		return true
	})
	feed := feedFrom(t, urlB, tok)
	seen := map[string]bool{}
	for i, c := range feed {
		if (i > 0 && c.Seq <= feed[i-1].Seq) || seen[c.CaseID] {
			t.Fatalf("feed out of order or with a duplicate at %d", i)
		}
		seen[c.CaseID] = true
	}
}
