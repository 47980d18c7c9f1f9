package query

import (
	"errors"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

var now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.Local)

func TestParseAndMatch(t *testing.T) {
	e := NewEnv("crivitz.peters", []api.Clerk{{ID: "crivitz.peters", Name: "Anja Peters"},
		{ID: "crivitz.wendt", Name: "Jörg Wendt"}}, now, 3)
	s := store.Summary{ID: "x", Reference: "SNE-2026-000023", Status: api.StatusInReview, Assignee: "crivitz.wendt",
		DueDate: "2026-11-20", ServiceName: "Gewerbeanmeldung", ServiceKey: "99050012104000",
		ResubmissionDate: "2026-11-24", Resubmissions: "crivitz.peters\t2026-11-24\ncrivitz.wendt\t2026-12-01", Search: "sne-2026-000023\ngewerbeanmeldung\njürgen müller\nj.mueller@example.org",
		Pending: 1}
	tests := []struct {
		expr  string
		match bool
		bad   Reason // -1: no error
	}{
		{"", true, -1},
		{"status:open", true, -1},
		{"status:offen", true, -1},
		{"status:done", false, -1},
		{"status:erledigt", false, -1},
		{"status:new,in_review", true, -1},
		{"status:neu,prüfung", true, -1},
		{"Status:In_Prüfung", true, -1},
		{"-status:prüfung", false, -1},
		{"status:bogus", false, BadValue},
		{"assignee:me", false, -1},
		{"zuständig:ich", false, -1},
		{"zuständig:wendt", true, -1},
		{"zuständig:jörg", true, -1},
		{`zuständig:"jörg wendt"`, true, -1},
		{"zustaendig:crivitz.wendt", true, -1},
		{"zuständig:peters", false, -1},
		{"assignee:none", false, -1},
		{"zuständig:niemand", false, -1},
		{"-zuständig:niemand", true, -1},
		{"frist:überfällig", true, -1},
		{"due:overdue", true, -1},
		{"due:soon due:week", true, -1},
		{"frist:keine", false, -1},
		{"due:later", false, BadValue},
		{"frist<24.11.2026", true, -1},
		{"frist<20.11.2026", false, -1},
		{"frist<=20.11.2026", true, -1},
		{"frist>2026-11-19", true, -1},
		{"frist>heute", false, -1},
		{"due<+7", true, -1},
		{"frist<31.02.2026", false, BadDate},
		{"frist<", false, BadDate},
		{"leistung<x", false, BadValue},
		{"wv:fällig", true, -1},
		{"resub:due", true, -1},
		{"resub:any", true, -1},
		{"wv:gesetzt", true, -1},
		{"wv:morgen", false, BadValue},
		{"leistung:gewerbe", true, -1},
		{"service:99050", true, -1},
		{"service:hund", false, -1},
		{"sync:pending", true, -1},
		{"sync:ausstehend", true, -1},
		{"sync:konflikt", false, -1},
		{"Müller jürgen", true, -1},
		{"müller anna", false, -1},
		{"-müller", false, -1},
		{"-anna", true, -1},
		{"wendt", true, -1},                 // assignee's name
		{"peters", false, -1},               // another clerk's name
		{"crivitz.wendt", false, -1},        // a word searches names, not ids (zuständig: does)
		{"crivitz", false, -1},              // the Amt prefix of every id finds nothing
		{"J.Mueller@example.org", true, -1}, // e-mail address
		{"SNE-2026-23", true, -1},           // short Aktenzeichen
		{"sne-2026-0023", true, -1},
		{"SNE-2026-2", false, -1},
		{"SNE-2026-230", false, -1},
		{"GEW-2026-23", false, -1},
		{"az:sne-2026-23", true, -1},
		{"az:2026-0000", true, -1},
		{"12:30", false, -1}, // not a field: a word
		{"colour:red", false, BadField},
		{"-", true, -1}, // a lone dash is a word
	}
	for _, tc := range tests {
		q, err := Parse(tc.expr, now)
		var qe *Error
		if tc.bad >= 0 {
			if !errors.As(err, &qe) || qe.Reason != tc.bad {
				t.Errorf("%q: err %v, want reason %d", tc.expr, err, tc.bad)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if got := q.Match(&s, e); got != tc.match {
			t.Errorf("%q: match %v, want %v", tc.expr, got, tc.match)
		}
	}
}

func TestPartAndNarrows(t *testing.T) {
	parts := []struct {
		expr string
		want store.Scan
	}{
		{"", store.ScanAll},
		{"status:offen", store.ScanOpen},
		{"status:neu,prüfung", store.ScanOpen},
		{"status:erledigt", store.ScanFinished},
		{"status:neu,abgeschlossen", store.ScanAll},
		{"-status:offen", store.ScanAll},
	}
	for _, tc := range parts {
		q, _ := Parse(tc.expr, now)
		if got := q.Part(); got != tc.want {
			t.Errorf("%q: part %v, want %v", tc.expr, got, tc.want)
		}
	}
	narrows := []struct {
		prev, next string
		want       bool
	}{
		{"mül", "müll", true},
		{"müller", "müller jü", true},
		{"", "x", true},
		{"-mü", "-mül", false},               // excluding less finds more
		{"sne-2026-2", "sne-2026-23", false}, // short Aktenzeichen: exact number
		{"status:neu", "status:neu x", false},
		{"abc", "abd", false},
	}
	for _, tc := range narrows {
		p, _ := Parse(tc.prev, now)
		n, _ := Parse(tc.next, now)
		if got := p.Narrows(&n); got != tc.want {
			t.Errorf("%q→%q: narrows %v", tc.prev, tc.next, got)
		}
	}
}

// Wiedervorlagen are per clerk: a colleague's Wiedervorlage is not mine (wv:fällig and wv:gesetzt
// ask for my own), and wv:alle finds anyone's.
func TestResubmissionIsPerClerk(t *testing.T) {
	s := store.Summary{ID: "x", Status: api.StatusInReview, ResubmissionDate: "2026-11-20",
		Resubmissions: "crivitz.wendt\t2026-11-20"}
	for _, tc := range []struct {
		me, expr string
		want     bool
	}{
		{"crivitz.peters", "wv:fällig", false},
		{"crivitz.peters", "wv:gesetzt", false},
		{"crivitz.peters", "wv:alle", true},
		{"crivitz.peters", "-wv:fällig", true},
		{"crivitz.wendt", "wv:fällig", true},
		{"crivitz.wendt", "resub:set", true},
	} {
		e := NewEnv(tc.me, nil, now, 3)
		q, err := Parse(tc.expr, now)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if got := q.Match(&s, e); got != tc.want {
			t.Errorf("%s as %s: match %v, want %v", tc.expr, tc.me, got, tc.want)
		}
	}
}
