package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

var jsonUnmarshal = json.Unmarshal

func (s *Server) today() string { return s.now().In(s.loc).Format(time.DateOnly) }

// validate checks field values (422). Time-dependent checks run only for fresh actions, after
// the replay lookup, so a replay the next day still answers the original result.
func (s *Server) validate(req casework.Body) *apiError {
	if err := casework.Validate(req, s.today()); err != nil {
		return invalid(err.Error())
	}
	return nil
}

// validateDecisionFields checks a decision against its service's decision fields in the service
// catalogue (422): a Wohngeld grant names the monthly amount and the period. A service the
// catalogue no longer lists is checked against the fields the case was filed with.
func (s *Server) validateDecisionFields(c api.Case, req casework.Body) *apiError {
	if req.Kind != api.ActionDecision || req.Decision == nil {
		return nil
	}
	fields := c.Service.Decision
	if svc, ok := s.catalogue().Lookup(c.Service.Key); ok {
		fields = svc.APIService().Decision
	}
	if err := casework.CheckDecisionFields(fields, *req.Decision); err != nil {
		return invalid(err.Error())
	}
	return nil
}

// action returns the handler of one action kind. Order of checks: Content-Type (415, in authed) →
// body (413/400) → case of the caller's Amt (404) → replay lookup (replay or 422) → fingerprint of
// an aged-out record (409 already-applied or 422) → case still with the Amt (404) → an id the case
// already carries although no record of it is left (409 already-applied) → field values (422) →
// If-Match (428/412) → state machine and permissions (409/403) → apply: case, event, feed entry
// and idempotency record in one transaction.
func (s *Server) action(kind api.ActionKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		caseID := r.PathValue("id")
		var actionID string
		switch kind {
		case api.ActionNote:
			actionID = r.PathValue("noteID")
		case api.ActionDecision:
			actionID = r.PathValue("decisionID")
		case api.ActionApproval:
			// The approval's own id is the client's Idempotency-Key, so two leads acting on the
			// same proposal offline are told apart: the second gets 412, not the first's result.
			// Without the header the decision id serves (one approval per decision).
			actionID = r.Header.Get(api.HeaderIdempotencyKey)
			if actionID == "" {
				actionID = r.PathValue("decisionID")
			}
		case api.ActionResubmission:
			actionID = r.PathValue("resubmissionID")
		case api.ActionDocumentRequest:
			actionID = r.PathValue("requestID")
		case api.ActionPrinted:
			actionID = r.PathValue("docID") // a document is printed once
		case api.ActionEvidenceChecked:
			actionID = r.PathValue("evidenceID") // an evidence is checked once
		case api.ActionAssignment, api.ActionStatus:
			actionID = r.Header.Get(api.HeaderIdempotencyKey)
			if actionID == "" {
				return badRequest("header " + api.HeaderIdempotencyKey + " is required")
			}
		}
		if !casework.ValidID(actionID) {
			return badRequest("the action id must be 1 to 128 URL-safe characters")
		}
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		if e := s.takeWriteQuota(w, p, len(body)); e != nil {
			return e
		}
		req, err := casework.Decode(kind, body)
		if err != nil {
			return badRequest(err.Error())
		}
		// The replay check compares the decoded request, so a resend that differs only in
		// whitespace or key order is still recognised as the same action.
		canon, err := json.Marshal(req.Request())
		if err != nil {
			return err
		}
		hash := sha256.Sum256(canon)
		ifMatch := r.Header.Get("If-Match")
		now := s.now().UTC()

		var status int
		var resp []byte
		var replay bool
		var result api.Case
		err = s.store.Update(r.Context(), p.Amt, func(tx ActionTx) error {
			status, resp, replay = 0, nil, false
			c, ok, err := tx.Case(caseID)
			if err != nil {
				return err
			}
			if !ok {
				return notFound()
			}
			ik := idemKeyT{CaseID: caseID, Kind: kind, ActionID: actionID}
			if rec, found, err := tx.Idem(ik); err != nil {
				return err
			} else if found {
				if !bytes.Equal(rec.Hash, hash[:]) {
					return idMismatch()
				}
				if rec.Body != nil { // a record of an older server: the whole answer
					status, resp, replay = rec.Status, rec.Body, true
					return nil
				}
				if c.Version != rec.Version {
					// Applied, and the case has changed since: the original answer cannot be
					// rebuilt; the client counts this as delivered and pulls the current case.
					return alreadyApplied()
				}
				resp, err = json.Marshal(api.ActionResult{ActionID: actionID, Kind: string(kind), Case: c})
				if err != nil {
					return err
				}
				status, replay = rec.Status, true
				return nil
			}
			// A resend whose record aged into a fingerprint (PruneIdempotency): never applied
			// twice, whatever the case has become since.
			if fp, found, err := tx.Fingerprint(ik); err != nil {
				return err
			} else if found {
				return fingerprintAnswer(fp, hash[:])
			}
			if !visible(c) {
				return notFound()
			}
			if casework.Shows(c, kind, actionID) {
				// A resend whose record a server without fingerprints removed.
				return alreadyApplied()
			}
			if e := s.validate(req); e != nil {
				return e
			}
			if e := s.validateDecisionFields(c, req); e != nil {
				return e
			}
			if kind.NeedsIfMatch() {
				if ifMatch == "" {
					return problem(http.StatusPreconditionRequired, api.ProblemPreconditionNeeded, "If-Match required",
						"send If-Match with the case version you saw")
				}
				ok, e := ifMatchCurrent(ifMatch, c.Version)
				if e != nil {
					return e
				}
				if !ok {
					e := problem(http.StatusPreconditionFailed, api.ProblemPrecondition, "Case has changed",
						"the case was changed by someone else")
					cc := c
					e.Case = &cc
					e.etag = etagOf(c.Version)
					return e
				}
			}
			before := c
			target := actionID // the id in the path: the decision's own id, or the approved decision's
			if kind == api.ActionApproval {
				target = r.PathValue("decisionID")
			}
			evs, e := s.apply(tx, p, &c, kind, target, req, now)
			if e != nil {
				return e
			}
			if err := s.writeDocuments(tx, &before, &c, kind, target, now); err != nil {
				return err
			}
			c.Version++
			c.UpdatedAt = now
			if e := caseFull(&c, evs); e != nil {
				return e
			}
			if err := tx.WriteCase(&before, &c, evs, now); err != nil {
				return err
			}
			status = http.StatusOK
			resp, err = json.Marshal(api.ActionResult{ActionID: actionID, Kind: string(kind), Case: c})
			if err != nil {
				return err
			}
			result = c
			return tx.PutIdem(ik, idemRec{Hash: hash[:], Status: status, Version: c.Version}, now)
		})
		if err != nil {
			return err
		}
		if replay {
			w.Header().Set(api.HeaderIdempotentReplay, "true")
			var ar api.ActionResult
			if json.Unmarshal(resp, &ar) == nil {
				w.Header().Set("ETag", etagOf(ar.Case.Version))
			}
		} else {
			w.Header().Set("ETag", etagOf(result.Version))
			s.feed.notify(result.Amt)
			s.kickDelivery()
		}
		writeBody(w, r, status, "application/json", resp)
		return nil
	}
}

// caseFull answers 409 case-full if c, with its new events evs, would carry more than a case may
// (api.MaxNotesPerCase, api.MaxHistoryPerCase, api.MaxCaseBytes).
func caseFull(c *api.Case, evs []api.Event) *apiError {
	full := func(detail string) *apiError {
		return problem(http.StatusConflict, api.ProblemCaseFull, "Case is full", detail)
	}
	if len(c.Notes) > api.MaxNotesPerCase {
		return full(fmt.Sprintf("a case carries at most %d notes", api.MaxNotesPerCase))
	}
	if len(c.History)+len(evs) > api.MaxHistoryPerCase {
		return full(fmt.Sprintf("a case carries at most %d history entries", api.MaxHistoryPerCase))
	}
	n := 0
	if b, err := json.Marshal(c); err == nil {
		n = len(b)
	}
	for _, e := range evs {
		if b, err := json.Marshal(e); err == nil {
			n += len(b) + 1
		}
	}
	if n > api.MaxCaseBytes {
		return full(fmt.Sprintf("a case carries at most %d bytes; this action would make it %d", api.MaxCaseBytes, n))
	}
	return nil
}

// apply checks the state machine and permissions (casework.Check) and changes the case
// (casework.Apply); it returns the events to append. target is the id from the path: the new
// decision's id for a decision, the approved decision's id for an approval, the action id
// otherwise.
func (s *Server) apply(tx ActionTx, p *principal, c *api.Case, kind api.ActionKind, target string, req casework.Body, now time.Time) ([]api.Event, *apiError) {
	act := casework.Act{ID: target, Actor: p.Clerk, At: now, Body: req}
	if kind == api.ActionApproval || kind == api.ActionPrinted || kind == api.ActionEvidenceChecked {
		act.DecisionID = target
	}
	if err := casework.Check(*c, casework.Clerk{ID: p.Clerk, Role: p.Role}, req, act.DecisionID); err != nil {
		var rf *casework.Refusal
		switch {
		case !errors.As(err, &rf):
			return nil, badRequest("unknown action")
		case rf.Reason == casework.ReasonOtherDecision:
			return nil, notFound()
		case rf.Forbidden():
			return nil, problem(http.StatusForbidden, api.ProblemForbidden, "Forbidden", rf.Detail)
		}
		return nil, conflict(rf.Detail)
	}
	if kind == api.ActionAssignment && req.Assignment.Assignee != "" {
		if _, ok, err := tx.Clerk(req.Assignment.Assignee); err != nil || !ok {
			return nil, invalid("assignee is not a clerk of this Amt")
		}
	}
	return casework.Apply(c, act), nil
}
