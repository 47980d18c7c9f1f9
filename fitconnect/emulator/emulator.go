// Package emulator is a faithful emulator of the FIT-Connect Submission API v1 and its OAuth2
// token endpoint, built from ../shared/fitconnect/FITCONNECT.md, for tests and the demo: both the
// sender side (create, upload attachment, submit) and the subscriber side (list, fetch, event log,
// post events), the submission state machine and its validations, an event log signed by the
// service (PS512, JWKS at /.well-known/jwks.json), destinations with keys (self-signed x5c), and
// callbacks with HMAC, and the reply channel of §9 (replies.go: its endpoints are unverified and
// built as the fact sheet infers them). Its routes are described in openapi.yaml (checked by a
// test). It keeps everything in memory.
package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/amt-mv/amt/fitconnect"
)

// Route is one endpoint of the emulator.
type Route struct{ Method, Pattern string }

// Routes lists every endpoint; the emulator registers exactly these and openapi.yaml describes
// the same set.
var Routes = []Route{
	{"POST", "/token"},
	{"GET", "/.well-known/jwks.json"},
	{"GET", "/v1/info"},
	{"GET", "/v1/destinations/{destinationId}"},
	{"GET", "/v1/destinations/{destinationId}/keys/{keyId}"},
	{"POST", "/v1/submissions"},
	{"GET", "/v1/submissions"},
	{"GET", "/v1/submissions/{submissionId}"},
	{"PUT", "/v1/submissions/{submissionId}"},
	{"PUT", "/v1/submissions/{submissionId}/attachments/{attachmentId}"},
	{"GET", "/v1/submissions/{submissionId}/attachments/{attachmentId}"},
	{"GET", "/v1/submissions/{submissionId}/events"},
	{"GET", "/v1/cases/{caseId}/events"},
	{"POST", "/v1/cases/{caseId}/events"},
	{"POST", "/v1/replies"},
	{"GET", "/v1/replies"},
	{"GET", "/v1/replies/{replyId}"},
	{"PUT", "/v1/replies/{replyId}"},
	{"PUT", "/v1/replies/{replyId}/attachments/{attachmentId}"},
	{"GET", "/v1/replies/{replyId}/attachments/{attachmentId}"},
	{"GET", "/v1/replies/{replyId}/events"},
	{"GET", "/emulator/callbacks"},
}

// Submission states (§8.2 of the fact sheet).
const (
	StateIncomplete = "incomplete"
	StateSubmitted  = "submitted"
	StateForwarded  = "forwarded"
	StateAccepted   = "accepted"
	StateRejected   = "rejected"
	StateDeleted    = "deleted"
)

// Limits.
const (
	TokenLifetime   = 1800 * time.Second // observed expires_in
	MaxJSONBody     = 16 << 20
	MaxPartBody     = 64 << 20
	AutoRejectAfter = 14 * 24 * time.Hour
)

// Role of an OAuth client.
type Role int

// Client roles.
const (
	Sender Role = iota + 1
	Subscriber
)

type client struct {
	secret       string
	role         Role
	destinations []string // subscriber: the destinations it may read
}

type token struct {
	client  string
	expires time.Time
}

type destination struct {
	pub      fitconnect.Destination
	keys     map[string]json.RawMessage // public JWKs by kid (encryption and signature)
	sigKeys  map[string]*rsa.PublicKey  // signature verification keys by kid
	callback *fitconnect.Callback
}

type submission struct {
	id, dest, caseID string
	state            string
	serviceType      fitconnect.ServiceType
	announced        []string
	attachments      map[string]string
	meta, data       string
	callback         *fitconnect.Callback
	submittedAt      time.Time
	sender           string
}

// CallbackRecord is one callback delivery attempt.
type CallbackRecord struct {
	URL    string          `json:"url"`
	Type   string          `json:"type"`
	Status int             `json:"status"` // 0 when the request failed
	Error  string          `json:"error,omitempty"`
	At     time.Time       `json:"at"`
	Body   json.RawMessage `json:"body"`
}

// Emulator is the emulated service. Its zero value is not usable; use New.
type Emulator struct {
	mu      sync.Mutex
	base    string
	now     func() time.Time
	offset  time.Duration
	key     *fitconnect.Key // the service's SET signing key
	clients map[string]*client
	tokens  map[string]token
	dests   map[string]*destination
	subs    map[string]*submission
	cases   map[string][]string // caseId → SETs, oldest first
	caseDst map[string]string   // caseId → destinationId
	cbLog   []CallbackRecord
	// The reply channel (replies.go).
	replies       map[string]*reply
	replyOrder    []string
	replyFailures int
	cbHTTP        *http.Client
	cbWG          sync.WaitGroup
	log           *slog.Logger
	mux           *http.ServeMux
	// CallbackRetries is how often a failed callback is retried (default 3).
	CallbackRetries int
	// RequireCty makes submit answer 422 when metadata or data lack cty (the v2 behaviour).
	RequireCty bool
}

// Options configure New.
type Options struct {
	// Key is the service's SET signing key; nil generates an RSA-4096 key.
	Key *fitconnect.Key
	// Now is the clock (default time.Now); Advance moves the emulator's view of it.
	Now func() time.Time
	// Logger receives one line per request (ids only); nil discards.
	Logger *slog.Logger
	// CallbackClient delivers callbacks; nil means a client with a 10 s timeout.
	CallbackClient *http.Client
}

// New returns an emulator. Set its base URL (SetBaseURL) once it listens: the service's SETs name
// it as issuer.
func New(opts Options) (*Emulator, error) {
	key := opts.Key
	if key == nil {
		var err error
		if key, err = fitconnect.NewKey(4096, "emulator-"+randHex(4), "FIT-Connect emulator"); err != nil {
			return nil, err
		}
	}
	e := &Emulator{now: opts.Now, key: key, clients: map[string]*client{}, tokens: map[string]token{},
		dests: map[string]*destination{}, subs: map[string]*submission{}, cases: map[string][]string{},
		caseDst: map[string]string{}, cbHTTP: opts.CallbackClient, log: opts.Logger, CallbackRetries: 3}
	if e.now == nil {
		e.now = time.Now
	}
	if e.cbHTTP == nil {
		e.cbHTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e.mux = http.NewServeMux()
	h := map[string]http.HandlerFunc{
		"POST /token":                                                   e.token,
		"GET /.well-known/jwks.json":                                    e.jwks,
		"GET /v1/info":                                                  e.info,
		"GET /v1/destinations/{destinationId}":                          e.getDestination,
		"GET /v1/destinations/{destinationId}/keys/{keyId}":             e.getKey,
		"POST /v1/submissions":                                          e.auth(Sender, e.createSubmission),
		"GET /v1/submissions":                                           e.auth(Subscriber, e.listSubmissions),
		"GET /v1/submissions/{submissionId}":                            e.auth(Subscriber, e.getSubmission),
		"PUT /v1/submissions/{submissionId}":                            e.auth(Sender, e.submit),
		"PUT /v1/submissions/{submissionId}/attachments/{attachmentId}": e.auth(Sender, e.putAttachment),
		"GET /v1/submissions/{submissionId}/attachments/{attachmentId}": e.auth(Subscriber, e.getAttachment),
		"GET /v1/submissions/{submissionId}/events":                     e.auth(0, e.submissionEvents),
		"GET /v1/cases/{caseId}/events":                                 e.auth(0, e.caseEvents),
		"POST /v1/cases/{caseId}/events":                                e.auth(Subscriber, e.postEvent),
		"GET /emulator/callbacks":                                       e.callbacks,
		// The reply channel (replies.go; fact sheet §9.2, unverified).
		"POST /v1/replies":                                     e.auth(Subscriber, e.createReply),
		"GET /v1/replies":                                      e.auth(Sender, e.listReplies),
		"GET /v1/replies/{replyId}":                            e.auth(Sender, e.getReply),
		"PUT /v1/replies/{replyId}":                            e.auth(Subscriber, e.submitReply),
		"PUT /v1/replies/{replyId}/attachments/{attachmentId}": e.auth(Subscriber, e.putReplyAttachment),
		"GET /v1/replies/{replyId}/attachments/{attachmentId}": e.auth(Sender, e.getReplyAttachment),
		"GET /v1/replies/{replyId}/events":                     e.auth(0, e.replyEvents),
	}
	for _, r := range Routes {
		f, ok := h[r.Method+" "+r.Pattern]
		if !ok {
			return nil, fmt.Errorf("emulator: no handler for %s %s", r.Method, r.Pattern)
		}
		e.mux.HandleFunc(r.Method+" "+r.Pattern, f)
	}
	if len(h) != len(Routes) {
		return nil, errors.New("emulator: handlers and Routes differ")
	}
	return e, nil
}

// SetBaseURL sets the URL the emulator is reached at (the iss of the service's SETs).
func (e *Emulator) SetBaseURL(u string) {
	e.mu.Lock()
	e.base = strings.TrimRight(u, "/")
	e.mu.Unlock()
}

// BaseURL is the URL set by SetBaseURL.
func (e *Emulator) BaseURL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.base
}

// ServeHTTP serves the API.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.mux.ServeHTTP(w, r) }

// Close waits for callbacks in flight.
func (e *Emulator) Close() { e.cbWG.Wait() }

// Advance moves the emulator's clock forward (token expiry, the 14-day auto-reject).
func (e *Emulator) Advance(d time.Duration) {
	e.mu.Lock()
	e.offset += d
	e.mu.Unlock()
}

func (e *Emulator) clock() time.Time { return e.now().Add(e.offset) }

// AddClient registers an OAuth client; a subscriber may read the given destinations.
func (e *Emulator) AddClient(id, secret string, role Role, destinations ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clients[id] = &client{secret: secret, role: role, destinations: destinations}
}

// DestinationSpec configures a destination as its owner would in the self-service portal.
type DestinationSpec struct {
	ID               string
	Services         []fitconnect.DestinationService
	EncryptionKey    *fitconnect.Key // only the public part and certificate are kept
	SigningKey       *fitconnect.Key // verification key of the subscriber's SETs
	MetadataVersions []string        // default ["1.0.0", "1.1.0", "1.2.0"]
	ReplyChannels    map[string]any
	Callback         *fitconnect.Callback
	Status           string // default active
}

// AddDestination registers (or replaces) a destination.
func (e *Emulator) AddDestination(s DestinationSpec) error {
	if !fitconnect.ValidUUID(s.ID) || s.EncryptionKey == nil || s.SigningKey == nil || len(s.Services) == 0 {
		return errors.New("emulator: a destination needs a UUID, services, an encryption and a signing key")
	}
	if s.Callback != nil && (len(s.Callback.Secret) < 32 || len(s.Callback.Secret) > 512) {
		return errors.New("emulator: callback secret must have 32 to 512 characters")
	}
	d := &destination{keys: map[string]json.RawMessage{}, sigKeys: map[string]*rsa.PublicKey{}, callback: s.Callback}
	d.pub = fitconnect.Destination{DestinationID: s.ID, Status: s.Status, Services: s.Services,
		EncryptionKid: s.EncryptionKey.Kid, MetadataVersions: s.MetadataVersions, ReplyChannels: s.ReplyChannels}
	if d.pub.Status == "" {
		d.pub.Status = "active"
	}
	if d.pub.MetadataVersions == nil {
		d.pub.MetadataVersions = slices.Clone(fitconnect.MetadataVersions)
	}
	enc, _ := json.Marshal(s.EncryptionKey.PublicJWK("RSA-OAEP-256"))
	sig, _ := json.Marshal(s.SigningKey.PublicJWK("PS512"))
	d.keys[s.EncryptionKey.Kid] = enc
	d.keys[s.SigningKey.Kid] = sig
	d.sigKeys[s.SigningKey.Kid] = &s.SigningKey.Private.PublicKey
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dests[s.ID] = d
	return nil
}

// SetCallback changes a destination's callback (nil removes it).
func (e *Emulator) SetCallback(destinationID string, cb *fitconnect.Callback) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d := e.dests[destinationID]; d != nil {
		d.callback = cb
	}
}

// State returns a submission's state ("" if unknown).
func (e *Emulator) State(submissionID string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s := e.subs[submissionID]; s != nil {
		return s.state
	}
	return ""
}

// Tamper replaces a stored part of a submitted submission (part "metadata", "data" or an
// attachment id), as an attacker inside the transport would: the service's submit-submission
// event keeps the original tags.
func (e *Emulator) Tamper(submissionID, part, jwe string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.subs[submissionID]
	if s == nil {
		return errors.New("no such submission")
	}
	switch part {
	case "metadata":
		s.meta = jwe
	case "data":
		s.data = jwe
	default:
		if _, ok := s.attachments[part]; !ok {
			return errors.New("no such part")
		}
		s.attachments[part] = jwe
	}
	return nil
}

// Events returns the decoded events of a case (for tests): event URI and payload, oldest first.
func (e *Emulator) Events(caseID string) []DecodedEvent {
	e.mu.Lock()
	toks := slices.Clone(e.cases[caseID])
	e.mu.Unlock()
	var out []DecodedEvent
	for _, t := range toks {
		set, err := fitconnect.ParseSET(t, e.keyFor)
		if err != nil {
			continue
		}
		ev, p := set.Event()
		var payload fitconnect.EventPayload
		_ = json.Unmarshal(p, &payload)
		out = append(out, DecodedEvent{Event: ev, Issuer: set.Iss, Subject: set.Sub, Payload: payload})
	}
	return out
}

// DecodedEvent is one verified event of a case.
type DecodedEvent struct {
	Event   string
	Issuer  string
	Subject string
	Payload fitconnect.EventPayload
}

// Callbacks returns the callback attempts so far.
func (e *Emulator) Callbacks() []CallbackRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.cbLog)
}

// AutoReject rejects, as the service does, every submission still submitted AutoRejectAfter after
// submit; it returns how many. The emulator runs it on every listing.
func (e *Emulator) AutoReject() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.autoRejectLocked()
}

func (e *Emulator) autoRejectLocked() int {
	n := 0
	now := e.clock()
	for _, s := range e.subs {
		if s.state == StateSubmitted && now.Sub(s.submittedAt) >= AutoRejectAfter {
			p := fitconnect.EventPayload{Problems: []fitconnect.Problem{{Type: fitconnect.ProblemTypePrefix + "submission-expired",
				Title: "Einreichung nicht abgeholt", Detail: "not picked up within 14 days", Instance: "submission"}}}
			e.serviceEventLocked(s, fitconnect.EventRejectSubmission, &p)
			s.state = StateRejected
			e.notifySenderLocked(s)
			n++
		}
	}
	return n
}

// Handlers.

func (e *Emulator) problem(w http.ResponseWriter, status int, typ, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(fitconnect.ErrorBody{Type: "https://schema.fitko.de/fit-connect/submission-api/problems/" + typ,
		Title: title, Status: status, Detail: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.clients[id]
	if c == nil || secret == "" || !constEq(c.secret, secret) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	if c.role == Subscriber && len(c.destinations) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_scope"})
		return
	}
	tok := randHex(32)
	e.tokens[tok] = token{client: id, expires: e.clock().Add(TokenLifetime)}
	scope := "send:region:DE"
	if c.role == Subscriber {
		var s []string
		for _, d := range c.destinations {
			s = append(s, "subscribe:destination:"+d)
		}
		scope = strings.Join(s, " ")
	}
	e.log.Info("fitconnect emulator: token issued", "client", id)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int(TokenLifetime / time.Second), "scope": scope})
}

// auth checks the bearer token and the client's role (0: any role).
func (e *Emulator) auth(role Role, next func(http.ResponseWriter, *http.Request, *client, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		e.mu.Lock()
		t, found := e.tokens[tok]
		valid := ok && found && e.clock().Before(t.expires)
		var c *client
		if valid {
			c = e.clients[t.client]
		}
		e.mu.Unlock()
		if !valid || c == nil {
			e.problem(w, http.StatusUnauthorized, "unauthorized", "Unauthorized", "missing, unknown or expired token")
			return
		}
		if role != 0 && c.role != role {
			e.problem(w, http.StatusForbidden, "forbidden", "Forbidden", "this client may not call this endpoint")
			return
		}
		next(w, r, c, t.client)
	}
}

func (e *Emulator) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{e.key.PublicJWK("PS512")}})
}

func (e *Emulator) info(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"version": map[string]int{"major": 1, "minor": 1, "patch": 3}})
}

func (e *Emulator) getDestination(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	d := e.dests[r.PathValue("destinationId")]
	var pub fitconnect.Destination
	if d != nil {
		pub = d.pub
	}
	e.mu.Unlock()
	if d == nil {
		e.problem(w, http.StatusNotFound, "destination-not-found", "Destination not found", "")
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, pub)
}

func (e *Emulator) getKey(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	var jwk json.RawMessage
	if d := e.dests[r.PathValue("destinationId")]; d != nil {
		jwk = d.keys[r.PathValue("keyId")]
	}
	e.mu.Unlock()
	if jwk == nil {
		e.problem(w, http.StatusNotFound, "key-not-found", "Key not found", "")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(jwk)
}

var urnRE = regexp.MustCompile(`^urn:[a-z0-9][a-z0-9-]{0,31}:[a-z0-9()+,.:=@;$_!*'%/?#-]+$`)

func readJSON(w http.ResponseWriter, r *http.Request, v any) (int, string) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return http.StatusUnsupportedMediaType, "Content-Type must be application/json"
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	if err != nil {
		return http.StatusRequestEntityTooLarge, "body too large"
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return http.StatusBadRequest, "invalid JSON: " + err.Error()
	}
	return 0, ""
}

func (e *Emulator) createSubmission(w http.ResponseWriter, r *http.Request, _ *client, clientID string) {
	var cs fitconnect.CreateSubmission
	if st, msg := readJSON(w, r, &cs); st != 0 {
		e.problem(w, st, "invalid-request", http.StatusText(st), msg)
		return
	}
	switch {
	case !fitconnect.ValidUUID(cs.DestinationID):
		e.problem(w, 400, "invalid-request", "Bad Request", "destinationId is no UUID")
		return
	case cs.ServiceType.Name == "" || !urnRE.MatchString(cs.ServiceType.Identifier) || len(cs.ServiceType.Identifier) > 255:
		e.problem(w, 400, "invalid-request", "Bad Request", "serviceType needs name and a URN identifier")
		return
	case cs.AnnouncedAttachments == nil:
		e.problem(w, 400, "invalid-request", "Bad Request", "announcedAttachments missing")
		return
	case cs.CaseID != "" && !fitconnect.ValidUUID(cs.CaseID):
		e.problem(w, 400, "invalid-request", "Bad Request", "caseId is no UUID")
		return
	case cs.Callback != nil && (!strings.HasPrefix(cs.Callback.URL, "https://") && !strings.HasPrefix(cs.Callback.URL, "http://127.0.0.1") || len(cs.Callback.Secret) < 32 || len(cs.Callback.Secret) > 512):
		e.problem(w, 400, "invalid-request", "Bad Request", "callback needs an https url and a secret of 32 to 512 characters")
		return
	}
	seen := map[string]bool{}
	for _, a := range cs.AnnouncedAttachments {
		if !fitconnect.ValidUUID(a) || seen[a] {
			e.problem(w, 400, "invalid-request", "Bad Request", "announcedAttachments must be unique UUIDs")
			return
		}
		seen[a] = true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.dests[cs.DestinationID]
	if d == nil {
		e.problem(w, http.StatusNotFound, "destination-not-found", "Destination not found", "")
		return
	}
	if d.pub.Status != "active" {
		e.problem(w, http.StatusUnprocessableEntity, "destination-state-invalid", "Destination state invalid", "destination is "+d.pub.Status)
		return
	}
	if !offers(d, cs.ServiceType.Identifier) {
		e.problem(w, http.StatusUnprocessableEntity, "service-not-offered", "Service not offered", "the destination does not offer "+cs.ServiceType.Identifier)
		return
	}
	caseID := cs.CaseID
	if caseID == "" {
		caseID = fitconnect.NewUUID()
	} else if dst, ok := e.caseDst[caseID]; !ok || dst != cs.DestinationID {
		e.problem(w, http.StatusNotFound, "case-not-found", "Case not found", "")
		return
	}
	s := &submission{id: fitconnect.NewUUID(), dest: cs.DestinationID, caseID: caseID, state: StateIncomplete,
		serviceType: cs.ServiceType, announced: cs.AnnouncedAttachments, attachments: map[string]string{},
		callback: cs.Callback, sender: clientID}
	e.subs[s.id] = s
	e.caseDst[caseID] = cs.DestinationID
	e.serviceEventLocked(s, fitconnect.EventCreateSubmission, nil)
	e.log.Info("fitconnect emulator: submission created", "submission", s.id, "case", caseID)
	writeJSON(w, http.StatusCreated, fitconnect.SubmissionCreated{DestinationID: s.dest, SubmissionID: s.id, CaseID: caseID})
}

func offers(d *destination, identifier string) bool {
	for _, s := range d.pub.Services {
		if s.Identifier == identifier {
			return true
		}
	}
	return false
}

// ownSubmission finds a submission of the sender (or of a destination the subscriber reads).
func (e *Emulator) findLocked(w http.ResponseWriter, id string, c *client, clientID string) *submission {
	s := e.subs[id]
	if s == nil || s.state == StateDeleted {
		e.problem(w, http.StatusNotFound, "submission-not-found", "Submission not found", "")
		return nil
	}
	switch c.role {
	case Sender:
		if s.sender != clientID {
			e.problem(w, http.StatusForbidden, "forbidden", "Forbidden", "not this sender's submission")
			return nil
		}
	case Subscriber:
		if !slices.Contains(c.destinations, s.dest) {
			e.problem(w, http.StatusForbidden, "forbidden", "Forbidden", "submission of another destination")
			return nil
		}
	}
	return s
}

func readJOSE(w http.ResponseWriter, r *http.Request) (string, int, string) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, fitconnect.ContentTypeJOSE) {
		return "", http.StatusUnsupportedMediaType, "Content-Type must be application/jose"
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPartBody))
	if err != nil {
		return "", http.StatusRequestEntityTooLarge, "body too large"
	}
	s := strings.TrimSpace(string(b))
	if !fitconnect.IsCompactJWE(s) {
		return "", http.StatusBadRequest, "body is no JWE in compact serialisation"
	}
	return s, 0, ""
}

func (e *Emulator) putAttachment(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	jwe, st, msg := readJOSE(w, r)
	if st != 0 {
		e.problem(w, st, "invalid-request", http.StatusText(st), msg)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.findLocked(w, r.PathValue("submissionId"), c, clientID)
	if s == nil {
		return
	}
	aid := r.PathValue("attachmentId")
	if s.state != StateIncomplete {
		e.problem(w, http.StatusConflict, "submission-state-invalid", "Submission already submitted", "")
		return
	}
	if !slices.Contains(s.announced, aid) {
		e.problem(w, http.StatusUnprocessableEntity, "attachment-not-announced", "Attachment not announced", "")
		return
	}
	s.attachments[aid] = jwe
	w.WriteHeader(http.StatusNoContent)
}

func hasCty(jwe string) bool {
	head, _, _ := strings.Cut(jwe, ".")
	b, err := decodeB64(head)
	if err != nil {
		return false
	}
	var h struct {
		Cty string `json:"cty"`
	}
	return json.Unmarshal(b, &h) == nil && (h.Cty == "application/json" || h.Cty == "application/xml")
}

func (e *Emulator) submit(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	var body fitconnect.SubmitSubmission
	if st, msg := readJSON(w, r, &body); st != 0 {
		e.problem(w, st, "invalid-request", http.StatusText(st), msg)
		return
	}
	if !fitconnect.IsCompactJWE(body.EncryptedMetadata) || (body.EncryptedData != "" && !fitconnect.IsCompactJWE(body.EncryptedData)) {
		e.problem(w, http.StatusBadRequest, "invalid-request", "Bad Request", "encryptedMetadata and encryptedData must be JWEs in compact serialisation")
		return
	}
	if e.RequireCty && (!hasCty(body.EncryptedMetadata) || (body.EncryptedData != "" && !hasCty(body.EncryptedData))) {
		e.problem(w, http.StatusUnprocessableEntity, "missing-cty", "cty missing", "metadata and data need cty application/json or application/xml")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.findLocked(w, r.PathValue("submissionId"), c, clientID)
	if s == nil {
		return
	}
	if s.state != StateIncomplete {
		e.problem(w, http.StatusConflict, "submission-state-invalid", "Submission already submitted", "")
		return
	}
	for _, a := range s.announced {
		if _, ok := s.attachments[a]; !ok {
			e.problem(w, http.StatusUnprocessableEntity, "missing-attachments", "Announced attachments missing", "attachment "+a+" was announced but not uploaded")
			return
		}
	}
	s.meta, s.data = body.EncryptedMetadata, body.EncryptedData
	s.state = StateSubmitted
	s.submittedAt = e.clock()
	tags := s.tagsLocked()
	e.serviceEventLocked(s, fitconnect.EventSubmitSubmission, &fitconnect.EventPayload{AuthenticationTags: &tags})
	e.log.Info("fitconnect emulator: submission submitted", "submission", s.id)
	if d := e.dests[s.dest]; d != nil && d.callback != nil {
		body, _ := json.Marshal(fitconnect.CallbackBody{Type: fitconnect.CallbackNewSubmissions, SubmissionIDs: []string{s.id},
			Submissions: []fitconnect.SubmissionRef{{DestinationID: s.dest, SubmissionID: s.id, CaseID: s.caseID}}})
		e.sendCallbackLocked(*d.callback, fitconnect.CallbackNewSubmissions, body)
	}
	writeJSON(w, http.StatusAccepted, s.reduced())
}

func (s *submission) tagsLocked() fitconnect.AuthenticationTags {
	t := fitconnect.AuthenticationTags{Metadata: fitconnect.AuthTag(s.meta)}
	if s.data != "" {
		t.Data = fitconnect.AuthTag(s.data)
	}
	if len(s.attachments) > 0 {
		t.Attachments = map[string]string{}
		for id, jwe := range s.attachments {
			t.Attachments[id] = fitconnect.AuthTag(jwe)
		}
	}
	return t
}

func (s *submission) reduced() fitconnect.SubmissionReduced {
	atts := make([]string, 0, len(s.attachments))
	for id := range s.attachments {
		atts = append(atts, id)
	}
	sort.Strings(atts)
	r := fitconnect.SubmissionReduced{DestinationID: s.dest, SubmissionID: s.id, CaseID: s.caseID, Attachments: atts, ServiceType: s.serviceType}
	if s.callback != nil {
		r.Callback = &fitconnect.CallbackURL{URL: s.callback.URL}
	}
	return r
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

func (e *Emulator) listSubmissions(w http.ResponseWriter, r *http.Request, c *client, _ string) {
	limit, ok1 := intParam(r, "limit", 100, 1, 500)
	offset, ok2 := intParam(r, "offset", 0, 0, 1<<31-1)
	dest := r.URL.Query().Get("destinationId")
	if !ok1 || !ok2 || (dest != "" && !fitconnect.ValidUUID(dest)) {
		e.problem(w, http.StatusBadRequest, "invalid-request", "Bad Request", "limit 1–500, offset ≥ 0, destinationId a UUID")
		return
	}
	if dest != "" && !slices.Contains(c.destinations, dest) {
		e.problem(w, http.StatusForbidden, "forbidden", "Forbidden", "not a destination of this client")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.autoRejectLocked()
	var all []*submission
	for _, s := range e.subs {
		if s.state == StateSubmitted && slices.Contains(c.destinations, s.dest) && (dest == "" || s.dest == dest) {
			all = append(all, s)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].submittedAt.Equal(all[j].submittedAt) {
			return all[i].submittedAt.Before(all[j].submittedAt)
		}
		return all[i].id < all[j].id
	})
	page := fitconnect.SubmissionsForPickup{Offset: offset, TotalCount: len(all), Submissions: []fitconnect.SubmissionRef{}}
	for i := offset; i < len(all) && i < offset+limit; i++ {
		s := all[i]
		page.Submissions = append(page.Submissions, fitconnect.SubmissionRef{DestinationID: s.dest, SubmissionID: s.id, CaseID: s.caseID})
	}
	page.Count = len(page.Submissions)
	writeJSON(w, http.StatusOK, page)
}

func (e *Emulator) getSubmission(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.findLocked(w, r.PathValue("submissionId"), c, clientID)
	if s == nil {
		return
	}
	if s.state != StateSubmitted && s.state != StateForwarded {
		e.problem(w, http.StatusNotFound, "submission-not-found", "Submission not found", "not in state submitted or forwarded")
		return
	}
	red := s.reduced()
	writeJSON(w, http.StatusOK, fitconnect.Submission{DestinationID: red.DestinationID, SubmissionID: red.SubmissionID,
		CaseID: red.CaseID, Attachments: red.Attachments, ServiceType: red.ServiceType, Callback: red.Callback,
		EncryptedMetadata: s.meta, EncryptedData: s.data})
}

func (e *Emulator) getAttachment(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.findLocked(w, r.PathValue("submissionId"), c, clientID)
	if s == nil {
		return
	}
	jwe, ok := s.attachments[r.PathValue("attachmentId")]
	if !ok || (s.state != StateSubmitted && s.state != StateForwarded) {
		e.problem(w, http.StatusNotFound, "attachment-not-found", "Attachment not found", "")
		return
	}
	w.Header().Set("Content-Type", fitconnect.ContentTypeJOSE)
	_, _ = io.WriteString(w, jwe)
}

func (e *Emulator) writeLog(w http.ResponseWriter, r *http.Request, toks []string) {
	limit, ok1 := intParam(r, "limit", 100, 1, 500)
	offset, ok2 := intParam(r, "offset", 0, 0, 1<<31-1)
	if !ok1 || !ok2 {
		e.problem(w, http.StatusBadRequest, "invalid-request", "Bad Request", "limit 1–500, offset ≥ 0")
		return
	}
	page := fitconnect.EventLog{Offset: offset, TotalCount: len(toks), EventLog: []string{}}
	for i := offset; i < len(toks) && i < offset+limit; i++ {
		page.EventLog = append(page.EventLog, toks[i])
	}
	page.Count = len(page.EventLog)
	writeJSON(w, http.StatusOK, page)
}

func (e *Emulator) mayReadCase(c *client, clientID, caseID string) bool {
	dst, ok := e.caseDst[caseID]
	if !ok {
		return false
	}
	if c.role == Subscriber {
		return slices.Contains(c.destinations, dst)
	}
	for _, s := range e.subs {
		if s.caseID == caseID && s.sender == clientID {
			return true
		}
	}
	return false
}

func (e *Emulator) caseEvents(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	e.mu.Lock()
	caseID := r.PathValue("caseId")
	ok := e.mayReadCase(c, clientID, caseID)
	toks := slices.Clone(e.cases[caseID])
	e.mu.Unlock()
	if !ok {
		e.problem(w, http.StatusNotFound, "case-not-found", "Case not found", "")
		return
	}
	e.writeLog(w, r, toks)
}

func (e *Emulator) submissionEvents(w http.ResponseWriter, r *http.Request, c *client, clientID string) {
	e.mu.Lock()
	s := e.subs[r.PathValue("submissionId")]
	var toks []string
	ok := s != nil && e.mayReadCase(c, clientID, s.caseID)
	if ok {
		for _, t := range e.cases[s.caseID] {
			if set, err := fitconnect.ParseSET(t, e.keyForLocked); err == nil && set.Sub == "submission:"+s.id {
				toks = append(toks, t)
			}
		}
	}
	e.mu.Unlock()
	if !ok {
		e.problem(w, http.StatusNotFound, "submission-not-found", "Submission not found", "")
		return
	}
	e.writeLog(w, r, toks)
}

// postEvent takes a subscriber's SET: verified with the destination's signing key by kid,
// iss = the submission's destination, sub/txn matching, exactly one event, allowed in the
// current state (else 409), accept tags equal to the stored parts' (else 422).
func (e *Emulator) postEvent(w http.ResponseWriter, r *http.Request, c *client, _ string) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, fitconnect.ContentTypeJOSE) {
		e.problem(w, http.StatusUnsupportedMediaType, "invalid-request", "Unsupported Media Type", "Content-Type must be application/jose")
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	if err != nil {
		e.problem(w, http.StatusRequestEntityTooLarge, "invalid-request", "Payload Too Large", "")
		return
	}
	caseID := r.PathValue("caseId")
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.caseDst[caseID]; !ok || !slices.Contains(c.destinations, e.caseDst[caseID]) {
		e.problem(w, http.StatusNotFound, "case-not-found", "Case not found", "")
		return
	}
	set, err := fitconnect.ParseSET(strings.TrimSpace(string(b)), e.keyForLocked)
	if err != nil {
		e.problem(w, http.StatusBadRequest, "invalid-set", "Invalid SET", err.Error())
		return
	}
	sid, _ := strings.CutPrefix(set.Sub, "submission:")
	s := e.subs[sid]
	switch {
	case s == nil || s.caseID != caseID || set.Txn != "case:"+caseID:
		e.problem(w, http.StatusUnprocessableEntity, "invalid-set", "SET does not match", "sub/txn do not name a submission of this case")
		return
	case set.Iss != s.dest || !slices.Contains(c.destinations, s.dest):
		e.problem(w, http.StatusForbidden, "forbidden", "Forbidden", "iss must be the submission's destination")
		return
	}
	ev, payload := set.Event()
	var p fitconnect.EventPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		e.problem(w, http.StatusUnprocessableEntity, "invalid-set", "Invalid event payload", err.Error())
		return
	}
	allowed := s.state == StateSubmitted || s.state == StateForwarded
	switch ev {
	case fitconnect.EventAcceptSubmission:
		if !allowed {
			e.problem(w, http.StatusConflict, "invalid-state-transition", "Invalid state transition", "submission is "+s.state)
			return
		}
		want := s.tagsLocked()
		if p.AuthenticationTags == nil || !sameTags(*p.AuthenticationTags, want) {
			e.problem(w, http.StatusUnprocessableEntity, "invalid-set", "Authentication tags do not match", "")
			return
		}
		s.state = StateAccepted
	case fitconnect.EventRejectSubmission:
		if !allowed {
			e.problem(w, http.StatusConflict, "invalid-state-transition", "Invalid state transition", "submission is "+s.state)
			return
		}
		if len(p.Problems) == 0 {
			e.problem(w, http.StatusUnprocessableEntity, "invalid-set", "reject-submission needs problems", "")
			return
		}
		for _, pr := range p.Problems {
			if !strings.HasPrefix(pr.Type, fitconnect.ProblemTypePrefix) || pr.Title == "" || pr.Instance == "" {
				e.problem(w, http.StatusUnprocessableEntity, "invalid-set", "problems need type (under "+fitconnect.ProblemTypePrefix+"), title and instance", "")
				return
			}
		}
		s.state = StateRejected
	case fitconnect.EventForwardSubmission:
		if s.state != StateSubmitted {
			e.problem(w, http.StatusConflict, "invalid-state-transition", "Invalid state transition", "submission is "+s.state)
			return
		}
		s.state = StateForwarded
	default:
		e.problem(w, http.StatusUnprocessableEntity, "invalid-set", "Event not allowed for subscribers", ev)
		return
	}
	e.cases[caseID] = append(e.cases[caseID], strings.TrimSpace(string(b)))
	e.log.Info("fitconnect emulator: event posted", "submission", s.id, "event", ev)
	e.notifySenderLocked(s)
	w.WriteHeader(http.StatusNoContent)
}

func sameTags(a, b fitconnect.AuthenticationTags) bool {
	if a.Metadata != b.Metadata || a.Data != b.Data || len(a.Attachments) != len(b.Attachments) {
		return false
	}
	for k, v := range b.Attachments {
		if a.Attachments[k] != v {
			return false
		}
	}
	return true
}

func (e *Emulator) keyFor(iss, kid string) (*rsa.PublicKey, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.keyForLocked(iss, kid)
}

func (e *Emulator) keyForLocked(iss, kid string) (*rsa.PublicKey, error) {
	if iss == e.base {
		if kid == e.key.Kid {
			return &e.key.Private.PublicKey, nil
		}
		return nil, errors.New("unknown service kid")
	}
	d := e.dests[iss]
	if d == nil {
		return nil, errors.New("unknown issuer")
	}
	if k := d.sigKeys[kid]; k != nil {
		return k, nil
	}
	return nil, errors.New("unknown kid")
}

// serviceEventLocked appends an event signed by the service.
func (e *Emulator) serviceEventLocked(s *submission, event string, payload *fitconnect.EventPayload) {
	var p any
	if payload != nil {
		p = payload
	}
	set, err := fitconnect.NewSET(e.base, s.id, s.caseID, event, p, e.clock())
	if err != nil {
		panic(err)
	}
	tok, err := fitconnect.SignSET(e.key.Private, e.key.Kid, set)
	if err != nil {
		panic(err)
	}
	e.cases[s.caseID] = append(e.cases[s.caseID], tok)
}

func (e *Emulator) notifySenderLocked(s *submission) {
	if s.callback == nil {
		return
	}
	body, _ := json.Marshal(fitconnect.CallbackBody{Type: fitconnect.CallbackNewEvents, SubmissionIDs: []string{s.id},
		Submissions: []fitconnect.SubmissionRef{{DestinationID: s.dest, SubmissionID: s.id, CaseID: s.caseID}}})
	e.sendCallbackLocked(*s.callback, fitconnect.CallbackNewEvents, body)
}

// sendCallbackLocked delivers a callback in the background, retrying on failure.
func (e *Emulator) sendCallbackLocked(cb fitconnect.Callback, typ string, body []byte) {
	e.cbWG.Add(1)
	go func() {
		defer e.cbWG.Done()
		for attempt := 0; attempt <= e.CallbackRetries; attempt++ {
			if attempt > 0 {
				time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
			}
			ts := strconv.FormatInt(e.clockLocked().Unix(), 10)
			rec := CallbackRecord{URL: cb.URL, Type: typ, Body: body, At: e.clockLocked()}
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, cb.URL, bytes.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("callback-timestamp", ts)
				req.Header.Set("callback-authentication", fitconnect.CallbackMAC(cb.Secret, ts, body))
				var resp *http.Response
				resp, err = e.cbHTTP.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
					resp.Body.Close()
					rec.Status = resp.StatusCode
				}
			}
			if err != nil {
				rec.Error = err.Error()
			}
			e.mu.Lock()
			e.cbLog = append(e.cbLog, rec)
			if len(e.cbLog) > 1000 {
				e.cbLog = e.cbLog[len(e.cbLog)-1000:]
			}
			e.mu.Unlock()
			if rec.Status >= 200 && rec.Status < 300 {
				return
			}
		}
	}()
}

// clockLocked reads the clock from the callback goroutine (offset read under the lock).
func (e *Emulator) clockLocked() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clock()
}

func (e *Emulator) callbacks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"callbacks": e.Callbacks()})
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func constEq(a, b string) bool {
	return len(a) == len(b) && subtleEq([]byte(a), []byte(b))
}
