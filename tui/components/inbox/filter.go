package inbox

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/query"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// Filter is a compiled filter expression: the query language of package query (shared with
// `amt list --query`). The zero Filter matches everything.
type Filter = query.Query

// ParseFilter compiles a filter expression (see query.Query); now anchors relative dates.
func ParseFilter(expr string, now time.Time) (Filter, error) { return query.Parse(expr, now) }

// env holds what predicates compare against, fixed when a filter run starts.
type env struct {
	me, today, soon, week string
	q                     *query.Env
}

func newEnv(c *common.Ctx) env {
	now := c.Now()
	q := query.NewEnv(c.Me.Clerk, c.Clerks, now, c.DueSoonDays())
	return env{me: c.Me.Clerk, today: q.Today, soon: q.Soon, week: q.Week, q: q}
}

// filterError is the clerk's sentence for a term the filter cannot read.
func filterError(err error) string {
	var qe *query.Error
	if !errors.As(err, &qe) {
		return common.Line(err.Error())
	}
	t := common.Line(qe.Term)
	switch qe.Reason {
	case query.BadField:
		return i18n.Tf("filter.err.field", t)
	case query.BadDate:
		return i18n.Tf("filter.err.date", t)
	}
	return i18n.Tf("filter.err.value", t)
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
// pass view and the typed query, keeping their order. Large inputs find the typed words with the
// corpus scan (and query.Env.AltMatch for what the search text does not hold: assignee names,
// short Aktenzeichen); a small narrowing base is checked row by row.
func run(all []store.Summary, c *corpus, ord []int32, view, typed *Filter, e *env) []int32 {
	words := typed.Words()
	var bits []bitset
	if len(words) > 0 && c != nil && len(ord) > len(all)/16 {
		for _, w := range words {
			bits = append(bits, c.matchWord(w))
		}
	}
	out := make([]int32, 0, len(ord)/4)
	for _, i := range ord {
		s := &all[i]
		if !view.Match(s, e.q) || !typed.MatchFields(s, e.q) {
			continue
		}
		ok := true
		for k, w := range words {
			if bits != nil {
				ok = bits[k].has(i) || e.q.AltMatch(s, w)
			} else {
				ok = e.q.WordMatch(s, w)
			}
			if !ok {
				break
			}
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}
