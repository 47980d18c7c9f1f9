package syncer

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
)

// Resolution is what the clerk chose for a conflicted action (casework.Resolution).
type Resolution = casework.Resolution

// Resolutions of a conflict. Decisions are never merged automatically; the clerk picks one.
const (
	// Reapply sends the clerk's action again against the server's current version.
	Reapply = casework.Reapply
	// AsNote keeps the clerk's intent as a note on the case (casework.NoteText) and drops the action.
	AsNote = casework.AsNote
	// Discard drops the action.
	Discard = casework.Discard
)

// ErrNotConflict is returned when resolving an action that is not in conflict.
var ErrNotConflict = casework.ErrNotConflict

// ResolveStore is what Resolve needs of the cache's outbox (*store.Store has it; so does the
// terminal app's view of the store).
type ResolveStore interface {
	Outbox() ([]store.Action, error)
	RequeueConflict(actionID string) error
	ReplaceSettled(actionID string, n store.Action) (store.Action, error)
	DiscardSettled(actionID string) error
}

// Resolve settles a conflicted (or, for Discard and AsNote, rejected) action in the store: the one
// conflict resolution of the terminal app and `amt conflicts resolve`. The caller kicks a running
// syncer afterwards. It returns the id of the note queued by AsNote.
func Resolve(st ResolveStore, actionID string, r Resolution) (string, error) {
	out, err := st.Outbox()
	if err != nil {
		return "", err
	}
	var a *store.Action
	for i := range out {
		if out[i].ID == actionID {
			a = &out[i]
			break
		}
	}
	if a == nil {
		return "", fmt.Errorf("syncer: action %s: %w", actionID, store.ErrNotFound)
	}
	if err := casework.ResolutionAllowed(r, a.State != store.StatePending, a.State == store.StateConflict, a.ServerCase != nil); err != nil {
		return "", err
	}
	// The state checks above read a snapshot; the store checks again in the transaction that
	// resolves, so a double key press or a concurrent resolution cannot act twice.
	switch r {
	case Reapply:
		err = st.RequeueConflict(a.ID)
	case AsNote:
		var n store.Action
		if n, err = asNote(*a); err != nil {
			return "", err
		}
		if n, err = st.ReplaceSettled(a.ID, n); err == nil {
			return n.ID, nil
		}
	case Discard:
		err = st.DiscardSettled(a.ID)
	}
	if errors.Is(err, store.ErrNotSettled) {
		return "", ErrNotConflict
	}
	return "", err
}

// asNote is the note action that keeps a's intent, against the server's version of the case.
func asNote(a store.Action) (store.Action, error) {
	text, err := NoteText(a)
	if err != nil {
		return store.Action{}, err
	}
	body, err := json.Marshal(api.NoteRequest{Text: text})
	if err != nil {
		return store.Action{}, err
	}
	var base int64
	if a.ServerCase != nil {
		base = a.ServerCase.Version
	}
	return store.Action{CaseID: a.CaseID, Kind: api.ActionNote, Body: body, BaseVersion: base, Actor: a.Actor}, nil
}

// NoteText is the note an outbox action is kept as (casework.NoteText of its body).
func NoteText(a store.Action) (string, error) {
	b, err := casework.Decode(a.Kind, a.Body)
	if err != nil {
		return "", fmt.Errorf("syncer: action %s: %w", a.ID, err)
	}
	return casework.NoteText(b), nil
}
