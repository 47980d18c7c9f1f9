package common

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/store"
)

// ViewID names the root's top-level views.
type ViewID int

// Top-level views.
const (
	ViewInbox ViewID = iota
	ViewCase
	ViewPending
	ViewDashboard
	ViewPrintQueue // Postausgang
)

// SwitchViewMsg asks the root to show a top-level view (the case view needs OpenCaseMsg).
type SwitchViewMsg struct{ View ViewID }

// OpenCaseMsg asks the root to open the case view for a case id.
type OpenCaseMsg struct{ ID string }

// BackMsg asks the root to return to the previous view (e.g. the case view after Esc).
type BackMsg struct{}

// ToastKind is the tone of a toast.
type ToastKind int

// Toast kinds.
const (
	ToastInfo ToastKind = iota
	ToastSuccess
	ToastWarn
	ToastError
)

// ToastMsg shows a short message above the status bar for a few seconds.
type ToastMsg struct {
	Text string // already translated and sanitised
	Kind ToastKind
	// Key, when set, makes a toast replace the shown one with the same key (pressing s three
	// times shows the last sort, not three stacked toasts).
	Key string
}

// Toast returns a command that shows a toast.
func Toast(kind ToastKind, text string) tea.Cmd {
	return func() tea.Msg { return ToastMsg{Text: text, Kind: kind} }
}

// KeyedToast is Toast that replaces any shown toast with the same key.
func KeyedToast(key string, kind ToastKind, text string) tea.Cmd {
	return func() tea.Msg { return ToastMsg{Text: text, Kind: kind, Key: key} }
}

// StoreChangedMsg says the cache changed (store.Subscribe fired). The root reloads what it shows
// and forwards the message to the active view and any open dialog, which re-read their case.
type StoreChangedMsg struct{}

// SyncEventMsg carries a syncer event. The root copies it into Ctx.Status before forwarding it.
type SyncEventMsg SyncStatus

// DialogKind names an action dialog (owned by tui/components/actions).
type DialogKind string

// Dialog kinds.
const (
	DialogComment         DialogKind = "comment"
	DialogAssign          DialogKind = "assign"
	DialogResubmission    DialogKind = "resubmission"
	DialogDocumentRequest DialogKind = "document_request"
	DialogDecide          DialogKind = "decide"
	DialogApproval        DialogKind = "approval" // four-eyes approve / return (leads)
	DialogStatus          DialogKind = "status"   // status change: start, close, take a proposal back
)

// OpenDialogMsg asks the root to open an action dialog over the current view for one or more
// cases (several only for DialogAssign: bulk assignment from the inbox).
type OpenDialogMsg struct {
	Kind    DialogKind
	CaseIDs []string
	Choice  string // preselects this option (a status such as "closed"); "" = the dialog's default
}

// CloseDialogMsg asks the root to close the open dialog (after submit or cancel).
type CloseDialogMsg struct{}

// ActionQueuedMsg reports the result of Enqueue: the actions as stored (with ids and sequence
// numbers) or the error. The root shows a toast and forwards the message to the active view and
// dialog. Views do not reload on it: queuing changed the store, whose StoreChangedMsg follows
// (one reload per change).
type ActionQueuedMsg struct {
	Actions []store.Action
	Err     error
	Online  bool // whether the syncer was online when the actions were queued
}

// ConfigChangedMsg says theme, language or keymap changed: views drop cached renderings and
// rebuild any styles or labels they derived.
type ConfigChangedMsg struct{}

// InputCapturer is implemented by views and dialogs that can hold keyboard focus in a text input
// (filter, editor). While CapturingInput is true the root does not interpret global keys such as
// q, ?, :, I, P, O, and passes every key to the view (Ctrl+C still quits).
type InputCapturer interface {
	CapturingInput() bool
}

// ViewSavedMsg says the clerk saved the inbox filter as a new tab; the root writes it into the
// config file (when there is one) and says whether it lasts.
type ViewSavedMsg struct{ View ViewConfig }
