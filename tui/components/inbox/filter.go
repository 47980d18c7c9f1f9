package inbox

import (
	"fmt"
	"sort"
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"

	"github.com/amt-mv/amt/internal/sanitize"
)

// Filter is a compiled saved-view expression. The zero Filter matches everything.
//
// Expressions are space-separated terms, all of which must hold:
//
//	status:new,in_review   one of these states (also status:open, status:done)
//	assignee:me            assigned to me (also assignee:none, assignee:<clerk id>)
//	due:overdue            deadline passed (also due:soon, due:week, due:none)
//	resub:due              Wiedervorlage date reached (also resub:any)
//	service:gewerbe        service name or LeiKa key contains the text
//	sync:pending           has queued actions (also sync:conflict, sync:rejected)
//	word                   any other word must occur in the case's search text
type Filter struct {
	statuses            []api.Status
	open, done          bool
	assignee            string
	assigneeMe, noOwner bool
	due                 string // "", overdue, soon, week, none
	resub               string // "", due, any
	service             string
	pending, conflict   bool
	rejected            bool
	words               []string
}

// ParseFilter compiles a saved-view expression (see Filter).
func ParseFilter(expr string) (Filter, error) {
	var f Filter
	for _, term := range strings.Fields(expr) {
		k, v, ok := strings.Cut(term, ":")
		if !ok {
			f.words = append(f.words, strings.ToLower(term))
			continue
		}
		v = strings.ToLower(v)
		switch strings.ToLower(k) {
		case "status":
			for _, s := range strings.Split(v, ",") {
				switch s {
				case "open":
					f.open = true
				case "done":
					f.done = true
				default:
					if !api.Status(s).Valid() {
						return Filter{}, fmt.Errorf("%s", term)
					}
					f.statuses = append(f.statuses, api.Status(s))
				}
			}
		case "assignee":
			switch v {
			case "me":
				f.assigneeMe = true
			case "none", "":
				f.noOwner = true
			default:
				f.assignee = v
			}
		case "due":
			switch v {
			case "overdue", "soon", "week", "none":
				f.due = v
			default:
				return Filter{}, fmt.Errorf("%s", term)
			}
		case "resub":
			switch v {
			case "due", "any":
				f.resub = v
			default:
				return Filter{}, fmt.Errorf("%s", term)
			}
		case "service":
			f.service = v
		case "sync":
			switch v {
			case "pending":
				f.pending = true
			case "conflict":
				f.conflict = true
			case "rejected":
				f.rejected = true
			default:
				return Filter{}, fmt.Errorf("%s", term)
			}
		default:
			return Filter{}, fmt.Errorf("%s", term)
		}
	}
	return f, nil
}

// env holds what predicates compare against, fixed when a filter run starts.
type env struct {
	me, today, soon, week string
}

func newEnv(c *common.Ctx) env {
	now := c.Now()
	return env{me: c.Me.Clerk, today: common.Today(now), soon: common.AddDays(now, c.DueSoonDays()),
		week: common.AddDays(now, 7)}
}

// scanPart is the part of the store's index that can hold rows of the filter: only open cases
// (status:open, or only open statuses), only finished ones, or all.
func (f *Filter) scanPart() store.Scan {
	if !f.open && !f.done && len(f.statuses) == 0 {
		return store.ScanAll
	}
	open, done := f.open, f.done
	for _, st := range f.statuses {
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

// Match reports whether s passes the filter.
func (f *Filter) match(s *store.Summary, e *env) bool {
	if f.open || f.done || len(f.statuses) > 0 {
		o := s.Status.Open()
		ok := (f.open && o) || (f.done && !o)
		for _, st := range f.statuses {
			if s.Status == st {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if f.assigneeMe && s.Assignee != e.me {
		return false
	}
	if f.noOwner && s.Assignee != "" {
		return false
	}
	if f.assignee != "" && strings.ToLower(s.Assignee) != f.assignee {
		return false
	}
	switch f.due {
	case "overdue":
		if s.DueDate == "" || s.DueDate >= e.today {
			return false
		}
	case "soon":
		if s.DueDate == "" || s.DueDate > e.soon {
			return false
		}
	case "week":
		if s.DueDate == "" || s.DueDate > e.week {
			return false
		}
	case "none":
		if s.DueDate != "" {
			return false
		}
	}
	switch f.resub {
	case "due":
		if s.ResubmissionDate == "" || s.ResubmissionDate > e.today {
			return false
		}
	case "any":
		if s.ResubmissionDate == "" {
			return false
		}
	}
	if f.service != "" && !strings.Contains(strings.ToLower(s.ServiceName), f.service) && !strings.Contains(s.ServiceKey, f.service) {
		return false
	}
	if f.pending && s.Pending == 0 {
		return false
	}
	if f.conflict && !s.Conflict {
		return false
	}
	if f.rejected && !s.Rejected {
		return false
	}
	for _, w := range f.words {
		if !strings.Contains(s.Search, w) {
			return false
		}
	}
	return true
}

// queryWords splits the typed filter into lower-cased words.
// They are folded like the search text (sanitize.Fold: NFKC, no invisible characters).
func queryWords(q string) []string { return strings.Fields(sanitize.Fold(q)) }

func matchWords(s *store.Summary, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s.Search, w) {
			return false
		}
	}
	return true
}

// SortKey orders the list.
type SortKey int

// Sort keys. SortDue is the store's index order (open cases first, then finished ones; each by
// due date, then id), so it costs nothing.
const (
	SortDue SortKey = iota
	SortSubmitted
	SortReference
	SortStatus
	numSortKeys
)

// SortKeys lists the sort keys in cycling order.
var SortKeys = []SortKey{SortDue, SortSubmitted, SortReference, SortStatus}

// Name is the config name of a sort key.
func (k SortKey) Name() string {
	return [...]string{"due", "submitted", "reference", "status"}[k]
}

// LabelKey is the i18n key of a sort key's label.
func (k SortKey) LabelKey() string { return "sort." + k.Name() }

// ParseSort maps a config name ("due", "-submitted") to a key and direction.
func ParseSort(s string) (SortKey, bool, error) {
	desc := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for _, k := range SortKeys {
		if k.Name() == s {
			return k, desc, nil
		}
	}
	if s == "" {
		return SortDue, desc, nil
	}
	return SortDue, false, fmt.Errorf("sort %q", s)
}

var statusRank = func() map[api.Status]int {
	m := map[api.Status]int{}
	for i, s := range api.Statuses {
		m[s] = i
	}
	return m
}()

// sortOrder returns the permutation of all for a key (stable on index order). Received sorts
// newest first.
func sortOrder(all []store.Summary, k SortKey, desc bool) []int32 {
	ord := make([]int32, len(all))
	for i := range ord {
		ord[i] = int32(i)
	}
	var less func(a, b *store.Summary) bool
	switch k {
	case SortSubmitted:
		less = func(a, b *store.Summary) bool { return a.SubmittedAt.After(b.SubmittedAt) }
	case SortReference:
		less = func(a, b *store.Summary) bool { return a.Reference < b.Reference }
	case SortStatus:
		less = func(a, b *store.Summary) bool { return statusRank[a.Status] < statusRank[b.Status] }
	}
	if less != nil {
		sort.SliceStable(ord, func(i, j int) bool { return less(&all[ord[i]], &all[ord[j]]) })
	}
	if desc {
		for i, j := 0, len(ord)-1; i < j; i, j = i+1, j-1 {
			ord[i], ord[j] = ord[j], ord[i]
		}
	}
	return ord
}

// parallelMin is the row count from which a corpus scan is split across CPUs.
const parallelMin = 16384

// run filters the rows of ord (a permutation of all, or a previous result when narrowing) that
// pass view and contain every word, keeping their order. Large inputs use the corpus scan; a
// small narrowing base is checked row by row.
func run(all []store.Summary, c *corpus, ord []int32, view *Filter, words []string, e *env) []int32 {
	var bits bitset
	if len(words) > 0 && c != nil && len(ord) > len(all)/16 {
		bits = c.match(words)
		words = nil
	}
	n := len(ord)
	if bits != nil {
		n = bits.count()
	}
	out := make([]int32, 0, n) // sized once: no growth copies on a 100,000-row result
	for _, i := range ord {
		if bits != nil && !bits.has(i) {
			continue
		}
		s := &all[i]
		if view.match(s, e) && matchWords(s, words) {
			out = append(out, i)
		}
	}
	return out
}
