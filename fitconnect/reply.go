package fitconnect

// The reply channel ("Rückkanal", fact sheet §9): an authority answers in the FIT-Connect case of
// a submission, encrypted to the key the applicant's online service gave in the submission's
// metadata (replyChannel.fitConnect.encryptionPublicKey). §9.1 (the channel, the key, replies in
// the same case) is verified; the endpoints of §9.2 are NOT: they are inferred by analogy with
// submissions. So every path is configurable (ReplyEndpoints) and the shapes below follow §9.2
// as written there; docs/betrieb.md says so for operators.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Reply events (§9.2, unverified).
const (
	EventCreateReply = EventPrefix + "create-reply"
	EventSubmitReply = EventPrefix + "submit-reply"
)

// CallbackNewReplies is the callback type the service sends to the online service when a reply
// was submitted (§9.2, unverified).
const CallbackNewReplies = "https://schema.fitko.de/fit-connect/callbacks/new-replies"

// ReplyEndpoints are the paths of the reply calls below the Submission API's base URL, with the
// placeholders {replyId} and {attachmentId}. Unverified (§9.2): an operator corrects them without
// a code change.
type ReplyEndpoints struct {
	Create     string `yaml:"create" json:"create"`         // POST: announce a reply in a case
	Attachment string `yaml:"attachment" json:"attachment"` // PUT: upload an encrypted attachment
	Submit     string `yaml:"submit" json:"submit"`         // PUT: submit metadata and data
}

// DefaultReplyEndpoints are the endpoints as the fact sheet §9.2 infers them.
var DefaultReplyEndpoints = ReplyEndpoints{
	Create:     "/v1/replies",
	Attachment: "/v1/replies/{replyId}/attachments/{attachmentId}",
	Submit:     "/v1/replies/{replyId}",
}

// WithDefaults fills empty paths from DefaultReplyEndpoints.
func (e ReplyEndpoints) WithDefaults() ReplyEndpoints {
	if e.Create == "" {
		e.Create = DefaultReplyEndpoints.Create
	}
	if e.Attachment == "" {
		e.Attachment = DefaultReplyEndpoints.Attachment
	}
	if e.Submit == "" {
		e.Submit = DefaultReplyEndpoints.Submit
	}
	return e
}

// Check reports a path that cannot work: each starts with "/", the attachment path names
// {replyId} and {attachmentId}, the submit path {replyId}.
func (e ReplyEndpoints) Check() error {
	e = e.WithDefaults()
	for _, p := range []struct{ name, path string }{{"create", e.Create}, {"attachment", e.Attachment}, {"submit", e.Submit}} {
		if !strings.HasPrefix(p.path, "/") {
			return fmt.Errorf("reply endpoint %s %q does not start with /", p.name, p.path)
		}
	}
	if !strings.Contains(e.Attachment, "{replyId}") || !strings.Contains(e.Attachment, "{attachmentId}") {
		return fmt.Errorf("reply endpoint attachment %q needs {replyId} and {attachmentId}", e.Attachment)
	}
	if !strings.Contains(e.Submit, "{replyId}") {
		return fmt.Errorf("reply endpoint submit %q needs {replyId}", e.Submit)
	}
	return nil
}

func expand(tpl, replyID, attachmentID string) string {
	return strings.NewReplacer("{replyId}", url.PathEscape(replyID), "{attachmentId}", url.PathEscape(attachmentID)).Replace(tpl)
}

// CreateReply is the body of the create call.
type CreateReply struct {
	CaseID               string   `json:"caseId"`
	AnnouncedAttachments []string `json:"announcedAttachments"`
}

// ReplyCreated answers the create call.
type ReplyCreated struct {
	ReplyID string `json:"replyId"`
	CaseID  string `json:"caseId"`
}

// SubmitReply is the body of the submit call: the reply's metadata and data, each a JWE encrypted
// to the applicant's key.
type SubmitReply struct {
	EncryptedMetadata string `json:"encryptedMetadata"`
	EncryptedData     string `json:"encryptedData,omitempty"`
}

// ReplyMetadata is the decrypted metadata of a reply. The schema of reply metadata is unknown
// (§9.2); this mirrors a submission's contentStructure, so the online service can verify the
// hashes of the data and the attachments, and names the process standard used.
type ReplyMetadata struct {
	ContentStructure ContentStructure `json:"contentStructure"`
	ProcessStandard  string           `json:"processStandard,omitempty"`
}

// ReplyData is the data of a reply as amt sends it: which document of which Aktenzeichen the
// attachment is (the process standards' own data schemas are not implemented).
type ReplyData struct {
	Reference    string `json:"reference"`    // the Amt's Aktenzeichen
	DocumentKind string `json:"documentKind"` // bescheid | nachforderung
	Title        string `json:"title"`        // e.g. "Bescheid"
}

// ReplyDataSchema names the schema of ReplyData in the metadata.
const ReplyDataSchema = "https://amt.example/schemas/reply-data/1.0.0/reply-data.schema.json"

// CreateReplyIn announces a reply in a case (subscriber).
func (c *Client) CreateReplyIn(ctx context.Context, ep ReplyEndpoints, cr CreateReply) (*ReplyCreated, error) {
	b, _ := json.Marshal(cr)
	var out ReplyCreated
	_, err := c.do(ctx, c.http, http.MethodPost, ep.WithDefaults().Create, ContentTypeJSON, b, http.StatusCreated, &out)
	return &out, err
}

// UploadReplyAttachment uploads an encrypted attachment of a reply (subscriber).
func (c *Client) UploadReplyAttachment(ctx context.Context, ep ReplyEndpoints, replyID, attachmentID, jwe string) error {
	_, err := c.do(ctx, c.http, http.MethodPut, expand(ep.WithDefaults().Attachment, replyID, attachmentID), ContentTypeJOSE, []byte(jwe), http.StatusNoContent, nil)
	return err
}

// SubmitReplyParts submits a reply's metadata and data (subscriber); the service answers 202.
func (c *Client) SubmitReplyParts(ctx context.Context, ep ReplyEndpoints, replyID string, s SubmitReply) error {
	b, _ := json.Marshal(s)
	_, err := c.do(ctx, c.http, http.MethodPut, expand(ep.WithDefaults().Submit, replyID, ""), ContentTypeJSON, b, http.StatusAccepted, nil)
	return err
}
