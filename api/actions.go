package api

import (
	"fmt"
	"net/url"
)

// ActionKind names a clerk action that travels through the offline outbox as one PUT.
type ActionKind string

// Action kinds.
const (
	ActionNote            ActionKind = "note"
	ActionDecision        ActionKind = "decision"
	ActionApproval        ActionKind = "approval" // four-eyes approve / return; SubID is the decision id
	ActionAssignment      ActionKind = "assignment"
	ActionStatus          ActionKind = "status"
	ActionResubmission    ActionKind = "resubmission"
	ActionDocumentRequest ActionKind = "document_request"
	ActionPrinted         ActionKind = "printed" // a document of the print queue was printed; SubID is the document id, which is also the id the server keys the action by
	// ActionEvidenceChecked: a Nachweis was checked; SubID is the evidence id, which is also the id
	// the server keys the action by (an evidence is checked once).
	ActionEvidenceChecked ActionKind = "evidence_checked"
)

// ActionKinds lists every action kind.
var ActionKinds = []ActionKind{ActionNote, ActionDecision, ActionApproval, ActionAssignment,
	ActionStatus, ActionResubmission, ActionDocumentRequest, ActionPrinted, ActionEvidenceChecked}

// NeedsIfMatch reports whether the action changes state and so must carry If-Match with the case
// version the clerk saw. Notes, resubmissions and document requests are appends and never conflict.
func (k ActionKind) NeedsIfMatch() bool {
	switch k {
	case ActionDecision, ActionApproval, ActionAssignment, ActionStatus:
		return true
	}
	return false
}

// ActionPath returns the request path (under BasePath) of an action. actionID is the client-chosen
// id; subID is the decision id for approvals. For assignment, status and approval, whose paths
// carry no action id, the action id travels in the Idempotency-Key header instead.
func ActionPath(kind ActionKind, caseID, actionID, subID string) (string, error) {
	c := BasePath + "/cases/" + url.PathEscape(caseID)
	switch kind {
	case ActionNote:
		return c + "/notes/" + url.PathEscape(actionID), nil
	case ActionDecision:
		return c + "/decisions/" + url.PathEscape(actionID), nil
	case ActionApproval:
		if subID == "" {
			return "", fmt.Errorf("api: approval needs the decision id")
		}
		return c + "/decisions/" + url.PathEscape(subID) + "/approval", nil
	case ActionAssignment:
		return c + "/assignment", nil
	case ActionStatus:
		return c + "/status", nil
	case ActionResubmission:
		return c + "/resubmissions/" + url.PathEscape(actionID), nil
	case ActionDocumentRequest:
		return c + "/document-requests/" + url.PathEscape(actionID), nil
	case ActionPrinted:
		if subID == "" {
			return "", fmt.Errorf("api: printed needs the document id")
		}
		return c + "/documents/" + url.PathEscape(subID) + "/printed", nil
	case ActionEvidenceChecked:
		if subID == "" {
			return "", fmt.Errorf("api: evidence_checked needs the evidence id")
		}
		return c + "/evidence/" + url.PathEscape(subID) + "/checked", nil
	}
	return "", fmt.Errorf("api: unknown action kind %q", kind)
}

// NewRequest returns a pointer to a zero request body of the kind (e.g. *NoteRequest), for
// decoding an action's body.
func (k ActionKind) NewRequest() (any, error) {
	switch k {
	case ActionNote:
		return &NoteRequest{}, nil
	case ActionDecision:
		return &DecisionRequest{}, nil
	case ActionApproval:
		return &ApprovalRequest{}, nil
	case ActionAssignment:
		return &AssignmentRequest{}, nil
	case ActionStatus:
		return &StatusRequest{}, nil
	case ActionResubmission:
		return &ResubmissionRequest{}, nil
	case ActionDocumentRequest:
		return &DocumentRequestRequest{}, nil
	case ActionPrinted:
		return &PrintedRequest{}, nil
	case ActionEvidenceChecked:
		return &EvidenceCheckRequest{}, nil
	}
	return nil, fmt.Errorf("api: unknown action kind %q", k)
}
