//go:build unix

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/fitconnect/emulator"
	"github.com/amt-mv/amt/fitconnect/fctest"
	"github.com/amt-mv/amt/fitconnect/sender"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/fcdemo"
)

// TestIntakeCrashChild is the amt-server process of TestIntakeSurvivesSIGKILL.
func TestIntakeCrashChild(t *testing.T) {
	if os.Getenv("AMT_INTAKE_CHILD") != "1" {
		t.Skip("child of TestIntakeSurvivesSIGKILL")
	}
	err := run(context.Background(), []string{"serve", "--data", os.Getenv("AMT_INTAKE_DATA"), "--intake", os.Getenv("AMT_INTAKE_FILE"),
		"--addr", "127.0.0.1:0", "--log-level", "warn"}, os.Stdout, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
}

const crashHangGuard = 90 * time.Second

// A real amt-server process killed with SIGKILL at each failpoint of intake and started again
// ends with one case and one accept whose authentication tags equal the sent parts'.
func TestIntakeSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	for _, fp := range []string{"after-fetch", "after-store", "before-accept", "after-accept"} {
		t.Run(fp, func(t *testing.T) { crashAt(t, fp) })
	}
}

func crashAt(t *testing.T, failpoint string) {
	env := fctest.Start(t)
	cat := catalogue.Default()
	svc, _ := cat.Lookup("99050012104000")
	d := env.AddDestination(t, 0, map[string]string{svc.URN(): svc.Data.SchemaURI}, nil)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	// The Amt exists (token create makes it), as in a real deployment.
	if err := run(context.Background(), []string{"token", "create", "--data", data, "--amt", "amt-crivitz", "--amt-name", "Amt Crivitz",
		"--clerk", "crivitz.schulz", "--name", "Kerstin Schulz", "--role", "lead"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	enc, _ := d.EncryptionKey.PrivateJWK()
	sig, _ := d.SigningKey.PrivateJWK()
	write("enc.jwk", string(enc))
	write("sig.jwk", string(sig))
	write("client.secret", d.ClientSecret+"\n")
	intakeFile := write("intake.yaml", fmt.Sprintf(`poll_interval: 1h
destinations:
  - amt: amt-crivitz
    destination_id: %s
    token_url: %s/token
    submission_api: %s
    client_id: %s
    client_secret_file: client.secret
    decryption_keys: [enc.jwk]
    signing_key: sig.jwk
`, d.ID, env.URL, env.URL, d.ClientID))

	a, err := demo.NewApplication(7, "amt-crivitz", svc.Key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	app, err := fcdemo.SenderApplication(cat, a, 7)
	if err != nil {
		t.Fatal(err)
	}
	app.Attachments = append(app.Attachments, sender.File{Name: "Nachweis.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.4 nachweis")})
	sent, err := sender.Send(context.Background(), env.Sender(), d.ID, app, sender.Knobs{})
	if err != nil {
		t.Fatal(err)
	}

	// First run: killed at the failpoint.
	child := startChild(t, data, intakeFile, failpoint)
	err = child.Wait()
	ws, ok := child.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the server was not killed at %s: %v", failpoint, err)
	}
	// Second run: intake finishes what the first began.
	child = startChild(t, data, intakeFile, "")
	addr := readAddr(t, child)
	deadline := time.Now().Add(crashHangGuard)
	for {
		if child.stateDone(t, addr, env.Emulator, sent.SubmissionID) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("submission still %s after the restart", env.Emulator.State(sent.SubmissionID))
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = child.Process.Signal(syscall.SIGTERM)
	_ = child.Wait()

	accepts := 0
	for _, ev := range env.Emulator.Events(sent.CaseID) {
		switch ev.Event {
		case fitconnect.EventAcceptSubmission:
			accepts++
			tags := ev.Payload.AuthenticationTags
			if tags == nil || tags.Metadata != sent.Tags.Metadata || tags.Data != sent.Tags.Data || len(tags.Attachments) != len(sent.Tags.Attachments) {
				t.Errorf("accept tags %+v, sent %+v", tags, sent.Tags)
			}
			for id, tag := range sent.Tags.Attachments {
				if tags.Attachments[id] != tag {
					t.Errorf("attachment %s: tag differs", id)
				}
			}
		case fitconnect.EventRejectSubmission:
			t.Errorf("rejected: %+v", ev.Payload.Problems)
		}
	}
	if accepts != 1 {
		t.Errorf("%d accepts, want 1", accepts)
	}
	srv, err := server.New(server.Config{DataDir: data, PruneInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	counts, err := srv.CaseCounts()
	total := uint64(0)
	for _, n := range counts {
		total += n
	}
	if err != nil || total != 1 {
		t.Errorf("%d cases (%v), want 1", total, err)
	}
	rec, ok, err := srv.StoredIntake(sent.SubmissionID)
	if err != nil || !ok || rec.CaseID != server.IntakeCaseID(sent.SubmissionID) || !strings.HasPrefix(rec.Reference, "GEW-") {
		t.Errorf("intake record %+v %v %v", rec, ok, err)
	}
}

type childProc struct {
	*exec.Cmd
	out *bufio.Scanner
}

func startChild(t *testing.T, data, intakeFile, failpoint string) *childProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestIntakeCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "AMT_INTAKE_CHILD=1", "AMT_INTAKE_DATA="+data, "AMT_INTAKE_FILE="+intakeFile,
		failpointEnv+"="+failpoint)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return &childProc{Cmd: cmd, out: bufio.NewScanner(out)}
}

func readAddr(t *testing.T, c *childProc) string {
	t.Helper()
	for c.out.Scan() {
		if addr, ok := strings.CutPrefix(c.out.Text(), "listening on "); ok {
			go func() {
				for c.out.Scan() {
				}
			}()
			return addr
		}
	}
	t.Fatal("the server never listened")
	return ""
}

// stateDone reports whether the restarted server has polled and the submission is final.
func (c *childProc) stateDone(t *testing.T, addr string, emu *emulator.Emulator, submissionID string) bool {
	st := emu.State(submissionID)
	if st != emulator.StateAccepted && st != emulator.StateRejected {
		return false
	}
	resp, err := http.Get(addr + "/metrics")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "amt_intake_polls_total "); ok && v != "0" {
			return true
		}
	}
	return false
}
