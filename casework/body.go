package casework

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
)

// Body is an action body decoded into its request type: exactly the field of Kind is set.
type Body struct {
	Kind            api.ActionKind
	Note            *api.NoteRequest
	Decision        *api.DecisionRequest
	Approval        *api.ApprovalRequest
	Assignment      *api.AssignmentRequest
	Status          *api.StatusRequest
	Resubmission    *api.ResubmissionRequest
	DocumentRequest *api.DocumentRequestRequest
	Printed         *api.PrintedRequest
	EvidenceCheck   *api.EvidenceCheckRequest

	// missing names a required field that the decoded JSON did not carry (or carried as null),
	// for Validate to refuse: decoding itself stays lenient so that the replay lookup comes
	// first.
	missing string
}

// Request returns the pointer to the decoded request (e.g. *api.NoteRequest), for encoding.
func (b Body) Request() any {
	switch b.Kind {
	case api.ActionNote:
		return b.Note
	case api.ActionDecision:
		return b.Decision
	case api.ActionApproval:
		return b.Approval
	case api.ActionAssignment:
		return b.Assignment
	case api.ActionStatus:
		return b.Status
	case api.ActionResubmission:
		return b.Resubmission
	case api.ActionDocumentRequest:
		return b.DocumentRequest
	case api.ActionPrinted:
		return b.Printed
	case api.ActionEvidenceChecked:
		return b.EvidenceCheck
	}
	return nil
}

// BodyOf wraps a request value or pointer (api.NoteRequest, *api.DecisionRequest, …) as a Body.
func BodyOf(req any) (Body, error) {
	switch q := req.(type) {
	case api.NoteRequest:
		return Body{Kind: api.ActionNote, Note: &q}, nil
	case *api.NoteRequest:
		return Body{Kind: api.ActionNote, Note: q}, nil
	case api.DecisionRequest:
		return Body{Kind: api.ActionDecision, Decision: &q}, nil
	case *api.DecisionRequest:
		return Body{Kind: api.ActionDecision, Decision: q}, nil
	case api.ApprovalRequest:
		return Body{Kind: api.ActionApproval, Approval: &q}, nil
	case *api.ApprovalRequest:
		return Body{Kind: api.ActionApproval, Approval: q}, nil
	case api.AssignmentRequest:
		return Body{Kind: api.ActionAssignment, Assignment: &q}, nil
	case *api.AssignmentRequest:
		return Body{Kind: api.ActionAssignment, Assignment: q}, nil
	case api.StatusRequest:
		return Body{Kind: api.ActionStatus, Status: &q}, nil
	case *api.StatusRequest:
		return Body{Kind: api.ActionStatus, Status: q}, nil
	case api.ResubmissionRequest:
		return Body{Kind: api.ActionResubmission, Resubmission: &q}, nil
	case *api.ResubmissionRequest:
		return Body{Kind: api.ActionResubmission, Resubmission: q}, nil
	case api.DocumentRequestRequest:
		return Body{Kind: api.ActionDocumentRequest, DocumentRequest: &q}, nil
	case *api.DocumentRequestRequest:
		return Body{Kind: api.ActionDocumentRequest, DocumentRequest: q}, nil
	case api.PrintedRequest:
		return Body{Kind: api.ActionPrinted, Printed: &q}, nil
	case *api.PrintedRequest:
		return Body{Kind: api.ActionPrinted, Printed: q}, nil
	case api.EvidenceCheckRequest:
		return Body{Kind: api.ActionEvidenceChecked, EvidenceCheck: &q}, nil
	case *api.EvidenceCheckRequest:
		return Body{Kind: api.ActionEvidenceChecked, EvidenceCheck: q}, nil
	}
	return Body{}, fmt.Errorf("casework: %T is not an action request", req)
}

// set stores the decoded pointer v (from api.ActionKind.NewRequest) in the field of b.Kind.
func (b *Body) set(v any) {
	switch q := v.(type) {
	case *api.NoteRequest:
		b.Note = q
	case *api.DecisionRequest:
		b.Decision = q
	case *api.ApprovalRequest:
		b.Approval = q
	case *api.AssignmentRequest:
		b.Assignment = q
	case *api.StatusRequest:
		b.Status = q
	case *api.ResubmissionRequest:
		b.Resubmission = q
	case *api.DocumentRequestRequest:
		b.DocumentRequest = q
	case *api.PrintedRequest:
		b.Printed = q
	case *api.EvidenceCheckRequest:
		b.EvidenceCheck = q
	}
}

// Decode parses an action body strictly, as the server accepts it: one JSON object, valid UTF-8,
// only the request type's field names (case-sensitive), no duplicate keys, nothing after it. It is
// the only decoder of action bodies: the server reads requests with it, the outbox checks bodies
// at Enqueue with it, and the overlay, descriptions and notes read queued bodies with it. Errors
// do not echo request data.
func Decode(kind api.ActionKind, raw []byte) (Body, error) {
	if !utf8.Valid(raw) {
		return Body{}, errors.New("body is not valid UTF-8")
	}
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Body{}, errors.New("body must be a JSON object")
	}
	v, err := kind.NewRequest()
	if err != nil {
		return Body{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Body{}, fmt.Errorf("malformed JSON: %s", jsonErrText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return Body{}, errors.New("unexpected data after the JSON object")
	}
	if err := exactKeys(raw, v); err != nil {
		return Body{}, err
	}
	b := Body{Kind: kind}
	b.set(v)
	if kind == api.ActionAssignment {
		// Unassigning is explicit: {"assignee": ""}. A body without the field (or with null)
		// says nothing and is refused by Validate, as the other kinds refuse {} (issue #16 item 6).
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) == nil {
			if v, ok := m["assignee"]; !ok || string(bytes.TrimSpace(v)) == "null" {
				b.missing = "assignee"
			}
		}
	}
	return b, nil
}

// Encode returns the JSON body of a request value (api.NoteRequest, …) and its kind.
func Encode(req any) (api.ActionKind, []byte, error) {
	b, err := BodyOf(req)
	if err != nil {
		return "", nil, err
	}
	raw, err := json.Marshal(b.Request())
	return b.Kind, raw, err
}

// exactKeys rejects top-level keys that are not exactly one of v's JSON field names (encoding/json
// matches names case-insensitively) and duplicate keys (it keeps the last), so that what the
// server applies is what the body says. The request types have no nested objects.
func exactKeys(body []byte, v any) error {
	t := reflect.TypeOf(v).Elem()
	allowed := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		allowed[name] = true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // the opening brace
		return errors.New("malformed JSON")
	}
	seen := make(map[string]bool, len(allowed))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return errors.New("malformed JSON")
		}
		key, _ := tok.(string)
		if !allowed[key] {
			return errors.New("malformed JSON: unknown field (field names are case-sensitive)")
		}
		if seen[key] {
			return errors.New("malformed JSON: duplicate field")
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return errors.New("malformed JSON")
		}
	}
	return nil
}

// jsonErrText describes a decoding error without echoing request data.
func jsonErrText(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("wrong type for field %q", te.Field)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "unexpected end of input"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return "unknown field (field names are case-sensitive)" // the name is request data
	}
	return "invalid JSON"
}

// MaxActionIDLen is the longest action id.
const MaxActionIDLen = 128

// ValidID reports whether id may serve as an action, clerk or Amt id: 1 to MaxActionIDLen
// URL-safe characters [A-Za-z0-9._~:-]. Server and outbox accept the same alphabet.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > MaxActionIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == '~', c == ':':
		default:
			return false
		}
	}
	return true
}
