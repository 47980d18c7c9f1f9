// Command peakrss runs a program and prints its peak resident set size (VmHWM, from the kernel's
// rusage) in MiB. With -pty it runs the program on a pseudo-terminal (for the TUI): it answers
// the terminal queries the program sends, waits until its memory has settled, types -keys, and
// then asks it to quit.
//
//	peakrss [-pty] [-cols 200 -rows 60] [-keys "/hund"] [-timeout 90s] -- amt
//
// Output (one line): "peak-rss-mib 123.4 exit 0".
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	usePty := flag.Bool("pty", false, "run on a pseudo-terminal (for the TUI)")
	cols := flag.Int("cols", 200, "terminal columns (-pty)")
	rows := flag.Int("rows", 60, "terminal rows (-pty)")
	keys := flag.String("keys", "", "keys to type once memory has settled (-pty); \\e is Esc")
	quit := flag.String("quit", "\\eq", "keys that quit the program (-pty)")
	settle := flag.Duration("settle", 1500*time.Millisecond, "memory must not grow for this long (-pty)")
	timeout := flag.Duration("timeout", 90*time.Second, "give up (and kill the program) after this")
	logFile := flag.String("log", "", "write everything the program shows to this file (-pty)")
	metric := flag.String("metric", "", "print \"metric RSS NAME-mib V\" lines (and NAME-file-mib, NAME-anon-mib with -pty) instead")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: peakrss [-pty] [flags] -- command [args]")
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	var err error
	var resident map[string]int64 // /proc status fields (KiB) once the TUI has settled
	if *usePty {
		var log io.Writer = io.Discard
		if *logFile != "" {
			f, ferr := os.Create(*logFile)
			if ferr != nil {
				fmt.Fprintln(os.Stderr, "peakrss:", ferr)
				os.Exit(1)
			}
			defer f.Close()
			log = f
		}
		err = runPty(cmd, *cols, *rows, unescape(*keys), unescape(*quit), *settle, *timeout, log, &resident)
	} else {
		cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
		err = runPlain(cmd, *timeout)
	}
	code := 0
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		if cmd.ProcessState == nil {
			os.Exit(1)
		}
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "peakrss: no rusage")
		os.Exit(1)
	}
	if *metric != "" {
		fmt.Printf("metric RSS %s-mib %.1f\n", *metric, float64(ru.Maxrss)/1024)
		if v, ok := resident["RssFile"]; ok {
			fmt.Printf("metric RSS %s-file-mib %.1f\n", *metric, float64(v)/1024)
		}
		if v, ok := resident["RssAnon"]; ok {
			fmt.Printf("metric RSS %s-anon-mib %.1f\n", *metric, float64(v)/1024)
		}
	} else {
		fmt.Printf("peak-rss-mib %.1f exit %d\n", float64(ru.Maxrss)/1024, code)
	}
	if err != nil || code != 0 {
		os.Exit(1)
	}
}

func unescape(s string) string {
	return strings.NewReplacer(`\e`, "\x1b", `\r`, "\r", `\n`, "\n").Replace(s)
}

func runPlain(cmd *exec.Cmd, timeout time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		return errors.New("timed out")
	}
}

func ioctl(fd uintptr, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

// openPty returns the master and the slave side of a new pseudo-terminal of the given size.
func openPty(cols, rows int) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	if err := ioctl(master.Fd(), syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	var n uint32
	if err := ioctl(master.Fd(), syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	ws := struct{ Row, Col, X, Y uint16 }{uint16(rows), uint16(cols), 0, 0}
	if err := ioctl(slave.Fd(), syscall.TIOCSWINSZ, unsafe.Pointer(&ws)); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("window size: %w", err)
	}
	return master, slave, nil
}

// Terminal queries a TUI may send at start, and the answers of a dark 256-colour terminal.
var answers = []struct{ query, answer string }{
	{"\x1b]11;?", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
	{"\x1b]10;?", "\x1b]10;rgb:ffff/ffff/ffff\x1b\\"},
	{"\x1b[6n", "\x1b[1;1R"},
	{"\x1b[c", "\x1b[?62;22c"},
}

func runPty(cmd *exec.Cmd, cols, rows int, keys, quit string, settle, timeout time.Duration, log io.Writer, resident *map[string]int64) error {
	master, slave, err := openPty(cols, rows)
	if err != nil {
		return err
	}
	defer master.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		slave.Close()
		return err
	}
	slave.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// Read the screen, answer queries, remember the tail for error messages.
	var mu sync.Mutex
	var tail []byte
	go func() {
		buf := make([]byte, 64<<10)
		var pending []byte
		for {
			n, err := master.Read(buf)
			if n > 0 {
				pending = append(pending, buf[:n]...)
				for _, a := range answers {
					for {
						i := bytes.Index(pending, []byte(a.query))
						if i < 0 {
							break
						}
						_, _ = master.WriteString(a.answer)
						pending = append(pending[:i], pending[i+len(a.query):]...)
					}
				}
				if len(pending) > 16 {
					pending = pending[len(pending)-16:]
				}
				mu.Lock()
				_, _ = log.Write(buf[:n])
				tail = append(tail, buf[:n]...)
				if len(tail) > 4096 {
					tail = tail[len(tail)-4096:]
				}
				mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()

	deadline := time.After(timeout)
	wait := func(d time.Duration) error {
		select {
		case err := <-done:
			mu.Lock()
			defer mu.Unlock()
			return fmt.Errorf("program ended early (%v); last output: %q", err, lastLine(tail))
		case <-deadline:
			_ = cmd.Process.Kill()
			<-done
			return errors.New("timed out")
		case <-time.After(d):
			return nil
		}
	}
	// Memory settles: VmHWM has not grown for `settle`.
	if err := settleMem(cmd.Process.Pid, settle, wait); err != nil {
		return err
	}
	// One key at a time: Esc followed at once by a letter would read as Alt+letter.
	typeKeys := func(s string) error {
		for _, k := range s {
			if _, err := master.WriteString(string(k)); err != nil {
				return err
			}
			if err := wait(100 * time.Millisecond); err != nil {
				return err
			}
		}
		return nil
	}
	if keys != "" {
		if err := typeKeys(keys); err != nil {
			return err
		}
		if err := settleMem(cmd.Process.Pid, settle, wait); err != nil {
			return err
		}
	}
	*resident = procStatus(cmd.Process.Pid)
	for _, k := range quit {
		if _, err := master.WriteString(string(k)); err != nil {
			return err
		}
		select {
		case err := <-done:
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case err := <-done:
		return fmt.Errorf("did not quit on %q; ended by SIGTERM: %v", quit, err)
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("did not quit on %q nor SIGTERM", quit)
	}
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[len(s)-300:]
	}
	return s
}

// settleMem waits until the process's VmHWM has not grown for d (checked every 100 ms).
func settleMem(pid int, d time.Duration, wait func(time.Duration) error) error {
	last, since := int64(-1), time.Now()
	for {
		if err := wait(100 * time.Millisecond); err != nil {
			return err
		}
		hwm, err := vmHWM(pid)
		if err != nil {
			return err
		}
		if hwm != last {
			last, since = hwm, time.Now()
			continue
		}
		if time.Since(since) >= d {
			return nil
		}
	}
}

// vmHWM reads the peak resident set size (KiB) from /proc/<pid>/status.
func vmHWM(pid int) (int64, error) {
	v, ok := procStatus(pid)["VmHWM"]
	if !ok {
		return 0, errors.New("no VmHWM in /proc/" + strconv.Itoa(pid) + "/status")
	}
	return v, nil
}

// procStatus reads the kB fields of /proc/<pid>/status.
func procStatus(pid int) map[string]int64 {
	out := map[string]int64{}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, rest, ok := strings.Cut(line, ":")
		f := strings.Fields(rest)
		if !ok || len(f) != 2 || f[1] != "kB" {
			continue
		}
		if v, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			out[k] = v
		}
	}
	return out
}
