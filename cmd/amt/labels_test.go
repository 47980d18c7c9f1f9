package main

import (
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// Every outcome, action kind, action state and status the CLI prints has a name in both languages
// (from the TUI's catalogue), and a value it does not know is shown sanitised, never as a key.
func TestLabels(t *testing.T) {
	type label struct {
		what string
		fn   func(a *app) string
	}
	var known []label
	for _, o := range api.Outcomes {
		known = append(known, label{"outcome " + string(o), func(a *app) string { return a.outcomeLabel(o) }})
	}
	for _, k := range api.ActionKinds {
		known = append(known, label{"kind " + string(k), func(a *app) string { return a.kindLabel(k) }})
	}
	for _, s := range []store.ActionState{store.StatePending, store.StateConflict, store.StateRejected} {
		known = append(known, label{"state " + string(s), func(a *app) string { return a.stateLabel(s) }})
	}
	for _, s := range api.Statuses {
		known = append(known, label{"status " + string(s), func(a *app) string { return a.statusLabel(s) }})
	}
	de, en := &app{lang: "de"}, &app{lang: "en"}
	for _, l := range known {
		raw := l.what[strings.IndexByte(l.what, ' ')+1:]
		gd, ge := l.fn(de), l.fn(en)
		if gd == "" || ge == "" || gd == raw || strings.Contains(gd, ".") {
			t.Errorf("%s: de %q, en %q: no catalogue entry", l.what, gd, ge)
		}
	}
	// Unknown values from a newer server or a damaged record.
	hostile := "neu\x1b]52;c;SGFjaw==\x07\u202e"
	for _, got := range []string{
		de.outcomeLabel(api.Outcome(hostile)), de.kindLabel(api.ActionKind(hostile)),
		de.stateLabel(store.ActionState(hostile)), de.statusLabel(api.Status(hostile)),
	} {
		if !strings.HasPrefix(got, "neu") || strings.ContainsAny(got, "\x1b\x07\u202e") {
			t.Errorf("unknown value shown as %q", got)
		}
	}
	if got := de.outcomeLabel(api.OutcomeForwarded); got != "Weitergeleitet (nicht zuständig)" {
		t.Errorf("forwarded reads %q in the CLI; the TUI and the guide say Weitergeleitet", got)
	}
}
