package common

import "github.com/amt-mv/amt/api"

// DownloadQueue queues attachment downloads that run in the background, outliving the case view
// (syncer.DownloadQueue); nil in Ctx = downloads run in the case view only.
type DownloadQueue interface {
	// Add queues an attachment; false when it is queued already or held complete.
	Add(caseID string, att api.Attachment) bool
}

// QueueStatus mirrors syncer.DownloadStatus: what the status bar shows about the queue.
type QueueStatus struct {
	Queued, Done, Failed int
	Bytes, Total         int64
	Rate                 float64
	Waiting              bool // the line is down; the running download will be tried again
}

// QueueEventMsg carries a new QueueStatus from the download queue to the root.
type QueueEventMsg QueueStatus
