package main

import (
	"time"

	"github.com/amt-mv/amt/store"
)

// metaAutoPurge is the store meta key holding when retention was last applied (RFC 3339).
const metaAutoPurge = "auto-purge"

// defaultRetentionDays applies when the config does not set retention_days.
const defaultRetentionDays = 90

// timeNow is the clock of retention (tests move it).
var timeNow = time.Now

// retentionDays is the configured retention (retention_days, default 90).
func (a *app) retentionDays() int {
	if a.cfg.RetentionDays > 0 {
		return a.cfg.RetentionDays
	}
	return defaultRetentionDays
}

// autoPurge applies retention_days at most once a day: finished cases last changed before the
// cut-off leave the local cache with their attachments (never a case with a queued action; the
// server keeps them all). It runs when the terminal app starts and after `amt sync`, so a laptop
// does not keep citizens' data longer than the Amt decided, even if nobody runs `amt purge`.
// It never fails the command: a problem is left for `amt purge` and `amt doctor` to report.
// It returns how many cases were removed.
func (a *app) autoPurge(st *store.Store) int {
	now := timeNow()
	if b, err := st.Meta(metaAutoPurge); err == nil {
		if last, err := time.Parse(time.RFC3339, string(b)); err == nil && !last.After(now) && now.Sub(last) < 24*time.Hour {
			return 0
		}
	}
	n, err := st.Purge(now.AddDate(0, 0, -a.retentionDays()))
	if err != nil {
		return 0
	}
	_ = st.PutMeta(metaAutoPurge, []byte(now.UTC().Format(time.RFC3339)))
	return n
}
