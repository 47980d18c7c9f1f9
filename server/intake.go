package server

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/fitconnect"
)

// IntakeConfig makes amt-server a FIT-Connect subscriber: it polls each destination for
// submissions (woken early by verified callbacks), checks and decrypts each, maps it to a case
// through the service catalogue, stores it exactly once and then confirms it with
// accept-submission, or rejects it with the problems found.
type IntakeConfig struct {
	Catalogue    *catalogue.Catalogue
	Destinations []IntakeDestination
	// PollInterval is how often every destination is polled; 0 = 1 minute.
	PollInterval time.Duration
	// Problems is the problem catalogue for reject-submission; nil = fitconnect.DefaultProblems.
	Problems fitconnect.Problems
	// HTTP is the client for FIT-Connect (timeouts, TLS); nil = 30 s timeout.
	HTTP *http.Client
	// Reply, when set, turns on Bescheide as FIT-Connect replies at these endpoints (unverified,
	// fact sheet §9.2); amt-server then uses ReplySender as DocumentsConfig.FitConnect.
	Reply *fitconnect.ReplyEndpoints
	// Failpoint, if set, is called at named points of the processing of a submission
	// ("after-fetch", "after-store", "before-accept", "after-accept"); tests kill the process
	// there to prove exactly-once.
	Failpoint func(name string)
}

// IntakeDestination is one FIT-Connect destination of an Amt with the subscriber's credentials
// and keys. Secrets and keys are never logged.
type IntakeDestination struct {
	Amt            string
	DestinationID  string
	TokenURL       string
	SubmissionAPI  string
	ClientID       string
	ClientSecret   string
	DecryptionKeys []*rsa.PrivateKey
	SigningKey     *rsa.PrivateKey
	SigningKid     string
	CallbackSecret string // empty: callbacks for this destination are refused
	// MetadataVersions accepted; nil = all amt knows (fitconnect.MetadataVersions).
	MetadataVersions []string
	// ReplyChannels offered (eMail, deMail, fink, elster, fitConnect); nil = all.
	ReplyChannels []string
}

// intake is the running receiver.
type intake struct {
	s     *Server
	cfg   IntakeConfig
	dests map[string]*intakeDest // by destination id

	received atomic.Uint64
	accepted atomic.Uint64
	attached atomic.Uint64
	errs     atomic.Uint64
	polls    atomic.Uint64 // listings done (successful or not)
	cbOK     atomic.Uint64 // verified callbacks
	cbBad    atomic.Uint64 // callbacks refused (signature, timestamp, body)
	mu       sync.Mutex
	rejected map[string]uint64 // by problem type
}

type intakeDest struct {
	cfg    IntakeDestination
	client *fitconnect.Client
	wake   chan struct{}

	mu        sync.Mutex
	pending   map[string]time.Time // submissions seen listed but not done, with their submit time
	lastPoll  time.Time
	lastError string
}

// IntakeStatus is what one destination's receiver knows (for `amt-server intake status` and
// tests).
type IntakeStatus struct {
	Amt           string    `json:"amt"`
	DestinationID string    `json:"destinationId"`
	Pending       int       `json:"pending"`
	OldestPending time.Time `json:"oldestPending,omitzero"`
	LastPoll      time.Time `json:"lastPoll,omitzero"`
	LastError     string    `json:"lastError,omitempty"`
}

func (s *Server) startIntake(cfg IntakeConfig) error {
	if cfg.Catalogue == nil {
		cfg.Catalogue = catalogue.Default()
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Minute
	}
	if cfg.Problems == nil {
		cfg.Problems = fitconnect.DefaultProblems
	}
	in := &intake{s: s, cfg: cfg, dests: map[string]*intakeDest{}, rejected: map[string]uint64{}}
	for _, d := range cfg.Destinations {
		switch {
		case !fitconnect.ValidUUID(d.DestinationID):
			return fmt.Errorf("intake: destination id %q is no UUID", d.DestinationID)
		case in.dests[d.DestinationID] != nil:
			return fmt.Errorf("intake: destination %s configured twice", d.DestinationID)
		case d.Amt == "" || d.ClientID == "" || d.ClientSecret == "" || d.TokenURL == "" || d.SubmissionAPI == "":
			return fmt.Errorf("intake: destination %s needs amt, token and API URL, client id and secret", d.DestinationID)
		case len(d.DecryptionKeys) == 0 || d.SigningKey == nil || d.SigningKid == "":
			return fmt.Errorf("intake: destination %s needs a decryption key and a signing key with kid", d.DestinationID)
		}
		in.dests[d.DestinationID] = &intakeDest{cfg: d, wake: make(chan struct{}, 1), pending: map[string]time.Time{},
			client: fitconnect.NewClient(fitconnect.ClientConfig{TokenURL: d.TokenURL, SubmissionAPI: d.SubmissionAPI,
				ClientID: d.ClientID, ClientSecret: d.ClientSecret, HTTP: cfg.HTTP})}
	}
	s.intake = in
	for _, d := range in.dests {
		s.wg.Add(1)
		go in.loop(d)
	}
	return nil
}

// Wake makes intake poll a destination now (all destinations when id is empty).
func (s *Server) WakeIntake(destinationID string) {
	if s.intake == nil {
		return
	}
	for id, d := range s.intake.dests {
		if destinationID == "" || id == destinationID {
			select {
			case d.wake <- struct{}{}:
			default:
			}
		}
	}
}

// IntakeStatus reports each destination's receiver state, sorted by Amt.
func (s *Server) IntakeStatus() []IntakeStatus {
	if s.intake == nil {
		return nil
	}
	var out []IntakeStatus
	for _, d := range s.intake.dests {
		d.mu.Lock()
		st := IntakeStatus{Amt: d.cfg.Amt, DestinationID: d.cfg.DestinationID, Pending: len(d.pending),
			LastPoll: d.lastPoll, LastError: d.lastError}
		for _, t := range d.pending {
			if st.OldestPending.IsZero() || t.Before(st.OldestPending) {
				st.OldestPending = t
			}
		}
		d.mu.Unlock()
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Amt+out[i].DestinationID < out[j].Amt+out[j].DestinationID })
	return out
}

func (in *intake) loop(d *intakeDest) {
	defer in.s.wg.Done()
	t := time.NewTicker(in.cfg.PollInterval)
	defer t.Stop()
	for {
		in.poll(d)
		select {
		case <-in.s.quit:
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// poll lists the destination's submissions and processes each.
func (in *intake) poll(d *intakeDest) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-in.s.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	refs, err := d.client.ListSubmissions(ctx, d.cfg.DestinationID)
	in.polls.Add(1)
	d.mu.Lock()
	d.lastPoll = in.s.now()
	if err != nil {
		d.lastError = err.Error()
	} else {
		d.lastError = ""
		listed := map[string]bool{}
		for _, r := range refs {
			listed[r.SubmissionID] = true
		}
		for id := range d.pending {
			if !listed[id] {
				delete(d.pending, id)
			}
		}
	}
	d.mu.Unlock()
	if err != nil {
		in.errs.Add(1)
		in.s.log.Warn("fitconnect: listing submissions failed", "destination", d.cfg.DestinationID, "err", err)
		return
	}
	for _, ref := range refs {
		if ctx.Err() != nil {
			return
		}
		if ref.DestinationID != d.cfg.DestinationID {
			continue
		}
		if err := in.process(ctx, d, ref); err != nil {
			in.errs.Add(1)
			d.mu.Lock()
			if _, ok := d.pending[ref.SubmissionID]; !ok {
				d.pending[ref.SubmissionID] = in.s.now()
			}
			d.lastError = err.Error()
			d.mu.Unlock()
			in.s.log.Warn("fitconnect: submission not processed, will retry", "submission", ref.SubmissionID, "err", err)
			continue
		}
		d.mu.Lock()
		delete(d.pending, ref.SubmissionID)
		d.mu.Unlock()
	}
}

func (in *intake) failpoint(name string) {
	if in.cfg.Failpoint != nil {
		in.cfg.Failpoint(name)
	}
}

// process handles one submission: open (fetch and check), map, store, accept; or reject.
func (in *intake) process(ctx context.Context, d *intakeDest, ref fitconnect.SubmissionRef) error {
	log := in.s.log.With("submission", ref.SubmissionID, "destination", d.cfg.DestinationID)
	cat := in.cfg.Catalogue
	ocfg := fitconnect.OpenConfig{DestinationID: d.cfg.DestinationID, DecryptionKeys: d.cfg.DecryptionKeys,
		MetadataVersions: d.cfg.MetadataVersions, ReplyChannels: d.cfg.ReplyChannels, Problems: in.cfg.Problems,
		SchemaFor: func(id string) (string, bool) {
			svc, ok := cat.LookupURN(id)
			if !ok {
				return "", false
			}
			return svc.Data.SchemaURI, true
		}}
	rec, rej, err := fitconnect.Open(ctx, d.client, ocfg, ref)
	if err != nil {
		return err
	}
	in.failpoint("after-fetch")
	if rej == nil {
		var c IntakeCase
		c, rej = in.buildCase(d, ref, rec)
		if rej == nil {
			res, err := in.s.store.IntakeSubmission(ctx, c, in.s.now())
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			if res.Outcome != IntakeDuplicate {
				in.received.Add(1)
				if res.Outcome == IntakeAttached {
					in.attached.Add(1)
				}
				in.s.feed.notify(d.cfg.Amt)
			}
			log.Info("fitconnect: submission stored", "case", res.CaseID, "reference", res.Reference, "outcome", res.Outcome)
			in.failpoint("after-store")
			in.failpoint("before-accept")
			if err := in.decide(ctx, d, ref, &rec.Tags, nil, rec.SETSchema); err != nil {
				return fmt.Errorf("accept: %w", err)
			}
			in.failpoint("after-accept")
			in.accepted.Add(1)
			log.Info("fitconnect: submission accepted", "case", res.CaseID)
			return nil
		}
	}
	if stored, ok, err := in.s.store.IntakeRecord(ctx, ref.SubmissionID); err == nil && ok {
		// Stored before (and not yet accepted): a later check must not undo the case.
		return fmt.Errorf("submission stored as case %s but its checks now fail: %v", stored.CaseID, rej)
	}
	in.received.Add(1)
	if err := in.decide(ctx, d, ref, rej.Tags, rej.Problems, rej.SETSchema); err != nil {
		return fmt.Errorf("reject: %w", err)
	}
	in.mu.Lock()
	for _, p := range rej.Problems {
		in.rejected[p.Type]++
	}
	in.mu.Unlock()
	types := make([]string, len(rej.Problems))
	for i, p := range rej.Problems {
		types[i] = p.Type
	}
	log.Info("fitconnect: submission rejected", "problems", strings.Join(types, " "))
	return nil
}

// decide posts accept (problems nil) or reject; a 409 is resolved by reading the event log: the
// submission is done when it holds our decision (a retry after a lost answer), or a decision by
// the service (e.g. the 14-day reject).
func (in *intake) decide(ctx context.Context, d *intakeDest, ref fitconnect.SubmissionRef, tags *fitconnect.AuthenticationTags, problems []fitconnect.Problem, schema string) error {
	err := fitconnect.Decide(ctx, d.client, d.cfg.SigningKey, d.cfg.SigningKid, d.cfg.DestinationID, ref, tags, problems, schema,
		func() int64 { return in.s.now().Unix() })
	if !fitconnect.IsStatus(err, http.StatusConflict) {
		return err
	}
	log, lerr := d.client.EventLog(ctx, ref.CaseID)
	if lerr != nil {
		return fmt.Errorf("%w; reading the event log: %v", err, lerr)
	}
	keyFn := d.client.KeyFunc(ctx)
	for _, tok := range log {
		set, perr := fitconnect.ParseSET(tok, keyFn)
		if perr != nil || set.Sub != "submission:"+ref.SubmissionID {
			continue
		}
		ev, _ := set.Event()
		switch ev {
		case fitconnect.EventAcceptSubmission, fitconnect.EventRejectSubmission:
			if set.Iss != d.cfg.DestinationID {
				in.s.log.Warn("fitconnect: the service decided the submission before us", "submission", ref.SubmissionID, "event", ev)
			}
			return nil
		}
	}
	return err
}

// buildCase maps a received submission to a case through the catalogue; a data document the
// mapping cannot read is a rejection (data-json-syntax-violation, data-schema-violation).
func (in *intake) buildCase(d *intakeDest, ref fitconnect.SubmissionRef, rec *fitconnect.Received) (IntakeCase, *fitconnect.Rejection) {
	reject := func(code fitconnect.ProblemCode, instance, detail string) (IntakeCase, *fitconnect.Rejection) {
		return IntakeCase{}, &fitconnect.Rejection{Submission: rec.Submission, Tags: &rec.Tags, SETSchema: rec.SETSchema,
			Problems: []fitconnect.Problem{in.cfg.Problems.Make(code, instance, detail)}}
	}
	svc, ok := in.cfg.Catalogue.LookupURN(rec.Submission.ServiceType.Identifier)
	if !ok {
		return reject(fitconnect.ProbUnsupportedService, "metadata", "")
	}
	mapped, err := svc.Map(rec.Data)
	if err != nil {
		var de *catalogue.DataError
		if errors.As(err, &de) && de.Syntax {
			return reject(fitconnect.ProbDataSyntax, "data", de.Reason)
		}
		return reject(fitconnect.ProbDataSchema, "data", err.Error())
	}
	now := in.s.now()
	local := now.In(in.s.loc)
	c := api.Case{Amt: d.cfg.Amt, Service: svc.APIService(), Applicant: mapped.Applicant, SubmittedAt: now.UTC().Truncate(time.Second),
		DueDate: local.AddDate(0, 0, svc.DeadlineDays).Format(time.DateOnly), Status: api.StatusNew,
		Sections: mapped.Sections, Attachments: []api.Attachment{}, Evidence: []api.Evidence{},
		FitConnect: &api.FitConnectOrigin{DestinationID: d.cfg.DestinationID, CaseID: ref.CaseID, SubmissionIDs: []string{ref.SubmissionID}}}
	files := map[string][]byte{}
	for _, a := range rec.Attachments {
		sum := sha256.Sum256(a.Data)
		key := hex.EncodeToString(sum[:])
		files[key] = a.Data
		name := a.Info.Filename
		if name == "" {
			name = a.Info.AttachmentID
		}
		c.Attachments = append(c.Attachments, api.Attachment{ID: a.Info.AttachmentID, Name: name, ContentType: a.Info.MimeType,
			Size: int64(len(a.Data)), SHA256: key, SHA512: a.Info.Hash.Content})
	}
	c.Payment = payment(rec.Metadata.PaymentInformation, svc.FeeCents)
	c.ReplyChannel = replyChannel(rec.Metadata.ReplyChannel, d.cfg.DestinationID, ref.CaseID)
	return IntakeCase{SubmissionID: ref.SubmissionID, DestinationID: d.cfg.DestinationID, FCCaseID: ref.CaseID,
		Prefix: svc.Prefix, Year: local.Year(), Case: c, Files: files}, nil
}

func payment(p *fitconnect.PaymentInformation, feeCents int64) *api.Payment {
	if p == nil {
		if feeCents == 0 {
			return nil
		}
		return &api.Payment{AmountCents: feeCents, Status: "pending"}
	}
	out := &api.Payment{AmountCents: feeCents, Reference: p.TransactionReference, TransactionID: p.TransactionID,
		TransactionURL: p.TransactionURL, Method: paymentMethods[p.PaymentMethod]}
	if p.GrossAmount != nil {
		out.AmountCents = int64(math.Round(*p.GrossAmount * 100))
	}
	if out.Method == "" {
		out.Method = strings.ToLower(p.PaymentMethod)
	}
	switch p.Status {
	case "BOOKED":
		out.Status = "paid"
	case "FAILED":
		out.Status = "failed"
	case "CANCELED":
		out.Status = "canceled"
	default:
		out.Status = "pending"
	}
	if t, err := time.Parse(time.RFC3339, p.TransactionTimestamp); err == nil {
		t = t.UTC()
		out.PaidAt = &t
	}
	return out
}

var paymentMethods = map[string]string{"GIROPAY": "ePayBL (giropay)", "PAYDIRECT": "ePayBL (paydirekt)",
	"CREDITCARD": "ePayBL (Kreditkarte)", "PAYPAL": "ePayBL (PayPal)", "INVOICE": "Rechnung", "OTHER": "sonstige"}

func replyChannel(rc *fitconnect.ReplyChannel, destinationID, caseID string) *api.ReplyChannel {
	switch {
	case rc == nil:
		return &api.ReplyChannel{Kind: api.ReplyLetter}
	case rc.EMail != nil:
		return &api.ReplyChannel{Kind: api.ReplyEmail, Address: rc.EMail.Address, PGPPublicKey: rc.EMail.PGPPublicKey}
	case rc.DeMail != nil:
		return &api.ReplyChannel{Kind: api.ReplyDeMail, Address: rc.DeMail.Address}
	case rc.Fink != nil:
		return &api.ReplyChannel{Kind: api.ReplyFink, Account: rc.Fink.FinkPostfachRef}
	case rc.Elster != nil:
		return &api.ReplyChannel{Kind: api.ReplyElster, Account: rc.Elster.AccountID}
	case rc.FitConnect != nil:
		return &api.ReplyChannel{Kind: api.ReplyFitConnect, FitConnect: &api.FitConnectReply{CaseID: caseID, DestinationID: destinationID,
			ProcessStandards: slices.Clone(rc.FitConnect.ProcessStandards), EncryptionKey: string(rc.FitConnect.EncryptionPublicKey)}}
	}
	return &api.ReplyChannel{Kind: api.ReplyLetter}
}

// maxCallbackBody bounds a callback body (a few submission ids).
const maxCallbackBody = 256 << 10

// fitconnectCallback is POST /fitconnect/callback/{destinationId}: the HMAC (callback-
// authentication over callback-timestamp + "." + body, 5-minute window, constant-time compare)
// is verified before the body is parsed; a valid callback only wakes the destination's poll.
func (s *Server) fitconnectCallback(w http.ResponseWriter, r *http.Request) {
	var d *intakeDest
	if s.intake != nil {
		d = s.intake.dests[r.PathValue("destinationId")]
	}
	if d == nil {
		writeProblem(w, r, problem(http.StatusNotFound, api.ProblemNotFound, "Not found", "no FIT-Connect destination with this id"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallbackBody))
	if err != nil {
		writeProblem(w, r, problem(http.StatusRequestEntityTooLarge, api.ProblemTooLarge, "Request body too large", ""))
		return
	}
	if d.cfg.CallbackSecret == "" {
		s.intake.cbBad.Add(1)
		writeProblem(w, r, problem(http.StatusUnauthorized, api.ProblemUnauthorized, "Unauthorized", "no callback secret configured"))
		return
	}
	if err := fitconnect.VerifyCallback(d.cfg.CallbackSecret, r.Header.Get("callback-timestamp"), r.Header.Get("callback-authentication"), body, s.now()); err != nil {
		s.intake.cbBad.Add(1)
		s.log.Warn("fitconnect: callback refused", "destination", d.cfg.DestinationID, "err", err)
		writeProblem(w, r, problem(http.StatusUnauthorized, api.ProblemUnauthorized, "Unauthorized", "callback signature or timestamp invalid"))
		return
	}
	var cb fitconnect.CallbackBody
	if err := json.Unmarshal(body, &cb); err != nil {
		s.intake.cbBad.Add(1)
		writeProblem(w, r, problem(http.StatusBadRequest, api.ProblemBadRequest, "Bad request", "callback body is no JSON"))
		return
	}
	for _, sub := range cb.Submissions {
		if sub.DestinationID != d.cfg.DestinationID {
			s.intake.cbBad.Add(1)
			writeProblem(w, r, problem(http.StatusBadRequest, api.ProblemBadRequest, "Bad request", "callback names another destination"))
			return
		}
	}
	s.intake.cbOK.Add(1)
	s.WakeIntake(d.cfg.DestinationID)
	w.WriteHeader(http.StatusNoContent)
}

// writeMetrics adds intake's counters to /metrics.
func (in *intake) writeMetrics(b *strings.Builder, now time.Time) {
	fmt.Fprintf(b, "# HELP amt_intake_polls_total Listings of submissions ready for pickup, over all destinations.\n# TYPE amt_intake_polls_total counter\namt_intake_polls_total %d\n", in.polls.Load())
	fmt.Fprintf(b, "# HELP amt_intake_received_total FIT-Connect submissions received and decided (stored or rejected).\n# TYPE amt_intake_received_total counter\namt_intake_received_total %d\n", in.received.Load())
	fmt.Fprintf(b, "# HELP amt_intake_accepted_total FIT-Connect submissions stored as a case (or attached to one) and accepted.\n# TYPE amt_intake_accepted_total counter\namt_intake_accepted_total %d\n", in.accepted.Load())
	fmt.Fprintf(b, "# HELP amt_intake_followups_total Follow-up submissions attached to an existing case.\n# TYPE amt_intake_followups_total counter\namt_intake_followups_total %d\n", in.attached.Load())
	fmt.Fprintf(b, "# HELP amt_intake_errors_total Failed attempts (network, storage) that will be retried.\n# TYPE amt_intake_errors_total counter\namt_intake_errors_total %d\n", in.errs.Load())
	fmt.Fprintf(b, "# HELP amt_intake_callbacks_total FIT-Connect callbacks by result (ok: verified, woke the poll; refused: bad signature, timestamp or body).\n# TYPE amt_intake_callbacks_total counter\namt_intake_callbacks_total{result=\"ok\"} %d\namt_intake_callbacks_total{result=\"refused\"} %d\n", in.cbOK.Load(), in.cbBad.Load())
	b.WriteString("# HELP amt_intake_rejected_total FIT-Connect submissions rejected, by problem type.\n# TYPE amt_intake_rejected_total counter\n")
	in.mu.Lock()
	types := make([]string, 0, len(in.rejected))
	for t := range in.rejected {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Fprintf(b, "amt_intake_rejected_total{type=\"%s\"} %d\n", promLabel(t), in.rejected[t])
	}
	in.mu.Unlock()
	b.WriteString("# HELP amt_intake_oldest_pending_seconds Age of the oldest submission listed for pickup but not yet processed (FIT-Connect alerts after 3 days and rejects after 14).\n# TYPE amt_intake_oldest_pending_seconds gauge\n")
	for _, st := range in.s.IntakeStatus() {
		age := 0.0
		if !st.OldestPending.IsZero() {
			age = now.Sub(st.OldestPending).Seconds()
		}
		fmt.Fprintf(b, "amt_intake_oldest_pending_seconds{amt=\"%s\",destination=\"%s\"} %g\n", promLabel(st.Amt), promLabel(st.DestinationID), age)
	}
}

// StoredIntake reports whether a submission was stored by intake, and as which case.
func (s *Server) StoredIntake(submissionID string) (IntakeResult, bool, error) {
	return s.store.IntakeRecord(context.Background(), submissionID)
}

// CaseCounts counts the stored cases by status (as /metrics shows them).
func (s *Server) CaseCounts() (map[api.Status]uint64, error) {
	return s.store.StatusCounts(context.Background())
}
