package actions

import (
	"github.com/amt-mv/amt/api"
)

// Store is what the action dialogs read of the local cache: the view's own interface, which the
// root's common.Store satisfies.
type Store interface {
	Case(id string) (api.Case, error)       // the case as the clerk sees it, overlay applied
	ServerCase(id string) (api.Case, error) // as the server last sent it: has it changed meanwhile?
}

// store is the context's cache as this view may use it (nil when there is none).
func (m Model) store() Store { return m.ctx.Store }
