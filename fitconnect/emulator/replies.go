package emulator

// The reply channel (fact sheet §9). §9.2's endpoints are UNVERIFIED — inferred by analogy with
// submissions — and built here exactly as written there: the subscriber creates a reply in a
// case (announcing its attachments), uploads the attachments and submits metadata and data, all
// encrypted to the applicant's key; the service logs create-reply and submit-reply (signed SETs,
// one log per reply) and calls the online service back (new-replies); the online service (the
// sender of the case's submissions) lists and fetches its replies. Accepting or rejecting a
// reply is not modelled (its transport is unknown, §9.2).

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/amt-mv/amt/fitconnect"
)

// Reply states.
const (
	ReplyIncomplete = "incomplete"
	ReplySubmitted  = "submitted"
)

type reply struct {
	id, caseID, dest string
	state            string
	announced        []string
	attachments      map[string]string
	meta, data       string
	events           []string // SETs, oldest first
}

// ReplyRecord is a reply as the emulator holds it (for tests).
type ReplyRecord struct {
	ReplyID, CaseID, DestinationID, State string
	EncryptedMetadata, EncryptedData      string
	Attachments                           map[string]string // attachment id → JWE
}

// Replies returns the replies in a FIT-Connect case, oldest first.
func (e *Emulator) Replies(caseID string) []ReplyRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []ReplyRecord
	for _, id := range e.replyOrder {
		r := e.replies[id]
		if r.caseID != caseID {
			continue
		}
		atts := make(map[string]string, len(r.attachments))
		for k, v := range r.attachments {
			atts[k] = v
		}
		out = append(out, ReplyRecord{ReplyID: r.id, CaseID: r.caseID, DestinationID: r.dest, State: r.state,
			EncryptedMetadata: r.meta, EncryptedData: r.data, Attachments: atts})
	}
	return out
}

// FailReplies makes the next n reply calls of subscribers answer 503 with Retry-After (a service
// that is briefly unavailable), so that tests can prove a retried reply arrives once.
func (e *Emulator) FailReplies(n int) {
	e.mu.Lock()
	e.replyFailures = n
	e.mu.Unlock()
}

// failReplyLocked answers 503 when a failure is due.
func (e *Emulator) failReplyLocked(w http.ResponseWriter) bool {
	if e.replyFailures <= 0 {
		return false
	}
	e.replyFailures--
	w.Header().Set("Retry-After", "1")
	e.problem(w, http.StatusServiceUnavailable, "service-unavailable", "Service Unavailable", "try again later")
	return true
}

// replyEventLocked appends an event signed by the service to the reply's log.
func (e *Emulator) replyEventLocked(r *reply, event string, payload *fitconnect.EventPayload) {
	var p any
	if payload != nil {
		p = payload
	}
	set, err := fitconnect.NewSET(e.base, r.id, r.caseID, event, p, e.clock())
	if err != nil {
		panic(err)
	}
	set.Sub = "reply:" + r.id
	tok, err := fitconnect.SignSET(e.key.Private, e.key.Kid, set)
	if err != nil {
		panic(err)
	}
	r.events = append(r.events, tok)
}

// createReply: a subscriber announces a reply in a case of one of its destinations. The case must
// hold an accepted submission (an authority answers what it accepted) — an assumption, like the
// rest of §9.2.
func (e *Emulator) createReply(w http.ResponseWriter, r *http.Request, c *client, _ string) {
	var body fitconnect.CreateReply
	if st, msg := readJSON(w, r, &body); st != 0 {
		e.problem(w, st, "invalid-request", http.StatusText(st), msg)
		return
	}
	for _, a := range body.AnnouncedAttachments {
		if !fitconnect.ValidUUID(a) {
			e.problem(w, http.StatusBadRequest, "invalid-request", "Bad Request", "announced attachment ids must be UUIDs")
			return
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.failReplyLocked(w) {
		return
	}
	dst, ok := e.caseDst[body.CaseID]
	if !ok || !slices.Contains(c.destinations, dst) {
		e.problem(w, http.StatusNotFound, "case-not-found", "Case not found", "no case "+body.CaseID+" of this subscriber's destinations")
		return
	}
	accepted := false
	for _, s := range e.subs {
		if s.caseID == body.CaseID && s.state == StateAccepted {
			accepted = true
		}
	}
	if !accepted {
		e.problem(w, http.StatusConflict, "case-state-invalid", "No accepted submission", "a reply answers an accepted submission of the case")
		return
	}
	rp := &reply{id: fitconnect.NewUUID(), caseID: body.CaseID, dest: dst, state: ReplyIncomplete,
		announced: slices.Clone(body.AnnouncedAttachments), attachments: map[string]string{}}
	if e.replies == nil {
		e.replies = map[string]*reply{}
	}
	e.replies[rp.id] = rp
	e.replyOrder = append(e.replyOrder, rp.id)
	e.replyEventLocked(rp, fitconnect.EventCreateReply, nil)
	e.log.Info("fitconnect emulator: reply created", "reply", rp.id)
	writeJSON(w, http.StatusCreated, fitconnect.ReplyCreated{ReplyID: rp.id, CaseID: rp.caseID})
}

// findReplyLocked finds a reply the client may act on: a subscriber of its destination, or the
// sender of a submission in its case.
func (e *Emulator) findReplyLocked(w http.ResponseWriter, id string, c *client, clientID string) *reply {
	rp := e.replies[id]
	if rp == nil || !e.mayReadCase(c, clientID, rp.caseID) {
		e.problem(w, http.StatusNotFound, "reply-not-found", "Reply not found", "")
		return nil
	}
	return rp
}

func (e *Emulator) putReplyAttachment(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	jwe, st, msg := readJOSE(w, r)
	if st != 0 {
		e.problem(w, st, "invalid-request", http.StatusText(st), msg)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.failReplyLocked(w) {
		return
	}
	rp := e.findReplyLocked(w, r.PathValue("replyId"), c, clientID)
	if rp == nil {
		return
	}
	if rp.state != ReplyIncomplete {
		e.problem(w, http.StatusConflict, "reply-state-invalid", "Reply already submitted", "")
		return
	}
	aid := r.PathValue("attachmentId")
	if !slices.Contains(rp.announced, aid) {
		e.problem(w, http.StatusUnprocessableEntity, "attachment-not-announced", "Attachment not announced", "")
		return
	}
	rp.attachments[aid] = jwe
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) submitReply(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	var body fitconnect.SubmitReply
	if st, msg := readJSON(w, r, &body); st != 0 {
		e.problem(w, st, "invalid-request", http.StatusText(st), msg)
		return
	}
	if !fitconnect.IsCompactJWE(body.EncryptedMetadata) || (body.EncryptedData != "" && !fitconnect.IsCompactJWE(body.EncryptedData)) {
		e.problem(w, http.StatusBadRequest, "invalid-request", "Bad Request", "encryptedMetadata and encryptedData must be JWEs in compact serialisation")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.failReplyLocked(w) {
		return
	}
	rp := e.findReplyLocked(w, r.PathValue("replyId"), c, clientID)
	if rp == nil {
		return
	}
	if rp.state != ReplyIncomplete {
		e.problem(w, http.StatusConflict, "reply-state-invalid", "Reply already submitted", "")
		return
	}
	for _, a := range rp.announced {
		if _, ok := rp.attachments[a]; !ok {
			e.problem(w, http.StatusUnprocessableEntity, "missing-attachments", "Announced attachments missing", "attachment "+a+" was announced but not uploaded")
			return
		}
	}
	rp.meta, rp.data, rp.state = body.EncryptedMetadata, body.EncryptedData, ReplySubmitted
	tags := fitconnect.AuthenticationTags{Metadata: fitconnect.AuthTag(rp.meta)}
	if rp.data != "" {
		tags.Data = fitconnect.AuthTag(rp.data)
	}
	if len(rp.attachments) > 0 {
		tags.Attachments = map[string]string{}
		for id, jwe := range rp.attachments {
			tags.Attachments[id] = fitconnect.AuthTag(jwe)
		}
	}
	e.replyEventLocked(rp, fitconnect.EventSubmitReply, &fitconnect.EventPayload{AuthenticationTags: &tags})
	e.log.Info("fitconnect emulator: reply submitted", "reply", rp.id)
	// The online service hears of it through the callback of the case's submission.
	for _, s := range e.subs {
		if s.caseID == rp.caseID && s.callback != nil {
			cb, _ := json.Marshal(map[string]any{"type": fitconnect.CallbackNewReplies, "replyIds": []string{rp.id}, "caseId": rp.caseID})
			e.sendCallbackLocked(*s.callback, fitconnect.CallbackNewReplies, cb)
			break
		}
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"replyId": rp.id, "caseId": rp.caseID, "status": rp.state})
}

// listReplies lists the submitted replies in the cases of the calling sender.
func (e *Emulator) listReplies(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	limit, ok1 := intParam(r, "limit", 100, 1, 500)
	offset, ok2 := intParam(r, "offset", 0, 0, 1<<31-1)
	if !ok1 || !ok2 {
		e.problem(w, http.StatusBadRequest, "invalid-request", "Bad Request", "limit 1–500, offset ≥ 0")
		return
	}
	e.mu.Lock()
	type ref struct {
		ReplyID string `json:"replyId"`
		CaseID  string `json:"caseId"`
	}
	var all []ref
	for _, id := range e.replyOrder {
		rp := e.replies[id]
		if rp.state == ReplySubmitted && e.mayReadCase(c, clientID, rp.caseID) {
			all = append(all, ref{rp.id, rp.caseID})
		}
	}
	e.mu.Unlock()
	page := []ref{}
	for i := offset; i < len(all) && i < offset+limit; i++ {
		page = append(page, all[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(page), "offset": offset, "totalCount": len(all), "replies": page})
}

func (e *Emulator) getReply(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rp := e.findReplyLocked(w, r.PathValue("replyId"), c, clientID)
	if rp == nil {
		return
	}
	atts := make([]string, 0, len(rp.attachments))
	for id := range rp.attachments {
		atts = append(atts, id)
	}
	sort.Strings(atts)
	writeJSON(w, http.StatusOK, map[string]any{"replyId": rp.id, "caseId": rp.caseID, "status": rp.state,
		"encryptedMetadata": rp.meta, "encryptedData": rp.data, "attachments": atts})
}

func (e *Emulator) getReplyAttachment(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rp := e.findReplyLocked(w, r.PathValue("replyId"), c, clientID)
	if rp == nil {
		return
	}
	jwe, ok := rp.attachments[r.PathValue("attachmentId")]
	if !ok {
		e.problem(w, http.StatusNotFound, "attachment-not-found", "Attachment not found", "")
		return
	}
	w.Header().Set("Content-Type", fitconnect.ContentTypeJOSE)
	w.Header().Set("Content-Length", strconv.Itoa(len(jwe)))
	_, _ = w.Write([]byte(jwe))
}

func (e *Emulator) replyEvents(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	e.mu.Lock()
	rp := e.findReplyLocked(w, r.PathValue("replyId"), c, clientID)
	var toks []string
	if rp != nil {
		toks = slices.Clone(rp.events)
	}
	e.mu.Unlock()
	if rp == nil {
		return
	}
	e.writeLog(w, r, toks)
}

// DeleteCase deletes a FIT-Connect case with its submissions, as the service does when their
// deletion period has passed (fact sheet §14.8: the periods are unverified): afterwards the case
// is unknown (404) to every call, replies included.
func (e *Emulator) DeleteCase(caseID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.subs {
		if s.caseID == caseID {
			s.state = StateDeleted
		}
	}
	delete(e.caseDst, caseID)
}
