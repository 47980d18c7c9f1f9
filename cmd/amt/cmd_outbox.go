package main

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
)

// actionJSON is the --json shape of an outbox entry.
type actionJSON struct {
	ID            string          `json:"id"`
	Seq           uint64          `json:"seq"`
	CaseID        string          `json:"caseId"`
	Reference     string          `json:"reference,omitempty"`
	Kind          api.ActionKind  `json:"kind"`
	State         string          `json:"state"`
	Body          json.RawMessage `json:"body,omitempty"`
	BaseVersion   int64           `json:"baseVersion"`
	CreatedAt     time.Time       `json:"createdAt"`
	Attempts      int             `json:"attempts"`
	NextAttempt   time.Time       `json:"nextAttempt,omitzero"`
	LastError     string          `json:"lastError,omitempty"`
	ServerVersion int64           `json:"serverVersion,omitempty"`
}

func cmdOutbox(a *app, args []string) int {
	if len(args) > 0 && args[0] == "cancel" {
		return cmdOutboxCancel(a, args[1:])
	}
	fs := a.newFlags("outbox")
	asJSON := fs.Bool("json", false, a.T("flag.json"))
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	return a.listActions(*asJSON, "")
}

// cmdOutboxCancel takes back a queued action that has not left the machine (store.Cancel: checked
// and removed in one transaction, atomic with a syncer sending it).
func cmdOutboxCancel(a *app, args []string) int {
	fs := a.newFlags("outbox cancel")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 {
		a.errorf("%s", a.T("usage.outbox"))
		return exitUsage
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer a.closeStore(st)
	_, err = st.Cancel(pos[0])
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.errorf("%s", a.T("err.action_not_found", sanitize.Line(pos[0])))
		return exitErr
	case errors.Is(err, store.ErrInFlight):
		a.errorf("%s", a.T("err.in_flight"))
		return exitErr
	case err != nil:
		return a.storeErr(err)
	}
	a.printf("%s\n", a.T("outbox.cancelled"))
	return exitOK
}

func (a *app) listActions(asJSON bool, only store.ActionState) int {
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer a.closeStore(st)
	out, err := st.Outbox()
	if err != nil {
		return a.storeErr(err)
	}
	a.clerks = storedClerks(st)
	refs := map[string]string{}
	if rows, err := st.AllSummaries(); err == nil {
		for _, r := range rows {
			refs[r.ID] = r.Reference
		}
	}
	var sel []store.Action
	for _, x := range out {
		if only == "" || x.State == only {
			sel = append(sel, x)
		}
	}
	if asJSON {
		js := make([]actionJSON, 0, len(sel))
		for _, x := range sel {
			j := actionJSON{ID: x.ID, Seq: x.Seq, CaseID: x.CaseID, Reference: refs[x.CaseID], Kind: x.Kind,
				State: string(x.State), BaseVersion: x.BaseVersion, CreatedAt: x.CreatedAt, Attempts: x.Attempts,
				NextAttempt: x.NextAttempt, LastError: x.LastError}
			if json.Valid(x.Body) {
				j.Body = x.Body
			}
			if x.ServerCase != nil {
				j.ServerVersion = x.ServerCase.Version
			}
			js = append(js, j)
		}
		return a.writeJSON(js)
	}
	if len(sel) == 0 {
		a.printf("%s\n", a.T("outbox.empty"))
		return exitOK
	}
	for _, x := range sel {
		a.printf("%s  %-12s %-16s %s  %s\n", x.ID, a.stateLabel(x.State), a.kindLabel(x.Kind),
			cell(refs[x.CaseID], 24), a.dateTime(x.CreatedAt))
		a.printf("    %s\n", indent(a.describe(x), "    "))
		switch x.State {
		case store.StatePending:
			if x.Attempts > 0 {
				why := sanitize.Line(x.LastError)
				if x.LastError == syncer.UnconfirmedMark {
					why = a.T("outbox.unconfirmed")
				}
				a.printf("    %s\n", a.T("outbox.retry", x.Attempts, x.NextAttempt.Local().Format("15:04:05"), why))
			}
		case store.StateRejected:
			a.printf("    %s\n", a.T("outbox.rejected", a.rejectText(x.LastError)))
		case store.StateConflict:
			if sc := x.ServerCase; sc != nil {
				a.printf("    %s\n", a.T("outbox.conflict", sc.Version, a.statusLabel(sc.Status), a.clerkName(sc.Assignee)))
				if d := sc.Decision; d != nil {
					a.printf("    %s\n", a.T("outbox.conflict_decision", a.outcomeLabel(d.Outcome), a.clerkName(d.Actor)))
				}
			}
			a.printf("    %s\n", a.T("outbox.resolve_hint", x.ID))
		}
	}
	return exitOK
}
