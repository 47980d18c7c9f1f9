// Package sender is a FIT-Connect sender (online service) for tests and the demo: it builds real
// submissions (metadata with SHA-512 hashes, every part encrypted to the destination's published
// key) and sends them through the Submission API, with knobs that break one rule each so that a
// subscriber's checks can be proven.
package sender

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/amt-mv/amt/fitconnect"
)

// File is an attachment.
type File struct {
	Name     string
	MimeType string
	Purpose  string // form, attachment, report; empty means attachment
	Data     []byte
}

// Application is what the online service sends.
type Application struct {
	Service      fitconnect.ServiceType // identifier (urn:de:fim:leika:leistung:…) and name
	SchemaURI    string                 // the data schema
	Data         []byte                 // JSON
	Attachments  []File
	ReplyChannel *fitconnect.ReplyChannel
	Payment      *fitconnect.PaymentInformation
	// CaseID sends a follow-up submission into an existing FIT-Connect case.
	CaseID string
	// MetadataVersion is "1.0.0" (no $schema) unless set; "1.2.0" is needed for a fitConnect
	// reply channel.
	MetadataVersion string
	Callback        *fitconnect.Callback
}

// Knobs break one rule each.
type Knobs struct {
	WrongDataHash          bool   // metadata carries another hash for the data
	WrongAttachmentHash    bool   // metadata carries another hash for the first attachment
	WrongKey               bool   // every part is encrypted to a key the destination does not have
	SkipAttachmentUpload   bool   // the first announced attachment is not uploaded (the service answers 422 on submit)
	UnannouncedAttachment  bool   // an attachment is uploaded that was not announced (422 on upload)
	MetadataVersion        string // $schema names this version (e.g. "9.9.9")
	MetadataServiceID      string // publicServiceType.identifier differs from the submission's
	DataSchemaURI          string // metadata names another data schema
	OmitAttachmentMetadata bool   // the first attachment is missing from the metadata
	NoCty                  bool   // no cty header on the JWEs
	Deflate                bool   // "zip": "DEF" on the JWEs
	InvalidMetadata        bool   // metadata violates the schema (hash type md5)
	NotJSONData            bool   // the data is no JSON (its hash is right)
}

// Sent identifies a sent submission and the authentication tags of what was uploaded.
type Sent struct {
	fitconnect.SubmissionCreated
	AttachmentIDs []string
	Tags          fitconnect.AuthenticationTags
}

// Send creates, uploads and submits an application to a destination.
func Send(ctx context.Context, c *fitconnect.Client, destinationID string, app Application, k Knobs) (*Sent, error) {
	dest, err := c.Destination(ctx, destinationID)
	if err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	if dest.Status != "active" {
		return nil, fmt.Errorf("destination is %s", dest.Status)
	}
	pub, err := c.DestinationKey(ctx, destinationID, dest.EncryptionKid, "RSA-OAEP-256")
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	kid := dest.EncryptionKid
	if k.WrongKey {
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		pub = &other.PublicKey
	}
	enc := func(cty string, b []byte) (string, error) {
		if k.NoCty {
			cty = ""
		}
		if k.Deflate {
			return fitconnect.EncryptDeflate(pub, kid, cty, b)
		}
		return fitconnect.Encrypt(pub, kid, cty, b)
	}

	ids := make([]string, len(app.Attachments))
	for i := range ids {
		ids[i] = fitconnect.NewUUID()
	}
	announced := ids
	if k.SkipAttachmentUpload && len(ids) == 0 {
		return nil, errors.New("SkipAttachmentUpload needs an attachment")
	}
	data := app.Data
	if k.NotJSONData {
		data = []byte("<antrag>kein JSON</antrag>")
	}
	meta := fitconnect.Metadata{ContentStructure: fitconnect.ContentStructure{Attachments: []fitconnect.AttachmentInfo{}}}
	version := app.MetadataVersion
	if k.MetadataVersion != "" {
		version = k.MetadataVersion
	}
	if version != "" && version != "1.0.0" {
		meta.Schema = fitconnect.MetadataSchemaURI(version)
	}
	dataHash := fitconnect.SHA512Hex(data)
	if k.WrongDataHash {
		dataHash = fitconnect.SHA512Hex(append([]byte("x"), data...))
	}
	schemaURI := app.SchemaURI
	if k.DataSchemaURI != "" {
		schemaURI = k.DataSchemaURI
	}
	hashType := "sha512"
	if k.InvalidMetadata {
		hashType = "md5"
	}
	meta.ContentStructure.Data = &fitconnect.DataInfo{Hash: fitconnect.Hash{Type: hashType, Content: dataHash},
		SubmissionSchema: fitconnect.SubmissionSchema{SchemaURI: schemaURI, MimeType: fitconnect.ContentTypeJSON}}
	for i, f := range app.Attachments {
		if i == 0 && k.OmitAttachmentMetadata {
			continue
		}
		h := fitconnect.SHA512Hex(f.Data)
		if i == 0 && k.WrongAttachmentHash {
			h = fitconnect.SHA512Hex(append([]byte("x"), f.Data...))
		}
		purpose := f.Purpose
		if purpose == "" {
			purpose = "attachment"
		}
		meta.ContentStructure.Attachments = append(meta.ContentStructure.Attachments, fitconnect.AttachmentInfo{
			AttachmentID: ids[i], Hash: fitconnect.Hash{Type: "sha512", Content: h}, MimeType: f.MimeType,
			Purpose: purpose, Filename: f.Name})
	}
	svc := app.Service
	metaSvc := fitconnect.ServiceType{Identifier: svc.Identifier, Name: svc.Name}
	if k.MetadataServiceID != "" {
		metaSvc.Identifier = k.MetadataServiceID
	}
	meta.PublicServiceType = &metaSvc
	meta.ReplyChannel = app.ReplyChannel
	meta.PaymentInformation = app.Payment
	rawMeta, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}

	created, err := c.CreateSubmission(ctx, fitconnect.CreateSubmission{DestinationID: destinationID,
		AnnouncedAttachments: announced, ServiceType: svc, CaseID: app.CaseID, Callback: app.Callback})
	if err != nil {
		return nil, fmt.Errorf("create submission: %w", err)
	}
	out := &Sent{SubmissionCreated: *created, AttachmentIDs: ids, Tags: fitconnect.AuthenticationTags{}}
	for i, f := range app.Attachments {
		if i == 0 && k.SkipAttachmentUpload {
			continue
		}
		jwe, err := enc(f.MimeType, f.Data)
		if err != nil {
			return nil, err
		}
		if err := c.UploadAttachment(ctx, created.SubmissionID, ids[i], jwe); err != nil {
			return out, fmt.Errorf("upload attachment: %w", err)
		}
		if out.Tags.Attachments == nil {
			out.Tags.Attachments = map[string]string{}
		}
		out.Tags.Attachments[ids[i]] = fitconnect.AuthTag(jwe)
	}
	if k.UnannouncedAttachment {
		jwe, err := enc("application/pdf", []byte("%PDF-1.4 unangekündigt"))
		if err != nil {
			return nil, err
		}
		if err := c.UploadAttachment(ctx, created.SubmissionID, fitconnect.NewUUID(), jwe); err != nil {
			return out, fmt.Errorf("upload attachment: %w", err)
		}
	}
	encMeta, err := enc(fitconnect.ContentTypeJSON, rawMeta)
	if err != nil {
		return nil, err
	}
	encData, err := enc(fitconnect.ContentTypeJSON, data)
	if err != nil {
		return nil, err
	}
	out.Tags.Metadata, out.Tags.Data = fitconnect.AuthTag(encMeta), fitconnect.AuthTag(encData)
	if _, err := c.Submit(ctx, created.SubmissionID, fitconnect.SubmitSubmission{EncryptedMetadata: encMeta, EncryptedData: encData}); err != nil {
		return out, fmt.Errorf("submit: %w", err)
	}
	return out, nil
}
