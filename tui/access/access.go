// Package access owns the accessible mode's shared parts (BITV 2.0, EN 301 549 clause 11): the
// linear screen a view renders for screen readers and braille displays, and the real terminal
// cursor placed on the selected row or focused field. Views keep their own accessible rendering
// next to their visual one and use the same data and i18n catalogue.
package access

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// Screen is a view rendered as linear text: one fact or sentence per line, no boxes, no columns,
// and the line and cell where the terminal cursor belongs (the selected row, the focused field).
type Screen struct {
	Lines    []string
	Row, Col int
	// Span is how many lines the focused item takes (a wrapped sentence); Window keeps them all.
	Span int
}

// Add appends lines and returns the index of the first one.
func (s *Screen) Add(lines ...string) int {
	i := len(s.Lines)
	s.Lines = append(s.Lines, lines...)
	return i
}

// AddWrapped word-wraps text to width w, appends its lines and returns the index of the first.
func (s *Screen) AddWrapped(text string, w int) int {
	return s.Add(Wrap(text, w)...)
}

// Focus puts the cursor on line row, cell col.
func (s *Screen) Focus(row, col int) { s.Row, s.Col, s.Span = row, col, 1 }

// FocusItem puts the cursor at the start of an item that takes span lines from row.
func (s *Screen) FocusItem(row, span int) { s.Row, s.Col, s.Span = row, 0, max(span, 1) }

// Window cuts the screen to at most h lines, keeping the cursor's line visible: it keeps the
// top when the cursor is within it, else it ends the window at the cursor line.
func (s Screen) Window(h int) Screen {
	if h <= 0 || len(s.Lines) <= h {
		return s
	}
	end := s.Row + min(max(s.Span, 1), h) // one past the focused item's last line
	top := 0
	if end > h {
		top = min(end-h, s.Row)
	}
	return Screen{Lines: s.Lines[top : top+h], Row: s.Row - top, Col: s.Col, Span: s.Span}
}

// Wrap word-wraps text (already sanitised) to at most w cells per line, breaking over-long words,
// and drops trailing spaces; an empty text is one empty line.
func Wrap(text string, w int) []string {
	lines := strings.Split(ansi.Wrap(text, max(w, 10), ""), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return lines
}

// Sentence joins the non-empty parts with ", ": one list row read as one sentence.
func Sentence(parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// Field is a labelled value read as "Label: value".
func Field(label, value string) string {
	if value == "" {
		return label
	}
	return label + ": " + value
}

// Cursor is where the terminal cursor belongs on the whole screen. The root model sets it while
// rendering; the terminal writer (Writer) reads it after each frame. Safe for concurrent use.
type Cursor struct {
	mu       sync.Mutex
	row, col int
	set      bool
}

// Set records the cursor's screen position (0-based line and cell).
func (c *Cursor) Set(row, col int) {
	c.mu.Lock()
	c.row, c.col, c.set = row, col, true
	c.mu.Unlock()
}

// Get returns the recorded position; ok is false before the first Set.
func (c *Cursor) Get() (row, col int, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.row, c.col, c.set
}

// Terminal sequences the writer watches and writes.
const (
	altScreenOn  = "\x1b[?1049h"
	altScreenOff = "\x1b[?1049l"
	showCursor   = "\x1b[?25h"
)

// Writer wraps the program's terminal output. Bubble Tea v1 writes each frame with one Write and
// leaves the cursor hidden at the start of the last line; after every write on the alternate
// screen this writer moves the cursor to the recorded position and shows it, so screen readers
// and braille displays follow the selected row or focused field. When nothing changed Bubble Tea
// writes nothing, so the cursor stays where it is. Outside the alternate screen (after the program
// ends) it adds nothing, so the shell's prompt is not moved.
// When w is a terminal file (os.Stdout) the result is one too, so Bubble Tea still finds the
// terminal's size and modes through it.
func (c *Cursor) Writer(w io.Writer) io.Writer {
	cw := &cursorWriter{w: w, c: c}
	if f, ok := w.(terminalFile); ok {
		return &cursorFile{cursorWriter: cw, f: f}
	}
	return cw
}

// terminalFile is what Bubble Tea needs of its output to treat it as a terminal (x/term.File).
type terminalFile interface {
	io.ReadWriteCloser
	Fd() uintptr
}

// cursorFile is a cursorWriter over a terminal file.
type cursorFile struct {
	*cursorWriter
	f terminalFile
}

func (c *cursorFile) Read(p []byte) (int, error) { return c.f.Read(p) }
func (c *cursorFile) Close() error               { return c.f.Close() }
func (c *cursorFile) Fd() uintptr                { return c.f.Fd() }

type cursorWriter struct {
	w   io.Writer
	c   *Cursor
	alt bool
}

func (cw *cursorWriter) Write(p []byte) (int, error) {
	s := string(p)
	if i, j := strings.LastIndex(s, altScreenOn), strings.LastIndex(s, altScreenOff); i >= 0 || j >= 0 {
		cw.alt = i > j
	}
	row, col, ok := cw.c.Get()
	if !cw.alt || !ok {
		return cw.w.Write(p)
	}
	buf := make([]byte, 0, len(p)+24)
	buf = append(buf, p...)
	buf = fmt.Appendf(buf, "\x1b[%d;%dH%s", row+1, col+1, showCursor)
	if _, err := cw.w.Write(buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// cupRe matches a cursor-position sequence: CSI row ; col H (both optional, 1-based).
var cupRe = regexp.MustCompile(`\x1b\[(\d*)(?:;(\d*))?H`)

// Position returns where the last cursor-position sequence in out puts the cursor, 0-based; ok
// is false when out holds none. Tests read the cursor from a program's output with it.
func Position(out []byte) (row, col int, ok bool) {
	all := cupRe.FindAllSubmatch(out, -1)
	if len(all) == 0 {
		return 0, 0, false
	}
	m := all[len(all)-1]
	n := func(b []byte) int {
		v, err := strconv.Atoi(string(b))
		if err != nil || v < 1 {
			return 1
		}
		return v
	}
	return n(m[1]) - 1, n(m[2]) - 1, true
}
