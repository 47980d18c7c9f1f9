package fitconnect

import "fmt"

// ProblemCode names a check a subscriber performs; the catalogue maps it to the problem type URI
// and title of a reject-submission event.
type ProblemCode string

// Problem codes, in the order of the checks.
const (
	ProbInvalidEventLog         ProblemCode = "invalid-event-log"
	ProbMetadataTag             ProblemCode = "incorrect-metadata-authentication-tag"
	ProbDataTag                 ProblemCode = "incorrect-data-authentication-tag"
	ProbAttachmentTag           ProblemCode = "incorrect-attachment-authentication-tag"
	ProbMetadataEncryption      ProblemCode = "metadata-encryption-issue"
	ProbDataEncryption          ProblemCode = "data-encryption-issue"
	ProbAttachmentEncryption    ProblemCode = "attachment-encryption-issue"
	ProbMetadataSyntax          ProblemCode = "metadata-json-syntax-violation"
	ProbUnsupportedMetadata     ProblemCode = "unsupported-metadata-schema"
	ProbMetadataSchema          ProblemCode = "metadata-schema-violation"
	ProbUnsupportedDataSchema   ProblemCode = "unsupported-data-schema"
	ProbMissingData             ProblemCode = "missing-data"
	ProbDataHash                ProblemCode = "data-hash-mismatch"
	ProbDataSyntax              ProblemCode = "data-json-syntax-violation"
	ProbDataSchema              ProblemCode = "data-schema-violation"
	ProbAttachmentsMismatch     ProblemCode = "attachments-mismatch"
	ProbAttachmentHash          ProblemCode = "attachment-hash-mismatch"
	ProbServiceMismatch         ProblemCode = "service-mismatch"
	ProbUnsupportedService      ProblemCode = "unsupported-service"
	ProbUnsupportedReplyChannel ProblemCode = "unsupported-reply-channel"
	ProbTechnical               ProblemCode = "technical-error"
)

// ProblemTypePrefix is the prefix of every problem type URI.
const ProblemTypePrefix = "https://schema.fitko.de/fit-connect/events/problems/"

// ProblemDef is the type URI and title of a problem code.
type ProblemDef struct {
	Type  string `yaml:"type"`
	Title string `yaml:"title"`
}

// DefaultProblems is the problem catalogue. The fact sheet verifies only the structure
// ({type, title, detail, instance}, types under ProblemTypePrefix); the names are its
// reconstruction (unverified), so an operator may override them (intake.problems in the config).
var DefaultProblems = map[ProblemCode]ProblemDef{
	ProbInvalidEventLog:         {Title: "Ungültiges Event-Log"},
	ProbMetadataTag:             {Title: "Authentication-Tag der Metadaten ungültig"},
	ProbDataTag:                 {Title: "Authentication-Tag der Fachdaten ungültig"},
	ProbAttachmentTag:           {Title: "Authentication-Tag der Anlage ungültig"},
	ProbMetadataEncryption:      {Title: "Entschlüsselungsfehler Metadaten"},
	ProbDataEncryption:          {Title: "Entschlüsselungsfehler Fachdaten"},
	ProbAttachmentEncryption:    {Title: "Entschlüsselungsfehler Anlage"},
	ProbMetadataSyntax:          {Title: "Syntax-Fehler Metadaten"},
	ProbUnsupportedMetadata:     {Title: "Metadatenschema nicht unterstützt"},
	ProbMetadataSchema:          {Title: "Schema-Fehler Metadaten"},
	ProbUnsupportedDataSchema:   {Title: "Fachdatenschema nicht unterstützt"},
	ProbMissingData:             {Title: "Fachdaten fehlen"},
	ProbDataHash:                {Title: "Prüfsumme Fachdaten stimmt nicht"},
	ProbDataSyntax:              {Title: "Syntax-Fehler Fachdaten"},
	ProbDataSchema:              {Title: "Schema-Fehler Fachdaten"},
	ProbAttachmentsMismatch:     {Title: "Anlagen stimmen nicht überein"},
	ProbAttachmentHash:          {Title: "Prüfsumme Anlage stimmt nicht"},
	ProbServiceMismatch:         {Title: "Verwaltungsleistung stimmt nicht überein"},
	ProbUnsupportedService:      {Title: "Verwaltungsleistung nicht unterstützt"},
	ProbUnsupportedReplyChannel: {Title: "Rückkanal nicht unterstützt"},
	ProbTechnical:               {Title: "Technischer Fehler"},
}

func init() {
	for code, d := range DefaultProblems {
		d.Type = ProblemTypePrefix + string(code)
		DefaultProblems[code] = d
	}
}

// Problems is a problem catalogue: DefaultProblems with an operator's corrections.
type Problems map[ProblemCode]ProblemDef

// Make builds the problem entry of a code for an instance ("metadata", "data",
// "attachment:<id>", "submission", "other") with a detail.
func (ps Problems) Make(code ProblemCode, instance, detail string) Problem {
	d, ok := ps[code]
	if !ok {
		d = DefaultProblems[code]
	}
	if d.Type == "" {
		d = ProblemDef{Type: ProblemTypePrefix + string(code), Title: string(code)}
	}
	return Problem{Type: d.Type, Title: d.Title, Detail: detail, Instance: instance}
}

// Merge returns DefaultProblems with the given corrections; an unknown code is an error.
func Merge(over map[ProblemCode]ProblemDef) (Problems, error) {
	out := Problems{}
	for c, d := range DefaultProblems {
		out[c] = d
	}
	for c, d := range over {
		base, ok := DefaultProblems[c]
		if !ok {
			return nil, fmt.Errorf("unknown problem code %q", c)
		}
		if d.Type != "" {
			base.Type = d.Type
		}
		if d.Title != "" {
			base.Title = d.Title
		}
		out[c] = base
	}
	return out, nil
}

// AttachmentInstance is the instance of a problem with one attachment.
func AttachmentInstance(id string) string { return "attachment:" + id }
