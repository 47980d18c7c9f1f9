package dashboard

import (
	"github.com/amt-mv/amt/store"
)

// Store is what the dashboard reads of the local cache: the view's own interface, which the root's
// common.Store satisfies.
type Store interface {
	AllSummaries() ([]store.Summary, error)
}

// store is the context's cache as this view may use it (nil when there is none).
func (m Model) store() Store { return m.ctx.Store }
