package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/api"
)

// The tests in this file keep api/openapi.yaml and the Go contract (types.go, actions.go,
// paths.go) from drifting apart: the same endpoints, the same JSON properties, the same enums and
// limits. The server registers exactly api.Routes, so spec == api.Routes closes the loop.

const specFile = "openapi.yaml"

type spec struct {
	OpenAPI      string                          `yaml:"openapi"`
	Info         struct{ Title, Version string } `yaml:"info"`
	Security     []map[string][]string           `yaml:"security"`
	Paths        map[string]map[string]yaml.Node `yaml:"paths"`
	Components   components                      `yaml:"components"`
	ProblemTypes map[string]problemType          `yaml:"x-problem-types"`
}

type problemType struct {
	Status      int    `yaml:"status"`
	Description string `yaml:"description"`
}

type components struct {
	SecuritySchemes map[string]struct {
		Type   string `yaml:"type"`
		Scheme string `yaml:"scheme"`
	} `yaml:"securitySchemes"`
	Parameters map[string]*parameter `yaml:"parameters"`
	Headers    map[string]*header    `yaml:"headers"`
	Responses  map[string]*response  `yaml:"responses"`
	Schemas    map[string]*schema    `yaml:"schemas"`
}

type operation struct {
	OperationID string                 `yaml:"operationId"`
	Parameters  []*parameter           `yaml:"parameters"`
	RequestBody *requestBody           `yaml:"requestBody"`
	Responses   map[string]*response   `yaml:"responses"`
	Security    *[]map[string][]string `yaml:"security"`
}

type parameter struct {
	Ref      string  `yaml:"$ref"`
	Name     string  `yaml:"name"`
	In       string  `yaml:"in"`
	Required bool    `yaml:"required"`
	Schema   *schema `yaml:"schema"`
}

type header struct {
	Ref    string  `yaml:"$ref"`
	Schema *schema `yaml:"schema"`
}

type requestBody struct {
	Required bool                 `yaml:"required"`
	Content  map[string]mediaType `yaml:"content"`
}

type response struct {
	Ref           string               `yaml:"$ref"`
	Description   string               `yaml:"description"`
	Headers       map[string]*header   `yaml:"headers"`
	Content       map[string]mediaType `yaml:"content"`
	XMaxBodyBytes int                  `yaml:"x-max-body-bytes"`
}

type mediaType struct {
	Schema *schema `yaml:"schema"`
}

type schema struct {
	Ref        string             `yaml:"$ref"`
	Type       string             `yaml:"type"`
	Format     string             `yaml:"format"`
	Enum       []string           `yaml:"enum"`
	Properties map[string]*schema `yaml:"properties"`
	Required   []string           `yaml:"required"`
	Items      *schema            `yaml:"items"`
	AllOf      []*schema          `yaml:"allOf"`
	Minimum    *float64           `yaml:"minimum"`
	Maximum    *float64           `yaml:"maximum"`
	// XClampedMaximum is the largest value that takes effect: larger ones are accepted and
	// clamped (issue #16 item 6: a schema maximum made validators refuse what the server takes).
	XClampedMaximum *float64 `yaml:"x-clamped-maximum"`
	Default         any      `yaml:"default"`
	MaxLength       *int     `yaml:"maxLength"`
}

// op is one operation of the spec with its path-level parameters merged in and $refs resolved.
type op struct {
	method, path string
	*operation
	params []*parameter
}

func (o op) String() string { return o.method + " " + o.path }

func (o op) param(in, name string) *parameter {
	for _, p := range o.params {
		if p.In == in && strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

func (o op) response(t *testing.T, s *spec, code string) *response {
	t.Helper()
	r, ok := o.Responses[code]
	if !ok {
		return nil
	}
	return s.response(t, r)
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true,
	"patch": true, "head": true, "options": true, "trace": true}

var pathItemKeys = map[string]bool{"parameters": true, "summary": true, "description": true,
	"servers": true}

func loadSpec(t *testing.T) (*spec, *yaml.Node) {
	t.Helper()
	b, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		t.Fatalf("%s: %v", specFile, err)
	}
	var s spec
	if err := yaml.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", specFile, err)
	}
	return &s, &root
}

func refName(t *testing.T, ref, section string) string {
	t.Helper()
	prefix := "#/components/" + section + "/"
	if !strings.HasPrefix(ref, prefix) {
		t.Fatalf("$ref %q does not point into components/%s", ref, section)
	}
	return strings.TrimPrefix(ref, prefix)
}

func (s *spec) parameter(t *testing.T, p *parameter) *parameter {
	t.Helper()
	if p.Ref == "" {
		return p
	}
	q, ok := s.Components.Parameters[refName(t, p.Ref, "parameters")]
	if !ok {
		t.Fatalf("unresolved $ref %q", p.Ref)
	}
	return q
}

func (s *spec) response(t *testing.T, r *response) *response {
	t.Helper()
	if r.Ref == "" {
		return r
	}
	q, ok := s.Components.Responses[refName(t, r.Ref, "responses")]
	if !ok {
		t.Fatalf("unresolved $ref %q", r.Ref)
	}
	return q
}

func (s *spec) schema(t *testing.T, sc *schema) *schema {
	t.Helper()
	if sc == nil || sc.Ref == "" {
		return sc
	}
	q, ok := s.Components.Schemas[refName(t, sc.Ref, "schemas")]
	if !ok {
		t.Fatalf("unresolved $ref %q", sc.Ref)
	}
	return q
}

// ops lists every operation of the spec, sorted by path and method.
func (s *spec) ops(t *testing.T) []op {
	t.Helper()
	var out []op
	for path, item := range s.Paths {
		var common []*parameter
		if n, ok := item["parameters"]; ok {
			if err := n.Decode(&common); err != nil {
				t.Fatalf("%s parameters: %v", path, err)
			}
		}
		for key, n := range item {
			if !httpMethods[key] {
				if !pathItemKeys[key] {
					t.Errorf("%s: unexpected path item key %q", path, key)
				}
				continue
			}
			if key == "head" {
				continue // a mirror of the GET, checked by TestSpecHeadMirrorsGet
			}
			o := new(operation)
			if err := n.Decode(o); err != nil {
				t.Fatalf("%s %s: %v", key, path, err)
			}
			var params []*parameter
			for _, p := range append(slices.Clone(common), o.Parameters...) {
				params = append(params, s.parameter(t, p))
			}
			out = append(out, op{method: strings.ToUpper(key), path: path, operation: o, params: params})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].path != out[j].path {
			return out[i].path < out[j].path
		}
		return out[i].method < out[j].method
	})
	return out
}

// isOpsEndpoint reports the endpoints without a token: the operational ones and sign-in
// discovery (a client asks it before it has a token).
func isOpsEndpoint(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics" || path == api.BasePath+"/sign-in" ||
		path == api.FitConnectCallbackPath
}

func TestSpecShape(t *testing.T) {
	s, root := loadSpec(t)
	if !strings.HasPrefix(s.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", s.OpenAPI)
	}
	if s.Info.Title == "" || s.Info.Version == "" {
		t.Errorf("info needs title and version: %+v", s.Info)
	}
	if len(s.Paths) == 0 {
		t.Error("no paths")
	}
	if len(s.Components.Schemas) == 0 || len(s.Components.Responses) == 0 {
		t.Error("components need schemas and responses")
	}
	bearer, ok := s.Components.SecuritySchemes["bearerAuth"]
	if !ok || bearer.Type != "http" || bearer.Scheme != "bearer" {
		t.Errorf("securitySchemes.bearerAuth = %+v, want http bearer", bearer)
	}
	if len(s.Security) != 1 || s.Security[0]["bearerAuth"] == nil {
		t.Errorf("top-level security = %v, want [bearerAuth]", s.Security)
	}
	// Every $ref in the document resolves.
	doc := root.Content[0]
	walk(root, func(n *yaml.Node) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value != "$ref" {
				continue
			}
			ref := n.Content[i+1].Value
			if !strings.HasPrefix(ref, "#/") || lookup(doc, strings.Split(ref[2:], "/")) == nil {
				t.Errorf("line %d: $ref %q does not resolve", n.Content[i].Line, ref)
			}
		}
	})
	// No orphan schemas: only the Go types, their enums and ActionID.
	known := map[string]bool{"ActionID": true}
	for _, ty := range goTypes {
		known[ty.Name()] = true
	}
	for name := range enumSchemas {
		known[name] = true
	}
	for name := range s.Components.Schemas {
		if !known[name] {
			t.Errorf("components.schemas.%s is neither a Go type of package api nor an enum of one", name)
		}
	}
}

func walk(n *yaml.Node, f func(*yaml.Node)) {
	f(n)
	for _, c := range n.Content {
		walk(c, f)
	}
}

func lookup(n *yaml.Node, path []string) *yaml.Node {
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

func TestSpecRoutesMatchAPI(t *testing.T) {
	s, _ := loadSpec(t)
	inSpec := map[string]bool{}
	for _, o := range s.ops(t) {
		inSpec[o.String()] = true
	}
	inGo := map[string]bool{}
	for _, r := range api.Routes {
		key := r.Method + " " + r.Pattern
		if inGo[key] {
			t.Errorf("api.Routes lists %s twice", key)
		}
		inGo[key] = true
	}
	for k := range inGo {
		if !inSpec[k] {
			t.Errorf("api.Routes has %s, openapi.yaml does not", k)
		}
	}
	for k := range inSpec {
		if !inGo[k] {
			t.Errorf("openapi.yaml has %s, api.Routes does not", k)
		}
	}
	// The patterns must be valid ServeMux patterns without conflicts (the server registers them).
	mux := http.NewServeMux()
	for _, r := range api.Routes {
		mux.HandleFunc(r.Method+" "+r.Pattern, func(http.ResponseWriter, *http.Request) {})
	}
}

func TestSpecOperations(t *testing.T) {
	s, _ := loadSpec(t)
	ids := map[string]string{}
	for _, o := range s.ops(t) {
		if o.OperationID == "" {
			t.Errorf("%s: no operationId", o)
		} else if prev, dup := ids[o.OperationID]; dup {
			t.Errorf("%s: operationId %q also used by %s", o, o.OperationID, prev)
		}
		ids[o.OperationID] = o.String()

		// Path wildcards and path parameters agree.
		wild := map[string]bool{}
		for _, seg := range strings.Split(o.path, "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				wild[seg[1:len(seg)-1]] = true
			}
		}
		for _, p := range o.params {
			if p.In == "path" {
				if !wild[p.Name] {
					t.Errorf("%s: path parameter %q not in the path", o, p.Name)
				}
				if !p.Required {
					t.Errorf("%s: path parameter %q must be required", o, p.Name)
				}
				delete(wild, p.Name)
			}
			if p.Schema == nil {
				t.Errorf("%s: parameter %q has no schema", o, p.Name)
			}
		}
		for w := range wild {
			t.Errorf("%s: wildcard {%s} has no path parameter", o, w)
		}

		// Responses: a success, valid codes, problem+json errors.
		var success bool
		for code, r := range o.Responses {
			if len(code) != 3 || code < "100" || code > "599" {
				t.Errorf("%s: bad response code %q", o, code)
				continue
			}
			r = s.response(t, r)
			if r.Description == "" {
				t.Errorf("%s %s: response has no description", o, code)
			}
			switch code[0] {
			case '2', '3':
				success = true
			case '4', '5':
				checkProblemResponse(t, s, fmt.Sprintf("%s %s", o, code), r)
			}
			if code == "429" || code == "503" {
				if r.Headers["Retry-After"] == nil {
					t.Errorf("%s %s: no Retry-After header", o, code)
				}
			}
		}
		if !success {
			t.Errorf("%s: no 2xx/3xx response", o)
		}

		// Authentication.
		if isOpsEndpoint(o.path) {
			if o.Security == nil || len(*o.Security) != 0 {
				t.Errorf("%s: operational endpoint must declare security: []", o)
			}
			continue
		}
		if o.Security != nil {
			t.Errorf("%s: must inherit the bearer security", o)
		}
		for _, code := range []string{"401", "429", "500", "503"} {
			if o.Responses[code] == nil {
				t.Errorf("%s: does not declare %s", o, code)
			}
		}
		if strings.Contains(o.path, "{id}") && o.Responses["404"] == nil {
			t.Errorf("%s: a case endpoint must declare 404 (unknown or another Amt's case)", o)
		}
		// A request body must be declared JSON: every operation taking one answers 415 otherwise.
		if o.RequestBody != nil {
			if _, ok := o.RequestBody.Content["application/json"]; !ok || len(o.RequestBody.Content) != 1 {
				t.Errorf("%s: the request body must be application/json only", o)
			}
			if r := o.response(t, s, "415"); r == nil {
				t.Errorf("%s: takes a body but does not declare 415", o)
			} else {
				checkProblemResponse(t, s, o.String()+" 415", r)
			}
		} else if o.Responses["415"] != nil {
			t.Errorf("%s: takes no body, so never answers 415", o)
		}
	}
}

func checkProblemResponse(t *testing.T, s *spec, where string, r *response) {
	t.Helper()
	if len(r.Content) != 1 {
		t.Errorf("%s: want exactly one media type (%s), got %d", where, api.ContentTypeProblem, len(r.Content))
	}
	mt, ok := r.Content[api.ContentTypeProblem]
	if !ok || mt.Schema == nil {
		t.Errorf("%s: no %s body", where, api.ContentTypeProblem)
		return
	}
	if refersTo(mt.Schema, "Problem") {
		return
	}
	for _, sub := range mt.Schema.AllOf {
		if refersTo(sub, "Problem") {
			return
		}
	}
	t.Errorf("%s: body schema is not a Problem", where)
}

func refersTo(sc *schema, name string) bool {
	return sc != nil && sc.Ref == "#/components/schemas/"+name
}

// actionRequestTypes maps each action kind to the Go type of its request body.
var actionRequestTypes = map[api.ActionKind]reflect.Type{
	api.ActionNote:            reflect.TypeFor[api.NoteRequest](),
	api.ActionDecision:        reflect.TypeFor[api.DecisionRequest](),
	api.ActionApproval:        reflect.TypeFor[api.ApprovalRequest](),
	api.ActionAssignment:      reflect.TypeFor[api.AssignmentRequest](),
	api.ActionStatus:          reflect.TypeFor[api.StatusRequest](),
	api.ActionResubmission:    reflect.TypeFor[api.ResubmissionRequest](),
	api.ActionDocumentRequest: reflect.TypeFor[api.DocumentRequestRequest](),
	api.ActionPrinted:         reflect.TypeFor[api.PrintedRequest](),
	api.ActionEvidenceChecked: reflect.TypeFor[api.EvidenceCheckRequest](),
}

func TestSpecActions(t *testing.T) {
	s, _ := loadSpec(t)
	byRoute := map[string]op{}
	for _, o := range s.ops(t) {
		byRoute[o.String()] = o
	}
	// Route each action's path through a ServeMux built from api.Routes, exactly as the server does.
	mux := http.NewServeMux()
	for _, r := range api.Routes {
		mux.HandleFunc(r.Method+" "+r.Pattern, func(http.ResponseWriter, *http.Request) {})
	}
	if len(actionRequestTypes) != len(api.ActionKinds) {
		t.Errorf("actionRequestTypes covers %d kinds, api.ActionKinds has %d", len(actionRequestTypes), len(api.ActionKinds))
	}
	seen := map[string]api.ActionKind{}
	for _, kind := range api.ActionKinds {
		t.Run(string(kind), func(t *testing.T) {
			path, err := api.ActionPath(kind, "case-1", "action-1", "decision-1")
			if err != nil {
				t.Fatal(err)
			}
			_, pattern := mux.Handler(httptest.NewRequest(http.MethodPut, path, nil))
			if pattern == "" {
				t.Fatalf("PUT %s matches no route of api.Routes", path)
			}
			if other, dup := seen[pattern]; dup {
				t.Errorf("%s and %s share route %s", kind, other, pattern)
			}
			seen[pattern] = kind
			o, ok := byRoute[pattern]
			if !ok {
				t.Fatalf("route %s is not in the spec", pattern)
			}

			// Body.
			if o.RequestBody == nil || !o.RequestBody.Required {
				t.Fatalf("%s: needs a required request body", o)
			}
			mt, ok := o.RequestBody.Content["application/json"]
			if want := actionRequestTypes[kind]; !ok || !refersTo(mt.Schema, want.Name()) {
				t.Errorf("%s: request body must be application/json %s", o, want.Name())
			}

			// Success: ActionResult with ETag and Idempotent-Replay.
			ok200 := o.response(t, s, "200")
			if ok200 == nil {
				t.Fatalf("%s: no 200", o)
			}
			if !refersTo(ok200.Content["application/json"].Schema, "ActionResult") {
				t.Errorf("%s: 200 must answer an ActionResult", o)
			}
			for _, h := range []string{api.HeaderIdempotentReplay, "ETag"} {
				if ok200.Headers[h] == nil {
					t.Errorf("%s: 200 lacks header %s", o, h)
				}
			}
			for _, code := range []string{"400", "404", "413", "415", "422"} {
				if o.Responses[code] == nil {
					t.Errorf("%s: does not declare %s", o, code)
				}
			}

			// If-Match, 412 and 428 exactly for state-changing actions.
			ifMatch := o.param("header", "If-Match")
			if kind.NeedsIfMatch() {
				if ifMatch == nil || !ifMatch.Required {
					t.Errorf("%s: needs a required If-Match header", o)
				}
				if o.Responses["428"] == nil {
					t.Errorf("%s: does not declare 428", o)
				}
				r412 := o.response(t, s, "412")
				if r412 == nil {
					t.Errorf("%s: does not declare 412", o)
				} else if !problemRequiresCase(s, t, r412) {
					t.Errorf("%s: 412 must require the current case in the problem", o)
				}
			} else {
				if ifMatch != nil {
					t.Errorf("%s: appends take no If-Match", o)
				}
				for _, code := range []string{"412", "428"} {
					if o.Responses[code] != nil {
						t.Errorf("%s: appends never answer %s", o, code)
					}
				}
			}

			// The action id travels in Idempotency-Key when the path has no id after the case's.
			key := o.param("header", api.HeaderIdempotencyKey)
			if strings.Count(pattern, "{") == 1 {
				if key == nil || !key.Required {
					t.Errorf("%s: needs a required %s header", o, api.HeaderIdempotencyKey)
				}
			} else if kind == api.ActionApproval {
				// The path names the approved decision; the approval's own id is an optional header.
				if key == nil || key.Required {
					t.Errorf("%s: needs an optional %s header", o, api.HeaderIdempotencyKey)
				}
			} else if key != nil {
				t.Errorf("%s: the path carries the id; no %s header", o, api.HeaderIdempotencyKey)
			}
		})
	}
	// Every PUT route is an action.
	for _, r := range api.Routes {
		if r.Method == http.MethodPut {
			if _, ok := seen[r.Method+" "+r.Pattern]; !ok {
				t.Errorf("%s %s is no action kind's path", r.Method, r.Pattern)
			}
		}
	}
}

func problemRequiresCase(s *spec, t *testing.T, r *response) bool {
	sc := r.Content[api.ContentTypeProblem].Schema
	if sc == nil {
		return false
	}
	parts := append([]*schema{sc}, sc.AllOf...)
	for _, p := range parts {
		if slices.Contains(s.schema(t, p).Required, "case") {
			return true
		}
	}
	return false
}

// goTypes are the Go types whose JSON shape the spec must describe exactly.
var goTypes = []reflect.Type{
	reflect.TypeFor[api.Case](), reflect.TypeFor[api.Service](), reflect.TypeFor[api.Applicant](),
	reflect.TypeFor[api.Section](), reflect.TypeFor[api.Field](), reflect.TypeFor[api.Attachment](),
	reflect.TypeFor[api.Evidence](), reflect.TypeFor[api.Payment](), reflect.TypeFor[api.Resubmission](),
	reflect.TypeFor[api.DocumentRequest](), reflect.TypeFor[api.Decision](), reflect.TypeFor[api.Note](),
	reflect.TypeFor[api.Event](), reflect.TypeFor[api.EventList](), reflect.TypeFor[api.NoteRequest](),
	reflect.TypeFor[api.DecisionRequest](), reflect.TypeFor[api.ApprovalRequest](),
	reflect.TypeFor[api.AssignmentRequest](), reflect.TypeFor[api.StatusRequest](),
	reflect.TypeFor[api.ResubmissionRequest](), reflect.TypeFor[api.DocumentRequestRequest](),
	reflect.TypeFor[api.ActionResult](), reflect.TypeFor[api.Change](), reflect.TypeFor[api.ChangePage](),
	reflect.TypeFor[api.Me](), reflect.TypeFor[api.Clerk](), reflect.TypeFor[api.ClerkList](),
	reflect.TypeFor[api.Problem](), reflect.TypeFor[api.PostalAddress](), reflect.TypeFor[api.ReplyChannel](),
	reflect.TypeFor[api.FitConnectReply](), reflect.TypeFor[api.FitConnectOrigin](),
	reflect.TypeFor[api.CaseDelta](),
	reflect.TypeFor[api.SignInInfo](), reflect.TypeFor[api.OIDCInfo](),
	reflect.TypeFor[api.Document](), reflect.TypeFor[api.Delivery](), reflect.TypeFor[api.PrintedRequest](),
	reflect.TypeFor[api.Letterhead](), reflect.TypeFor[api.EvidenceCheckRequest](), reflect.TypeFor[api.DecisionField](),
}

// dateFields are string properties that carry a calendar date (YYYY-MM-DD, format: date).
var dateFields = map[string]bool{
	"Case.dueDate": true, "Resubmission.date": true, "DocumentRequest.deadline": true,
	"Decision.validUntil": true, "DecisionRequest.validUntil": true, "ResubmissionRequest.date": true,
	"DocumentRequestRequest.deadline": true,
}

// enumSchemas lists the enum schemas and their values, from the Go constants.
var enumSchemas = map[string][]string{
	"Status":     strs(api.Statuses),
	"Outcome":    strs(api.Outcomes),
	"ActionKind": strs(api.ActionKinds),
	"Role":       strs(api.Roles),
	// No slices exist in package api for these; keep in step with the constants.
	"EventKind": strs([]api.EventKind{api.EventReceived, api.EventStatusChanged, api.EventAssigned,
		api.EventNote, api.EventResubmission, api.EventDocumentRequest, api.EventDecisionProposed,
		api.EventDecisionApproved, api.EventDecisionReturned, api.EventDecisionWithdrawn, api.EventDecided, api.EventDocumentsReceived,
		api.EventDocumentSent, api.EventDocumentFailed, api.EventDocumentPrinted, api.EventEvidenceChecked}),
	"ChangeKind":       strs([]api.ChangeKind{api.ChangeUpsert, api.ChangeDelete}),
	"ReplyChannelKind": strs(api.ReplyChannelKinds),
	"DocumentKind":     strs(api.DocumentKinds),
	"DeliveryChannel":  strs(api.DeliveryChannels),
	"DeliveryState":    strs(api.DeliveryStates),
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

type jsonField struct {
	name      string
	omitempty bool
	typ       reflect.Type
}

func jsonFields(t *testing.T, ty reflect.Type) []jsonField {
	t.Helper()
	var out []jsonField
	for f := range ty.Fields() {
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			t.Fatalf("%s.%s: embedded fields are not supported by this test", ty.Name(), f.Name)
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name: name, omitempty: slices.Contains(strings.Split(opts, ","), "omitempty"), typ: f.Type})
	}
	return out
}

func TestSpecSchemasMatchGoTypes(t *testing.T) {
	s, _ := loadSpec(t)
	for _, ty := range goTypes {
		t.Run(ty.Name(), func(t *testing.T) {
			sc, ok := s.Components.Schemas[ty.Name()]
			if !ok {
				t.Fatalf("components.schemas has no %s", ty.Name())
			}
			if sc.Type != "object" {
				t.Errorf("type = %q, want object", sc.Type)
			}
			var goNames, required []string
			for _, f := range jsonFields(t, ty) {
				goNames = append(goNames, f.name)
				if !f.omitempty {
					required = append(required, f.name)
				}
				p, ok := sc.Properties[f.name]
				if !ok {
					continue // reported below
				}
				where := ty.Name() + "." + f.name
				checkType(t, s, where, f.typ, p)
				if dateFields[where] {
					if p.Type != "string" || p.Format != "date" {
						t.Errorf("%s: a YYYY-MM-DD date needs type string, format date", where)
					}
				} else if p.Format == "date" {
					t.Errorf("%s: format date, but not listed in dateFields", where)
				}
			}
			var specNames []string
			for name := range sc.Properties {
				specNames = append(specNames, name)
			}
			sort.Strings(goNames)
			sort.Strings(specNames)
			if !slices.Equal(goNames, specNames) {
				t.Errorf("properties differ:\n Go json tags: %v\n openapi.yaml: %v", goNames, specNames)
			}
			specRequired := slices.Clone(sc.Required)
			sort.Strings(required)
			sort.Strings(specRequired)
			if !slices.Equal(required, specRequired) {
				t.Errorf("required differs (Go: fields without omitempty):\n Go:           %v\n openapi.yaml: %v", required, specRequired)
			}
		})
	}
}

var timeType = reflect.TypeFor[time.Time]()

// checkType asserts that property schema p describes Go type gt.
func checkType(t *testing.T, s *spec, where string, gt reflect.Type, p *schema) {
	t.Helper()
	if gt.Kind() == reflect.Pointer {
		gt = gt.Elem()
	}
	switch {
	case gt == timeType:
		r := s.schema(t, p)
		if r.Type != "string" || r.Format != "date-time" {
			t.Errorf("%s: time.Time needs type string, format date-time", where)
		}
	case gt.Kind() == reflect.Struct:
		if !refersTo(p, gt.Name()) {
			t.Errorf("%s: want $ref to #/components/schemas/%s, got %q", where, gt.Name(), p.Ref)
		}
	case gt.Kind() == reflect.Slice:
		if p.Type != "array" || p.Items == nil {
			t.Errorf("%s: want type array with items", where)
			return
		}
		checkType(t, s, where+"[]", gt.Elem(), p.Items)
	case gt.Kind() == reflect.String:
		if gt.PkgPath() != "" { // a named string type of package api: an enum schema
			if !refersTo(p, gt.Name()) {
				t.Errorf("%s: want $ref to #/components/schemas/%s, got %q", where, gt.Name(), p.Ref)
			}
		}
		if r := s.schema(t, p); r.Type != "string" {
			t.Errorf("%s: want type string, got %q", where, r.Type)
		}
	case gt.Kind() == reflect.Map:
		if p.Type != "object" {
			t.Errorf("%s: a map needs type object, got %q", where, p.Type)
		}
	case gt.Kind() == reflect.Bool:
		if p.Type != "boolean" {
			t.Errorf("%s: want type boolean, got %q", where, p.Type)
		}
	case gt.Kind() == reflect.Int64:
		if p.Type != "integer" || p.Format != "int64" {
			t.Errorf("%s: int64 needs type integer, format int64", where)
		}
	case gt.Kind() == reflect.Int:
		if p.Type != "integer" {
			t.Errorf("%s: want type integer, got %q", where, p.Type)
		}
	default:
		t.Errorf("%s: Go kind %s not handled by this test", where, gt.Kind())
	}
}

func TestSpecEnums(t *testing.T) {
	s, _ := loadSpec(t)
	for name, want := range enumSchemas {
		sc, ok := s.Components.Schemas[name]
		if !ok {
			t.Errorf("components.schemas has no %s", name)
			continue
		}
		if sc.Type != "string" || !slices.Equal(sc.Enum, want) {
			t.Errorf("%s: type %q enum %v, want string enum %v (same order as package api)", name, sc.Type, sc.Enum, want)
		}
	}
	decisionStates := []string{api.DecisionProposed, api.DecisionFinal, api.DecisionReturned}
	if got := s.Components.Schemas["Decision"].Properties["state"].Enum; !slices.Equal(got, decisionStates) {
		t.Errorf("Decision.state enum = %v, want %v", got, decisionStates)
	}
	// ActionResult.kind is a plain string in Go; the spec pins it to the action kinds.
	if !refersTo(s.Components.Schemas["ActionResult"].Properties["kind"], "ActionKind") {
		t.Error("ActionResult.kind should refer to ActionKind")
	}
}

func TestSpecLimits(t *testing.T) {
	s, _ := loadSpec(t)
	num := func(f *float64) float64 {
		if f == nil {
			return -1
		}
		return *f
	}
	p := s.Components.Parameters
	tests := []struct {
		name         string
		sc           *schema
		min, max     float64
		defaultValue int
	}{
		{"limit", p["Limit"].Schema, 1, api.MaxChangePageSize, api.DefaultChangePage},
		{"wait", p["Wait"].Schema, 0, api.MaxWaitSeconds, 0},
	}
	for _, tt := range tests {
		if num(tt.sc.Minimum) != tt.min || num(tt.sc.XClampedMaximum) != tt.max || tt.sc.Default != tt.defaultValue {
			t.Errorf("%s: minimum %v x-clamped-maximum %v default %v, want %v %v %v", tt.name,
				num(tt.sc.Minimum), num(tt.sc.XClampedMaximum), tt.sc.Default, tt.min, tt.max, tt.defaultValue)
		}
		if tt.sc.Maximum != nil {
			t.Errorf("%s: a schema maximum refuses values the server accepts and clamps", tt.name)
		}
	}
	if ml := s.Components.Schemas["NoteRequest"].Properties["text"].MaxLength; ml == nil || *ml != api.MaxNoteRunes {
		t.Errorf("NoteRequest.text maxLength = %v, want %d", ml, api.MaxNoteRunes)
	}
	if got := s.Components.Responses["PayloadTooLarge"].XMaxBodyBytes; got != api.MaxBodyBytes {
		t.Errorf("PayloadTooLarge x-max-body-bytes = %d, want %d", got, api.MaxBodyBytes)
	}
}

// problemTypes are the problem type constants of package api and their HTTP status.
var problemTypes = map[string]int{
	api.ProblemBadRequest:           400,
	api.ProblemUnauthorized:         401,
	api.ProblemTokenExpired:         401,
	api.ProblemForbidden:            403,
	api.ProblemNotFound:             404,
	api.ProblemMethodNotAllowed:     405,
	api.ProblemConflict:             409,
	api.ProblemAlreadyApplied:       409,
	api.ProblemCaseFull:             409,
	api.ProblemWriteQuota:           429,
	api.ProblemGone:                 410,
	api.ProblemCursorUnknown:        410,
	api.ProblemPrecondition:         412,
	api.ProblemTooLarge:             413,
	api.ProblemUnsupportedMediaType: 415,
	api.ProblemHeadersTooLarge:      431,
	api.ProblemNotImplemented:       501,
	api.ProblemRangeNotSatisfiable:  416,
	api.ProblemUnprocessable:        422,
	api.ProblemValidation:           422,
	api.ProblemPreconditionNeeded:   428,
	api.ProblemRateLimited:          429,
	api.ProblemInternal:             500,
	api.ProblemUnavailable:          503,
}

func TestSpecProblemTypes(t *testing.T) {
	s, _ := loadSpec(t)
	for typ, status := range problemTypes {
		pt, ok := s.ProblemTypes[typ]
		if !ok {
			t.Errorf("x-problem-types lacks %s", typ)
			continue
		}
		if pt.Status != status {
			t.Errorf("x-problem-types %s: status %d, want %d", typ, pt.Status, status)
		}
	}
	for typ := range s.ProblemTypes {
		if _, ok := problemTypes[typ]; !ok {
			t.Errorf("x-problem-types lists %s, which is no constant of package api", typ)
		}
	}
	// Every problem status is answered somewhere — except those answered on any path before
	// routing, which no operation declares: 405, 431 and 501 (see the info section).
	declared := map[string]bool{}
	for _, o := range s.ops(t) {
		for code := range o.Responses {
			declared[code] = true
		}
	}
	for typ, status := range problemTypes {
		if code := fmt.Sprint(status); status != http.StatusMethodNotAllowed && status != http.StatusRequestHeaderFieldsTooLarge &&
			status != http.StatusNotImplemented && !declared[code] {
			t.Errorf("%s (%s) is answered by no operation", typ, code)
		}
	}
}

// TestSpecHeadMirrorsGet: the server answers HEAD for every GET, so the spec declares it (issue
// #16 item 6: Prism saw HEAD answered but not described) — same parameters, security and
// statuses as the GET, and no body.
func TestSpecHeadMirrorsGet(t *testing.T) {
	s, _ := loadSpec(t)
	gets := 0
	for path, item := range s.Paths {
		gn, ok := item["get"]
		if !ok {
			if _, ok := item["head"]; ok {
				t.Errorf("%s: HEAD without GET", path)
			}
			continue
		}
		gets++
		hn, ok := item["head"]
		if !ok {
			t.Errorf("%s: GET without HEAD", path)
			continue
		}
		var g, h operation
		if err := gn.Decode(&g); err != nil {
			t.Fatal(err)
		}
		if err := hn.Decode(&h); err != nil {
			t.Fatal(err)
		}
		if len(g.Parameters) != len(h.Parameters) {
			t.Errorf("%s: HEAD has %d parameters, GET %d", path, len(h.Parameters), len(g.Parameters))
		}
		for i := range min(len(g.Parameters), len(h.Parameters)) {
			if *g.Parameters[i] != *h.Parameters[i] {
				t.Errorf("%s: HEAD parameter %d differs from GET's", path, i)
			}
		}
		if (g.Security == nil) != (h.Security == nil) || (g.Security != nil && len(*g.Security) != len(*h.Security)) {
			t.Errorf("%s: HEAD security differs from GET's", path)
		}
		for code := range g.Responses {
			if _, ok := h.Responses[code]; !ok {
				t.Errorf("%s: HEAD lacks GET's %s", path, code)
			}
		}
		for code, r := range h.Responses {
			if _, ok := g.Responses[code]; !ok {
				t.Errorf("%s: HEAD declares %s, GET does not", path, code)
			}
			if r.Ref != "" || len(r.Content) != 0 {
				t.Errorf("%s: HEAD %s declares a body", path, code)
			}
		}
	}
	if gets == 0 {
		t.Fatal("no GET operations")
	}
}
