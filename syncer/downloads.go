package syncer

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
)

// DownloadQueue fetches attachments in the background, one after the other in the order they
// were queued, into the store's sealed files, so a clerk can queue the files of a case and go on
// working while a slow line brings them. A download that the line interrupts keeps its bytes (the
// store's writer resumes it) and is tried again with backoff until it completes; one the server
// refuses (gone, damaged) is counted as failed and dropped.
type DownloadQueue struct {
	c     Downloader
	st    AttachmentStore
	log   *slog.Logger
	after func(time.Duration) <-chan time.Time
	now   func() time.Time

	wake   chan struct{}
	events chan DownloadStatus

	mu     sync.Mutex
	jobs   []downloadJob // waiting, the running one first
	status DownloadStatus
}

type downloadJob struct {
	caseID string
	att    api.Attachment
}

// DownloadStatus is the queue's state as the UI shows it (latest wins on Events).
type DownloadStatus struct {
	// Queued counts the downloads not finished yet, the running one included.
	Queued int
	// Done and Failed count the downloads finished since the queue started.
	Done, Failed int
	// Name, Bytes and Total describe the running download (Name is the applicant's file name:
	// untrusted, sanitise before display). Rate is its measured rate in bytes per second.
	Name         string
	Bytes, Total int64
	Rate         float64
	// Waiting says the line is down: the running download waits to be tried again.
	Waiting bool
	// LastDone names the case of the download that finished last (for a view to refresh).
	LastDone string
}

// NewDownloadQueue returns a queue that fetches with c (a *client.Client) into st (a
// *store.Store). Call Run to work it off.
func NewDownloadQueue(c Downloader, st AttachmentStore, log *slog.Logger) *DownloadQueue {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DownloadQueue{c: c, st: st, log: log, after: time.After, now: time.Now,
		wake: make(chan struct{}, 1), events: make(chan DownloadStatus, 1)}
}

// Events delivers the queue's status after every change (capacity 1, latest wins).
func (q *DownloadQueue) Events() <-chan DownloadStatus { return q.events }

// Status returns the current status.
func (q *DownloadQueue) Status() DownloadStatus {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.status
}

// Add queues an attachment of a case. It reports false when that attachment is queued already or
// held complete in the store (nothing to do).
func (q *DownloadQueue) Add(caseID string, att api.Attachment) bool {
	if q.st.AttachmentComplete(caseID, att) {
		return false
	}
	q.mu.Lock()
	for _, j := range q.jobs {
		if j.caseID == caseID && j.att.ID == att.ID {
			q.mu.Unlock()
			return false
		}
	}
	q.jobs = append(q.jobs, downloadJob{caseID: caseID, att: att})
	q.mu.Unlock()
	q.publish(func(s *DownloadStatus) {})
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// publish updates the status under the lock and sends it, replacing an unread older one.
func (q *DownloadQueue) publish(f func(s *DownloadStatus)) {
	q.mu.Lock()
	f(&q.status)
	q.status.Queued = len(q.jobs)
	s := q.status
	q.mu.Unlock()
	for {
		select {
		case q.events <- s:
			return
		default:
		}
		select {
		case <-q.events:
		default:
		}
	}
}

// Run works off the queue until ctx ends (then it returns ctx.Err(); a running download keeps
// the bytes it has for the next start).
func (q *DownloadQueue) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	for {
		q.mu.Lock()
		var job *downloadJob
		if len(q.jobs) > 0 {
			j := q.jobs[0]
			job = &j
		}
		q.mu.Unlock()
		if job == nil {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-q.wake:
				continue
			}
		}
		progressed, err := q.fetch(ctx, *job)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var re *client.RetryError
		switch {
		case err == nil:
			backoff = 0
			q.finish(*job, false)
			continue
		case errors.Is(err, client.ErrOffline), errors.As(err, &re):
			// The line: keep it at the head and try again; the bytes it has are kept.
			if progressed {
				backoff = 0
			}
			backoff = min(max(2*backoff, time.Second), time.Minute)
			if re != nil && re.After > backoff {
				backoff = re.After
			}
			q.publish(func(s *DownloadStatus) { s.Waiting = true })
			q.log.Info("attachment download interrupted; trying again", "wait", backoff, "err", err)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-q.after(backoff):
			}
		default:
			q.log.Warn("attachment download failed", "err", err)
			q.finish(*job, true)
		}
	}
}

// fetch runs one attempt of a job (client.Download itself resumes within the call while bytes
// flow) and reports whether any byte arrived.
func (q *DownloadQueue) fetch(ctx context.Context, j downloadJob) (progressed bool, err error) {
	w, err := q.st.OpenAttachmentWriter(j.caseID, j.att)
	if err != nil {
		return false, err
	}
	start, first := q.now(), int64(-1)
	q.publish(func(s *DownloadStatus) {
		s.Name, s.Bytes, s.Total, s.Rate, s.Waiting = j.att.Name, 0, j.att.Size, 0, false
	})
	last := time.Time{}
	err = q.c.Download(ctx, j.caseID, j.att, w, func(done, total int64) {
		if first < 0 {
			first = done
		}
		progressed = progressed || done > first
		now := q.now()
		if now.Sub(last) < publishEvery && done < total {
			return
		}
		last = now
		rate := 0.0
		if el := now.Sub(start).Seconds(); el >= 1 {
			rate = float64(done-first) / el
		}
		q.publish(func(s *DownloadStatus) { s.Bytes, s.Total, s.Rate, s.Waiting = done, total, rate, false })
	})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return progressed, err
}

// finish drops the head job and counts it.
func (q *DownloadQueue) finish(j downloadJob, failed bool) {
	q.mu.Lock()
	if len(q.jobs) > 0 && q.jobs[0] == j {
		q.jobs = q.jobs[1:]
	}
	q.mu.Unlock()
	q.publish(func(s *DownloadStatus) {
		if failed {
			s.Failed++
		} else {
			s.Done++
			s.LastDone = j.caseID
		}
		s.Name, s.Bytes, s.Total, s.Rate, s.Waiting = "", 0, 0, 0, false
	})
}
