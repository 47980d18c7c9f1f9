package printqueue

import (
	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// Store is what the print queue reads of the local cache: the view's own interface, which the
// root's common.Store satisfies.
type Store interface {
	PrintQueue() ([]store.PrintItem, error)
	Case(id string) (api.Case, error)
	ServerCase(id string) (api.Case, error)
	// The letter is fetched into the sealed cache first and opened as a viewer copy.
	AttachmentComplete(caseID string, att api.Attachment) bool
	OpenAttachmentWriter(caseID string, att api.Attachment) (*store.AttachmentWriter, error)
	ViewAttachment(caseID string, att api.Attachment, ext string) (string, error)
}

// store is the context's cache as this view may use it (nil when there is none).
func (m Model) store() Store { return m.ctx.Store }
