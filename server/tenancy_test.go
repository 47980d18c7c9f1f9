package server_test

// The tenancy walk: every operation of api/openapi.yaml is sent against a real, seeded server
// with a token of another Amt, with no token and with bad tokens. The walker reads the contract
// itself (path, header and query parameters, request body schemas, security), so an endpoint
// added to the spec that the walker cannot fill fails the test instead of being skipped.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// twOp is one operation of the contract.
type twOp struct {
	Method, Path, ID string
	Public           bool
	Params           []twParam
	BodySchema       string // name under components/schemas, "" without a request body
}

type twParam struct {
	Name, In string
	Required bool
}

func (o twOp) String() string { return o.Method + " " + o.Path }

// twSpec is the parsed contract.
type twSpec struct {
	t    testing.TB
	root map[string]any
}

func twLoadSpec(t testing.TB) *twSpec {
	t.Helper()
	raw, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := yaml.Unmarshal(raw, &root); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return &twSpec{t: t, root: root}
}

// deref follows a local $ref ("#/components/…").
func (s *twSpec) deref(n any) map[string]any {
	s.t.Helper()
	for range 10 {
		m, ok := n.(map[string]any)
		if !ok {
			s.t.Fatalf("openapi: expected an object, got %T", n)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var cur any = s.root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cm, ok := cur.(map[string]any)
			if !ok {
				s.t.Fatalf("openapi: bad $ref %s", ref)
			}
			cur = cm[part]
		}
		if cur == nil {
			s.t.Fatalf("openapi: dangling $ref %s", ref)
		}
		n = cur
	}
	s.t.Fatal("openapi: $ref loop")
	return nil
}

func (s *twSpec) params(list any) []twParam {
	s.t.Helper()
	var out []twParam
	items, _ := list.([]any)
	for _, it := range items {
		p := s.deref(it)
		name, _ := p["name"].(string)
		in, _ := p["in"].(string)
		req, _ := p["required"].(bool)
		out = append(out, twParam{Name: name, In: in, Required: req})
	}
	return out
}

// ops lists every operation, sorted by path and method.
func (s *twSpec) ops() []twOp {
	s.t.Helper()
	globalSec, _ := s.root["security"].([]any)
	paths, _ := s.root["paths"].(map[string]any)
	if len(paths) == 0 {
		s.t.Fatal("openapi: no paths")
	}
	var ops []twOp
	for path, item := range paths {
		pi := s.deref(item)
		shared := s.params(pi["parameters"])
		for key, v := range pi {
			method := strings.ToUpper(key)
			switch method {
			case "GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "TRACE":
			case "HEAD":
				continue // the mirror of a GET: walked as the GET's HEAD variant
			case "PARAMETERS", "SUMMARY", "DESCRIPTION", "SERVERS":
				continue
			default:
				s.t.Fatalf("openapi: %s: unknown path item key %q", path, key)
			}
			op := s.deref(v)
			o := twOp{Method: method, Path: path}
			o.ID, _ = op["operationId"].(string)
			o.Params = append(slices.Clone(shared), s.params(op["parameters"])...)
			sec, has := op["security"].([]any)
			if !has {
				sec = globalSec
			}
			o.Public = len(sec) == 0
			if rb, ok := op["requestBody"]; ok && path != api.FitConnectCallbackPath {
				body := s.deref(rb)
				content, _ := body["content"].(map[string]any)
				if len(content) != 1 || content["application/json"] == nil {
					s.t.Fatalf("%s: the walker only fills application/json request bodies", o)
				}
				media, _ := content["application/json"].(map[string]any)
				schema, _ := media["schema"].(map[string]any)
				ref, _ := schema["$ref"].(string)
				if !strings.HasPrefix(ref, "#/components/schemas/") {
					s.t.Fatalf("%s: the walker needs the request body schema as a $ref", o)
				}
				o.BodySchema = strings.TrimPrefix(ref, "#/components/schemas/")
			}
			ops = append(ops, o)
		}
	}
	slices.SortFunc(ops, func(a, b twOp) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	return ops
}

// checkBody fails unless body has every required property of the schema and nothing else.
func (s *twSpec) checkBody(o twOp, body map[string]any) {
	s.t.Helper()
	schemas := s.root["components"].(map[string]any)["schemas"].(map[string]any)
	sch := s.deref(schemas[o.BodySchema])
	props, _ := sch["properties"].(map[string]any)
	req, _ := sch["required"].([]any)
	for _, r := range req {
		if _, ok := body[r.(string)]; !ok {
			s.t.Fatalf("%s: the walker's %s body lacks required property %q; teach the walker", o, o.BodySchema, r)
		}
	}
	for k := range body {
		if _, ok := props[k]; !ok {
			s.t.Fatalf("%s: the walker's %s body has property %q the schema does not know", o, o.BodySchema, k)
		}
	}
}

// twScenario says how to send one kind of case-scoped operation so that it would succeed for the
// case's own Amt: which case fits and what body it takes.
type twScenario struct {
	fits func(w *twWalk, c api.Case) bool
	body func(w *twWalk, c api.Case) map[string]any
}

func twOpenNotProposed(w *twWalk, c api.Case) bool {
	return c.Status == api.StatusNew || c.Status == api.StatusInReview || c.Status == api.StatusAwaitingDocuments
}

// twProbe is a marker put into Amt A's data by the positive controls; it must never reach Amt B.
const twProbe = "TWPROBE-7f3a9c"

var twScenarios = map[string]twScenario{
	"": { // reads
		fits: func(w *twWalk, c api.Case) bool {
			return c.Status != api.StatusForwarded && len(c.Attachments) > 0 && len(c.Notes) > 0
		},
	},
	"NoteRequest": {
		fits: twOpenNotProposed,
		body: func(w *twWalk, c api.Case) map[string]any {
			return map[string]any{"text": "Vermerk " + twProbe + "-note"}
		},
	},
	"DecisionRequest": {
		fits: func(w *twWalk, c api.Case) bool { return c.Status == api.StatusInReview },
		body: func(w *twWalk, c api.Case) map[string]any {
			return map[string]any{"outcome": "rejected", "reasoning": "Begründung " + twProbe + "-decision", "feeCents": 1500}
		},
	},
	"ApprovalRequest": {
		fits: func(w *twWalk, c api.Case) bool {
			return c.Status == api.StatusDecisionProposed && c.Decision != nil &&
				c.Decision.State == api.DecisionProposed && c.Decision.Actor != w.leadA
		},
		body: func(w *twWalk, c api.Case) map[string]any {
			return map[string]any{"approve": true, "comment": "Freigabe " + twProbe + "-approval"}
		},
	},
	"AssignmentRequest": {
		fits: twOpenNotProposed,
		body: func(w *twWalk, c api.Case) map[string]any {
			for _, cl := range w.env.ClerksOf(w.amtA) {
				if cl.ID != c.Assignee {
					return map[string]any{"assignee": cl.ID}
				}
			}
			w.t.Fatal("no clerk to assign to")
			return nil
		},
	},
	"StatusRequest": {
		fits: func(w *twWalk, c api.Case) bool { return c.Status == api.StatusNew },
		body: func(w *twWalk, c api.Case) map[string]any { return map[string]any{"status": "in_review"} },
	},
	"ResubmissionRequest": {
		fits: twOpenNotProposed,
		body: func(w *twWalk, c api.Case) map[string]any {
			return map[string]any{"date": time.Now().AddDate(0, 0, 30).Format(time.DateOnly), "reason": "Wiedervorlage " + twProbe + "-resub"}
		},
	},
	"EvidenceCheckRequest": {
		// An open case with a Nachweis not yet checked.
		fits: func(w *twWalk, c api.Case) bool { return c.Status.Open() && twUnchecked(c) != "" },
		body: func(w *twWalk, c api.Case) map[string]any { return map[string]any{} },
	},
	"PrintedRequest": {
		// A seeded approved case: its Bescheid waits in the print queue (no mail relay here).
		fits: twHasBescheid,
		body: func(w *twWalk, c api.Case) map[string]any { return map[string]any{} },
	},
	"DocumentRequestRequest": {
		fits: twOpenNotProposed,
		body: func(w *twWalk, c api.Case) map[string]any {
			return map[string]any{"documents": []string{"Nachweis " + twProbe + "-doc"},
				"deadline": time.Now().AddDate(0, 0, 30).Format(time.DateOnly), "message": "Bitte " + twProbe + "-docmsg"}
		},
	},
}

// twUnchecked returns the id of the case's first Nachweis not yet checked, or "".
func twUnchecked(c api.Case) string {
	for _, e := range c.Evidence {
		if !e.Verified {
			return e.ID
		}
	}
	return ""
}

// twHasBescheid: a seeded case whose final decision is made known with a Bescheid, so it has a
// document after SeedDocuments.
func twHasBescheid(w *twWalk, c api.Case) bool {
	d := c.Decision
	return c.Status == api.StatusDecided && d != nil && d.State == api.DecisionFinal &&
		(d.Outcome == api.OutcomeApproved || d.Outcome == api.OutcomeRejected || d.Outcome == api.OutcomePartiallyApproved)
}

// twWalk holds the state of one walk.
type twWalk struct {
	t          *testing.T
	env        *servertest.Env
	spec       *twSpec
	hc         *http.Client
	amtA, amtB string
	leadA      string // a lead of A (positive controls)
	leadB      string // a lead of B, so that role checks cannot mask tenancy
	revoked    string // a token of a clerk of A, revoked
	taken      map[string]bool
	seq        int
	casesA     []api.Case        // seeded
	casesB     map[string]bool   // every seeded case of B
	visibleB   int               // B's cases that have not been forwarded
	files      map[string][]byte // "<case>/<aid>" → bytes, Amt A
}

type twResp struct {
	status int
	header http.Header
	body   []byte
}

func (w *twWalk) fresh() string { w.seq++; return fmt.Sprintf("tw-%s-%d", twProbe, w.seq) }

func (w *twWalk) do(method, rawURL string, h http.Header, body []byte) twResp {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatalf("%s %s: read: %v", method, rawURL, err)
	}
	if resp.StatusCode >= 500 {
		w.t.Errorf("%s %s: %d %s", method, rawURL, resp.StatusCode, truncate(out))
	}
	return twResp{resp.StatusCode, resp.Header, out}
}

func twBearer(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// current reads case id with a token of its own Amt: version and number of events.
func (w *twWalk) current(id string) (api.Case, int) {
	w.t.Helper()
	r := w.do("GET", w.env.URL+api.BasePath+"/cases/"+id, twBearer(w.env.Token(w.leadA)), nil)
	if r.status != 200 {
		w.t.Fatalf("own Amt cannot read %s: %d %s", id, r.status, truncate(r.body))
	}
	var c api.Case
	if err := json.Unmarshal(r.body, &c); err != nil {
		w.t.Fatal(err)
	}
	r = w.do("GET", w.env.URL+api.BasePath+"/cases/"+id+"/events", twBearer(w.env.Token(w.leadA)), nil)
	var evs api.EventList
	if err := json.Unmarshal(r.body, &evs); err != nil {
		w.t.Fatal(err)
	}
	return c, len(evs.Events)
}

// needles lists the personal and case data of c that must never reach another Amt.
func twNeedles(c api.Case) []string {
	var out []string
	add := func(ss ...string) {
		for _, s := range ss {
			if len(strings.TrimSpace(s)) >= 6 {
				out = append(out, s)
			}
		}
	}
	add(c.Reference, c.Applicant.Name, c.Applicant.Address, c.Applicant.Email, c.Applicant.Phone)
	for _, s := range c.Sections {
		for _, f := range s.Fields {
			add(f.Value)
		}
	}
	for _, a := range c.Attachments {
		add(a.Name, a.SHA256)
	}
	for _, e := range c.Evidence {
		for _, f := range e.Fields {
			add(f.Value)
		}
	}
	for _, n := range c.Notes {
		add(n.Text)
	}
	for _, d := range c.DocumentRequests {
		add(d.Message)
		add(d.Documents...)
	}
	if c.Decision != nil {
		add(c.Decision.Reasoning)
	}
	if c.Resubmission != nil {
		add(c.Resubmission.Reason)
	}
	if c.Payment != nil {
		add(c.Payment.Reference)
	}
	return out
}

// leak returns the first needle found in body, raw or JSON-escaped.
func twLeak(body []byte, needles []string) string {
	for _, n := range needles {
		if bytes.Contains(body, []byte(n)) {
			return n
		}
		esc, _ := json.Marshal(n)
		if bytes.Contains(body, esc[1:len(esc)-1]) {
			return n
		}
	}
	return ""
}

// fileLeak reports whether body carries a recognisable piece of one of the files.
func twFileLeak(body []byte, files map[string][]byte) string {
	for k, f := range files {
		if len(f) < 64 {
			if len(f) > 0 && bytes.Contains(body, f) {
				return k
			}
			continue
		}
		for _, off := range []int{0, len(f)/2 - 16, len(f) - 32} {
			if bytes.Contains(body, f[off:off+32]) {
				return k
			}
		}
	}
	return ""
}

func (w *twWalk) wantProblem(what string, r twResp, status int, typ string) {
	w.t.Helper()
	if r.status != status {
		w.t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, truncate(r.body))
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, api.ContentTypeProblem) {
		w.t.Fatalf("%s: Content-Type %q, want %s", what, ct, api.ContentTypeProblem)
	}
	var p api.Problem
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		w.t.Fatalf("%s: problem body: %v: %s", what, err, truncate(r.body))
	}
	if p.Status != status || p.Type != typ || p.Case != nil {
		w.t.Fatalf("%s: problem %+v, want status %d type %s and no case", what, p, status, typ)
	}
}

// request is one concrete request of an operation.
type twRequest struct {
	method string
	path   string // under env.URL
	header http.Header
	body   []byte
}

func (w *twWalk) send(rq twRequest, auth http.Header) twResp {
	w.t.Helper()
	h := rq.header.Clone()
	for k, v := range auth {
		h[k] = v
	}
	return w.do(rq.method, w.env.URL+rq.path, h, rq.body)
}

// build fills an operation for case c (nil for operations without {id}).
func (w *twWalk) build(o twOp, c *api.Case) twRequest {
	w.t.Helper()
	rq := twRequest{method: o.Method, header: http.Header{}}
	path := o.Path
	query := url.Values{}
	for _, p := range o.Params {
		switch p.In {
		case "path":
			var v string
			switch p.Name {
			case "id":
				v = c.ID
			case "aid":
				v = c.Attachments[0].ID
			case "decisionID":
				if o.BodySchema == "ApprovalRequest" {
					v = c.Decision.ID
				} else {
					v = w.fresh()
				}
			case "noteID", "resubmissionID", "requestID":
				v = w.fresh()
			case "evidenceID":
				if v = twUnchecked(*c); v == "" {
					w.t.Fatalf("%s: case %s has no unchecked evidence", o, c.ID)
				}
			case "docID":
				if len(c.Documents) == 0 {
					w.t.Fatalf("%s: case %s has no documents", o, c.ID)
				}
				v = c.Documents[0].ID
			default:
				w.t.Fatalf("%s: the walker does not know how to fill path parameter {%s}", o, p.Name)
			}
			if !strings.Contains(path, "{"+p.Name+"}") {
				w.t.Fatalf("%s: parameter %s not in path", o, p.Name)
			}
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(v))
		case "header":
			switch p.Name {
			case "If-Match":
				rq.header.Set(p.Name, `"`+strconv.FormatInt(c.Version, 10)+`"`)
			case api.HeaderIdempotencyKey:
				rq.header.Set(p.Name, w.fresh())
			case "If-None-Match", "Range", "If-Range":
				// optional; see the variants in walkCase
			default:
				if p.Required {
					w.t.Fatalf("%s: the walker does not know how to fill required header %s", o, p.Name)
				}
			}
		case "query":
			switch p.Name {
			case "limit":
				query.Set("limit", strconv.Itoa(api.MaxChangePageSize))
			case "cursor", "wait":
			default:
				if p.Required {
					w.t.Fatalf("%s: the walker does not know how to fill required query parameter %s", o, p.Name)
				}
			}
		default:
			w.t.Fatalf("%s: parameter %s in %s unknown to the walker", o, p.Name, p.In)
		}
	}
	if strings.Contains(path, "{") {
		w.t.Fatalf("%s: path parameters left unfilled: %s", o, path)
	}
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	rq.path = path
	if o.BodySchema != "" {
		sc, ok := twScenarios[o.BodySchema]
		if !ok || sc.body == nil {
			w.t.Fatalf("%s: the walker has no body for schema %s", o, o.BodySchema)
		}
		body := sc.body(w, *c)
		w.spec.checkBody(o, body)
		raw, err := json.Marshal(body)
		if err != nil {
			w.t.Fatal(err)
		}
		rq.body = raw
	}
	return rq
}

// pick finds an unused seeded case of Amt A for the operation.
func (w *twWalk) pick(o twOp) api.Case {
	w.t.Helper()
	sc, ok := twScenarios[o.BodySchema]
	if !ok {
		w.t.Fatalf("%s: the walker has no scenario for request body %q", o, o.BodySchema)
	}
	for _, c := range w.casesA {
		if o.BodySchema != "" && w.taken[c.ID] {
			continue
		}
		if strings.Contains(o.Path, "{docID}") && !twHasBescheid(w, c) {
			continue
		}
		if sc.fits(w, c) {
			if o.BodySchema != "" {
				w.taken[c.ID] = true
			}
			cur, _ := w.current(c.ID)
			return cur
		}
	}
	w.t.Fatalf("%s: no case of %s fits; seed more cases", o, w.amtA)
	return api.Case{}
}

// badAuth lists Authorization variants that must all answer 401.
func (w *twWalk) badAuth() map[string]http.Header {
	tokA := w.env.Token(w.leadA)
	flipped := []byte(tokA)
	flipped[len(flipped)-1] ^= 1
	return map[string]http.Header{
		"no token":        {},
		"garbage token":   twBearer("amt_garbage-" + twProbe),
		"tampered token":  twBearer(string(flipped)),
		"empty bearer":    {"Authorization": {"Bearer "}},
		"oversized token": twBearer(strings.Repeat("x", 4096)),
		"basic scheme":    {"Authorization": {"Basic " + tokA}},
		"token only":      {"Authorization": {tokA}},
		"revoked token":   twBearer(w.revoked),
	}
}

func (w *twWalk) checkClean(what string, body []byte, needles []string) {
	w.t.Helper()
	if n := twLeak(body, needles); n != "" {
		w.t.Fatalf("%s: body leaks %q: %s", what, n, truncate(body))
	}
	if k := twFileLeak(body, w.files); k != "" {
		w.t.Fatalf("%s: body leaks bytes of attachment %s", what, k)
	}
	if bytes.Contains(body, []byte(twProbe)) {
		w.t.Fatalf("%s: body leaks the probe marker: %s", what, truncate(body))
	}
}

// walkCase walks one case-scoped operation.
func (w *twWalk) walkCase(o twOp) {
	t := w.t
	c := w.pick(o)
	_, eventsBefore := w.current(c.ID)
	needles := twNeedles(c)
	rq := w.build(o, &c)
	tokB := twBearer(w.env.Token(w.leadB))

	// Each variant is also sent for a case that does not exist, to compare byte for byte.
	ghostPath := strings.Replace(rq.path, "/cases/"+url.PathEscape(c.ID), "/cases/tw-no-such-case", 1)
	if ghostPath == rq.path {
		t.Fatalf("%s: case id not in path %s", o, rq.path)
	}
	type variant struct {
		name string
		rq   twRequest
	}
	variants := []variant{{"as specified", rq}}
	hasParam := func(name string) bool {
		return slices.ContainsFunc(o.Params, func(p twParam) bool { return p.Name == name })
	}
	if o.Method == "GET" {
		head := rq
		head.method = "HEAD"
		variants = append(variants, variant{"HEAD", head})
		// Conditional and range requests must not answer 304/206 for another Amt's case: that
		// would confirm it exists and which version or file it has.
		cond := rq
		cond.header = rq.header.Clone()
		etag := `"` + strconv.FormatInt(c.Version, 10) + `"`
		if hasParam("aid") {
			etag = `"` + c.Attachments[0].SHA256 + `"`
		}
		if hasParam("docID") {
			etag = `"` + c.Documents[0].SHA256 + `"`
		}
		for _, p := range o.Params {
			switch p.Name {
			case "If-None-Match":
				cond.header.Set("If-None-Match", etag)
			case "Range":
				cond.header.Set("Range", "bytes=0-9")
			case "If-Range":
				cond.header.Set("If-Range", etag)
			}
		}
		if len(cond.header) > 0 {
			variants = append(variants, variant{"conditional/range", cond})
		}
	}
	if hasParam("If-Match") {
		// A 412 carries the whole current case and a 428 confirms the case exists: the tenancy
		// check must come first.
		stale := rq
		stale.header = rq.header.Clone()
		stale.header.Set("If-Match", `"0"`)
		variants = append(variants, variant{"stale If-Match", stale})
		none := rq
		none.header = rq.header.Clone()
		none.header.Del("If-Match")
		variants = append(variants, variant{"no If-Match", none})
	}
	if o.BodySchema != "" {
		// Well-formed but invalid values (422 for the own Amt) must not reveal the case either.
		var m map[string]any
		json.Unmarshal(rq.body, &m)
		for k, v := range m {
			switch v.(type) {
			case string:
				m[k] = ""
			case []any:
				m[k] = []any{}
			case bool:
				m[k] = false
			case float64:
				m[k] = -1
			}
		}
		bad := rq
		bad.body, _ = json.Marshal(m)
		variants = append(variants, variant{"invalid values", bad})
	}

	// (a) a lead and a clerk of another Amt (a lead, so that role checks cannot mask tenancy).
	var clerkB string
	for _, cl := range w.env.ClerksOf(w.amtB) {
		if cl.Role != api.RoleLead {
			clerkB = cl.ID
		}
	}
	for _, who := range []string{w.leadB, clerkB} {
		tok := twBearer(w.env.Token(who))
		for _, v := range variants {
			what := fmt.Sprintf("%s (%s) as %s of %s", o, v.name, who, w.amtB)
			r := w.send(v.rq, tok)
			g := v.rq
			g.path = ghostPath
			want := w.send(g, tok)
			if v.rq.method == "HEAD" {
				if r.status != 404 || len(r.body) != 0 {
					t.Fatalf("%s: %d with %d body bytes, want 404 without body", what, r.status, len(r.body))
				}
			} else {
				w.wantProblem(what, r, 404, api.ProblemNotFound)
			}
			if r.status != want.status || !bytes.Equal(r.body, want.body) {
				t.Fatalf("%s: answer differs from a case that does not exist:\n%s\n%s", what, r.body, want.body)
			}
			for _, h := range []string{"ETag", "Last-Modified", "Content-Range", "Accept-Ranges", "Content-Disposition", api.HeaderIdempotentReplay} {
				if r.header.Get(h) != "" {
					t.Fatalf("%s: header %s=%q reveals the case", what, h, r.header.Get(h))
				}
			}
			w.checkClean(what, r.body, needles)
		}
	}

	// (b) no token and bad tokens.
	for name, auth := range w.badAuth() {
		what := fmt.Sprintf("%s with %s", o, name)
		r := w.send(rq, auth)
		w.wantProblem(what, r, 401, api.ProblemUnauthorized)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("%s: WWW-Authenticate = %q", what, r.header.Get("WWW-Authenticate"))
		}
		w.checkClean(what, r.body, needles)
	}
	// The token in the query string is no token.
	qs := rq
	sep := "?"
	if strings.Contains(qs.path, "?") {
		sep = "&"
	}
	qs.path += sep + "access_token=" + url.QueryEscape(w.env.Token(w.leadA))
	w.wantProblem(o.String()+" with access_token in the query", w.send(qs, nil), 401, api.ProblemUnauthorized)

	// Nothing of that changed the case.
	after, eventsAfter := w.current(c.ID)
	if after.Version != c.Version || eventsAfter != eventsBefore {
		t.Fatalf("%s: foreign or unauthenticated requests changed the case: version %d→%d, events %d→%d",
			o, c.Version, after.Version, eventsBefore, eventsAfter)
	}

	// Positive control: the very same request succeeds for the case's own Amt, so the 404 above
	// came from tenancy, not from a malformed request.
	r := w.send(rq, twBearer(w.env.Token(w.leadA)))
	switch {
	case r.status != 200:
		t.Fatalf("%s: positive control as %s answered %d: %s", o, w.amtA, r.status, truncate(r.body))
	case r.header.Get(api.HeaderIdempotentReplay) != "":
		t.Fatalf("%s: the first application as %s was a replay: a foreign request left an idempotency record", o, w.amtA)
	}
	if o.Method == "PUT" {
		var ar api.ActionResult
		if err := json.Unmarshal(r.body, &ar); err != nil || ar.Case.Version != c.Version+1 {
			t.Fatalf("%s: positive control result %v: %s", o, err, truncate(r.body))
		}
		// A replay of A's applied action by another Amt must not return A's stored result.
		what := o.String() + " replayed by " + w.amtB
		rr := w.send(rq, tokB)
		w.wantProblem(what, rr, 404, api.ProblemNotFound)
		now, _ := w.current(c.ID)
		w.checkClean(what, rr.body, append(needles, twNeedles(now)...))
		if now.Version != c.Version+1 {
			t.Fatalf("%s: replay changed the version %d→%d", what, c.Version+1, now.Version)
		}
	} else if strings.Contains(o.Path, "{aid}") {
		if want := w.files[c.ID+"/"+c.Attachments[0].ID]; !bytes.Equal(r.body, want) {
			t.Fatalf("%s: positive control: %d bytes, want the %d seeded bytes", o, len(r.body), len(want))
		}
	}
}

// walkSession checks an authenticated operation without {id}: it answers 200 with only the
// token's Amt.
func (w *twWalk) walkSession(o twOp, needlesA []string) {
	t := w.t
	rq := w.build(o, nil)
	tokB := twBearer(w.env.Token(w.leadB))
	what := o.String() + " as " + w.amtB
	clerksB := map[string]bool{}
	for _, c := range w.env.ClerksOf(w.amtB) {
		clerksB[c.ID] = true
	}
	r := w.send(rq, tokB)
	if r.status != 200 {
		t.Fatalf("%s: %d %s", what, r.status, truncate(r.body))
	}
	bodies := [][]byte{r.body}
	switch {
	case strings.HasSuffix(o.Path, "/me"):
		var me api.Me
		if err := json.Unmarshal(r.body, &me); err != nil {
			t.Fatal(err)
		}
		if me.Amt != w.amtB || me.Clerk != w.leadB {
			t.Fatalf("%s: %+v", what, me)
		}
	case strings.HasSuffix(o.Path, "/clerks"):
		var cl api.ClerkList
		if err := json.Unmarshal(r.body, &cl); err != nil {
			t.Fatal(err)
		}
		if len(cl.Clerks) != len(clerksB) {
			t.Fatalf("%s: %d clerks, want %d", what, len(cl.Clerks), len(clerksB))
		}
		for _, c := range cl.Clerks {
			if !clerksB[c.ID] {
				t.Fatalf("%s: lists clerk %s of another Amt", what, c.ID)
			}
		}
	case strings.HasSuffix(o.Path, "/changes"):
		n := 0
		for pages := 0; ; pages++ {
			var page api.ChangePage
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				n++
				if !w.casesB[it.CaseID] {
					t.Fatalf("%s: feed item for case %s, not of %s", what, it.CaseID, w.amtB)
				}
				if it.Case != nil && it.Case.Amt != w.amtB {
					t.Fatalf("%s: feed carries a case of %s", what, it.Case.Amt)
				}
			}
			if !page.HasMore || pages > 100 {
				break
			}
			next := rq
			next.path = api.BasePath + "/changes?limit=1000&cursor=" + url.QueryEscape(page.NextCursor)
			r = w.send(next, tokB)
			if r.status != 200 {
				t.Fatalf("%s: next page %d %s", what, r.status, truncate(r.body))
			}
			bodies = append(bodies, r.body)
		}
		if n < w.visibleB {
			t.Fatalf("%s: %d items for %d visible cases", what, n, w.visibleB)
		}
	default:
		t.Fatalf("%s: the walker does not know what %s may answer to another Amt; teach it", what, o.Path)
	}
	for _, b := range bodies {
		w.checkClean(what, b, needlesA)
	}
	// And without a valid token: 401.
	for name, auth := range w.badAuth() {
		what := fmt.Sprintf("%s with %s", o, name)
		r := w.send(rq, auth)
		w.wantProblem(what, r, 401, api.ProblemUnauthorized)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("%s: WWW-Authenticate = %q", what, r.header.Get("WWW-Authenticate"))
		}
		w.checkClean(what, r.body, needlesA)
	}
}

// TestTenancyWalk walks every operation of api/openapi.yaml across Ämter (issue 7, item 2).
func TestTenancyWalk(t *testing.T) {
	t.Parallel() // its own server; most of its time is rendering the seeded letters
	env := servertest.Start(t, servertest.WithCases(160), servertest.WithDocuments())
	spec := twLoadSpec(t)
	ops := spec.ops()
	if len(ops) != len(api.Routes) {
		t.Fatalf("openapi.yaml has %d operations, api.Routes %d", len(ops), len(api.Routes))
	}
	// Every request of the walk, and its answer, is checked against the spec by kin-openapi's
	// validator too (issue #16 item 6).
	contract := newContractCheck(t, env.HTTP.Client().Transport)
	defer contract.report(t, ops)
	w := &twWalk{t: t, env: env, spec: spec, hc: &http.Client{Transport: contract}, taken: map[string]bool{},
		casesB: map[string]bool{}, files: map[string][]byte{}}
	w.amtA, w.amtB = env.Data.Amts[0].ID, env.Data.Amts[1].ID
	for _, c := range env.ClerksOf(w.amtA) {
		if c.Role == api.RoleLead {
			w.leadA = c.ID
		}
	}
	for _, c := range env.ClerksOf(w.amtB) {
		if c.Role == api.RoleLead {
			w.leadB = c.ID
		}
	}
	if w.leadA == "" || w.leadB == "" {
		t.Fatal("demo data without leads")
	}
	// A revoked token of a clerk of A (not the lead, whose token the positive controls use).
	for _, c := range env.ClerksOf(w.amtA) {
		if c.Role == api.RoleLead {
			continue
		}
		tok, err := env.Server.CreateToken(w.amtA, c.ID, c.Role)
		if err != nil {
			t.Fatal(err)
		}
		if r := w.do("GET", env.URL+api.BasePath+"/me", twBearer(tok), nil); r.status != 200 {
			t.Fatalf("fresh token: %d", r.status)
		}
		if n, err := env.Server.RevokeTokens(w.amtA, c.ID); err != nil || n == 0 {
			t.Fatalf("revoke: %d %v", n, err)
		}
		w.revoked = tok
		break
	}
	// Everything of every case, for the public endpoints; Amt A's data minus what Amt B has
	// itself (names repeat across Ämter), for Amt B's own answers.
	var all, needlesA []string
	var corpusB bytes.Buffer
	for i := range env.Data.N {
		sc := env.Data.Case(i)
		c := sc.Case
		all = append(all, c.Reference, c.Applicant.Name, c.ID)
		switch c.Amt {
		case w.amtA:
			w.casesA = append(w.casesA, c)
			needlesA = append(needlesA, twNeedles(c)...)
			for aid, b := range sc.Files {
				w.files[c.ID+"/"+aid] = b
			}
		case w.amtB:
			w.casesB[c.ID] = true
			if c.Status != api.StatusForwarded {
				w.visibleB++
			}
			raw, _ := json.Marshal(c)
			corpusB.Write(raw)
			corpusB.WriteString(fmt.Sprintf("%+v", c))
		}
	}
	needlesA = slices.DeleteFunc(needlesA, func(n string) bool {
		esc, _ := json.Marshal(n)
		return bytes.Contains(corpusB.Bytes(), []byte(n)) || bytes.Contains(corpusB.Bytes(), esc[1:len(esc)-1])
	})
	// Files shared with Amt B's cases are not Amt A's secret; the handlers never put file bytes
	// into JSON anyway.
	needlesA = append(needlesA, twProbe)

	var public, session []twOp
	for _, o := range ops {
		switch {
		case o.Public:
			public = append(public, o)
		case strings.Contains(o.Path, "{id}"):
			t.Run(o.String(), func(t *testing.T) { w.t = t; w.walkCase(o) })
		default:
			session = append(session, o)
		}
	}
	if t.Failed() {
		return
	}
	// After the positive controls Amt A's data holds the probe marker; Amt B must not see it.
	for _, o := range session {
		t.Run(o.String(), func(t *testing.T) { w.t = t; w.walkSession(o, needlesA) })
	}

	// A long-poll of Amt B is not woken by a change in Amt A: an early answer would tell B when
	// A works.
	t.Run("long-poll isolation", func(t *testing.T) {
		w.t = t
		w.longPollIsolation()
	})

	// Public endpoints answer anyone and carry no personal data, tokens or clerk names, even
	// after requests whose paths carried applicant data.
	w.t = t
	for _, c := range w.casesA[:3] {
		w.do("GET", env.URL+api.BasePath+"/cases/"+url.PathEscape(c.Reference)+"/"+url.PathEscape(c.Applicant.Name), twBearer(env.Token(w.leadA)), nil)
		w.do("GET", env.URL+"/"+url.PathEscape(c.Applicant.Name), nil, nil)
	}
	secrets := slices.Clone(all)
	for _, c := range env.Data.Clerks {
		secrets = append(secrets, c.Name, c.ID, env.Token(c.ID))
	}
	secrets = slices.DeleteFunc(secrets, func(s string) bool { return len(s) < 6 })
	for _, o := range public {
		if o.Path == api.FitConnectCallbackPath {
			continue // FIT-Connect's, not a clerk's: no tenant data; HMAC, 401 and 404 in intake_test.go
		}
		t.Run(o.String(), func(t *testing.T) {
			w.t = t
			rq := w.build(o, nil)
			auths := w.badAuth()
			auths["token of "+w.amtB] = twBearer(env.Token(w.leadB))
			for name, auth := range auths {
				r := w.send(rq, auth)
				if r.status != 200 {
					t.Fatalf("%s with %s: %d %s", o, name, r.status, truncate(r.body))
				}
				if n := twLeak(r.body, secrets); n != "" {
					t.Fatalf("%s with %s: body carries %q", o, name, n)
				}
				if k := twFileLeak(r.body, w.files); k != "" {
					t.Fatalf("%s: body leaks bytes of attachment %s", o, k)
				}
			}
		})
	}
}

// longPollIsolation long-polls as Amt B while Amt A adds a note.
func (w *twWalk) longPollIsolation() {
	t := w.t
	tokB := twBearer(w.env.Token(w.leadB))
	cursor := ""
	for range 100 {
		r := w.do("GET", w.env.URL+api.BasePath+"/changes?limit=1000&cursor="+url.QueryEscape(cursor), tokB, nil)
		var page api.ChangePage
		if r.status != 200 || json.Unmarshal(r.body, &page) != nil {
			t.Fatalf("changes: %d %s", r.status, truncate(r.body))
		}
		cursor = page.NextCursor
		if !page.HasMore {
			break
		}
	}
	var target api.Case
	for _, c := range w.casesA {
		if !w.taken[c.ID] && twOpenNotProposed(w, c) {
			target = c
			break
		}
	}
	if target.ID == "" {
		t.Fatal("no open case left in Amt A")
	}
	const wait = time.Second
	done := make(chan struct{})
	answered := make(chan struct{})
	go func() {
		defer close(done)
		// The change comes while B's long-poll waits (if the poll already answered, there is
		// nothing left to wake).
		for w.env.Server.LongPollsWaiting() < 1 {
			select {
			case <-answered:
				return
			case <-time.After(time.Millisecond):
			}
		}
		req, _ := http.NewRequest("PUT", w.env.URL+api.BasePath+"/cases/"+target.ID+"/notes/"+w.fresh(),
			strings.NewReader(`{"text":"Vermerk `+twProbe+`-poll"}`))
		req.Header.Set("Authorization", "Bearer "+w.env.Token(w.leadA))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := w.hc.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("note in %s: %d", w.amtA, resp.StatusCode)
			}
		} else {
			t.Error(err)
		}
	}()
	start := time.Now()
	r := w.do("GET", w.env.URL+api.BasePath+"/changes?wait=1&cursor="+url.QueryEscape(cursor), tokB, nil)
	d := time.Since(start)
	close(answered)
	<-done
	var page api.ChangePage
	if r.status != 200 || json.Unmarshal(r.body, &page) != nil {
		t.Fatalf("long-poll: %d %s", r.status, truncate(r.body))
	}
	if len(page.Items) != 0 {
		t.Fatalf("long-poll of %s got %d items after a change in %s", w.amtB, len(page.Items), w.amtA)
	}
	w.checkClean("long-poll", r.body, nil)
	if d < wait*9/10 {
		t.Fatalf("long-poll of %s answered after %v (wait %v): woken by a change in %s", w.amtB, d, wait, w.amtA)
	}
}

// TestTenancyWalkerKnowsEveryParameter guards the walker itself: every path parameter of the
// spec is one it fills, so a new endpoint cannot slip through unwalked.
func TestTenancyWalkerKnowsEveryParameter(t *testing.T) {
	known := map[string]bool{"id": true, "aid": true, "noteID": true, "decisionID": true, "resubmissionID": true, "requestID": true,
		"docID": true, "evidenceID": true}
	for _, o := range twLoadSpec(t).ops() {
		if o.Path == api.FitConnectCallbackPath {
			continue // walked by intake_test.go
		}
		for _, p := range o.Params {
			if p.In == "path" && !known[p.Name] {
				t.Fatalf("%s: path parameter {%s} unknown to the tenancy walker", o, p.Name)
			}
		}
		if _, ok := twScenarios[o.BodySchema]; !ok {
			t.Fatalf("%s: request body %s unknown to the tenancy walker", o, o.BodySchema)
		}
		if !o.Public && !strings.Contains(o.Path, "{id}") {
			switch {
			case strings.HasSuffix(o.Path, "/me"), strings.HasSuffix(o.Path, "/clerks"), strings.HasSuffix(o.Path, "/changes"):
			default:
				t.Fatalf("%s: the walker does not know what this answers to another Amt", o)
			}
		}
	}
}
