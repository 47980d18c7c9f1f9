package server_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/fitconnect/emulator"
	"github.com/amt-mv/amt/fitconnect/sender"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/fcdemo"
	"github.com/amt-mv/amt/server/servertest"
)

// hangGuard bounds every wait in these tests: it guards against waiting forever on a loaded
// machine, it does not measure speed (bench/run does).
const hangGuard = 60 * time.Second

type intakeEnv struct {
	world *fcdemo.World
	env   *servertest.Env
	amt   string
	clerk *client
}

// startIntake runs the demo FIT-Connect and a server receiving from it. The poll interval is
// long: only the start, callbacks and WakeIntake make it poll.
func startIntake(t *testing.T, callbacks bool, cfgs ...func(*server.Config)) *intakeEnv {
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
	env := servertest.Start(t, servertest.WithCases(20), servertest.WithConfig(func(c *server.Config) {
		ic := w.IntakeConfig()
		ic.PollInterval = time.Hour
		c.Intake = ic
		for _, f := range cfgs {
			f(c)
		}
	}))
	if callbacks {
		w.SetCallbacks(env.URL)
	}
	ie := &intakeEnv{world: w, env: env, amt: amts[0]}
	ie.clerk = newClient(t, env, env.ClerksOf(amts[0])[0].ID)
	ie.waitPolled(t)
	return ie
}

// waitPolled waits until every destination was polled once (the start poll).
func (ie *intakeEnv) waitPolled(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		done := true
		for _, st := range ie.env.Server.IntakeStatus() {
			if st.LastPoll.IsZero() {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("intake never polled")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitState waits for a submission to reach a final state in the emulator.
func (ie *intakeEnv) waitState(t *testing.T, submissionID string) string {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		st := ie.world.Emulator.State(submissionID)
		if st == emulator.StateAccepted || st == emulator.StateRejected {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("submission %s still %s", submissionID, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (ie *intakeEnv) dest(t *testing.T) fcdemo.Destination {
	d, ok := ie.world.Destination(ie.amt)
	if !ok {
		t.Fatal("no destination")
	}
	return d
}

func intakeMetric(t *testing.T, ie *intakeEnv, name string) string {
	t.Helper()
	resp, err := http.Get(ie.env.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 1<<16)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, name+" ") {
			return strings.TrimPrefix(line, name+" ")
		}
	}
	return ""
}

// Every demo service travels the whole path: sent encrypted, called back, fetched, verified,
// mapped, stored with an Aktenzeichen, accepted with the received parts' tags.
func TestIntakeEveryDemoService(t *testing.T) {
	ie := startIntake(t, true)
	ctx := context.Background()
	cat := catalogue.Default()
	for _, key := range demo.ServiceKeys() {
		svc, _ := cat.Lookup(key)
		t.Run(svc.Name, func(t *testing.T) {
			sent, err := ie.world.Submit(ctx, ie.amt, key)
			if err != nil {
				t.Fatal(err)
			}
			if st := ie.waitState(t, sent.SubmissionID); st != emulator.StateAccepted {
				evs := ie.world.Emulator.Events(sent.CaseID)
				t.Fatalf("state %s: %+v", st, evs[len(evs)-1].Payload.Problems)
			}
			c := ie.clerk.getCase(server.IntakeCaseID(sent.SubmissionID))
			year := strconv.Itoa(time.Now().Year())
			if !strings.HasPrefix(c.Reference, svc.Prefix+"-") || !strings.Contains(c.Reference, year) || c.Service.Key != key || c.Status != api.StatusNew {
				t.Errorf("case = %s %+v %s", c.Reference, c.Service, c.Status)
			}
			if c.Applicant.Name == "" || c.Applicant.PostalAddress == nil || len(c.Sections) == 0 {
				t.Errorf("applicant %+v, %d sections", c.Applicant, len(c.Sections))
			}
			if c.FitConnect == nil || c.FitConnect.CaseID != sent.CaseID || c.ReplyChannel == nil {
				t.Errorf("origin %+v, reply %+v", c.FitConnect, c.ReplyChannel)
			}
			if len(c.Attachments) != len(sent.AttachmentIDs) {
				t.Errorf("%d attachments, sent %d", len(c.Attachments), len(sent.AttachmentIDs))
			}
			for _, a := range c.Attachments {
				if len(a.SHA512) != 128 || len(a.SHA256) != 64 {
					t.Errorf("attachment hashes %+v", a)
				}
				resp, body := ie.clerk.do("GET", "/cases/"+c.ID+"/attachments/"+a.ID, nil, nil)
				if resp.StatusCode != 200 || int64(len(body)) != a.Size {
					t.Errorf("attachment %s: %d, %d bytes", a.Name, resp.StatusCode, len(body))
				}
			}
			evs := ie.world.Emulator.Events(sent.CaseID)
			last := evs[len(evs)-1]
			if last.Event != fitconnect.EventAcceptSubmission || last.Payload.AuthenticationTags == nil ||
				last.Payload.AuthenticationTags.Metadata != sent.Tags.Metadata || last.Payload.AuthenticationTags.Data != sent.Tags.Data {
				t.Errorf("last event %+v, sent tags %+v", last, sent.Tags)
			}
			for id, tag := range sent.Tags.Attachments {
				if last.Payload.AuthenticationTags.Attachments[id] != tag {
					t.Errorf("attachment %s tag differs", id)
				}
			}
		})
	}
	if got := intakeMetric(t, ie, "amt_intake_accepted_total"); got != strconv.Itoa(len(demo.ServiceKeys())) {
		t.Errorf("accepted metric = %q", got)
	}
}

// Every negative knob ends in reject-submission with the right problem type and instance, and
// no case.
func TestIntakeRejects(t *testing.T) {
	ie := startIntake(t, true)
	ctx := context.Background()
	d := ie.dest(t)
	a, err := demo.NewApplication(42, ie.amt, "99050012104000", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a.Attachments = append(a.Attachments, demo.ApplicationFile{Name: "anlage.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 x")})
	base, err := fcdemo.SenderApplication(catalogue.Default(), a, 42)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		knobs    sender.Knobs
		mod      func(*sender.Application)
		tamper   string
		code     fitconnect.ProblemCode
		instance string
	}{
		{name: "wrong data hash", knobs: sender.Knobs{WrongDataHash: true}, code: fitconnect.ProbDataHash, instance: "data"},
		{name: "wrong attachment hash", knobs: sender.Knobs{WrongAttachmentHash: true}, code: fitconnect.ProbAttachmentHash, instance: "attachment"},
		{name: "wrong key", knobs: sender.Knobs{WrongKey: true}, code: fitconnect.ProbMetadataEncryption, instance: "metadata"},
		{name: "tampered after submit", tamper: "data", code: fitconnect.ProbDataTag, instance: "data"},
		{name: "tampered attachment", tamper: "attachment", code: fitconnect.ProbAttachmentTag, instance: "attachment"},
		{name: "unsupported metadata version", knobs: sender.Knobs{MetadataVersion: "3.0.0"}, code: fitconnect.ProbUnsupportedMetadata, instance: "metadata"},
		{name: "data not JSON", knobs: sender.Knobs{NotJSONData: true}, code: fitconnect.ProbDataSyntax, instance: "data"},
		{name: "data without applicant", mod: func(a *sender.Application) { a.Data = []byte(`{"betrieb":{}}`) }, code: fitconnect.ProbDataSchema, instance: "data"},
		{name: "attachment missing from metadata", knobs: sender.Knobs{OmitAttachmentMetadata: true}, code: fitconnect.ProbAttachmentsMismatch, instance: "metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := base
			if tt.mod != nil {
				tt.mod(&app)
			}
			if tt.tamper != "" {
				ie.world.Emulator.SetCallback(d.DestinationID, nil) // tamper before intake looks
			}
			sent, err := sender.Send(ctx, ie.world.Sender(), d.DestinationID, app, tt.knobs)
			if err != nil {
				t.Fatal(err)
			}
			instance := tt.instance
			if instance == "attachment" {
				instance = fitconnect.AttachmentInstance(sent.AttachmentIDs[0])
			}
			if tt.tamper != "" {
				part := tt.tamper
				if part == "attachment" {
					part = sent.AttachmentIDs[0]
				}
				jwe, err := fitconnect.Encrypt(&d.EncryptionKey.Private.PublicKey, d.EncryptionKey.Kid, "application/json", []byte(`{"x":1}`))
				if err != nil {
					t.Fatal(err)
				}
				if err := ie.world.Emulator.Tamper(sent.SubmissionID, part, jwe); err != nil {
					t.Fatal(err)
				}
				ie.world.SetCallbacks(ie.env.URL)
				ie.env.Server.WakeIntake(d.DestinationID)
			}
			if st := ie.waitState(t, sent.SubmissionID); st != emulator.StateRejected {
				t.Fatalf("state %s, want rejected", st)
			}
			evs := ie.world.Emulator.Events(sent.CaseID)
			last := evs[len(evs)-1]
			if last.Event != fitconnect.EventRejectSubmission || last.Issuer != d.DestinationID || len(last.Payload.Problems) == 0 {
				t.Fatalf("last event %+v", last)
			}
			p := last.Payload.Problems[0]
			if p.Type != fitconnect.ProblemTypePrefix+string(tt.code) || p.Instance != instance {
				t.Errorf("problem %+v, want %s at %s", p, tt.code, instance)
			}
			if resp, _ := ie.clerk.do("GET", "/cases/"+server.IntakeCaseID(sent.SubmissionID), nil, nil); resp.StatusCode != 404 {
				t.Errorf("a rejected submission became a case: %d", resp.StatusCode)
			}
		})
	}
	if got := intakeMetric(t, ie, `amt_intake_rejected_total{type="`+fitconnect.ProblemTypePrefix+string(fitconnect.ProbDataHash)+`"}`); got != "1" {
		t.Errorf("rejected metric = %q", got)
	}
}

// A submission becomes one case however often intake is woken, called back or lists it, and a
// follow-up in the same FIT-Connect case is attached to the existing case.
func TestIntakeExactlyOnceAndFollowUp(t *testing.T) {
	ie := startIntake(t, true)
	ctx := context.Background()
	d := ie.dest(t)
	sent, err := ie.world.Submit(ctx, ie.amt, "99107004018000")
	if err != nil {
		t.Fatal(err)
	}
	ie.waitState(t, sent.SubmissionID)
	for range 5 {
		ie.env.Server.WakeIntake("")
	}
	c := ie.clerk.getCase(server.IntakeCaseID(sent.SubmissionID))
	accepts := 0
	for _, ev := range ie.world.Emulator.Events(sent.CaseID) {
		if ev.Event == fitconnect.EventAcceptSubmission {
			accepts++
		}
	}
	if accepts != 1 {
		t.Errorf("%d accepts", accepts)
	}
	// The follow-up: the applicant sends documents into the same FIT-Connect case.
	app := sender.Application{Service: fitconnect.ServiceType{Identifier: catalogue.LeiKaURNPrefix + "99107004018000", Name: "Wohngeld"},
		SchemaURI: "https://schema.amt-mv.example/demo/wohngeld/1.0.0/schema.json", CaseID: sent.CaseID,
		Data:        []byte(`{"antragsteller":{"vorname":"A","familienname":"B"},"bemerkung":"Anbei die Verdienstbescheinigung"}`),
		Attachments: []sender.File{{Name: "Verdienstbescheinigung.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.4 lohn")}}}
	follow, err := sender.Send(ctx, ie.world.Sender(), d.DestinationID, app, sender.Knobs{})
	if err != nil {
		t.Fatal(err)
	}
	if st := ie.waitState(t, follow.SubmissionID); st != emulator.StateAccepted {
		t.Fatalf("follow-up %s", st)
	}
	c2 := ie.clerk.getCase(c.ID)
	if len(c2.Attachments) != len(c.Attachments)+1 || c2.History[len(c2.History)-1].Kind != api.EventDocumentsReceived {
		t.Errorf("follow-up not attached: %d attachments, last event %+v", len(c2.Attachments), c2.History[len(c2.History)-1])
	}
	if len(c2.FitConnect.SubmissionIDs) != 2 || c2.Reference != c.Reference {
		t.Errorf("origin %+v, reference %s", c2.FitConnect, c2.Reference)
	}
	if resp, _ := ie.clerk.do("GET", "/cases/"+server.IntakeCaseID(follow.SubmissionID), nil, nil); resp.StatusCode != 404 {
		t.Error("the follow-up became a case of its own")
	}
}

// Callbacks: a wrong HMAC or a stale timestamp is refused with 401 and fetches nothing; a valid
// one wakes intake.
func TestIntakeCallback(t *testing.T) {
	ie := startIntake(t, false) // the emulator does not call back: the test does
	ctx := context.Background()
	d := ie.dest(t)
	sent, err := ie.world.Submit(ctx, ie.amt, "99115005000000")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(fitconnect.CallbackBody{Type: fitconnect.CallbackNewSubmissions,
		Submissions: []fitconnect.SubmissionRef{{DestinationID: d.DestinationID, SubmissionID: sent.SubmissionID, CaseID: sent.CaseID}}})
	url := ie.env.URL + strings.Replace(api.FitConnectCallbackPath, "{destinationId}", d.DestinationID, 1)
	post := func(ts, mac string) int {
		req, _ := http.NewRequest("POST", url, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("callback-timestamp", ts)
		req.Header.Set("callback-authentication", mac)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	old := strconv.FormatInt(time.Now().Add(-6*time.Minute).Unix(), 10)
	if code := post(now, fitconnect.CallbackMAC("wrong-secret-wrong-secret-wrong-secret", now, body)); code != 401 {
		t.Errorf("wrong HMAC: %d", code)
	}
	if code := post(old, fitconnect.CallbackMAC(d.CallbackSecret, old, body)); code != 401 {
		t.Errorf("6 minutes old: %d", code)
	}
	if st := ie.world.Emulator.State(sent.SubmissionID); st != emulator.StateSubmitted {
		t.Errorf("refused callbacks fetched the submission: %s", st)
	}
	if got := intakeMetric(t, ie, `amt_intake_callbacks_total{result="refused"}`); got != "2" {
		t.Errorf("refused metric = %q", got)
	}
	if code := post(now, fitconnect.CallbackMAC(d.CallbackSecret, now, body)); code != 204 {
		t.Fatalf("valid callback: %d", code)
	}
	if st := ie.waitState(t, sent.SubmissionID); st != emulator.StateAccepted {
		t.Errorf("state %s", st)
	}
	other := ie.env.URL + strings.Replace(api.FitConnectCallbackPath, "{destinationId}", fitconnect.NewUUID(), 1)
	if resp, err := http.Post(other, "application/json", strings.NewReader("{}")); err != nil || resp.StatusCode != 404 {
		t.Errorf("unknown destination: %v %v", resp, err)
	}
}

// A clerk waiting on the change feed sees the new case, with the applicant's name and the
// attachments, after the submission travelled the real path.
func TestIntakeReachesWaitingClerk(t *testing.T) {
	ie := startIntake(t, true)
	resp, body := ie.clerk.do("GET", "/changes?limit=1000", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	var page api.ChangePage
	mustJSON(t, body, &page)
	for page.HasMore {
		_, body = ie.clerk.do("GET", "/changes?limit=1000&cursor="+page.NextCursor, nil, nil)
		page = api.ChangePage{}
		mustJSON(t, body, &page)
	}
	cursor := page.NextCursor
	type result struct {
		page api.ChangePage
		code int
	}
	got := make(chan result, 1)
	go func() {
		resp, body := ie.clerk.do("GET", "/changes?wait=30&cursor="+cursor, nil, nil)
		var p api.ChangePage
		_ = json.Unmarshal(body, &p)
		got <- result{p, resp.StatusCode}
	}()
	sent, err := ie.world.Submit(context.Background(), ie.amt, "99101005012000")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.code != 200 || len(r.page.Items) == 0 {
			t.Fatalf("feed answered %d with %d items", r.code, len(r.page.Items))
		}
		it := r.page.Items[0]
		if it.CaseID != server.IntakeCaseID(sent.SubmissionID) || it.Case == nil || it.Case.Applicant.Name == "" || len(it.Case.Attachments) != len(sent.AttachmentIDs) {
			t.Errorf("feed item %+v", it)
		}
	case <-time.After(hangGuard):
		t.Fatal("the waiting clerk never saw the case")
	}
}

// The log names submission ids, never what the applicant sent.
func TestIntakeLogsIdsNotContent(t *testing.T) {
	var buf syncBuffer
	ie := startIntake(t, true, func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	a, err := demo.NewApplication(99, ie.amt, "99089001001000", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	app, err := fcdemo.SenderApplication(catalogue.Default(), a, 99)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := sender.Send(context.Background(), ie.world.Sender(), ie.dest(t).DestinationID, app, sender.Knobs{})
	if err != nil {
		t.Fatal(err)
	}
	ie.waitState(t, sent.SubmissionID)
	bad, err := sender.Send(context.Background(), ie.world.Sender(), ie.dest(t).DestinationID, app, sender.Knobs{WrongDataHash: true})
	if err != nil {
		t.Fatal(err)
	}
	ie.waitState(t, bad.SubmissionID)
	deadline := time.Now().Add(hangGuard) // the log line follows the posted event
	for !strings.Contains(buf.String(), "rejected\" submission="+bad.SubmissionID) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	log := buf.String()
	if !strings.Contains(log, sent.SubmissionID) || !strings.Contains(log, bad.SubmissionID) {
		t.Errorf("the log does not name the submissions:\n%s", log)
	}
	for _, secret := range []string{a.Applicant.Name, a.Applicant.Email, a.Sections[0].Fields[0].Value, ie.dest(t).ClientSecret, ie.dest(t).CallbackSecret} {
		if secret != "" && strings.Contains(log, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
