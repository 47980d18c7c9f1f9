package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/delivery"
	"github.com/amt-mv/amt/delivery/mailsink"
	"github.com/amt-mv/amt/internal/pdftest"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions"
)

// docClock is a settable clock for the server.
type docClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *docClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *docClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const applicantMail = "m.mueller@example.com"

// docEnv is a server whose cases chose e-mail as their reply channel, with a real SMTP relay
// (mailsink, STARTTLS) on loopback.
type docEnv struct {
	*servertest.Env
	srv   *server.Server
	sink  *mailsink.Sink
	clock *docClock
}

func startDocs(t *testing.T, withMail bool) docEnv {
	t.Helper()
	clk := &docClock{t: fixedNow}
	sink, err := mailsink.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	d := demo.Generate(demo.Options{Cases: 120, Now: fixedNow})
	orig := d.Case
	d.Case = func(i int) demo.SeedCase {
		sc := orig(i)
		sc.Case.ReplyChannel = &api.ReplyChannel{Kind: api.ReplyEmail, Address: applicantMail}
		return sc
	}
	var srv *server.Server
	env := servertest.Start(t, servertest.WithData(d), servertest.WithNow(clk.Now), servertest.WithConfig(func(cfg *server.Config) {
		if withMail {
			m, err := delivery.NewMailer(delivery.MailerConfig{Addr: sink.Addr(), TLS: sink.TLSConfig(), Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			cfg.Documents.Mail = &server.MailConfig{Mailer: m, From: "bescheide@amt.example"}
		}
	}))
	srv = env.Server
	return docEnv{Env: env, srv: srv, sink: sink, clock: clk}
}

func docOf(t *testing.T, c api.Case, kind api.DocumentKind) api.Document {
	t.Helper()
	for _, d := range c.Documents {
		if d.Kind == kind {
			return d
		}
	}
	t.Fatalf("case %s has no %s: %+v", c.ID, kind, c.Documents)
	return api.Document{}
}

func (e docEnv) download(t *testing.T, c *client, caseID string, d api.Document) []byte {
	t.Helper()
	resp, body := c.do("GET", "/cases/"+caseID+"/documents/"+d.ID, nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"`+d.SHA256+`"` || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET document: %d %v", resp.StatusCode, resp.Header)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != d.SHA256 || int64(len(body)) != d.Size {
		t.Fatal("document bytes do not match its sha256 and size")
	}
	return body
}

// attached returns the PDF attached to a received mail.
func attached(t *testing.T, raw []byte) []byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); strings.Contains(subj, "Müller") || !strings.Contains(subj, "Aktenzeichen") {
		t.Errorf("subject %q", subj)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		if p.FileName() != "" {
			data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", ""))
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
	t.Fatal("no attachment")
	return nil
}

func deliverDue(t *testing.T, e docEnv) {
	t.Helper()
	if _, err := e.srv.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestBescheidByEmailArrivesOnce(t *testing.T) {
	e := startDocs(t, true)
	amt := e.Data.Amts[0].ID
	c := newClient(t, e.Env, clerkOf(t, e.Env, amt, api.RoleClerk))
	cs := findCase(t, e.Env, amt, func(c api.Case) bool { return c.Status == api.StatusInReview && !c.Service.FourEyes })
	fee := int64(2600)
	got := c.mustAct(api.ActionDecision, cs.ID, "dec-mail", "", api.DecisionRequest{Outcome: api.OutcomeApproved,
		Reasoning: "Alle Voraussetzungen sind erfüllt.", FeeCents: &fee}, cs.Version)
	doc := docOf(t, got, api.DocumentBescheid)
	if doc.Delivery.Channel != api.ChannelEmail || doc.Delivery.State != api.DeliveryPending {
		t.Fatalf("delivery %+v", doc.Delivery)
	}
	pdf := e.download(t, c, cs.ID, doc)
	txt := strings.Join(strings.Fields(pdftest.Text(t, pdf)), " ")
	for _, w := range []string{cs.Reference, cs.Applicant.Name, "Dem Antrag wird stattgegeben.", "Alle Voraussetzungen sind erfüllt.",
		"26,00 €", "Rechtsbehelfsbelehrung", "innerhalb eines Monats", "Im Auftrag"} {
		if !strings.Contains(txt, w) {
			t.Errorf("%q missing from the Bescheid:\n%s", w, txt)
		}
	}

	deliverDue(t, e)
	deliverDue(t, e) // nothing left to send
	msgs := e.sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	if !msgs[0].TLS || msgs[0].To[0] != applicantMail {
		t.Fatalf("message %+v", msgs[0].To)
	}
	sum := sha256.Sum256(attached(t, msgs[0].Data))
	if hex.EncodeToString(sum[:]) != doc.SHA256 {
		t.Fatal("the mailed PDF's SHA-256 differs from the case's document")
	}
	after := c.getCase(cs.ID)
	d := docOf(t, after, api.DocumentBescheid)
	if d.Delivery.State != api.DeliverySent || d.Delivery.At == nil || d.Delivery.Detail != "m…@example.com" {
		t.Fatalf("delivery after sending: %+v", d.Delivery)
	}
	last := after.History[len(after.History)-1]
	if last.Kind != api.EventDocumentSent || last.Summary != "Bescheid per E-Mail versandt an m…@example.com am 24.11.2026 11:00" {
		t.Fatalf("history: %+v", last)
	}
}

func TestRefusedThenAcceptedDeliveredOnce(t *testing.T) {
	e := startDocs(t, true)
	refusals := 2
	e.sink.SetRefuse(func(string, []string) error {
		if refusals > 0 {
			refusals--
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "greylisted, try later"}
		}
		return nil
	})
	amt := e.Data.Amts[0].ID
	c := newClient(t, e.Env, clerkOf(t, e.Env, amt, api.RoleClerk))
	cs := findCase(t, e.Env, amt, func(c api.Case) bool { return c.Status == api.StatusInReview && !c.Service.FourEyes })
	c.mustAct(api.ActionDecision, cs.ID, "dec-retry", "", api.DecisionRequest{Outcome: api.OutcomeRejected, Reasoning: "Nein."}, cs.Version)

	deliverDue(t, e) // refused (451)
	if st := docOf(t, c.getCase(cs.ID), api.DocumentBescheid).Delivery.State; st != api.DeliveryPending || len(e.sink.Messages()) != 0 {
		t.Fatalf("after a temporary refusal: state %s, %d messages", st, len(e.sink.Messages()))
	}
	deliverDue(t, e) // not due yet: backoff
	if refusals != 1 {
		t.Fatalf("retried before the backoff ran out (refusals left %d)", refusals)
	}
	e.clock.Add(delivery.Backoff(1))
	deliverDue(t, e) // refused again
	e.clock.Add(delivery.Backoff(2))
	deliverDue(t, e) // accepted
	e.clock.Add(time.Hour)
	deliverDue(t, e)
	if n := len(e.sink.Messages()); n != 1 {
		t.Fatalf("%d messages arrived, want exactly 1", n)
	}
	if st := docOf(t, c.getCase(cs.ID), api.DocumentBescheid).Delivery.State; st != api.DeliverySent {
		t.Fatalf("state %s", st)
	}
}

func TestPermanentFailureRecorded(t *testing.T) {
	e := startDocs(t, true)
	e.sink.SetRefuse(func(string, []string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unknown"}
	})
	amt := e.Data.Amts[0].ID
	c := newClient(t, e.Env, clerkOf(t, e.Env, amt, api.RoleClerk))
	cs := findCase(t, e.Env, amt, func(c api.Case) bool { return c.Status == api.StatusInReview && !c.Service.FourEyes })
	c.mustAct(api.ActionDecision, cs.ID, "dec-fail", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "Ja."}, cs.Version)
	deliverDue(t, e)
	after := c.getCase(cs.ID)
	d := docOf(t, after, api.DocumentBescheid)
	if d.Delivery.State != api.DeliveryFailed || !strings.Contains(d.Delivery.Detail, "550") || !strings.Contains(d.Delivery.Detail, "mailbox unknown") {
		t.Fatalf("delivery %+v", d.Delivery)
	}
	if last := after.History[len(after.History)-1]; last.Kind != api.EventDocumentFailed || !strings.Contains(last.Summary, "mailbox unknown") {
		t.Fatalf("history %+v", last)
	}
	e.clock.Add(24 * time.Hour)
	deliverDue(t, e)
	if len(e.sink.Messages()) != 0 {
		t.Fatal("a permanently failed delivery was retried")
	}
}

func TestTemporaryFailuresGiveUpAfterRetryPeriod(t *testing.T) {
	e := startDocs(t, true)
	e.sink.SetRefuse(func(string, []string) error {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "busy"}
	})
	amt := e.Data.Amts[0].ID
	c := newClient(t, e.Env, clerkOf(t, e.Env, amt, api.RoleClerk))
	cs := findCase(t, e.Env, amt, func(c api.Case) bool { return c.Status == api.StatusInReview && !c.Service.FourEyes })
	c.mustAct(api.ActionDecision, cs.ID, "dec-busy", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "Ja."}, cs.Version)
	for range 80 {
		deliverDue(t, e)
		e.clock.Add(time.Hour)
	}
	d := docOf(t, c.getCase(cs.ID), api.DocumentBescheid)
	if d.Delivery.State != api.DeliveryFailed || !strings.Contains(d.Delivery.Detail, "busy") {
		t.Fatalf("delivery %+v", d.Delivery)
	}
}

func TestFourEyesBescheidOnlyAfterApproval(t *testing.T) {
	e := startDocs(t, false)
	amt := e.Data.Amts[0].ID
	clerk := clerkOf(t, e.Env, amt, api.RoleClerk)
	c := newClient(t, e.Env, clerk)
	lead := newClient(t, e.Env, clerkOf(t, e.Env, amt, api.RoleLead))
	cs := findCase(t, e.Env, amt, func(c api.Case) bool { return c.Status == api.StatusInReview && c.Service.FourEyes })
	got := c.mustAct(api.ActionDecision, cs.ID, "dec-4e", "", api.DecisionRequest{Outcome: api.OutcomeApproved, Reasoning: "Vertretbar."}, cs.Version)
	if len(got.Documents) != 0 {
		t.Fatalf("a proposed decision already has documents: %+v", got.Documents)
	}
	got = lead.mustAct(api.ActionApproval, cs.ID, "appr-4e", "dec-4e", api.ApprovalRequest{Approve: true}, got.Version)
	doc := docOf(t, got, api.DocumentBescheid)
	// No mail relay configured: the e-mail applicant gets a letter from the print queue.
	if doc.Delivery.Channel != api.ChannelLetter || doc.Delivery.State != api.DeliveryPending || doc.Delivery.Detail == "" {
		t.Fatalf("delivery %+v", doc.Delivery)
	}
	txt := strings.Join(strings.Fields(pdftest.Text(t, e.download(t, c, cs.ID, doc))), " ")
	names := map[string]string{}
	for _, cl := range e.ClerksOf(amt) {
		names[cl.ID] = cl.Name
	}
	for _, w := range []string{"Im Auftrag " + names[clerk], "Freigegeben im Vier-Augen-Prinzip von " + names[got.Decision.ApprovedBy]} {
		if !strings.Contains(txt, w) {
			t.Errorf("%q missing:\n%s", w, txt)
		}
	}

	// The print queue: a clerk prints it; a second clerk's request is the same action.
	printed := c.mustAct(api.ActionPrinted, cs.ID, "p-1", doc.ID, api.PrintedRequest{}, 0)
	d := docOf(t, printed, api.DocumentBescheid)
	if d.Delivery.State != api.DeliveryPrinted || d.Delivery.At == nil {
		t.Fatalf("after printing: %+v", d.Delivery)
	}
	if last := printed.History[len(printed.History)-1]; last.Kind != api.EventDocumentPrinted {
		t.Fatalf("history %+v", last)
	}
	resp, _ := lead.act(api.ActionPrinted, cs.ID, "p-2", doc.ID, api.PrintedRequest{}, 0)
	if resp.StatusCode != 200 || resp.Header.Get(api.HeaderIdempotentReplay) != "true" {
		t.Fatalf("second print: %d replay=%q", resp.StatusCode, resp.Header.Get(api.HeaderIdempotentReplay))
	}
}

func TestNachforderungLetter(t *testing.T) {
	e := startDocs(t, false)
	amt := e.Data.Amts[0].ID
	c := newClient(t, e.Env, clerkOf(t, e.Env, amt, api.RoleClerk))
	cs := findCase(t, e.Env, amt, func(c api.Case) bool { return c.Status == api.StatusInReview })
	got := c.mustAct(api.ActionDocumentRequest, cs.ID, "req-1", "", api.DocumentRequestRequest{
		Documents: []string{"Mietbescheinigung", "Kontoauszüge"}, Deadline: "2026-12-18", Message: "Bitte vollständig."}, 0)
	doc := docOf(t, got, api.DocumentNachforderung)
	txt := strings.Join(strings.Fields(pdftest.Text(t, e.download(t, c, cs.ID, doc))), " ")
	for _, w := range []string{cs.Reference, "– Mietbescheinigung – Kontoauszüge", "Die Frist endet am 18.12.2026.", "Bitte vollständig."} {
		if !strings.Contains(txt, w) {
			t.Errorf("%q missing:\n%s", w, txt)
		}
	}
	// Range and If-None-Match work as for attachments.
	resp, part := c.do("GET", "/cases/"+cs.ID+"/documents/"+doc.ID, nil, hdr{"Range": "bytes=0-4"})
	if resp.StatusCode != 206 || string(part) != "%PDF-" {
		t.Fatalf("range: %d %q", resp.StatusCode, part)
	}
	resp, _ = c.do("GET", "/cases/"+cs.ID+"/documents/"+doc.ID, nil, hdr{"If-None-Match": `"` + doc.SHA256 + `"`})
	if resp.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
	resp, _ = c.do("GET", "/cases/"+cs.ID+"/documents/no-such-doc", nil, nil)
	if resp.StatusCode != 404 {
		t.Fatalf("unknown document: %d", resp.StatusCode)
	}
}

// TestPreviewMatchesPDF: the clerk's preview in the decision dialog (offline, from the cached
// case, the letterhead of GET /me) reads word for word like the PDF the server writes.
func TestPreviewMatchesPDF(t *testing.T) {
	e := startDocs(t, false)
	amt := e.Data.Amts[0].ID
	clerk := clerkOf(t, e.Env, amt, api.RoleClerk)
	c := newClient(t, e.Env, clerk)
	resp, body := c.do("GET", "/me", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	var me api.Me
	mustJSON(t, body, &me)
	if me.Letterhead == nil || me.Letterhead.Name == "" {
		t.Fatalf("/me has no letterhead: %+v", me)
	}
	cs := findCase(t, e.Env, amt, func(c api.Case) bool { return c.Status == api.StatusInReview && !c.Service.FourEyes })
	cached := c.getCase(cs.ID)
	fee := int64(3070)
	req := api.DecisionRequest{Outcome: api.OutcomePartiallyApproved, Reasoning: "Die Prüfung ergab Folgendes.\n\nÜbrige Gründe.",
		FeeCents: &fee, ValidUntil: "2027-11-30"}
	ctx := common.NewCtx(nil, me, e.clock.Now)
	preview := actions.PreviewBescheid(ctx, cached, req, e.clock.Now())

	got := c.mustAct(api.ActionDecision, cs.ID, "dec-prev", "", req, cached.Version)
	pdfText := pdftest.Text(t, e.download(t, c, cs.ID, docOf(t, got, api.DocumentBescheid)))
	if p, w := pdftest.Words(pdfText, "Seite "), pdftest.Words(preview); !slices.Equal(p, w) {
		t.Fatalf("preview and PDF differ\npreview: %q\npdf:     %q", w, p)
	}
}
