package delivery

// The FIT-Connect reply (fact sheet §9): the document travels back to the online service the
// applicant used, in the FIT-Connect case of the submission, encrypted to the key the online
// service gave in the submission's metadata. The reply endpoints are unverified (§9.2) and
// configurable (fitconnect.ReplyEndpoints); docs/betrieb.md says so.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/fitconnect"
)

// FitConnectReplies sends documents as FIT-Connect replies through the subscriber client of the
// destination the case arrived at. It implements ReplySender.
type FitConnectReplies struct {
	// Clients are the subscriber clients by destination id (the intake's credentials).
	Clients map[string]*fitconnect.Client
	// Endpoints are the reply paths; empty ones are fitconnect.DefaultReplyEndpoints.
	Endpoints fitconnect.ReplyEndpoints
	// MinKeyBits is the smallest applicant key accepted; 0 = fitconnect.MinKeyBits.
	MinKeyBits int
}

var _ ReplySender = (*FitConnectReplies)(nil)

// replyTitles name the documents in the reply's data.
var replyTitles = map[api.DocumentKind]string{api.DocumentBescheid: "Bescheid", api.DocumentNachforderung: "Nachforderung von Unterlagen"}

// SendReply encrypts the document and its description to the applicant's key and submits them
// as a reply in the FIT-Connect case: create (announcing the attachment), upload, submit. A
// refusal of the service (4xx other than 408/429) or an unusable key is a *PermanentError; an
// unreachable or overloaded service is temporary (the delivery loop retries with backoff; each
// attempt creates a new reply, as nothing of a failed one reaches the applicant).
func (f *FitConnectReplies) SendReply(ctx context.Context, to api.FitConnectReply, doc Document) error {
	c := f.Clients[to.DestinationID]
	if c == nil {
		return &PermanentError{Reason: "no FIT-Connect client for destination " + to.DestinationID}
	}
	if to.CaseID == "" {
		return &PermanentError{Reason: "the case has no FIT-Connect case id"}
	}
	pub, kid, err := fitconnect.ParsePublicJWK([]byte(to.EncryptionKey), "RSA-OAEP-256", f.MinKeyBits)
	if err != nil {
		return &PermanentError{Reason: "the applicant's reply key is unusable: " + err.Error()}
	}
	attID := fitconnect.NewUUID()
	attJWE, err := fitconnect.Encrypt(pub, kid, doc.ContentType, doc.Data)
	if err != nil {
		return &PermanentError{Reason: "encrypting the document: " + err.Error()}
	}
	data, _ := json.Marshal(fitconnect.ReplyData{Reference: doc.Reference, DocumentKind: string(doc.Kind), Title: replyTitles[doc.Kind]})
	dataJWE, err := fitconnect.Encrypt(pub, kid, fitconnect.ContentTypeJSON, data)
	if err != nil {
		return &PermanentError{Reason: "encrypting the reply data: " + err.Error()}
	}
	meta := fitconnect.ReplyMetadata{ContentStructure: fitconnect.ContentStructure{
		Data: &fitconnect.DataInfo{Hash: fitconnect.Hash{Type: "sha512", Content: fitconnect.SHA512Hex(data)},
			SubmissionSchema: fitconnect.SubmissionSchema{SchemaURI: fitconnect.ReplyDataSchema, MimeType: fitconnect.ContentTypeJSON}},
		Attachments: []fitconnect.AttachmentInfo{{AttachmentID: attID, Hash: fitconnect.Hash{Type: "sha512", Content: fitconnect.SHA512Hex(doc.Data)},
			MimeType: doc.ContentType, Purpose: "attachment", Filename: doc.Name}},
	}}
	if len(to.ProcessStandards) > 0 {
		meta.ProcessStandard = to.ProcessStandards[0]
	}
	mb, _ := json.Marshal(meta)
	metaJWE, err := fitconnect.Encrypt(pub, kid, fitconnect.ContentTypeJSON, mb)
	if err != nil {
		return &PermanentError{Reason: "encrypting the reply metadata: " + err.Error()}
	}
	created, err := c.CreateReplyIn(ctx, f.Endpoints, fitconnect.CreateReply{CaseID: to.CaseID, AnnouncedAttachments: []string{attID}})
	if err != nil {
		return replyErr("create reply", err)
	}
	if err := c.UploadReplyAttachment(ctx, f.Endpoints, created.ReplyID, attID, attJWE); err != nil {
		return replyErr("upload reply attachment", err)
	}
	if err := c.SubmitReplyParts(ctx, f.Endpoints, created.ReplyID, fitconnect.SubmitReply{EncryptedMetadata: metaJWE, EncryptedData: dataJWE}); err != nil {
		return replyErr("submit reply", err)
	}
	return nil
}

// replyErr classifies a failed reply call: a refusal (4xx except 408, 425, 429) is permanent,
// with the service's status and title as the reason; anything else is worth a retry.
func replyErr(step string, err error) error {
	var ae *fitconnect.APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Status == http.StatusRequestTimeout, ae.Status == http.StatusTooEarly, ae.Status == http.StatusTooManyRequests, ae.Status >= 500:
			return fmt.Errorf("FIT-Connect %s: %w", step, err)
		}
		reason := fmt.Sprintf("FIT-Connect refused the reply (%s): %d", step, ae.Status)
		if ae.Body.Title != "" {
			reason += " " + ae.Body.Title
		}
		return &PermanentError{Reason: reason}
	}
	return fmt.Errorf("FIT-Connect %s: %w", step, err)
}
