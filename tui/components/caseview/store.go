package caseview

import (
	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// Store is what the case view reads and writes of the local cache: the view's own interface, which
// the root's common.Store satisfies.
type Store interface {
	Case(id string) (api.Case, error)
	Summary(id string) (store.Summary, error)
	CaseActions(caseID string) ([]store.Action, error)
	// Attachments are sealed on disk (see store.OpenAttachmentWriter); the view gets plaintext
	// only as a copy for the system viewer (Dir/view) or in the folder the clerk chose. Export
	// and view check the file against att as the case describes it now: another version on disk
	// counts as not downloaded (store.ErrNotFound).
	AttachmentComplete(caseID string, att api.Attachment) bool
	OpenAttachmentWriter(caseID string, att api.Attachment) (*store.AttachmentWriter, error)
	ExportAttachment(caseID string, att api.Attachment, dst string) error
	ViewAttachment(caseID string, att api.Attachment, ext string) (string, error)
}

// store is the context's cache as this view may use it (nil when there is none).
func (m Model) store() Store { return m.ctx.Store }
