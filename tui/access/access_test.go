package access

import (
	"bytes"
	"testing"
)

func TestCursorWriter(t *testing.T) {
	var out bytes.Buffer
	c := &Cursor{}
	w := c.Writer(&out)
	// Before the program records a position nothing is added.
	_, _ = w.Write([]byte("\x1b[?1049h" + "frame"))
	if out.String() != "\x1b[?1049hframe" {
		t.Fatalf("%q", out.String())
	}
	c.Set(4, 7)
	out.Reset()
	_, _ = w.Write([]byte("line\x1b[24;1H"))
	if row, col, ok := Position(out.Bytes()); !ok || row != 4 || col != 7 || !bytes.HasSuffix(out.Bytes(), []byte("\x1b[?25h")) {
		t.Fatalf("cursor %d,%d %v in %q", row, col, ok, out.String())
	}
	// After the alternate screen ends the shell's screen is left alone.
	out.Reset()
	_, _ = w.Write([]byte("\x1b[?1049l"))
	if out.String() != "\x1b[?1049l" {
		t.Fatalf("after exit: %q", out.String())
	}
}

func TestPosition(t *testing.T) {
	for _, tc := range []struct {
		in       string
		row, col int
		ok       bool
	}{
		{"", 0, 0, false},
		{"\x1b[H", 0, 0, true},
		{"\x1b[3;9Hx\x1b[5H", 4, 0, true},
		{"HALLO", 0, 0, false},
	} {
		r, c, ok := Position([]byte(tc.in))
		if r != tc.row || c != tc.col || ok != tc.ok {
			t.Errorf("%q: %d,%d %v", tc.in, r, c, ok)
		}
	}
}

func TestWindowKeepsFocusedItem(t *testing.T) {
	s := Screen{Lines: []string{"a", "b", "c", "d1", "d2", "d3", "e"}}
	s.FocusItem(3, 3)
	w := s.Window(4)
	if len(w.Lines) != 4 || w.Lines[w.Row] != "d1" || w.Lines[3] != "d3" {
		t.Fatalf("%+v", w)
	}
	s.Focus(0, 2)
	if w := s.Window(4); w.Lines[0] != "a" || w.Row != 0 || w.Col != 2 {
		t.Fatalf("%+v", w)
	}
	if got := Sentence("A", "", " B ", "C"); got != "A, B, C" {
		t.Fatalf("%q", got)
	}
}
