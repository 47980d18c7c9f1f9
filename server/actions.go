package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
)

var jsonUnmarshal = json.Unmarshal

// Limits of free-text fields beyond api.MaxNoteRunes.
const (
	maxReasonRunes   = 2000
	maxDocuments     = 50
	maxDocumentRunes = 300
	maxFeeCents      = 100_000_000_00
)

// decodeRequest parses the body of an action strictly: one JSON object, valid UTF-8, no unknown
// fields, nothing after it. It returns the typed request (a pointer to one of the api.*Request
// types).
func decodeRequest(kind api.ActionKind, body []byte) (any, error) {
	if !utf8.Valid(body) {
		return nil, errors.New("body is not valid UTF-8")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("body must be a JSON object")
	}
	v, err := kind.NewRequest()
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("malformed JSON: %s", jsonErrText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	if err := exactKeys(body, v); err != nil {
		return nil, err
	}
	return v, nil
}

// exactKeys rejects top-level keys that are not exactly one of v's JSON field names (encoding/json
// matches names case-insensitively) and duplicate keys (it keeps the last), so that what the
// server applies is what the body says. The request types have no nested objects. Errors do not
// echo the key: it is request data.
func exactKeys(body []byte, v any) error {
	t := reflect.TypeOf(v).Elem()
	allowed := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		allowed[name] = true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // the opening brace
		return errors.New("malformed JSON")
	}
	seen := make(map[string]bool, len(allowed))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return errors.New("malformed JSON")
		}
		key, _ := tok.(string)
		if !allowed[key] {
			return errors.New("malformed JSON: unknown field (field names are case-sensitive)")
		}
		if seen[key] {
			return errors.New("malformed JSON: duplicate field")
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return errors.New("malformed JSON")
		}
	}
	return nil
}

// jsonErrText describes a decoding error without echoing request data.
func jsonErrText(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("wrong type for field %q", te.Field)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "unexpected end of input"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "invalid JSON"
}

// parseDate parses YYYY-MM-DD.
func parseDate(s string) (time.Time, bool) {
	if len(s) != 10 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

func (s *Server) today() string { return s.now().In(s.loc).Format(time.DateOnly) }

// validate checks field values (422). Time-dependent checks run only for fresh actions, after
// the replay lookup, so a replay the next day still answers the original result.
func (s *Server) validate(req any) *apiError {
	runes := utf8.RuneCountInString
	today := s.today()
	switch q := req.(type) {
	case *api.NoteRequest:
		if strings.TrimSpace(q.Text) == "" {
			return invalid("text must not be empty")
		}
		if runes(q.Text) > api.MaxNoteRunes {
			return invalid(fmt.Sprintf("text is longer than %d characters", api.MaxNoteRunes))
		}
	case *api.DecisionRequest:
		if !q.Outcome.Valid() {
			return invalid("unknown outcome")
		}
		if runes(q.Reasoning) > api.MaxNoteRunes {
			return invalid(fmt.Sprintf("reasoning is longer than %d characters", api.MaxNoteRunes))
		}
		if q.FeeCents != nil && (*q.FeeCents < 0 || *q.FeeCents > maxFeeCents) {
			return invalid("feeCents out of range")
		}
		if q.ValidUntil != "" {
			if _, ok := parseDate(q.ValidUntil); !ok {
				return invalid("validUntil must be a date YYYY-MM-DD")
			}
		}
	case *api.ApprovalRequest:
		if runes(q.Comment) > maxReasonRunes {
			return invalid(fmt.Sprintf("comment is longer than %d characters", maxReasonRunes))
		}
		if !q.Approve && strings.TrimSpace(q.Comment) == "" {
			return invalid("returning a decision needs a comment")
		}
	case *api.AssignmentRequest:
		if q.Assignee != "" && !validID(q.Assignee) {
			return invalid("assignee is not a clerk id")
		}
	case *api.StatusRequest:
		if !q.Status.Valid() {
			return invalid("unknown status")
		}
	case *api.ResubmissionRequest:
		if _, ok := parseDate(q.Date); !ok {
			return invalid("date must be a date YYYY-MM-DD")
		}
		if q.Date < today {
			return invalid("date must not be in the past")
		}
		if runes(q.Reason) > maxReasonRunes {
			return invalid(fmt.Sprintf("reason is longer than %d characters", maxReasonRunes))
		}
	case *api.DocumentRequestRequest:
		if len(q.Documents) == 0 || len(q.Documents) > maxDocuments {
			return invalid(fmt.Sprintf("documents must list 1 to %d entries", maxDocuments))
		}
		for _, d := range q.Documents {
			if strings.TrimSpace(d) == "" || runes(d) > maxDocumentRunes {
				return invalid(fmt.Sprintf("each document must have 1 to %d characters", maxDocumentRunes))
			}
		}
		if _, ok := parseDate(q.Deadline); !ok {
			return invalid("deadline must be a date YYYY-MM-DD")
		}
		if q.Deadline < today {
			return invalid("deadline must not be in the past")
		}
		if runes(q.Message) > api.MaxNoteRunes {
			return invalid(fmt.Sprintf("message is longer than %d characters", api.MaxNoteRunes))
		}
	}
	return nil
}

// summary shortens free text for an event summary.
func summary(s string) string {
	const max = 200
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
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
		case api.ActionAssignment, api.ActionStatus:
			actionID = r.Header.Get(api.HeaderIdempotencyKey)
			if actionID == "" {
				return badRequest("header " + api.HeaderIdempotencyKey + " is required")
			}
		}
		if !validID(actionID) {
			return badRequest("the action id must be 1 to 128 URL-safe characters")
		}
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		req, err := decodeRequest(kind, body)
		if err != nil {
			return badRequest(err.Error())
		}
		// The replay check compares the decoded request, so a resend that differs only in
		// whitespace or key order is still recognised as the same action.
		canon, err := json.Marshal(req)
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
				status, resp, replay = rec.Status, rec.Body, true
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
			if appliedBefore(c, kind, actionID) {
				// A resend whose record a server without fingerprints removed.
				return alreadyApplied()
			}
			if e := s.validate(req); e != nil {
				return e
			}
			if kind.NeedsIfMatch() {
				if ifMatch == "" {
					return problem(http.StatusPreconditionRequired, api.ProblemPreconditionNeeded, "If-Match required",
						"send If-Match with the case version you saw")
				}
				if !etagMatches(ifMatch, c.Version, false) {
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
			c.Version++
			c.UpdatedAt = now
			if err := tx.WriteCase(&before, &c, evs, now); err != nil {
				return err
			}
			status = http.StatusOK
			resp, err = json.Marshal(api.ActionResult{ActionID: actionID, Kind: string(kind), Case: c})
			if err != nil {
				return err
			}
			result = c
			return tx.PutIdem(ik, idemRec{Hash: hash[:], Status: status, Body: resp}, now)
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
		}
		writeBody(w, r, status, "application/json", resp)
		return nil
	}
}

func ev(kind api.EventKind, actor string, at time.Time, sum string) api.Event {
	return api.Event{Kind: kind, Actor: actor, At: at, Summary: sum}
}

// canDecide reports whether a decision with outcome o may be made from status st.
func canDecide(st api.Status, o api.Outcome) bool {
	switch st {
	case api.StatusInReview, api.StatusAwaitingDocuments:
		return true
	case api.StatusNew:
		return o == api.OutcomeWithdrawn || o == api.OutcomeForwarded
	}
	return false
}

// statusTransitions lists what a clerk may set through PUT /status.
var statusTransitions = map[api.Status][]api.Status{
	api.StatusNew:               {api.StatusInReview, api.StatusWithdrawn},
	api.StatusInReview:          {api.StatusAwaitingDocuments, api.StatusWithdrawn},
	api.StatusAwaitingDocuments: {api.StatusInReview, api.StatusWithdrawn},
	api.StatusDecisionProposed:  {api.StatusWithdrawn},
	api.StatusDecided:           {api.StatusClosed},
}

func outcomeStatus(o api.Outcome) api.Status {
	switch o {
	case api.OutcomeWithdrawn:
		return api.StatusWithdrawn
	case api.OutcomeForwarded:
		return api.StatusForwarded
	}
	return api.StatusDecided
}

// apply checks the state machine and permissions and changes the case; it returns the events to
// append. target is the id from the path: the new decision's id for a decision, the approved
// decision's id for an approval, the action id otherwise.
func (s *Server) apply(tx ActionTx, p *principal, c *api.Case, kind api.ActionKind, target string, req any, now time.Time) ([]api.Event, *apiError) {
	st := c.Status
	switch q := req.(type) {
	case *api.NoteRequest:
		if !st.Open() && st != api.StatusDecided {
			return nil, conflict("notes cannot be added to a " + string(st) + " case")
		}
		c.Notes = append(c.Notes, api.Note{ID: target, Text: q.Text, Actor: p.Clerk, CreatedAt: now})
		return []api.Event{ev(api.EventNote, p.Clerk, now, summary(q.Text))}, nil

	case *api.DecisionRequest:
		if !canDecide(st, q.Outcome) {
			return nil, conflict("a decision " + string(q.Outcome) + " is not possible from " + string(st))
		}
		d := &api.Decision{ID: target, Outcome: q.Outcome, Reasoning: q.Reasoning, FeeCents: q.FeeCents,
			ValidUntil: q.ValidUntil, Actor: p.Clerk, CreatedAt: now}
		c.Decision = d
		fourEyes := c.Service.FourEyes && q.Outcome != api.OutcomeWithdrawn && q.Outcome != api.OutcomeForwarded
		if fourEyes {
			d.State = api.DecisionProposed
			c.Status = api.StatusDecisionProposed
			return []api.Event{ev(api.EventDecisionProposed, p.Clerk, now, string(q.Outcome))}, nil
		}
		d.State = api.DecisionFinal
		c.Status = outcomeStatus(q.Outcome)
		return []api.Event{ev(api.EventDecided, p.Clerk, now, string(q.Outcome))}, nil

	case *api.ApprovalRequest:
		if st != api.StatusDecisionProposed || c.Decision == nil || c.Decision.State != api.DecisionProposed {
			return nil, conflict("there is no proposed decision to approve")
		}
		if c.Decision.ID != target {
			return nil, notFound()
		}
		if p.Role != api.RoleLead && p.Role != api.RoleDeputy {
			return nil, problem(http.StatusForbidden, api.ProblemForbidden, "Forbidden", "only a lead or deputy may approve a four-eyes decision")
		}
		if c.Decision.Actor == p.Clerk {
			return nil, problem(http.StatusForbidden, api.ProblemForbidden, "Forbidden", "a decision cannot be approved by the clerk who proposed it")
		}
		d := *c.Decision
		c.Decision = &d
		if q.Approve {
			d.State = api.DecisionFinal
			d.ApprovedBy = p.Clerk
			c.Status = outcomeStatus(d.Outcome)
			return []api.Event{
				ev(api.EventDecisionApproved, p.Clerk, now, summary(q.Comment)),
				ev(api.EventDecided, p.Clerk, now, string(d.Outcome)),
			}, nil
		}
		d.State = api.DecisionReturned
		c.Status = api.StatusInReview
		return []api.Event{ev(api.EventDecisionReturned, p.Clerk, now, summary(q.Comment))}, nil

	case *api.AssignmentRequest:
		if !st.Open() {
			return nil, conflict("a " + string(st) + " case cannot be assigned")
		}
		if q.Assignee != "" {
			_, ok, err := tx.Clerk(q.Assignee)
			if err != nil || !ok {
				return nil, invalid("assignee is not a clerk of this Amt")
			}
		}
		c.Assignee = q.Assignee
		return []api.Event{ev(api.EventAssigned, p.Clerk, now, q.Assignee)}, nil

	case *api.StatusRequest:
		allowed := statusTransitions[st]
		ok := false
		for _, a := range allowed {
			if a == q.Status {
				ok = true
			}
		}
		if !ok {
			return nil, conflict("status cannot change from " + string(st) + " to " + string(q.Status))
		}
		c.Status = q.Status
		kindEv := api.EventStatusChanged
		if st == api.StatusAwaitingDocuments && q.Status == api.StatusInReview {
			kindEv = api.EventDocumentsReceived
		}
		if q.Status == api.StatusWithdrawn && c.Decision != nil && c.Decision.State == api.DecisionProposed {
			d := *c.Decision
			d.State = api.DecisionReturned
			c.Decision = &d
		}
		return []api.Event{ev(kindEv, p.Clerk, now, string(q.Status))}, nil

	case *api.ResubmissionRequest:
		if !st.Open() {
			return nil, conflict("a " + string(st) + " case needs no resubmission")
		}
		c.Resubmission = &api.Resubmission{ID: target, Date: q.Date, Reason: q.Reason, Actor: p.Clerk}
		return []api.Event{ev(api.EventResubmission, p.Clerk, now, q.Date)}, nil

	case *api.DocumentRequestRequest:
		switch st {
		case api.StatusNew, api.StatusInReview, api.StatusAwaitingDocuments:
		default:
			return nil, conflict("documents cannot be requested for a " + string(st) + " case")
		}
		c.DocumentRequests = append(c.DocumentRequests, api.DocumentRequest{ID: target, Documents: q.Documents,
			Deadline: q.Deadline, Message: q.Message, Actor: p.Clerk, CreatedAt: now})
		c.Status = api.StatusAwaitingDocuments
		return []api.Event{ev(api.EventDocumentRequest, p.Clerk, now, summary(strings.Join(q.Documents, ", ")))}, nil
	}
	return nil, badRequest("unknown action")
}
