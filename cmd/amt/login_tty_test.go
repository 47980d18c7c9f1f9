//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair (Linux: /dev/ptmx).
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatal(e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatal(e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

func echoOn(t *testing.T, f *os.File) bool {
	var tio syscall.Termios
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&tio))); e != 0 {
		t.Fatal(e)
	}
	return tio.Lflag&syscall.ECHO != 0
}

// `amt login` without --token on a terminal reads the token without echo (it was shown on the
// screen and left in the scrollback), and the message after it says how to go on.
func TestLoginTokenPromptNoEcho(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := newCLI(t)
	master, slave := openPTY(t)
	defer master.Close()
	cmd := exec.Command(os.Args[0], "--data", c.data, "login", "--server", env.URL)
	cmd.Env = append(os.Environ(), "AMT_TEST_AS_AMT=1")
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	echoed := make(chan string, 1)
	go func() { b, _ := io.ReadAll(master); echoed <- string(b) }() // ends with EIO once the slave is closed
	// Type the token once amt has switched the echo off (or has already exited).
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	token := env.Token(clerkA)
	deadline := time.Now().Add(60 * time.Second)
	var waitErr error
	done := false
	for !done && echoOn(t, slave) {
		select {
		case waitErr = <-exited:
			done = true
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			break // echo still on: type anyway, the check below names the fault
		}
	}
	if !done {
		if _, err := master.Write([]byte(token + "\n")); err != nil {
			t.Fatal(err)
		}
		waitErr = <-exited
	}
	_ = slave.Close()
	screen := <-echoed
	if waitErr != nil {
		t.Fatalf("login: %v\n%s\n%s", waitErr, out.String(), errb.String())
	}
	if strings.Contains(screen, token) || strings.Contains(errb.String(), token) || strings.Contains(out.String(), token) {
		t.Fatalf("the token was shown: %q", screen)
	}
	if !strings.Contains(out.String(), "Angemeldet als Anke Schulz") || !strings.Contains(out.String(), "»amt --data ") || !strings.Contains(out.String(), " sync« lädt die Vorgänge") {
		t.Fatalf("login output: %s", out.String())
	}
}
