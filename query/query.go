// Package query owns the case filter language shared by the inbox's `/` filter, its saved views
// (config and palette) and `amt list --query`: parsing an expression into a Query and matching
// cache summaries against it. Dates are read with casework.ParseDate, text folded with
// sanitize.Fold.
package query

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
)

// Query is a compiled filter expression. The zero Query matches everything.
//
// An expression is space-separated terms, all of which must hold (German names first, English
// aliases after the slash; values in double quotes may contain spaces):
//
//	status:neu,prüfung      one of these states (offen/open, erledigt/done, or any state's name)
//	zuständig:peters        assigned to a clerk whose name or id contains the text
//	                        (ich/me: to me; niemand/none: to nobody); alias assignee:
//	leistung:gewerbe        service name or LeiKa key contains the text; alias service:
//	frist<15.12.2026        deadline before a date (also >, <=, >=; any date form of
//	                        casework.ParseDate: heute, +7, 15.12.26 …); alias due<
//	frist:überfällig        also bald, woche, keine (overdue, soon, week, none)
//	wv:fällig               my own Wiedervorlage date reached (wv:gesetzt: mine set; wv:alle:
//	                        anyone's set); alias resub:due, resub:set, resub:any
//	sync:ausstehend         queued actions (also konflikt, abgelehnt; pending, conflict, rejected)
//	az:SNE-2026-23          Aktenzeichen, short forms without leading zeros too; alias ref:
//	-term                   the term (a word or any of the above) must not hold
//	word                    occurs in the case's search text (Aktenzeichen, service, applicant's
//	                        name and e-mail address, form values) or in the assignee's name or id;
//	                        a short Aktenzeichen (SNE-2026-23) finds SNE-2026-000023
type Query struct {
	src                string
	statuses           []api.Status // positive status terms, for Part
	open, done         bool
	terms              []term
	words              []string // positive plain words (folded)
	monotone           bool     // see Narrows
	hasStatus, statNeg bool
}

type term struct {
	neg bool
	fn  func(s *store.Summary, e *Env) bool
}

// Reason says what is wrong with a term.
type Reason int

// Reasons of Error.
const (
	BadField Reason = iota // unknown field name
	BadValue               // a value the field does not know
	BadDate                // a date casework.ParseDate cannot read
)

// Error is a term Parse cannot read. Error() is the term itself (callers put it in their own
// sentence); Reason and Field tell which sentence.
type Error struct {
	Term   string
	Field  string // the canonical field ("status", "assignee", ...), "" for BadField
	Reason Reason
}

func (e *Error) Error() string { return e.Term }

// Fields lists the canonical field names with their aliases, for completions and help.
var Fields = map[string][]string{
	"status":   {"status", "st"},
	"assignee": {"zuständig", "zustaendig", "zust", "bearbeiter", "assignee", "owner"},
	"service":  {"leistung", "service", "dienst"},
	"due":      {"frist", "due"},
	"resub":    {"wv", "wiedervorlage", "resub", "followup"},
	"sync":     {"sync"},
	"ref":      {"az", "aktenzeichen", "ref", "reference"},
}

var fieldOf = func() map[string]string {
	m := map[string]string{}
	for f, as := range Fields {
		for _, a := range as {
			m[a] = f
		}
	}
	return m
}()

// statusWords maps the folded words clerks type to states ("open"/"done" are classes).
var statusWords = map[string]string{
	"offen": "open", "open": "open", "erledigt": "done", "done": "done", "fertig": "done",
	"neu": "new", "new": "new",
	"prüfung": "in_review", "inprüfung": "in_review", "in_prüfung": "in_review", "review": "in_review", "in_review": "in_review", "bearbeitung": "in_review",
	"unterlagen": "awaiting_documents", "nachforderung": "awaiting_documents", "awaiting_documents": "awaiting_documents",
	"freigabe": "decision_proposed", "vorschlag": "decision_proposed", "approval": "decision_proposed", "decision_proposed": "decision_proposed",
	"entschieden": "decided", "decided": "decided",
	"abgeschlossen": "closed", "geschlossen": "closed", "closed": "closed",
	"zurückgenommen": "withdrawn", "withdrawn": "withdrawn",
	"weitergeleitet": "forwarded", "forwarded": "forwarded",
}

// Parse compiles an expression (see Query). now anchors relative dates ("frist<+7").
func Parse(expr string, now time.Time) (Query, error) {
	q := Query{src: expr, monotone: true}
	for _, tok := range tokens(sanitize.Fold(expr)) {
		neg := false
		if len(tok) > 1 && tok[0] == '-' {
			neg, tok = true, tok[1:]
		}
		k, op, v, isField := splitField(tok)
		if !isField {
			if neg {
				w := tok
				q.terms = append(q.terms, term{neg: true, fn: func(s *store.Summary, e *Env) bool { return e.WordMatch(s, w) }})
				q.monotone = false
				continue
			}
			q.words = append(q.words, tok)
			if refShape(tok) {
				q.monotone = false
			}
			continue
		}
		q.monotone = false
		f, ok := fieldOf[k]
		if !ok {
			return Query{}, &Error{Term: tok, Reason: BadField}
		}
		fn, err := q.compile(f, op, v, neg, now)
		if err != nil {
			err.Term = tok
			return Query{}, err
		}
		q.terms = append(q.terms, term{neg: neg, fn: fn})
	}
	return q, nil
}

// MustParse is Parse for built-in expressions; it panics on an error.
func MustParse(expr string) Query {
	q, err := Parse(expr, time.Time{})
	if err != nil {
		panic(err)
	}
	return q
}

// Nothing returns a Query that matches no case (a saved view whose expression is broken).
func Nothing() Query {
	return Query{terms: []term{{fn: func(*store.Summary, *Env) bool { return false }}}}
}

// tokens splits on spaces outside double quotes and drops the quotes.
func tokens(s string) []string {
	var out []string
	var b strings.Builder
	quoted, any := false, false
	flush := func() {
		if any {
			out = append(out, b.String())
		}
		b.Reset()
		any = false
	}
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			any = true
		case unicode.IsSpace(r) && !quoted:
			flush()
		default:
			b.WriteRune(r)
			any = true
		}
	}
	flush()
	return out
}

// splitField splits "key:value", "key<value", "key>=value" …; a token is a field only when its
// key is letters only ("12:30" and "a@b.de" are words).
func splitField(tok string) (k, op, v string, ok bool) {
	i := strings.IndexAny(tok, ":<>")
	if i <= 0 {
		return "", "", "", false
	}
	for _, r := range tok[:i] {
		if !unicode.IsLetter(r) {
			return "", "", "", false
		}
	}
	k, op = tok[:i], tok[i:i+1]
	rest := tok[i+1:]
	if op != ":" && strings.HasPrefix(rest, "=") {
		op += "="
		rest = rest[1:]
	}
	return k, op, rest, true
}

func (q *Query) compile(f, op, v string, neg bool, now time.Time) (func(*store.Summary, *Env) bool, *Error) {
	bad := &Error{Field: f, Reason: BadValue}
	if op != ":" && f != "due" {
		return nil, bad
	}
	switch f {
	case "status":
		var states []api.Status
		open, done := false, false
		for _, w := range strings.Split(v, ",") {
			st, ok := statusWords[w]
			if !ok {
				if !api.Status(w).Valid() {
					return nil, bad
				}
				st = w
			}
			switch st {
			case "open":
				open = true
			case "done":
				done = true
			default:
				states = append(states, api.Status(st))
			}
		}
		if !neg {
			q.open, q.done = q.open || open, q.done || done
			q.statuses = append(q.statuses, states...)
			q.hasStatus = true
		} else {
			q.statNeg = true
		}
		return func(s *store.Summary, _ *Env) bool {
			o := s.Status.Open()
			if (open && o) || (done && !o) {
				return true
			}
			for _, st := range states {
				if s.Status == st {
					return true
				}
			}
			return false
		}, nil
	case "assignee":
		switch v {
		case "me", "ich", "mir", "mich":
			return func(s *store.Summary, e *Env) bool { return s.Assignee != "" && s.Assignee == e.Me }, nil
		case "", "none", "niemand", "keiner", "keine", "nobody":
			return func(s *store.Summary, _ *Env) bool { return s.Assignee == "" }, nil
		}
		return func(s *store.Summary, e *Env) bool { return e.assigneeHas(s.Assignee, v, true) }, nil
	case "service":
		if v == "" {
			return nil, bad
		}
		return func(s *store.Summary, _ *Env) bool {
			return strings.Contains(strings.ToLower(s.ServiceName), v) || strings.Contains(s.ServiceKey, v)
		}, nil
	case "ref":
		if v == "" {
			return nil, bad
		}
		return func(s *store.Summary, _ *Env) bool { return refMatch(s.Reference, v) }, nil
	case "resub":
		switch v {
		// Wiedervorlagen are per clerk: due and set ask for the signed-in clerk's own, any for
		// anyone's (a lead looking over the Amt).
		case "due", "fällig", "faellig":
			return func(s *store.Summary, e *Env) bool {
				d := s.ResubmissionOf(e.Me)
				return d != "" && d <= e.Today
			}, nil
		case "set", "gesetzt", "mine", "meine":
			return func(s *store.Summary, e *Env) bool { return s.ResubmissionOf(e.Me) != "" }, nil
		case "any", "alle":
			return func(s *store.Summary, _ *Env) bool { return s.ResubmissionDate != "" }, nil
		}
		return nil, bad
	case "sync":
		switch v {
		case "pending", "ausstehend":
			return func(s *store.Summary, _ *Env) bool { return s.Pending > 0 }, nil
		case "conflict", "konflikt":
			return func(s *store.Summary, _ *Env) bool { return s.Conflict }, nil
		case "rejected", "abgelehnt":
			return func(s *store.Summary, _ *Env) bool { return s.Rejected }, nil
		}
		return nil, bad
	case "due":
		if op == ":" {
			switch v {
			case "overdue", "überfällig", "ueberfaellig":
				return func(s *store.Summary, e *Env) bool { return s.DueDate != "" && s.DueDate < e.Today }, nil
			case "soon", "bald":
				return func(s *store.Summary, e *Env) bool { return s.DueDate != "" && s.DueDate <= e.Soon }, nil
			case "week", "woche":
				return func(s *store.Summary, e *Env) bool { return s.DueDate != "" && s.DueDate <= e.Week }, nil
			case "none", "keine":
				return func(s *store.Summary, _ *Env) bool { return s.DueDate == "" }, nil
			}
			return nil, bad
		}
		d, err := casework.ParseDate(v, now)
		if err != nil {
			return nil, &Error{Field: f, Reason: BadDate}
		}
		cmp := map[string]func(a string) bool{
			"<": func(a string) bool { return a < d }, "<=": func(a string) bool { return a <= d },
			">": func(a string) bool { return a > d }, ">=": func(a string) bool { return a >= d },
		}[op]
		return func(s *store.Summary, _ *Env) bool { return s.DueDate != "" && cmp(s.DueDate) }, nil
	}
	return nil, bad
}

// String is the expression as given.
func (q *Query) String() string { return q.src }

// Empty reports whether q matches everything.
func (q *Query) Empty() bool { return len(q.terms) == 0 && len(q.words) == 0 }

// Words are the plain words every match contains (folded); a caller with a fast text index
// checks them itself (Env.AltMatch covers what the search text does not) and calls MatchFields.
func (q *Query) Words() []string { return q.words }

// Narrows reports whether every case matching next also matches q, judged from the texts: both
// are plain words only and next extends q's text (typing on). Callers then search only q's result.
func (q *Query) Narrows(next *Query) bool {
	return q.monotone && next.monotone && strings.HasPrefix(strings.Join(next.words, " "), strings.Join(q.words, " "))
}

// Part is the part of the cache's index that can hold matches: only open cases (status:offen,
// or open states only), only finished ones, or all.
func (q *Query) Part() store.Scan {
	if !q.hasStatus {
		return store.ScanAll
	}
	open, done := q.open, q.done
	for _, st := range q.statuses {
		if st.Open() {
			open = true
		} else {
			done = true
		}
	}
	switch {
	case open && !done:
		return store.ScanOpen
	case done && !open:
		return store.ScanFinished
	}
	return store.ScanAll
}

// Match reports whether s passes every term and contains every word.
func (q *Query) Match(s *store.Summary, e *Env) bool {
	if !q.MatchFields(s, e) {
		return false
	}
	for _, w := range q.words {
		if !e.WordMatch(s, w) {
			return false
		}
	}
	return true
}

// MatchFields is Match without the positive words (see Words).
func (q *Query) MatchFields(s *store.Summary, e *Env) bool {
	for _, t := range q.terms {
		if t.fn(s, e) == t.neg {
			return false
		}
	}
	return true
}

// Env holds what a run of matches compares against, fixed when the run starts.
type Env struct {
	Me                string            // the signed-in clerk's id
	Today, Soon, Week string            // YYYY-MM-DD
	names             map[string]string // clerk id → folded name
}

// NewEnv builds the environment for clerk me at now (local calendar day), with deadlines within
// soonDays counting as soon, and the clerks whose names assignee terms and words find.
func NewEnv(me string, clerks []api.Clerk, now time.Time, soonDays int) *Env {
	l := now.Local()
	e := &Env{Me: me, Today: l.Format(time.DateOnly), Soon: l.AddDate(0, 0, soonDays).Format(time.DateOnly),
		Week: casework.DueBy(now), names: map[string]string{}}
	for _, c := range clerks {
		e.names[c.ID] = sanitize.Fold(c.Name)
	}
	return e
}

// WordMatch reports whether the folded word w occurs in s's search text or AltMatch holds.
func (e *Env) WordMatch(s *store.Summary, w string) bool {
	return strings.Contains(s.Search, w) || e.AltMatch(s, w)
}

// AltMatch reports whether w finds s other than in its search text: in the assignee's name, or
// as a short form of its Aktenzeichen.
func (e *Env) AltMatch(s *store.Summary, w string) bool {
	return e.assigneeHas(s.Assignee, w, false) || (refShape(w) && refMatch(s.Reference, w))
}

// assigneeHas reports whether the clerk id's name contains w, or (withID) the id does. A plain
// word does not search ids: their Amt prefix ("crivitz.") would make the town's name find every
// assigned case. A clerk missing from the list is known by the id's part after the Amt prefix.
func (e *Env) assigneeHas(id, w string, withID bool) bool {
	if id == "" {
		return false
	}
	lid := strings.ToLower(id)
	if withID && strings.Contains(lid, w) {
		return true
	}
	if n, ok := e.names[id]; ok {
		return strings.Contains(n, w)
	}
	_, local, _ := strings.Cut(lid, ".")
	if local == "" {
		local = lid
	}
	return strings.Contains(local, w)
}

var refRe = regexp.MustCompile(`^(\p{L}+)-(\d{4})-0*(\d+)$`)

func refShape(w string) bool { return refRe.MatchString(w) }

// refMatch reports whether the reference ref is w, leading zeros of the number ignored
// ("SNE-2026-000023" is sne-2026-23), or contains w.
func refMatch(ref, w string) bool {
	f := strings.ToLower(ref)
	if strings.Contains(f, w) {
		return true
	}
	a, b := refRe.FindStringSubmatch(f), refRe.FindStringSubmatch(w)
	return a != nil && b != nil && a[1] == b[1] && a[2] == b[2] && a[3] == b[3]
}
