// Package api owns the wire contract of the central API (v1): the JSON types that client and
// server share, the paths, headers and problem types. api/openapi.yaml describes the same contract.
package api

import (
	"time"
)

// BasePath is the prefix of every API endpoint.
const BasePath = "/api/v1"

// Status is the processing state of a case (Vorgang).
type Status string

// Case states. Transitions: new → in_review ⇄ awaiting_documents → (decision_proposed →) decided →
// closed, and withdrawn / forwarded from any open state.
const (
	StatusNew               Status = "new"
	StatusInReview          Status = "in_review"
	StatusAwaitingDocuments Status = "awaiting_documents"
	StatusDecisionProposed  Status = "decision_proposed"
	StatusDecided           Status = "decided"
	StatusClosed            Status = "closed"
	StatusWithdrawn         Status = "withdrawn"
	StatusForwarded         Status = "forwarded"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusNew, StatusInReview, StatusAwaitingDocuments, StatusDecisionProposed,
	StatusDecided, StatusClosed, StatusWithdrawn, StatusForwarded}

// Open reports whether a case in this status still needs work.
func (s Status) Open() bool {
	switch s {
	case StatusNew, StatusInReview, StatusAwaitingDocuments, StatusDecisionProposed:
		return true
	}
	return false
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Outcome is the result of a decision (Bescheid).
type Outcome string

// Decision outcomes.
const (
	OutcomeApproved          Outcome = "approved"
	OutcomePartiallyApproved Outcome = "partially_approved"
	OutcomeRejected          Outcome = "rejected"
	OutcomeWithdrawn         Outcome = "withdrawn"
	OutcomeForwarded         Outcome = "forwarded" // not competent; the case leaves this Amt
)

// Outcomes lists every decision outcome.
var Outcomes = []Outcome{OutcomeApproved, OutcomePartiallyApproved, OutcomeRejected, OutcomeWithdrawn, OutcomeForwarded}

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	for _, v := range Outcomes {
		if v == o {
			return true
		}
	}
	return false
}

// Role of a clerk within their Amt.
type Role string

// Roles. A lead may approve four-eyes decisions proposed by someone else; a deputy
// (Stellvertretung) stands in for a lead with the same approval rights.
const (
	RoleClerk  Role = "clerk"
	RoleLead   Role = "lead"
	RoleDeputy Role = "deputy"
)

// Roles lists every role.
var Roles = []Role{RoleClerk, RoleLead, RoleDeputy}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if v == r {
			return true
		}
	}
	return false
}

// Case is one application (Vorgang) as the central API delivers it.
type Case struct {
	ID          string    `json:"id"`
	Amt         string    `json:"amt"`       // id of the receiving Amt (destination)
	Reference   string    `json:"reference"` // Aktenzeichen, e.g. "GEW-2026-000123"
	Service     Service   `json:"service"`
	Applicant   Applicant `json:"applicant"`
	SubmittedAt time.Time `json:"submittedAt"`
	DueDate     string    `json:"dueDate"` // YYYY-MM-DD, legal or internal deadline
	Status      Status    `json:"status"`
	Assignee    string    `json:"assignee,omitempty"` // clerk id, empty when unassigned
	// Resubmission is the earliest Wiedervorlage of Resubmissions (kept for older clients and
	// the list's Wiedervorlage column), if any.
	Resubmission *Resubmission `json:"resubmission,omitempty"`
	// Resubmissions are the Wiedervorlagen of the case, one per clerk: a clerk's new one
	// replaces their own earlier one, never a colleague's. Cases stored before this field carry
	// only Resubmission (casework.Resubmissions reads both).
	Resubmissions []Resubmission `json:"resubmissions,omitempty"`
	// Sections hold the form data as ordered sections of labelled fields, so every service
	// renders without special code.
	Sections    []Section    `json:"sections"`
	Attachments []Attachment `json:"attachments"`
	Evidence    []Evidence   `json:"evidence"` // Once-Only: retrieved from registers
	Payment     *Payment     `json:"payment,omitempty"`
	// ReplyChannel is how the applicant asked to receive the answer (Bescheid), as chosen in the
	// online service; absent for cases that did not arrive through FIT-Connect.
	ReplyChannel *ReplyChannel `json:"replyChannel,omitempty"`
	// FitConnect identifies where the case came from when it arrived through FIT-Connect.
	FitConnect       *FitConnectOrigin `json:"fitConnect,omitempty"`
	DocumentRequests []DocumentRequest `json:"documentRequests,omitempty"`
	// Decision is the latest proposed or final decision, if any.
	Decision *Decision `json:"decision,omitempty"`
	// Notes are the case's internal notes, oldest first.
	Notes []Note `json:"notes,omitempty"`
	// History is the case's stored events, oldest first (the same entries as GET
	// /cases/{id}/events), so the history travels with the case and is cached offline.
	History []Event `json:"history,omitempty"`
	// Documents are the letters the Amt sent or will send on this case (Bescheid,
	// Nachforderung), oldest first, each with its delivery state; bytes at
	// GET /cases/{id}/documents/{docID}.
	Documents []Document `json:"documents,omitempty"`
	Version   int64      `json:"version"` // increases with every change; the ETag is "<version>"
	UpdatedAt time.Time  `json:"updatedAt"`
}

// Service is the administrative service (Leistung) a case was filed for.
type Service struct {
	Key      string `json:"key"`  // LeiKa key, e.g. "99050012104000"
	Name     string `json:"name"` // e.g. "Gewerbeanmeldung"
	FourEyes bool   `json:"fourEyes,omitempty"`
	// Decision lists the fields a decision on this service carries (from the service catalogue):
	// clients build their decision forms from it, the server checks decisions against it.
	Decision []DecisionField `json:"decision,omitempty"`
}

// DecisionField is one field of a decision on a service (the catalogue's definition). A field of
// kind "fee" is the decision's FeeCents, "validity" its ValidUntil; the other kinds are values in
// Decision.Values under Name, in their canonical form: amount_per_month and amount_per_year whole
// cents ("31250"), period "YYYY-MM-DD/YYYY-MM-DD", date "YYYY-MM-DD", text as typed.
type DecisionField struct {
	Name     string `json:"name"`  // e.g. "monthlyAmount"
	Label    string `json:"label"` // German label, e.g. "Wohngeld monatlich"
	Kind     string `json:"kind"`  // fee, amount_per_month, amount_per_year, period, validity, date, text
	Required bool   `json:"required,omitempty"`
}

// Applicant is the person or organisation that filed the application.
type Applicant struct {
	Kind    string `json:"kind"` // "person" or "organisation"
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
	// PostalAddress is the address in structured form, for letters (Bescheid); Address is the
	// same address on one line for display.
	PostalAddress *PostalAddress `json:"postalAddress,omitempty"`
}

// PostalAddress is a postal address in structured form.
type PostalAddress struct {
	Street      string `json:"street"`
	HouseNumber string `json:"houseNumber,omitempty"`
	Extra       string `json:"extra,omitempty"` // Adresszusatz, e.g. "bei Müller", "Hinterhaus"
	PostalCode  string `json:"postalCode"`
	City        string `json:"city"`
	Country     string `json:"country,omitempty"` // ISO 3166-1 alpha-2; empty means "DE"
}

// ReplyChannelKind names how the answer reaches the applicant.
type ReplyChannelKind string

// Reply channels. FIT-Connect metadata offers eMail, deMail, elster, fink and (metadata 1.2.0 and
// later) fitConnect; a case without a chosen channel is answered by letter.
const (
	ReplyLetter     ReplyChannelKind = "letter"
	ReplyEmail      ReplyChannelKind = "email"
	ReplyDeMail     ReplyChannelKind = "demail"
	ReplyFitConnect ReplyChannelKind = "fitconnect"
	ReplyElster     ReplyChannelKind = "elster"
	ReplyFink       ReplyChannelKind = "fink"
)

// ReplyChannelKinds lists every reply channel kind.
var ReplyChannelKinds = []ReplyChannelKind{ReplyLetter, ReplyEmail, ReplyDeMail, ReplyFitConnect, ReplyElster, ReplyFink}

// ReplyChannel is the applicant's chosen way to receive the answer. Exactly the fields of its
// kind are set: Address for email and demail (with PGPPublicKey if the applicant gave one),
// FitConnect for fitconnect, Account for elster (account id) and fink (Postfach reference).
type ReplyChannel struct {
	Kind         ReplyChannelKind `json:"kind"`
	Address      string           `json:"address,omitempty"`
	PGPPublicKey string           `json:"pgpPublicKey,omitempty"`
	Account      string           `json:"account,omitempty"`
	FitConnect   *FitConnectReply `json:"fitConnect,omitempty"`
}

// FitConnectReply is what a reply through FIT-Connect needs: the FIT-Connect case to answer in,
// the destination it arrived at, the process standards the online service understands and the
// key to encrypt the reply to (a public JWK as JSON text).
type FitConnectReply struct {
	CaseID           string   `json:"caseId"`
	DestinationID    string   `json:"destinationId"`
	ProcessStandards []string `json:"processStandards,omitempty"`
	EncryptionKey    string   `json:"encryptionKey,omitempty"`
}

// FitConnectOrigin records the FIT-Connect submissions a case was built from: the first is the
// application, later ones are follow-ups in the same FIT-Connect case (e.g. documents sent after
// a Nachforderung).
type FitConnectOrigin struct {
	DestinationID string   `json:"destinationId"`
	CaseID        string   `json:"caseId"`
	SubmissionIDs []string `json:"submissionIds"`
}

// Section is one titled group of form fields.
type Section struct {
	Title  string  `json:"title"`
	Fields []Field `json:"fields"`
}

// Field is one labelled form value.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Attachment describes a file submitted with the application.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"` // lower-case hex
	// SHA512 is the lower-case hex SHA-512 the sender declared and intake verified (FIT-Connect).
	SHA512 string `json:"sha512,omitempty"`
}

// Evidence is a record retrieved from a register under the Once-Only principle.
type Evidence struct {
	ID          string    `json:"id"`
	Register    string    `json:"register"` // e.g. "Melderegister"
	Title       string    `json:"title"`
	Issuer      string    `json:"issuer"`
	RetrievedAt time.Time `json:"retrievedAt"`
	Verified    bool      `json:"verified"`
	Fields      []Field   `json:"fields"`
	// CheckedBy and CheckedAt say which clerk marked the evidence as checked (geprüft) and when
	// (action kind evidence_checked); Verified is then true.
	CheckedBy string     `json:"checkedBy,omitempty"`
	CheckedAt *time.Time `json:"checkedAt,omitempty"`
}

// Payment is the fee status of a case.
type Payment struct {
	AmountCents int64  `json:"amountCents"`
	Status      string `json:"status"` // "paid", "pending", "waived", "failed", "canceled"
	Method      string `json:"method,omitempty"`
	Reference   string `json:"reference,omitempty"`
	// TransactionID and TransactionURL identify an online payment (FIT-Connect metadata
	// paymentInformation: transactionId, transactionUrl); PaidAt is its transactionTimestamp.
	TransactionID  string     `json:"transactionId,omitempty"`
	TransactionURL string     `json:"transactionUrl,omitempty"`
	PaidAt         *time.Time `json:"paidAt,omitempty"`
}

// Resubmission (Wiedervorlage) asks that a case be looked at again on a date.
type Resubmission struct {
	ID     string `json:"id"`
	Date   string `json:"date"` // YYYY-MM-DD
	Reason string `json:"reason,omitempty"`
	Actor  string `json:"actor"`
}

// DocumentRequest (Nachforderung) asks the applicant for missing documents.
type DocumentRequest struct {
	ID        string    `json:"id"`
	Documents []string  `json:"documents"`
	Deadline  string    `json:"deadline"` // YYYY-MM-DD
	Message   string    `json:"message,omitempty"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"createdAt"`
}

// Decision is a proposed or final decision on a case.
type Decision struct {
	ID         string  `json:"id"`
	Outcome    Outcome `json:"outcome"`
	Reasoning  string  `json:"reasoning"`
	FeeCents   *int64  `json:"feeCents,omitempty"`
	ValidUntil string  `json:"validUntil,omitempty"` // YYYY-MM-DD
	// Values are the service's further decision fields by name (see DecisionField).
	Values     map[string]string `json:"values,omitempty"`
	State      string            `json:"state"`                // "proposed", "final", "returned"
	Actor      string            `json:"actor"`                // who decided or proposed
	ApprovedBy string            `json:"approvedBy,omitempty"` // the lead, for four-eyes decisions
	CreatedAt  time.Time         `json:"createdAt"`
}

// Decision states.
const (
	DecisionProposed = "proposed"
	DecisionFinal    = "final"
	DecisionReturned = "returned"
)

// Note is an internal comment on a case.
type Note struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"createdAt"`
}

// EventKind names an entry of a case's append-only history.
type EventKind string

// Event kinds.
const (
	EventReceived          EventKind = "received"
	EventStatusChanged     EventKind = "status_changed"
	EventAssigned          EventKind = "assigned"
	EventNote              EventKind = "note"
	EventResubmission      EventKind = "resubmission"
	EventDocumentRequest   EventKind = "document_request"
	EventDecisionProposed  EventKind = "decision_proposed"
	EventDecisionApproved  EventKind = "decision_approved"
	EventDecisionReturned  EventKind = "decision_returned"
	EventDecisionWithdrawn EventKind = "decision_withdrawn" // the proposer took the proposal back
	EventDecided           EventKind = "decided"
	EventDocumentsReceived EventKind = "documents_received"
	// Outgoing documents (Bescheid, Nachforderung): sent through the reply channel, failed
	// for good, printed for the post.
	EventDocumentSent    EventKind = "document_sent"
	EventDocumentFailed  EventKind = "document_failed"
	EventDocumentPrinted EventKind = "document_printed"
	// EventEvidenceChecked: a clerk marked a Nachweis as checked.
	EventEvidenceChecked EventKind = "evidence_checked"
)

// Event is one entry of a case's history, stamped with server time.
type Event struct {
	Seq     int64     `json:"seq"` // position in the case's history, from 1
	Kind    EventKind `json:"kind"`
	Actor   string    `json:"actor"` // clerk id, or "system" / "applicant"
	At      time.Time `json:"at"`
	Summary string    `json:"summary,omitempty"` // short human text, e.g. the note text or new status
	// Detail is the event's text in full where it has one beside its summary: a decision's
	// reasoning, a return's comment, a Wiedervorlage's reason, a Nachforderung's message.
	Detail string `json:"detail,omitempty"`
}

// EventList is the body of GET /cases/{id}/events.
type EventList struct {
	Events []Event `json:"events"`
}

// NoteRequest is the body of PUT /cases/{id}/notes/{noteID}.
type NoteRequest struct {
	Text string `json:"text"`
}

// DecisionRequest is the body of PUT /cases/{id}/decisions/{decisionID}.
type DecisionRequest struct {
	Outcome    Outcome `json:"outcome"`
	Reasoning  string  `json:"reasoning"`
	FeeCents   *int64  `json:"feeCents,omitempty"`
	ValidUntil string  `json:"validUntil,omitempty"` // YYYY-MM-DD
	// Values are the service's further decision fields by name (see DecisionField).
	Values map[string]string `json:"values,omitempty"`
}

// ApprovalRequest is the body of PUT /cases/{id}/decisions/{decisionID}/approval: a lead approves
// a proposed four-eyes decision or returns it with a comment.
type ApprovalRequest struct {
	Approve bool   `json:"approve"`
	Comment string `json:"comment,omitempty"`
}

// AssignmentRequest is the body of PUT /cases/{id}/assignment. Assignee "" unassigns, the one
// explicit way to (the field is required: {} and null answer 422).
type AssignmentRequest struct {
	Assignee string `json:"assignee"`
}

// StatusRequest is the body of PUT /cases/{id}/status (e.g. start review, close).
type StatusRequest struct {
	Status Status `json:"status"`
}

// ResubmissionRequest is the body of PUT /cases/{id}/resubmissions/{id}.
type ResubmissionRequest struct {
	Date   string `json:"date"` // YYYY-MM-DD
	Reason string `json:"reason,omitempty"`
}

// DocumentRequestRequest is the body of PUT /cases/{id}/document-requests/{id}.
type DocumentRequestRequest struct {
	Documents []string `json:"documents"`
	Deadline  string   `json:"deadline"` // YYYY-MM-DD
	Message   string   `json:"message,omitempty"`
}

// ActionResult is the answer to every action PUT. A replay of the same action id and body answers
// the original result byte for byte (with header Idempotent-Replay: true).
type ActionResult struct {
	ActionID string `json:"actionId"`
	Kind     string `json:"kind"` // "note", "decision", "approval", "assignment", "status", "resubmission", "document_request"
	Case     Case   `json:"case"` // the case right after the action was applied
}

// ChangeKind says whether a change-feed item carries a case or removes one.
type ChangeKind string

// Change kinds.
const (
	ChangeUpsert ChangeKind = "upsert"
	ChangeDelete ChangeKind = "delete" // tombstone: the case is gone from this Amt (forwarded, purged)
)

// Change is one item of the change feed.
type Change struct {
	Seq    int64      `json:"seq"`
	Kind   ChangeKind `json:"kind"`
	CaseID string     `json:"caseId"`
	Case   *Case      `json:"case,omitempty"` // set for upserts
	// Delta replaces Case for an upsert when the client asked for deltas and its cursor says it
	// holds an earlier version of the case: only what changed since then.
	Delta *CaseDelta `json:"delta,omitempty"`
}

// ChangePage is the body of GET /changes.
type ChangePage struct {
	Items      []Change `json:"items"`
	NextCursor string   `json:"nextCursor"`
	HasMore    bool     `json:"hasMore"`
	// Remaining is how many items the feed held after the requested cursor, this page's
	// included (the reference server sends it first, so a streaming client knows it early).
	Remaining int `json:"remaining,omitempty"`
}

// Me is the body of GET /me: who the token belongs to.
type Me struct {
	Clerk   string `json:"clerk"`
	Name    string `json:"name"`
	Role    Role   `json:"role"`
	Amt     string `json:"amt"`
	AmtName string `json:"amtName"`
	// Letterhead is the Amt's letterhead as its letters print it, so that the clerk's preview of
	// a Bescheid reads like the letter.
	Letterhead *Letterhead `json:"letterhead,omitempty"`
	// TokenExpires is when the static token of the request stops being accepted (absent for
	// tokens that do not expire and for sign-ins through the identity provider): the client
	// warns the clerk ahead of it.
	TokenExpires *time.Time `json:"tokenExpires,omitempty"`
}

// Letterhead is an Amt's sender block: name, postal address, contact and bank details for fees
// (operator config).
type Letterhead struct {
	Name       string `json:"name"`
	Department string `json:"department,omitempty"`
	Street     string `json:"street,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	City       string `json:"city,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
	Web        string `json:"web,omitempty"`
	Hours      string `json:"hours,omitempty"` // opening hours
	Bank       string `json:"bank,omitempty"`
	IBAN       string `json:"iban,omitempty"`
	BIC        string `json:"bic,omitempty"`
}

// SignInInfo is the body of GET /sign-in (no authentication): how clients sign in.
type SignInInfo struct {
	// OIDC is set when the server accepts access tokens of an OpenID provider: the app signs in
	// there with the device flow (RFC 8628, PKCE S256).
	OIDC *OIDCInfo `json:"oidc,omitempty"`
	// StaticTokens reports whether tokens made by the server's admin (amt-server token create)
	// are accepted.
	StaticTokens bool `json:"staticTokens"`
}

// OIDCInfo names the OpenID provider and the public client to sign in with.
type OIDCInfo struct {
	Issuer   string   `json:"issuer"`
	ClientID string   `json:"clientId"`
	Scopes   []string `json:"scopes"`
}

// Clerk is a colleague within the same Amt, for assignment.
type Clerk struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// ClerkList is the body of GET /clerks.
type ClerkList struct {
	Clerks []Clerk `json:"clerks"`
}

// Problem is an RFC 9457 application/problem+json error body.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Case is set on 412 Precondition Failed: the server's current case.
	Case *Case `json:"case,omitempty"`
}

// Error makes a Problem usable as an error.
func (p *Problem) Error() string {
	if p.Detail != "" {
		return p.Title + ": " + p.Detail
	}
	return p.Title
}

// Problem types: stable identifiers clients may switch on.
const (
	ProblemBadRequest          = "https://amt.example/problems/bad-request"
	ProblemUnauthorized        = "https://amt.example/problems/unauthorized"
	ProblemForbidden           = "https://amt.example/problems/forbidden"
	ProblemNotFound            = "https://amt.example/problems/not-found"
	ProblemMethodNotAllowed    = "https://amt.example/problems/method-not-allowed"
	ProblemConflict            = "https://amt.example/problems/invalid-transition" // 409
	ProblemGone                = "https://amt.example/problems/cursor-expired"     // 410
	ProblemCursorUnknown       = "https://amt.example/problems/cursor-unknown"     // 410, cursor ahead of the feed
	ProblemPrecondition        = "https://amt.example/problems/version-mismatch"   // 412
	ProblemTooLarge            = "https://amt.example/problems/too-large"          // 413
	ProblemUnprocessable       = "https://amt.example/problems/idempotency-mismatch"
	ProblemValidation          = "https://amt.example/problems/validation"        // 422 invalid field values
	ProblemPreconditionNeeded  = "https://amt.example/problems/if-match-required" // 428
	ProblemRangeNotSatisfiable = "https://amt.example/problems/range-not-satisfiable"
	ProblemRateLimited         = "https://amt.example/problems/rate-limited" // 429
	ProblemUnavailable         = "https://amt.example/problems/unavailable"  // 503
	ProblemInternal            = "https://amt.example/problems/internal"
)

// ProblemTokenExpired (401): the static token has expired; the administrator issues a new one
// (amt-server token rotate) and the clerk signs in with it — the cache and its outbox stay.
const ProblemTokenExpired = "https://amt.example/problems/token-expired"

// ProblemHeadersTooLarge (431): the request's headers are larger than the server accepts.
const ProblemHeadersTooLarge = "https://amt.example/problems/headers-too-large"

// ProblemNotImplemented (501): the request uses an HTTP feature the server does not implement
// (e.g. an unknown Transfer-Encoding).
const ProblemNotImplemented = "https://amt.example/problems/not-implemented"

// ProblemUnsupportedMediaType (415): a request body not declared as Content-Type application/json.
const ProblemUnsupportedMediaType = "https://amt.example/problems/unsupported-media-type"

// ProblemAlreadyApplied (409): a resend of an action the server applied before, after the
// idempotency retention, when the original answer is no longer kept (only a fingerprint of the
// request is). Nothing was applied now. The action's effect is on the server: a client treats the
// action as delivered and gets the case from the change feed.
const ProblemAlreadyApplied = "https://amt.example/problems/already-applied"

// Header names used by the API beyond the standard ones.
const (
	HeaderIdempotentReplay = "Idempotent-Replay"
)

// ContentTypeProblem is the media type of error bodies.
const ContentTypeProblem = "application/problem+json"

// Limits of the contract.
const (
	MaxBodyBytes      = 1 << 20 // largest accepted request body
	MaxNoteRunes      = 10000
	MaxChangePageSize = 1000
	DefaultChangePage = 200
	MaxWaitSeconds    = 30
	// MaxNotesPerCase, MaxHistoryPerCase and MaxCaseBytes bound what one case can carry (its
	// notes, its history events, its JSON size): an action that would pass one answers 409
	// ProblemCaseFull. The case goes whole to every clerk of the Amt on each change.
	MaxNotesPerCase   = 500
	MaxHistoryPerCase = 2000
	MaxCaseBytes      = 1 << 20
)

// ProblemCaseFull (409) answers an action that would make a case carry more than
// MaxNotesPerCase notes, MaxHistoryPerCase events or MaxCaseBytes bytes.
const ProblemCaseFull = "https://amt.example/problems/case-full"

// ProblemWriteQuota (429, with Retry-After) answers an action of a token that has used up its
// write quota (actions or bytes per hour).
const ProblemWriteQuota = "https://amt.example/problems/write-quota"

// DocumentFilePrefix starts the id under which an outgoing document is handled as a file of its
// case on the client (download, sealed cache, viewer): Document.AsAttachment.
const DocumentFilePrefix = "outgoing."

// AsAttachment describes the document as a file of its case, so that the client downloads,
// seals and opens it like an attachment; the id carries DocumentFilePrefix.
func (d Document) AsAttachment() Attachment {
	return Attachment{ID: DocumentFilePrefix + d.ID, Name: d.Name, ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256}
}

// DocumentKind says what an outgoing document is.
type DocumentKind string

// Document kinds.
const (
	DocumentBescheid      DocumentKind = "bescheid"      // the decision, made known to the applicant
	DocumentNachforderung DocumentKind = "nachforderung" // a request for missing documents
)

// DocumentKinds lists every document kind.
var DocumentKinds = []DocumentKind{DocumentBescheid, DocumentNachforderung}

// Document is a letter the Amt writes to the applicant, generated by the server when a decision
// becomes final or documents are requested, and delivered through the reply channel.
type Document struct {
	ID          string       `json:"id"`
	Kind        DocumentKind `json:"kind"`
	Name        string       `json:"name"` // file name, e.g. "Bescheid_GEW-2026-000043.pdf"
	ContentType string       `json:"contentType"`
	Size        int64        `json:"size"`
	SHA256      string       `json:"sha256"` // lower-case hex; also the ETag of its bytes
	CreatedAt   time.Time    `json:"createdAt"`
	Delivery    Delivery     `json:"delivery"`
}

// DeliveryChannel is how a document travels to the applicant.
type DeliveryChannel string

// Delivery channels.
const (
	ChannelEmail      DeliveryChannel = "email"      // through the operator's SMTP relay
	ChannelLetter     DeliveryChannel = "letter"     // printed from the Amt's print queue (Postausgang)
	ChannelFitConnect DeliveryChannel = "fitconnect" // a FIT-Connect reply to the online service
)

// DeliveryChannels lists every delivery channel.
var DeliveryChannels = []DeliveryChannel{ChannelEmail, ChannelLetter, ChannelFitConnect}

// DeliveryState is where a document's delivery stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending DeliveryState = "pending" // waiting to be sent, or in the print queue
	DeliverySent    DeliveryState = "sent"
	DeliveryFailed  DeliveryState = "failed" // for good; Detail says why
	DeliveryPrinted DeliveryState = "printed"
)

// DeliveryStates lists every delivery state.
var DeliveryStates = []DeliveryState{DeliveryPending, DeliverySent, DeliveryFailed, DeliveryPrinted}

// Delivery is the state of one document's delivery.
type Delivery struct {
	Channel DeliveryChannel `json:"channel"`
	State   DeliveryState   `json:"state"`
	At      *time.Time      `json:"at,omitempty"`     // when it was sent, failed or printed
	Detail  string          `json:"detail,omitempty"` // recipient (masked) or the reason of a failure
}

// PrintedRequest is the body of PUT /cases/{id}/documents/{docID}/printed: a clerk printed a
// document of the print queue for the post.
type PrintedRequest struct{}

// EvidenceCheckRequest is the body of PUT /cases/{id}/evidence/{evidenceID}/checked: a clerk
// checked a record retrieved from a register (Nachweis geprüft).
type EvidenceCheckRequest struct{}
