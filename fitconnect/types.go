// Package fitconnect owns amt's side of FIT-Connect, FITKO's transport for online applications:
// the wire types of the Submission API v1, the cryptography (JWE for the parts of a submission,
// signed Security Event Tokens for the event log), the metadata schema, a subscriber client
// (OAuth2 client credentials, listing, fetching, event log, accept/reject), the checks a receiving
// authority performs on a submission (Open), and the callback signature. Facts come from
// ../shared/fitconnect/FITCONNECT.md; what it marks unverified is configurable (see Config and
// docs/betrieb.md). The emulator of the service lives in fitconnect/emulator.
package fitconnect

// Wire types of the Submission API v1 (JSON names as in the published OpenAPI 1.1.3).

// SubmissionRef names one submission (list for pickup, callbacks).
type SubmissionRef struct {
	DestinationID string `json:"destinationId"`
	SubmissionID  string `json:"submissionId"`
	CaseID        string `json:"caseId"`
}

// SubmissionsForPickup is the body of GET /v1/submissions.
type SubmissionsForPickup struct {
	Count       int             `json:"count"`
	Offset      int             `json:"offset"`
	TotalCount  int             `json:"totalCount"`
	Submissions []SubmissionRef `json:"submissions"`
}

// ServiceType names the administrative service of a submission.
type ServiceType struct {
	Identifier  string `json:"identifier"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// CallbackURL is the sender's callback as a submission shows it.
type CallbackURL struct {
	URL string `json:"url"`
}

// Submission is the body of GET /v1/submissions/{id}.
type Submission struct {
	DestinationID     string       `json:"destinationId"`
	SubmissionID      string       `json:"submissionId"`
	CaseID            string       `json:"caseId"`
	Attachments       []string     `json:"attachments"`
	ServiceType       ServiceType  `json:"serviceType"`
	Callback          *CallbackURL `json:"callback,omitempty"`
	EncryptedMetadata string       `json:"encryptedMetadata,omitempty"`
	EncryptedData     string       `json:"encryptedData,omitempty"`
}

// Callback is a callback registration (url and HMAC secret).
type Callback struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// CreateSubmission is the body of POST /v1/submissions.
type CreateSubmission struct {
	DestinationID        string      `json:"destinationId"`
	AnnouncedAttachments []string    `json:"announcedAttachments"`
	ServiceType          ServiceType `json:"serviceType"`
	CaseID               string      `json:"caseId,omitempty"`
	Callback             *Callback   `json:"callback,omitempty"`
}

// SubmissionCreated is the answer to POST /v1/submissions.
type SubmissionCreated struct {
	DestinationID string `json:"destinationId"`
	SubmissionID  string `json:"submissionId"`
	CaseID        string `json:"caseId"`
}

// SubmitSubmission is the body of PUT /v1/submissions/{id}.
type SubmitSubmission struct {
	EncryptedMetadata string `json:"encryptedMetadata"`
	EncryptedData     string `json:"encryptedData,omitempty"`
}

// SubmissionReduced is the answer to PUT /v1/submissions/{id}.
type SubmissionReduced struct {
	DestinationID string       `json:"destinationId"`
	SubmissionID  string       `json:"submissionId"`
	CaseID        string       `json:"caseId"`
	Attachments   []string     `json:"attachments"`
	ServiceType   ServiceType  `json:"serviceType"`
	Callback      *CallbackURL `json:"callback,omitempty"`
}

// EventLog is the body of GET /v1/cases/{caseId}/events: SETs, newest last.
type EventLog struct {
	Count      int      `json:"count"`
	Offset     int      `json:"offset"`
	TotalCount int      `json:"totalCount"`
	EventLog   []string `json:"eventLog"`
}

// SubmissionSchema names the schema of a submission's data.
type SubmissionSchema struct {
	SchemaURI string `json:"schemaUri"`
	MimeType  string `json:"mimeType"`
}

// DestinationService is one service a destination offers.
type DestinationService struct {
	Identifier        string             `json:"identifier"`
	Regions           []string           `json:"regions"`
	SubmissionSchemas []SubmissionSchema `json:"submissionSchemas"`
}

// Destination is the public view of a destination (GET /v1/destinations/{id}).
type Destination struct {
	DestinationID    string               `json:"destinationId"`
	Status           string               `json:"status"` // created, active, inactive, decommissioned
	Services         []DestinationService `json:"services"`
	EncryptionKid    string               `json:"encryptionKid"`
	MetadataVersions []string             `json:"metadataVersions"`
	ReplyChannels    map[string]any       `json:"replyChannels,omitempty"`
}

// ErrorBody is an application/problem+json body of the Submission API.
type ErrorBody struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// CallbackBody is the JSON body of a callback.
type CallbackBody struct {
	Type          string          `json:"type"`
	SubmissionIDs []string        `json:"submissionIds,omitempty"`
	Submissions   []SubmissionRef `json:"submissions"`
}

// Callback types.
const (
	CallbackNewSubmissions = "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-submissions"
	CallbackNewEvents      = "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events"
)

// Event URIs of the event log.
const (
	EventPrefix            = "https://schema.fitko.de/fit-connect/events/"
	EventCreateSubmission  = EventPrefix + "create-submission"
	EventSubmitSubmission  = EventPrefix + "submit-submission"
	EventNotifySubmission  = EventPrefix + "notify-submission"
	EventForwardSubmission = EventPrefix + "forward-submission"
	EventAcceptSubmission  = EventPrefix + "accept-submission"
	EventRejectSubmission  = EventPrefix + "reject-submission"
	EventDeleteSubmission  = EventPrefix + "delete-submission"
)

// SETPayloadSchema is the $schema of SET payloads with an event payload (configurable: the fact
// sheet saw 1.0.0 in the docs and 1.2.2 in 2026; a subscriber mirrors the service's value).
const SETPayloadSchema = "https://schema.fitko.de/fit-connect/set-payload/1.0.0/set-payload.schema.json"

// AuthenticationTags are the JWE authentication tags of a submission's parts.
type AuthenticationTags struct {
	Metadata    string            `json:"metadata"`
	Data        string            `json:"data,omitempty"`
	Attachments map[string]string `json:"attachments,omitempty"`
}

// Problem is one reason of a reject-submission event.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance"`
}

func (p Problem) Error() string {
	if p.Detail != "" {
		return p.Title + " (" + p.Instance + "): " + p.Detail
	}
	return p.Title + " (" + p.Instance + ")"
}
