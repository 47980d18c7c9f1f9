// Package common owns what every TUI view shares: the context (screen size, theme, keymap, clock,
// store and syncer handles, sync status), the messages views exchange with the root, and helpers
// for queuing actions, formatting and sanitising text.
package common

import (
	"context"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/keys"
	"github.com/amt-mv/amt/tui/theme"
)

// Store is the local cache as the TUI uses it: what the root hands every view in Ctx.Store.
// Each view names the part it uses in its own Store interface (inbox.Store, caseview.Store,
// pending.Store, dashboard.Store, actions.Store); this is their union plus what the root and
// Enqueue use. *store.Store satisfies it.
type Store interface {
	// Inbox and dashboard.
	Count() (int, error)
	ScanSummaries(part store.Scan, fn func(store.Summary) bool) error
	AllSummaries() ([]store.Summary, error)
	Summary(id string) (store.Summary, error)
	// Case view and dialogs.
	Case(id string) (api.Case, error)
	ServerCase(id string) (api.Case, error)
	CaseActions(caseID string) ([]store.Action, error)
	AttachmentComplete(caseID string, att api.Attachment) bool
	OpenAttachmentWriter(caseID string, att api.Attachment) (*store.AttachmentWriter, error)
	ExportAttachment(caseID string, att api.Attachment, dst string) error
	ViewAttachment(caseID string, att api.Attachment, ext string) (string, error)
	// The outbox: queue, take back, resolve (see pending.Store).
	Enqueue(a store.Action) (store.Action, error)
	Outbox() ([]store.Action, error)
	Cancel(actionID string) (store.Action, error)
	RequeueConflict(actionID string) error
	DiscardSettled(actionID string) error
	ReplaceSettled(actionID string, n store.Action) (store.Action, error)
	// The print queue (Postausgang).
	PrintQueue() ([]store.PrintItem, error)
	// The root: last sync and change notifications.
	SyncState() (store.SyncState, error)
	Subscribe() (<-chan struct{}, func())
}

var _ Store = (*store.Store)(nil)

// Syncer is the part of the syncer the views may poke. *syncer.Syncer satisfies it. Views never
// wait on it: Kick returns at once.
type Syncer interface {
	Kick()
}

// DownloadFunc fetches one attachment into dst, a writer the view opened on the store (resuming
// after the bytes dst holds, verifying size and sha256 before it commits dst), and reports
// progress. The view closes dst. Views call it only inside a tea.Cmd. cmd/amt wires client.Download.
type DownloadFunc func(ctx context.Context, caseID string, att api.Attachment, dst *store.AttachmentWriter, progress func(done, total int64)) error

// OpenFunc opens a file with the system viewer.
type OpenFunc func(path string) error

// SyncStatus mirrors syncer.Event: what the status bar shows. The root keeps Ctx.Status current.
type SyncStatus struct {
	Online, Syncing              bool
	LastSync                     time.Time
	Pending, Conflicts, Rejected int
	Err, ErrKind                 string
	Changed                      bool
	// Progress of the running (or last) pull, for the status line on a slow line.
	Progress i18n.SyncFacts
}

// Config is the clerk's TUI configuration (from the config file; see docs).
type Config struct {
	Theme string `yaml:"theme" json:"theme"` // "default" (empty), "high-contrast", "red-green" or "blue-yellow"
	Lang  string `yaml:"lang" json:"lang"`   // "de" (default) or "en"; Deps.Lang wins when set
	Mouse bool   `yaml:"mouse" json:"mouse"` // capture the mouse (wheel scroll, click to select)
	// NoColor drops all colours; Run also sets it when the NO_COLOR environment variable is non-empty.
	NoColor bool `yaml:"no_color" json:"no_color"`
	// Accessible renders linear text screens for screen readers and braille displays, with the
	// terminal cursor on the selected row (amt --accessible; Run also sets it for ACCESSIBLE=1).
	Accessible bool `yaml:"accessible" json:"accessible"`
	// Keys overrides bindings by action name: {"case.decide": ["ctrl+d"], "quit": ["Q"]}.
	Keys map[string][]string `yaml:"keys" json:"keys"`
	// Views are extra inbox tabs after the built-in ones.
	Views []ViewConfig `yaml:"views" json:"views"`
	// DueSoonDays marks deadlines within this many days as due soon (default 3).
	DueSoonDays int `yaml:"due_soon_days" json:"due_soon_days"`
	// StartView is the inbox tab shown at start: a built-in ("mine", "new", "due", "resub", "all",
	// "done") or the name of a configured view. Empty means "mine" when the clerk has open cases
	// of their own, else "all" (a first screen with something to work on).
	StartView string `yaml:"start_view" json:"start_view"`
}

// ViewConfig is a user-defined saved view: a name and a filter expression such as
// "status:neu,prüfung zuständig:ich frist<+7 leistung:gewerbe -wort text" (see package query).
type ViewConfig struct {
	Name   string `yaml:"name" json:"name"`
	Filter string `yaml:"filter" json:"filter"`
	Sort   string `yaml:"sort" json:"sort"` // due, submitted, reference, status; "-" prefix reverses
}

// Ctx is the one shared context, passed by pointer to every view. Only the root writes it, inside
// Update; views read it in Update and View and must not keep copies of its fields.
type Ctx struct {
	ScreenWidth, ScreenHeight int // the whole terminal
	Width, Height             int // the area of the active view (screen minus status bar)

	Theme  *theme.Theme
	Keys   *keys.KeyMap
	Config Config

	Store    Store
	Syncer   Syncer       // nil when offline-only
	Download DownloadFunc // nil when no server is configured: "download unavailable"
	Open     OpenFunc     // nil: the view's own fallback (xdg-open / open / start)

	Me     api.Me
	Clerks []api.Clerk
	Demo   bool // --demo: :offline / :online are available

	// Notices are the news for the clerk per case id (their proposal approved or returned,
	// documents arrived, a colleague changed their case) until they open the case.
	Notices map[string][]casework.Notice

	Status SyncStatus // latest syncer status
	// Queue takes background downloads (nil: none); QueueStatus is its latest state.
	Queue       DownloadQueue
	QueueStatus QueueStatus

	// Now is the clock (injectable for tests); never nil after NewCtx.
	Now func() time.Time
}

// NewCtx builds a context with the default theme and keymap; fields may be set afterwards.
func NewCtx(st Store, me api.Me, now func() time.Time) *Ctx {
	if now == nil {
		now = time.Now
	}
	return &Ctx{
		Theme: theme.Must(theme.Default, false),
		Keys:  keys.Default(),
		Store: st,
		Me:    me,
		Now:   now,
	}
}

// T is i18n.T, for brevity in views.
func (c *Ctx) T(key string) string { return i18n.T(key) }

// Tf is i18n.Tf.
func (c *Ctx) Tf(key string, args ...any) string { return i18n.Tf(key, args...) }

// Kick asks the syncer to push soon; a no-op without a syncer.
func (c *Ctx) Kick() {
	if c.Syncer != nil {
		c.Syncer.Kick()
	}
}

// IsLead reports whether the signed-in clerk may approve four-eyes decisions (a lead or deputy).
func (c *Ctx) IsLead() bool { return casework.MayApprove(c.Me.Role) }

// Clerk is the signed-in clerk as casework's preconditions see them.
func (c *Ctx) Clerk() casework.Clerk { return casework.Clerk{ID: c.Me.Clerk, Role: c.Me.Role} }

// ClerkName returns the display name of a clerk id (sanitised), the id itself when unknown, and
// "—" for an empty id.
func (c *Ctx) ClerkName(id string) string {
	if id == "" {
		return i18n.T("unassigned")
	}
	if id == c.Me.Clerk && c.Me.Name != "" {
		return sanitize.Line(c.Me.Name)
	}
	for _, k := range c.Clerks {
		if k.ID == id {
			return sanitize.Line(k.Name)
		}
	}
	return sanitize.Line(id)
}

// DueSoonDays is the configured due-soon window (default 3 days).
func (c *Ctx) DueSoonDays() int {
	if c.Config.DueSoonDays > 0 {
		return c.Config.DueSoonDays
	}
	return 3
}
