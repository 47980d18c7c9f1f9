package fitconnect

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"sort"
)

// OpenConfig is what Open needs to know about the receiving destination.
type OpenConfig struct {
	DestinationID  string
	DecryptionKeys []*rsa.PrivateKey
	// MetadataVersions the destination accepts; nil means MetadataVersions.
	MetadataVersions []string
	// SchemaFor returns the data schema URI the destination expects for a service identifier, or
	// false when it does not offer the service.
	SchemaFor func(serviceIdentifier string) (string, bool)
	// ReplyChannels lists the reply channel keys the destination offers (eMail, deMail, fink,
	// elster, fitConnect); nil offers all.
	ReplyChannels []string
	Problems      Problems
}

// ReceivedAttachment is one decrypted attachment.
type ReceivedAttachment struct {
	Info AttachmentInfo
	Data []byte
}

// Received is a submission that passed every check, decrypted.
type Received struct {
	Submission      *Submission
	Metadata        *Metadata
	MetadataVersion string
	Data            []byte
	Attachments     []ReceivedAttachment // in metadata order
	// Tags are the authentication tags of the parts as received (for accept-submission).
	Tags AuthenticationTags
	// SETSchema is the $schema of the service's submit-submission event, to mirror in ours.
	SETSchema string
}

// Rejection says why a submission failed its checks: the problems for reject-submission, and the
// tags of what was received (nil when the metadata could not be fetched).
type Rejection struct {
	Submission *Submission
	Problems   []Problem
	Tags       *AuthenticationTags
	SETSchema  string
}

func (r *Rejection) Error() string {
	if len(r.Problems) == 0 {
		return "rejected"
	}
	return r.Problems[0].Error()
}

// Open fetches a submission and performs the checks of a receiving authority: the submission
// belongs to the destination and case, the case's event log verifies and holds the service's
// submit-submission event whose authentication tags equal the received parts', every part
// decrypts, the metadata is valid for a supported version, the service is offered, the data has
// the expected schema and its SHA-512, the attachments are exactly the announced ones with their
// SHA-512, and the reply channel is offered. A failed check is a *Rejection; other errors
// (network, the service) are returned as they are and the submission stays for a later try.
func Open(ctx context.Context, c *Client, cfg OpenConfig, ref SubmissionRef) (*Received, *Rejection, error) {
	ps := cfg.Problems
	if ps == nil {
		ps = DefaultProblems
	}
	sub, err := c.Submission(ctx, ref.SubmissionID)
	if err != nil {
		return nil, nil, err
	}
	rej := &Rejection{Submission: sub}
	fail := func(code ProblemCode, instance, detail string) (*Received, *Rejection, error) {
		rej.Problems = append(rej.Problems, ps.Make(code, instance, detail))
		return nil, rej, nil
	}
	if sub.SubmissionID != ref.SubmissionID || sub.DestinationID != cfg.DestinationID || (ref.CaseID != "" && sub.CaseID != ref.CaseID) {
		return nil, nil, fmt.Errorf("submission %s: destination or case differ from the listing", ref.SubmissionID)
	}
	// Fetch every part first, so the tags of what was received are known.
	atts := map[string]string{}
	for _, id := range sub.Attachments {
		jwe, err := c.Attachment(ctx, sub.SubmissionID, id)
		if err != nil {
			return nil, nil, err
		}
		atts[id] = jwe
	}
	tags := AuthenticationTags{Metadata: AuthTag(sub.EncryptedMetadata)}
	if sub.EncryptedData != "" {
		tags.Data = AuthTag(sub.EncryptedData)
	}
	if len(atts) > 0 {
		tags.Attachments = map[string]string{}
		for id, jwe := range atts {
			tags.Attachments[id] = AuthTag(jwe)
		}
	}
	rej.Tags = &tags

	// Event log: every SET verifies; the service's submit-submission for this submission.
	log, err := c.EventLog(ctx, sub.CaseID)
	if err != nil {
		return nil, nil, err
	}
	var submitted *EventPayload
	keyFn := c.KeyFunc(ctx)
	for i, tok := range log {
		set, err := ParseSET(tok, keyFn)
		if err != nil {
			return fail(ProbInvalidEventLog, "other", fmt.Sprintf("event %d: %v", i+1, err))
		}
		if set.Txn != "case:"+sub.CaseID {
			return fail(ProbInvalidEventLog, "other", fmt.Sprintf("event %d belongs to another case", i+1))
		}
		ev, payload := set.Event()
		if ev == EventSubmitSubmission && set.Sub == "submission:"+sub.SubmissionID {
			var p EventPayload
			if err := json.Unmarshal(payload, &p); err != nil || p.AuthenticationTags == nil {
				return fail(ProbInvalidEventLog, "other", "submit-submission without authentication tags")
			}
			submitted = &p
			rej.SETSchema = set.Schema
		}
	}
	if submitted == nil {
		return fail(ProbInvalidEventLog, "other", "no submit-submission event for this submission")
	}
	want := submitted.AuthenticationTags
	if want.Metadata != tags.Metadata {
		return fail(ProbMetadataTag, "metadata", "")
	}
	if want.Data != tags.Data {
		return fail(ProbDataTag, "data", "")
	}
	for _, id := range sortedKeys(atts) {
		if want.Attachments[id] != tags.Attachments[id] {
			return fail(ProbAttachmentTag, AttachmentInstance(id), "")
		}
	}

	// Metadata.
	rawMeta, _, err := Decrypt(cfg.DecryptionKeys, sub.EncryptedMetadata)
	if err != nil {
		return fail(ProbMetadataEncryption, "metadata", err.Error())
	}
	meta, version, code, err := ParseMetadata(rawMeta, cfg.MetadataVersions)
	if err != nil {
		return fail(code, "metadata", err.Error())
	}

	// Service.
	if meta.PublicServiceType != nil && meta.PublicServiceType.Identifier != sub.ServiceType.Identifier {
		return fail(ProbServiceMismatch, "metadata", "publicServiceType differs from the submission's serviceType")
	}
	schemaURI, offered := "", false
	if cfg.SchemaFor != nil {
		schemaURI, offered = cfg.SchemaFor(sub.ServiceType.Identifier)
	}
	if !offered {
		return fail(ProbUnsupportedService, "metadata", "service "+sub.ServiceType.Identifier+" is not offered")
	}

	// Data.
	d := meta.ContentStructure.Data
	switch {
	case d == nil && sub.EncryptedData != "":
		return fail(ProbMissingData, "metadata", "data sent but not described in the metadata")
	case d == nil || sub.EncryptedData == "":
		return fail(ProbMissingData, "data", "")
	case d.SubmissionSchema.SchemaURI != schemaURI || d.SubmissionSchema.MimeType != ContentTypeJSON:
		return fail(ProbUnsupportedDataSchema, "metadata", "data schema "+d.SubmissionSchema.SchemaURI+" is not the service's")
	}
	data, _, err := Decrypt(cfg.DecryptionKeys, sub.EncryptedData)
	if err != nil {
		return fail(ProbDataEncryption, "data", err.Error())
	}
	if SHA512Hex(data) != d.Hash.Content {
		return fail(ProbDataHash, "data", "")
	}

	// Attachments.
	announced := map[string]bool{}
	for _, a := range meta.ContentStructure.Attachments {
		announced[a.AttachmentID] = true
	}
	if len(announced) != len(meta.ContentStructure.Attachments) || len(announced) != len(atts) {
		return fail(ProbAttachmentsMismatch, "metadata", "the metadata and the submission list different attachments")
	}
	for id := range atts {
		if !announced[id] {
			return fail(ProbAttachmentsMismatch, "metadata", "attachment "+id+" is not in the metadata")
		}
	}
	out := &Received{Submission: sub, Metadata: meta, MetadataVersion: version, Data: data, Tags: tags, SETSchema: rej.SETSchema}
	for _, a := range meta.ContentStructure.Attachments {
		pt, _, err := Decrypt(cfg.DecryptionKeys, atts[a.AttachmentID])
		if err != nil {
			return fail(ProbAttachmentEncryption, AttachmentInstance(a.AttachmentID), err.Error())
		}
		if SHA512Hex(pt) != a.Hash.Content {
			return fail(ProbAttachmentHash, AttachmentInstance(a.AttachmentID), "")
		}
		out.Attachments = append(out.Attachments, ReceivedAttachment{Info: a, Data: pt})
	}

	// Reply channel.
	if rc := meta.ReplyChannel; rc != nil && cfg.ReplyChannels != nil {
		if k := rc.Key(); !contains(cfg.ReplyChannels, k) {
			return fail(ProbUnsupportedReplyChannel, "metadata", "reply channel "+k+" is not offered")
		}
	}
	return out, nil, nil
}

// Key names the chosen channel as the metadata does (eMail, deMail, fink, elster, fitConnect).
func (rc *ReplyChannel) Key() string {
	switch {
	case rc.EMail != nil:
		return "eMail"
	case rc.DeMail != nil:
		return "deMail"
	case rc.Fink != nil:
		return "fink"
	case rc.Elster != nil:
		return "elster"
	case rc.FitConnect != nil:
		return "fitConnect"
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Decide signs and posts our accept-submission (with the received tags) or reject-submission
// (with the problems, and the tags when known) for a submission. schema is the service's SET
// $schema to mirror (empty: SETPayloadSchema).
func Decide(ctx context.Context, c *Client, key *rsa.PrivateKey, kid, destinationID string, sub SubmissionRef, tags *AuthenticationTags, problems []Problem, schema string, now func() int64) error {
	ev, payload := EventAcceptSubmission, EventPayload{AuthenticationTags: tags}
	if problems != nil {
		ev, payload = EventRejectSubmission, EventPayload{AuthenticationTags: tags, Problems: problems}
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	if schema == "" {
		schema = SETPayloadSchema
	}
	set := &SET{Schema: schema, JTI: NewUUID(), Iss: destinationID, Iat: now(), Sub: "submission:" + sub.SubmissionID,
		Txn: "case:" + sub.CaseID, Events: map[string]json.RawMessage{ev: b}}
	tok, err := SignSET(key, kid, set)
	if err != nil {
		return err
	}
	return c.PostEvent(ctx, sub.CaseID, tok)
}
