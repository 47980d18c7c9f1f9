package syncer

import (
	"context"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/store"
)

// The syncer's consumer-owned interfaces: what it uses of the central API and of the cache,
// nothing more. *client.Client and *store.Store have them.

// Remote is the central API as the syncer uses it: send an action, read the change feed, fetch
// one case (a delta the cache cannot apply).
type Remote interface {
	Send(ctx context.Context, a client.Action) (api.ActionResult, error)
	ChangesStream(ctx context.Context, fr client.FeedRequest, onRemaining func(int), onItem func(api.Change) error) (client.FeedHead, error)
	Case(ctx context.Context, id string, etag string) (api.Case, error)
}

// Store is the cache as the syncer uses it: the outbox and its outcomes, the cases the feed
// brings, the feed cursor and the sync times.
type Store interface {
	Outbox() ([]store.Action, error)
	BeginSend(actionID string) (store.Action, error)
	MarkDone(actionID string, serverCase *api.Case) error
	MarkDoneRebase(actionID string, serverCase *api.Case, from, to int64) error
	MarkConflict(actionID string, serverCase api.Case) error
	MarkRejected(actionID string, reason string) error
	MarkRetry(actionID string, attempts int, next time.Time, lastErr string) error
	MarkUnsent(actionID string, attempts int, next time.Time, lastErr string) error

	ServerCase(id string) (api.Case, error)
	ApplyChanges(items []api.Change, nextCursor string) error
	ResetForResync() error
	Compact() error

	Cursor() (string, error)
	SyncState() (store.SyncState, error)
	SetLastSync(t time.Time, errText string) error
}

// Downloader fetches an attachment's bytes (resuming what dst already holds).
type Downloader interface {
	Download(ctx context.Context, caseID string, att api.Attachment, dst client.Sink, progress func(done, total int64)) error
}

// AttachmentStore is where the download queue puts attachments.
type AttachmentStore interface {
	AttachmentComplete(caseID string, att api.Attachment) bool
	OpenAttachmentWriter(caseID string, att api.Attachment) (*store.AttachmentWriter, error)
}

var (
	_ Remote          = (*client.Client)(nil)
	_ Downloader      = (*client.Client)(nil)
	_ Store           = (*store.Store)(nil)
	_ AttachmentStore = (*store.Store)(nil)
)
