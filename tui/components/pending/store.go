package pending

import (
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
)

// Store is what the outbox view (Ausstehend) reads and resolves of the local cache: the view's own
// interface, which the root's common.Store satisfies.
type Store interface {
	Summary(id string) (store.Summary, error)
	// Cancel takes back an action that has not left the machine (store.ErrInFlight otherwise).
	Cancel(actionID string) (store.Action, error)
	// ResolveStore: Outbox and the conflict resolutions. Each resolution checks in its own
	// transaction that the action is still a conflict or rejection (store.ErrNotSettled
	// otherwise), so a double key press or a crash never leaves the intent twice or not at all.
	syncer.ResolveStore
}

// store is the context's cache as this view may use it (nil when there is none).
func (m Model) store() Store { return m.ctx.Store }
