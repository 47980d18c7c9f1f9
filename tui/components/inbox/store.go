package inbox

import (
	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// Store is what the inbox reads of the local cache: the view's own interface, which the root's
// common.Store satisfies.
type Store interface {
	Count() (int, error)
	// ScanSummaries visits a part of the index (open or finished cases, or all) in index order
	// until fn returns false; the first screen reads only as many rows as it shows.
	ScanSummaries(part store.Scan, fn func(store.Summary) bool) error
	AllSummaries() ([]store.Summary, error)
	Case(id string) (api.Case, error) // the preview of the selected case
}

// store is the context's cache as this view may use it (nil when there is none).
func (m Model) store() Store { return m.ctx.Store }
