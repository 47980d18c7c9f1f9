package main

import (
	"io"
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

func cmdComment(a *app, args []string) int {
	fs := a.newFlags("comment")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) < 2 {
		a.errorf("%s", a.T("usage.comment"))
		return exitUsage
	}
	text := strings.Join(pos[1:], " ")
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(a.input(), api.MaxBodyBytes))
		if err != nil {
			a.errorf("%v", err)
			return exitErr
		}
		text = strings.TrimRight(string(b), "\n")
	}
	if strings.TrimSpace(text) == "" {
		a.errorf("%s", a.T("err.empty_text"))
		return exitUsage
	}
	if n := len([]rune(text)); n > api.MaxNoteRunes {
		a.errorf("%s", a.T("err.text_too_long", api.MaxNoteRunes))
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanNote(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	return a.queue(s, c, api.ActionNote, api.NoteRequest{Text: text})
}
