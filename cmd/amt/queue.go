package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/i18n"
)

// pushTimeout bounds the one push an action command tries after queueing.
var pushTimeout = 8 * time.Second

// queue records an action for the case and tries to deliver it at once.
func (a *app) queue(s *session, c api.Case, kind api.ActionKind, body any) int {
	return a.queueSub(s, c, kind, "", body)
}

// queueSub is queue for actions addressed below the case (subID: the decision of an approval).
func (a *app) queueSub(s *session, c api.Case, kind api.ActionKind, subID string, body any) int {
	act, err := a.enqueue(s, c, kind, subID, body)
	if err != nil {
		return a.storeErr(err)
	}
	return a.deliver(s, act.ID)
}

// enqueue records an action for the case against the version the server last sent.
func (a *app) enqueue(s *session, c api.Case, kind api.ActionKind, subID string, body any) (store.Action, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return store.Action{}, err
	}
	base := c.Version
	if sc, err := s.st.ServerCase(c.ID); err == nil {
		base = sc.Version
	}
	return s.st.Enqueue(store.Action{CaseID: c.ID, Kind: kind, SubID: subID, Body: b, BaseVersion: base, Actor: s.me.Clerk})
}

// deliver tries one push (bounded by pushTimeout) and reports what became of action id.
func (a *app) deliver(s *session, id string) int {
	if s.c == nil {
		a.printf("%s\n", a.T("queued.offline"))
		return exitOffline
	}
	ctx, cancel := context.WithTimeout(a.ctx, pushTimeout)
	defer cancel()
	perr := s.y.Push(ctx)
	if errors.Is(perr, store.ErrCorrupt) {
		return a.storeErr(perr)
	}
	out, err := s.st.Outbox()
	if err != nil {
		return a.storeErr(err)
	}
	for _, x := range out {
		if x.ID != id {
			continue
		}
		switch x.State {
		case store.StateConflict:
			a.errorf("%s", a.T("queued.conflict", id))
			return exitErr
		case store.StateRejected:
			a.errorf("%s", a.T("queued.rejected", a.rejectText(x.LastError)))
			return exitErr
		}
		if errors.Is(perr, client.ErrUnauthorized) {
			a.errorf("%s", a.unauthorizedText(perr))
			return exitErr
		}
		// Queued but not delivered: exit 3, so that a script knows the server has not seen it yet.
		if x.LastError == syncer.UnconfirmedMark {
			// Sent whole, the answer lost: the server may have applied it. Not "offline".
			a.printf("%s\n", a.T("queued.unconfirmed"))
			return exitOffline
		}
		if perr != nil || x.Attempts == 0 {
			a.printf("%s\n", a.T("queued.offline"))
		} else {
			a.printf("%s\n", a.T("queued.retry"))
		}
		return exitOffline
	}
	a.printf("%s\n", a.T("queued.sent"))
	return exitOK
}

// describe says in the clerk's language what a queued action will do (sanitised).
func (a *app) describe(x store.Action) string {
	L := sanitize.Line
	short := func(s string) string {
		s = L(s)
		if r := []rune(s); len(r) > 100 {
			s = string(r[:99]) + "…"
		}
		return s
	}
	b, err := casework.Decode(x.Kind, x.Body)
	if err != nil {
		return ""
	}
	switch b.Kind {
	case api.ActionNote:
		return short(b.Note.Text)
	case api.ActionDecision:
		r := b.Decision
		s := a.outcomeLabel(r.Outcome)
		if r.FeeCents != nil {
			s += ", " + casework.FormatFee(*r.FeeCents)
		}
		if r.ValidUntil != "" {
			s += ", " + a.T("f.valid_until") + " " + a.date(r.ValidUntil)
		}
		return s + ": " + short(r.Reasoning)
	case api.ActionAssignment:
		return "→ " + a.clerkName(b.Assignment.Assignee)
	case api.ActionStatus:
		return "→ " + a.statusLabel(b.Status.Status)
	case api.ActionResubmission:
		return a.date(b.Resubmission.Date) + " " + short(b.Resubmission.Reason)
	case api.ActionDocumentRequest:
		r := b.DocumentRequest
		return short(strings.Join(r.Documents, ", ")) + " (" + a.T("f.deadline") + " " + a.date(r.Deadline) + ")"
	case api.ActionApproval:
		if b.Approval.Approve {
			return a.T("f.approve") + " " + short(b.Approval.Comment)
		}
		return a.T("f.return") + " " + short(b.Approval.Comment)
	}
	return ""
}

// rejectText is a rejected action's reason in the clerk's language (syncer.SplitRejected: the
// problem kind from the catalogue, else the server's own text).
func (a *app) rejectText(lastError string) string {
	kind, text := syncer.SplitRejected(lastError)
	if kind != "" {
		if de, en, ok := i18n.Entry("problem." + kind); ok {
			return pick(a.lang, [2]string{de, en}, true, "")
		}
	}
	return sanitize.Line(text)
}
