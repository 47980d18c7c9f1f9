package server_test

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/delivery"
	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/fitconnect/demokeys"
	"github.com/amt-mv/amt/fitconnect/emulator"
	"github.com/amt-mv/amt/fitconnect/sender"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/fcdemo"
	"github.com/amt-mv/amt/server/servertest"
)

// replyEnv is a server receiving from the FIT-Connect emulator whose Bescheide go back as
// FIT-Connect replies (the endpoints of the fact sheet §9.2), with a settable clock for retries.
type replyEnv struct {
	world *fcdemo.World
	env   *servertest.Env
	clock *docClock
	amt   string
	clerk *client
	key   *fitconnect.Key // the applicant's (online service's) reply key
}

func startReplies(t *testing.T) *replyEnv {
	t.Helper()
	var amts []string
	for _, a := range demo.Generate(demo.Options{Cases: 1}).Amts {
		amts = append(amts, a.ID)
	}
	w, err := fcdemo.Start(amts, catalogue.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	key, err := demokeys.Key(3, "applicant-reply")
	if err != nil {
		t.Fatal(err)
	}
	clk := &docClock{t: time.Now()}
	env := servertest.Start(t, servertest.WithCases(20), servertest.WithNow(clk.Now), servertest.WithConfig(func(c *server.Config) {
		ic := w.IntakeConfig()
		ic.PollInterval = time.Hour
		c.Intake = ic
		c.Documents.FitConnect = ic.ReplySender(fitconnect.ReplyEndpoints{})
	}))
	re := &replyEnv{world: w, env: env, clock: clk, amt: amts[0], key: key}
	re.clerk = newClient(t, env, env.ClerksOf(amts[0])[0].ID)
	return re
}

// submit sends an application whose applicant chose the FIT-Connect reply channel and waits
// until amt-server accepted it; it returns the FIT-Connect case id and the amt case.
func (re *replyEnv) submit(t *testing.T, seed uint64) (string, api.Case) {
	t.Helper()
	ctx := context.Background()
	d, _ := re.world.Destination(re.amt)
	a, err := demo.NewApplication(seed, re.amt, demo.ServiceKeys()[0], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	app, err := fcdemo.SenderApplication(re.world.Catalogue, a, seed)
	if err != nil {
		t.Fatal(err)
	}
	jwk, _ := json.Marshal(re.key.PublicJWK("RSA-OAEP-256"))
	app.ReplyChannel = &fitconnect.ReplyChannel{FitConnect: &fitconnect.FitConnectChannel{
		ProcessStandards: []string{"urn:xoev-de:bmk:standard:xbau_2.4"}, EncryptionPublicKey: jwk}}
	app.MetadataVersion = "1.2.0"
	sent, err := sender.Send(ctx, re.world.Sender(), d.DestinationID, app, sender.Knobs{})
	if err != nil {
		t.Fatal(err)
	}
	re.env.Server.WakeIntake(d.DestinationID)
	deadline := time.Now().Add(hangGuard)
	for re.world.Emulator.State(sent.SubmissionID) != emulator.StateAccepted {
		if st := re.world.Emulator.State(sent.SubmissionID); st == emulator.StateRejected || time.Now().After(deadline) {
			t.Fatalf("submission %s is %s", sent.SubmissionID, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c := re.clerk.getCase(server.IntakeCaseID(sent.SubmissionID))
	if c.ReplyChannel == nil || c.ReplyChannel.Kind != api.ReplyFitConnect || c.ReplyChannel.FitConnect.CaseID != sent.CaseID {
		t.Fatalf("reply channel %+v", c.ReplyChannel)
	}
	return sent.CaseID, c
}

// decide approves the case and returns its Bescheid (queued for the FIT-Connect reply).
func (re *replyEnv) decide(t *testing.T, c api.Case) (api.Case, api.Document) {
	t.Helper()
	c = re.clerk.mustAct(api.ActionStatus, c.ID, "review-"+c.ID, "", api.StatusRequest{Status: api.StatusInReview}, c.Version)
	c = re.clerk.mustAct(api.ActionDecision, c.ID, "dec-"+c.ID, "", api.DecisionRequest{Outcome: api.OutcomeApproved,
		Reasoning: "Die Voraussetzungen sind erfüllt."}, c.Version)
	doc := docOf(t, c, api.DocumentBescheid)
	if doc.Delivery.Channel != api.ChannelFitConnect || doc.Delivery.State != api.DeliveryPending {
		t.Fatalf("delivery %+v", doc.Delivery)
	}
	return c, doc
}

func (re *replyEnv) deliver(t *testing.T) {
	t.Helper()
	if _, err := re.env.Server.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// openReply decrypts a reply with the applicant's key and checks that it carries the document:
// the metadata's hashes match the data and the attachment, the attachment is the PDF.
func (re *replyEnv) openReply(t *testing.T, r emulator.ReplyRecord, c api.Case, doc api.Document) {
	t.Helper()
	if r.State != emulator.ReplySubmitted || len(r.Attachments) != 1 {
		t.Fatalf("reply %s: state %s, %d attachments", r.ReplyID, r.State, len(r.Attachments))
	}
	priv := re.key.Private
	mb, cty, err := fitconnect.Decrypt([]*rsa.PrivateKey{priv}, r.EncryptedMetadata)
	if err != nil || cty != fitconnect.ContentTypeJSON {
		t.Fatalf("metadata: %v (cty %q)", err, cty)
	}
	var meta fitconnect.ReplyMetadata
	if err := json.Unmarshal(mb, &meta); err != nil {
		t.Fatal(err)
	}
	data, _, err := fitconnect.Decrypt([]*rsa.PrivateKey{priv}, r.EncryptedData)
	if err != nil {
		t.Fatal(err)
	}
	var rd fitconnect.ReplyData
	if err := json.Unmarshal(data, &rd); err != nil || rd.Reference != c.Reference || rd.DocumentKind != string(api.DocumentBescheid) {
		t.Fatalf("reply data %+v, %v", rd, err)
	}
	if meta.ContentStructure.Data == nil || meta.ContentStructure.Data.Hash.Content != fitconnect.SHA512Hex(data) ||
		meta.ProcessStandard != "urn:xoev-de:bmk:standard:xbau_2.4" || len(meta.ContentStructure.Attachments) != 1 {
		t.Fatalf("reply metadata %+v", meta)
	}
	ai := meta.ContentStructure.Attachments[0]
	pdf, cty, err := fitconnect.Decrypt([]*rsa.PrivateKey{priv}, r.Attachments[ai.AttachmentID])
	if err != nil || cty != "application/pdf" {
		t.Fatalf("attachment: %v (cty %q)", err, cty)
	}
	sum := sha256.Sum256(pdf)
	if hex.EncodeToString(sum[:]) != doc.SHA256 || ai.Hash.Content != fitconnect.SHA512Hex(pdf) || ai.Filename != doc.Name {
		t.Fatal("the reply's PDF is not the case's document")
	}
}

// A Bescheid for an applicant who chose the FIT-Connect reply channel travels back as a reply in
// the FIT-Connect case, encrypted to the applicant's key: it arrives once, is the case's document,
// the case records sent with an event in its history. A service that is briefly unavailable
// (503) gets the reply again after the backoff, and it arrives once.
func TestBescheidAsFitConnectReply(t *testing.T) {
	re := startReplies(t)
	fcCase, c := re.submit(t, 4711)
	c, doc := re.decide(t, c)

	re.world.Emulator.FailReplies(1)
	re.deliver(t)
	if n := len(re.world.Emulator.Replies(fcCase)); n != 0 {
		t.Fatalf("%d replies after a 503", n)
	}
	if d := docOf(t, re.clerk.getCase(c.ID), api.DocumentBescheid); d.Delivery.State != api.DeliveryPending {
		t.Fatalf("after a temporary failure: %+v", d.Delivery)
	}
	re.deliver(t) // not due yet: the backoff holds it
	if n := len(re.world.Emulator.Replies(fcCase)); n != 0 {
		t.Fatalf("%d replies before the backoff ended", n)
	}
	re.clock.Add(delivery.Backoff(1) + time.Second)
	re.deliver(t)
	re.deliver(t)
	replies := re.world.Emulator.Replies(fcCase)
	if len(replies) != 1 {
		t.Fatalf("%d replies, want 1", len(replies))
	}
	re.openReply(t, replies[0], c, doc)

	after := re.clerk.getCase(c.ID)
	d := docOf(t, after, api.DocumentBescheid)
	if d.Delivery.State != api.DeliverySent || d.Delivery.At == nil || d.Delivery.Detail != "Online-Dienst des Antrags" {
		t.Fatalf("delivery after sending: %+v", d.Delivery)
	}
	last := after.History[len(after.History)-1]
	if last.Kind != api.EventDocumentSent || !strings.HasPrefix(last.Summary, "Bescheid per FIT-Connect versandt an Online-Dienst des Antrags am ") {
		t.Fatalf("history: %+v", last)
	}
}

// A reply the service refuses (here: the FIT-Connect case is unknown to it) is failed for good at
// once, with the service's answer as the reason, an event in the history, and no reply stored.
func TestFitConnectReplyRefused(t *testing.T) {
	re := startReplies(t)
	fcCase, c := re.submit(t, 4712)
	c, _ = re.decide(t, c)
	// The server's record points into a FIT-Connect case the service does not know (e.g. deleted
	// after its retention period): the service answers 404.
	re.world.Emulator.DeleteCase(fcCase)
	re.deliver(t)
	after := re.clerk.getCase(c.ID)
	d := docOf(t, after, api.DocumentBescheid)
	if d.Delivery.State != api.DeliveryFailed || !strings.Contains(d.Delivery.Detail, "404") {
		t.Fatalf("delivery after a refusal: %+v", d.Delivery)
	}
	last := after.History[len(after.History)-1]
	if last.Kind != api.EventDocumentFailed || !strings.Contains(last.Summary, "nicht zugestellt") || !strings.Contains(last.Summary, "404") {
		t.Fatalf("history: %+v", last)
	}
	if n := len(re.world.Emulator.Replies(fcCase)); n != 0 {
		t.Fatalf("%d replies stored", n)
	}
	re.clock.Add(7 * 24 * time.Hour)
	re.deliver(t)
	if n := len(re.world.Emulator.Replies(fcCase)); n != 0 {
		t.Fatalf("a failed delivery was retried: %d replies", n)
	}
}
