package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
)

// openCase opens the cache (no server needed) and finds a case by id or Aktenzeichen. On success
// the caller closes the session.
func (a *app) openCase(key string) (*session, api.Case, bool) {
	s, ok := a.openSession(false)
	if !ok {
		return nil, api.Case{}, false
	}
	c, ok := a.findCase(s.st, key)
	if !ok {
		s.close()
		return nil, c, false
	}
	return s, c, true
}

// findCase looks a case up by id or reference (Aktenzeichen).
func (a *app) findCase(st *store.Store, key string) (api.Case, bool) {
	c, err := st.Case(key)
	if err == nil {
		return c, true
	}
	if !errors.Is(err, store.ErrNotFound) {
		a.storeErr(err)
		return c, false
	}
	rows, err := st.AllSummaries()
	if err != nil {
		a.storeErr(err)
		return c, false
	}
	// The store counts its index rows as it writes them: fewer readable rows than counted means
	// damage hid some, and the case may be among them — say so rather than "not cached".
	if n, err := st.Count(); err != nil || n != len(rows) {
		if err == nil {
			err = fmt.Errorf("%w: the list index has %d of %d rows", store.ErrCorrupt, len(rows), n)
		}
		a.storeErr(err)
		return c, false
	}
	for _, r := range rows {
		if r.ID == key {
			// Listed but its record is gone: the file is damaged, not the case unknown.
			a.storeErr(fmt.Errorf("%w: case %s is listed but its record is missing", store.ErrCorrupt, key))
			return c, false
		}
	}
	// By Aktenzeichen: as typed (any case), else in the folded form the clerk sees (zero-width
	// and format characters dropped, NFKC), as search matches it.
	folded := sanitize.Fold(key)
	for _, match := range []func(string) bool{
		func(ref string) bool { return strings.EqualFold(ref, key) },
		func(ref string) bool { return folded != "" && sanitize.Fold(ref) == folded },
	} {
		for _, r := range rows {
			if match(r.Reference) {
				c, err := st.Case(r.ID)
				if err != nil {
					a.storeErr(err)
				}
				return c, err == nil
			}
		}
	}
	a.errorf("%s", a.T("err.case_not_found", sanitize.Line(key)))
	return c, false
}
