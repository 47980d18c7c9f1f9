package fitconnect

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Metadata is the decrypted metadata of a submission (versions 1.0.0 to 1.2.0; replyChannel
// fitConnect exists from 1.2.0).
type Metadata struct {
	Schema                    string                   `json:"$schema,omitempty"`
	ContentStructure          ContentStructure         `json:"contentStructure"`
	PublicServiceType         *ServiceType             `json:"publicServiceType,omitempty"`
	AuthenticationInformation []AuthenticationInfo     `json:"authenticationInformation,omitempty"`
	PaymentInformation        *PaymentInformation      `json:"paymentInformation,omitempty"`
	ReplyChannel              *ReplyChannel            `json:"replyChannel,omitempty"`
	AdditionalReferenceInfo   *AdditionalReferenceInfo `json:"additionalReferenceInfo,omitempty"`
}

// ContentStructure describes the data and attachments of a submission.
type ContentStructure struct {
	Data        *DataInfo        `json:"data,omitempty"`
	Attachments []AttachmentInfo `json:"attachments"`
}

// Hash is a hash in the metadata (type sha512, lower-case hex).
type Hash struct {
	Type    string `json:"type"`
	Content string `json:"content"`
}

// DataInfo describes the data (Fachdaten).
type DataInfo struct {
	Hash             Hash             `json:"hash"`
	SubmissionSchema SubmissionSchema `json:"submissionSchema"`
}

// AttachmentInfo describes one attachment.
type AttachmentInfo struct {
	AttachmentID string `json:"attachmentId"`
	Hash         Hash   `json:"hash"`
	MimeType     string `json:"mimeType"`
	Purpose      string `json:"purpose"` // form, attachment, report
	Filename     string `json:"filename,omitempty"`
	Description  string `json:"description,omitempty"`
}

// AuthenticationInfo is an identification report (e.g. of the eID).
type AuthenticationInfo struct {
	Type    string `json:"type"`
	Version string `json:"version"`
	Content string `json:"content"`
}

// PaymentInformation is the online payment of the application.
type PaymentInformation struct {
	TransactionReference string   `json:"transactionReference"`
	TransactionID        string   `json:"transactionId"`
	TransactionURL       string   `json:"transactionUrl,omitempty"`
	TransactionTimestamp string   `json:"transactionTimestamp,omitempty"`
	PaymentMethod        string   `json:"paymentMethod"`
	PaymentMethodDetail  string   `json:"paymentMethodDetail,omitempty"`
	Status               string   `json:"status"` // INITIAL, BOOKED, FAILED, CANCELED
	GrossAmount          *float64 `json:"grossAmount,omitempty"`
}

// ReplyChannel is the applicant's chosen reply channel (exactly one field set).
type ReplyChannel struct {
	EMail      *EMailChannel      `json:"eMail,omitempty"`
	DeMail     *DeMailChannel     `json:"deMail,omitempty"`
	Fink       *FinkChannel       `json:"fink,omitempty"`
	Elster     *ElsterChannel     `json:"elster,omitempty"`
	FitConnect *FitConnectChannel `json:"fitConnect,omitempty"`
}

// EMailChannel is a reply by e-mail.
type EMailChannel struct {
	Address      string `json:"address"`
	PGPPublicKey string `json:"pgpPublicKey,omitempty"`
}

// DeMailChannel is a reply by De-Mail.
type DeMailChannel struct {
	Address string `json:"address"`
}

// FinkChannel is a reply to a FINK Postfach.
type FinkChannel struct {
	FinkPostfachRef string `json:"finkPostfachRef"`
	Host            string `json:"host,omitempty"`
}

// ElsterChannel is a reply through ELSTER.
type ElsterChannel struct {
	AccountID         string `json:"accountId"`
	LieferTicket      string `json:"lieferTicket,omitempty"`
	Geschaeftszeichen string `json:"geschaeftszeichen,omitempty"`
}

// FitConnectChannel is a reply through FIT-Connect (metadata 1.2.0 and later).
type FitConnectChannel struct {
	ProcessStandards    []string        `json:"processStandards"`
	EncryptionPublicKey json.RawMessage `json:"encryptionPublicKey"`
}

// AdditionalReferenceInfo carries the sender's reference and the application date.
type AdditionalReferenceInfo struct {
	SenderReference string `json:"senderReference,omitempty"`
	ApplicationDate string `json:"applicationDate,omitempty"`
}

// MetadataSchemaURI is the canonical $schema of a metadata version.
func MetadataSchemaURI(version string) string {
	return "https://schema.fitko.de/fit-connect/metadata/" + version + "/metadata.schema.json"
}

// MetadataVersions lists the metadata versions amt can validate (schemas written from the fact
// sheet). 2.x is a different major version the fact sheet knows only from one client; it is not
// accepted.
var MetadataVersions = []string{"1.0.0", "1.1.0", "1.2.0"}

//go:embed schema/metadata-*.json
var schemaFS embed.FS

var (
	schemasOnce sync.Once
	schemas     map[string]*jsonschema.Schema
	schemasErr  error
)

func loadSchemas() {
	schemas = map[string]*jsonschema.Schema{}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, v := range MetadataVersions {
		b, err := schemaFS.ReadFile("schema/metadata-" + v + ".json")
		if err != nil {
			schemasErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			schemasErr = err
			return
		}
		if err := c.AddResource(MetadataSchemaURI(v), doc); err != nil {
			schemasErr = err
			return
		}
	}
	for _, v := range MetadataVersions {
		s, err := c.Compile(MetadataSchemaURI(v))
		if err != nil {
			schemasErr = err
			return
		}
		schemas[v] = s
	}
}

var schemaRE = regexp.MustCompile(`^https://schema\.fitko\.de/fit-connect/metadata/([0-9]+\.[0-9]+\.[0-9]+)/metadata\.schema\.json$`)

// MetadataVersion reads the version of a metadata document from its $schema; none means 1.0.0.
func MetadataVersion(raw []byte) (string, error) {
	var head struct {
		Schema *string `json:"$schema"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return "", err
	}
	if head.Schema == nil {
		return "1.0.0", nil
	}
	m := schemaRE.FindStringSubmatch(*head.Schema)
	if m == nil {
		return "", fmt.Errorf("$schema %q is no FIT-Connect metadata schema", *head.Schema)
	}
	return m[1], nil
}

// ParseMetadata checks a decrypted metadata document: JSON syntax (ProbMetadataSyntax), a
// version among allowed (ProbUnsupportedMetadata; allowed nil means MetadataVersions), and the
// version's schema (ProbMetadataSchema).
func ParseMetadata(raw []byte, allowed []string) (*Metadata, string, ProblemCode, error) {
	schemasOnce.Do(loadSchemas)
	if schemasErr != nil {
		return nil, "", ProbTechnical, schemasErr
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, "", ProbMetadataSyntax, err
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, "", ProbMetadataSchema, fmt.Errorf("metadata is no JSON object")
	}
	v, err := MetadataVersion(raw)
	if err != nil {
		return nil, "", ProbUnsupportedMetadata, err
	}
	if allowed == nil {
		allowed = MetadataVersions
	}
	sch, known := schemas[v]
	if !known || !contains(allowed, v) {
		return nil, v, ProbUnsupportedMetadata, fmt.Errorf("metadata version %s is not supported (%v)", v, allowed)
	}
	if err := sch.Validate(doc); err != nil {
		return nil, v, ProbMetadataSchema, err
	}
	var m Metadata
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, v, ProbMetadataSchema, err
	}
	return &m, v, "", nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
