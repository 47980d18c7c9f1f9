package fitconnect_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/fitconnect/emulator"
	"github.com/amt-mv/amt/fitconnect/fctest"
	"github.com/amt-mv/amt/fitconnect/sender"
)

const (
	svcURN    = "urn:de:fim:leika:leistung:99050012104000"
	schemaURI = "https://schema.amt-mv.example/demo/gewerbeanmeldung/1.0.0/schema.json"
)

func app() sender.Application {
	return sender.Application{
		Service:   fitconnect.ServiceType{Identifier: svcURN, Name: "Gewerbeanmeldung"},
		SchemaURI: schemaURI,
		Data:      []byte(`{"antragsteller":{"vorname":"Anna","familienname":"Schulz"}}`),
		Attachments: []sender.File{
			{Name: "ausweis.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.4 ausweis")},
			{Name: "foto.png", MimeType: "image/png", Data: []byte("\x89PNG foto")},
		},
		ReplyChannel: &fitconnect.ReplyChannel{EMail: &fitconnect.EMailChannel{Address: "anna@example.org"}},
	}
}

type setup struct {
	env  *fctest.Env
	dest *fctest.Destination
	sub  *fitconnect.Client
	cfg  fitconnect.OpenConfig
}

func newSetup(t *testing.T) *setup {
	env := fctest.Start(t)
	d := env.AddDestination(t, 0, map[string]string{svcURN: schemaURI, "urn:de:fim:leika:leistung:99101005012000": "https://example.org/hund.json"}, nil)
	return &setup{env: env, dest: d, sub: env.Subscriber(d), cfg: fitconnect.OpenConfig{
		DestinationID:  d.ID,
		DecryptionKeys: []*rsa.PrivateKey{d.EncryptionKey.Private},
		SchemaFor: func(id string) (string, bool) {
			if id == svcURN {
				return schemaURI, true
			}
			return "", false
		},
	}}
}

func (s *setup) decide(t *testing.T, ref fitconnect.SubmissionRef, tags *fitconnect.AuthenticationTags, problems []fitconnect.Problem) error {
	return fitconnect.Decide(context.Background(), s.sub, s.dest.SigningKey.Private, s.dest.SigningKey.Kid, s.dest.ID, ref, tags, problems, "", func() int64 { return time.Now().Unix() })
}

func TestHappyPath(t *testing.T) {
	s := newSetup(t)
	ctx := context.Background()
	for _, deflate := range []bool{false, true} {
		sent, err := sender.Send(ctx, s.env.Sender(), s.dest.ID, app(), sender.Knobs{Deflate: deflate})
		if err != nil {
			t.Fatal(err)
		}
		refs, err := s.sub.ListSubmissions(ctx, s.dest.ID)
		if err != nil || len(refs) != 1 || refs[0].SubmissionID != sent.SubmissionID {
			t.Fatalf("list = %v, %v", refs, err)
		}
		rec, rej, err := fitconnect.Open(ctx, s.sub, s.cfg, refs[0])
		if err != nil || rej != nil {
			t.Fatalf("Open: %v %v", rej, err)
		}
		if string(rec.Data) != string(app().Data) || len(rec.Attachments) != 2 || string(rec.Attachments[1].Data) != "\x89PNG foto" {
			t.Fatalf("received %q, %d attachments", rec.Data, len(rec.Attachments))
		}
		if rec.Metadata.ReplyChannel.EMail.Address != "anna@example.org" || rec.MetadataVersion != "1.0.0" {
			t.Errorf("metadata = %+v", rec.Metadata)
		}
		if rec.Tags.Metadata != sent.Tags.Metadata || rec.Tags.Data != sent.Tags.Data || len(rec.Tags.Attachments) != 2 {
			t.Errorf("tags %+v, sent %+v", rec.Tags, sent.Tags)
		}
		if err := s.decide(t, refs[0], &rec.Tags, nil); err != nil {
			t.Fatal(err)
		}
		if st := s.env.Emulator.State(sent.SubmissionID); st != emulator.StateAccepted {
			t.Errorf("state = %s", st)
		}
		// A second accept is an invalid transition.
		if err := s.decide(t, refs[0], &rec.Tags, nil); !fitconnect.IsStatus(err, 409) {
			t.Errorf("second accept: %v, want 409", err)
		}
		evs := s.env.Emulator.Events(sent.CaseID)
		if len(evs) != 3 || evs[2].Event != fitconnect.EventAcceptSubmission || evs[2].Issuer != s.dest.ID {
			t.Errorf("events = %+v", evs)
		}
		if refs, _ := s.sub.ListSubmissions(ctx, s.dest.ID); len(refs) != 0 {
			t.Errorf("accepted submission still listed")
		}
	}
}

func TestNegativeKnobs(t *testing.T) {
	s := newSetup(t)
	ctx := context.Background()
	other := fctest.Key(t, 5, "other")
	tests := []struct {
		name     string
		knobs    sender.Knobs
		mod      func(*sender.Application)
		tamper   string // part to swap after submit
		code     fitconnect.ProblemCode
		instance string // "attachment" = the first attachment
	}{
		{name: "wrong data hash", knobs: sender.Knobs{WrongDataHash: true}, code: fitconnect.ProbDataHash, instance: "data"},
		{name: "wrong attachment hash", knobs: sender.Knobs{WrongAttachmentHash: true}, code: fitconnect.ProbAttachmentHash, instance: "attachment"},
		{name: "wrong key", knobs: sender.Knobs{WrongKey: true}, code: fitconnect.ProbMetadataEncryption, instance: "metadata"},
		{name: "tampered metadata", tamper: "metadata", code: fitconnect.ProbMetadataTag, instance: "metadata"},
		{name: "tampered data", tamper: "data", code: fitconnect.ProbDataTag, instance: "data"},
		{name: "tampered attachment", tamper: "attachment", code: fitconnect.ProbAttachmentTag, instance: "attachment"},
		{name: "unsupported metadata version", knobs: sender.Knobs{MetadataVersion: "9.9.9"}, code: fitconnect.ProbUnsupportedMetadata, instance: "metadata"},
		{name: "metadata schema violation", knobs: sender.Knobs{InvalidMetadata: true}, code: fitconnect.ProbMetadataSchema, instance: "metadata"},
		{name: "unknown service", mod: func(a *sender.Application) {
			a.Service = fitconnect.ServiceType{Identifier: "urn:de:fim:leika:leistung:99101005012000", Name: "Hundesteuer"}
		}, code: fitconnect.ProbUnsupportedService, instance: "metadata"},
		{name: "service mismatch", knobs: sender.Knobs{MetadataServiceID: "urn:de:fim:leika:leistung:99101005012000"}, code: fitconnect.ProbServiceMismatch, instance: "metadata"},
		{name: "other data schema", knobs: sender.Knobs{DataSchemaURI: "https://example.org/other.json"}, code: fitconnect.ProbUnsupportedDataSchema, instance: "metadata"},
		{name: "attachment not in metadata", knobs: sender.Knobs{OmitAttachmentMetadata: true}, code: fitconnect.ProbAttachmentsMismatch, instance: "metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := app()
			if tt.mod != nil {
				tt.mod(&a)
			}
			sent, err := sender.Send(ctx, s.env.Sender(), s.dest.ID, a, tt.knobs)
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
				jwe, err := fitconnect.Encrypt(&s.dest.EncryptionKey.Private.PublicKey, s.dest.EncryptionKey.Kid, "application/json", []byte(`{"x":1}`))
				if err != nil {
					t.Fatal(err)
				}
				if err := s.env.Emulator.Tamper(sent.SubmissionID, part, jwe); err != nil {
					t.Fatal(err)
				}
			}
			ref := fitconnect.SubmissionRef{DestinationID: s.dest.ID, SubmissionID: sent.SubmissionID, CaseID: sent.CaseID}
			rec, rej, err := fitconnect.Open(ctx, s.sub, s.cfg, ref)
			if err != nil || rec != nil || rej == nil {
				t.Fatalf("Open = %v, %v, %v; want a rejection", rec, rej, err)
			}
			p := rej.Problems[0]
			if p.Type != fitconnect.ProblemTypePrefix+string(tt.code) || p.Instance != instance || p.Title == "" {
				t.Errorf("problem = %+v, want %s at %s", p, tt.code, instance)
			}
			if err := s.decide(t, ref, rej.Tags, rej.Problems); err != nil {
				t.Fatal(err)
			}
			if st := s.env.Emulator.State(sent.SubmissionID); st != emulator.StateRejected {
				t.Errorf("state = %s", st)
			}
		})
	}
	_ = other
	// Rules the service itself enforces.
	if _, err := sender.Send(ctx, s.env.Sender(), s.dest.ID, app(), sender.Knobs{SkipAttachmentUpload: true}); !fitconnect.IsStatus(err, 422) {
		t.Errorf("missing attachment upload: %v, want 422", err)
	}
	if _, err := sender.Send(ctx, s.env.Sender(), s.dest.ID, app(), sender.Knobs{UnannouncedAttachment: true}); !fitconnect.IsStatus(err, 422) {
		t.Errorf("unannounced attachment: %v, want 422", err)
	}
}

func TestAcceptWithWrongTagsIs422(t *testing.T) {
	s := newSetup(t)
	ctx := context.Background()
	sent, err := sender.Send(ctx, s.env.Sender(), s.dest.ID, app(), sender.Knobs{})
	if err != nil {
		t.Fatal(err)
	}
	ref := fitconnect.SubmissionRef{DestinationID: s.dest.ID, SubmissionID: sent.SubmissionID, CaseID: sent.CaseID}
	bad := sent.Tags
	bad.Metadata = "AAAAAAAAAAAAAAAAAAAAAA"
	if err := s.decide(t, ref, &bad, nil); !fitconnect.IsStatus(err, 422) {
		t.Errorf("accept with wrong tags: %v, want 422", err)
	}
	// A SET signed by a key the destination did not register is refused.
	other := fctest.Key(t, 4, s.dest.SigningKey.Kid)
	err = fitconnect.Decide(ctx, s.sub, other.Private, other.Kid, s.dest.ID, ref, &sent.Tags, nil, "", func() int64 { return time.Now().Unix() })
	if !fitconnect.IsStatus(err, 400) {
		t.Errorf("forged SET: %v, want 400", err)
	}
}

func TestTokenAndAuth(t *testing.T) {
	s := newSetup(t)
	ctx := context.Background()
	bad := fitconnect.NewClient(fitconnect.ClientConfig{TokenURL: s.env.TokenURL, SubmissionAPI: s.env.URL, ClientID: s.dest.ClientID, ClientSecret: "wrong"})
	if _, err := bad.ListSubmissions(ctx, s.dest.ID); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("wrong secret: %v", err)
	}
	// A sender may not list; a subscriber may not read another destination.
	if _, err := s.env.Sender().ListSubmissions(ctx, s.dest.ID); !fitconnect.IsStatus(err, 403) {
		t.Errorf("sender listing: %v", err)
	}
	other := s.env.AddDestination(t, 2, map[string]string{svcURN: schemaURI}, nil)
	if _, err := s.sub.ListSubmissions(ctx, other.ID); !fitconnect.IsStatus(err, 403) {
		t.Errorf("foreign destination: %v", err)
	}
	// Tokens expire after 1800 s; the client renews by itself.
	if _, err := s.sub.ListSubmissions(ctx, s.dest.ID); err != nil {
		t.Fatal(err)
	}
	s.env.Emulator.Advance(31 * time.Minute)
	if _, err := s.sub.ListSubmissions(ctx, s.dest.ID); err != nil {
		t.Errorf("after expiry: %v", err)
	}
}

func TestPaging(t *testing.T) {
	s := newSetup(t)
	ctx := context.Background()
	a := app()
	a.Attachments = nil
	n := fitconnect.PageSize + 5
	for range n {
		if _, err := sender.Send(ctx, s.env.Sender(), s.dest.ID, a, sender.Knobs{}); err != nil {
			t.Fatal(err)
		}
	}
	refs, err := s.sub.ListSubmissions(ctx, s.dest.ID)
	if err != nil || len(refs) != n {
		t.Fatalf("listed %d, %v; want %d", len(refs), err, n)
	}
	seen := map[string]bool{}
	for _, r := range refs {
		seen[r.SubmissionID] = true
	}
	if len(seen) != n {
		t.Errorf("paging repeated submissions: %d distinct", len(seen))
	}
}

func TestAutoRejectAfter14Days(t *testing.T) {
	s := newSetup(t)
	ctx := context.Background()
	sent, err := sender.Send(ctx, s.env.Sender(), s.dest.ID, app(), sender.Knobs{})
	if err != nil {
		t.Fatal(err)
	}
	s.env.Emulator.Advance(13 * 24 * time.Hour)
	if s.env.Emulator.AutoReject() != 0 {
		t.Fatal("rejected before 14 days")
	}
	s.env.Emulator.Advance(24 * time.Hour)
	refs, err := s.sub.ListSubmissions(ctx, s.dest.ID)
	if err != nil || len(refs) != 0 {
		t.Fatalf("after 14 days: %v %v", refs, err)
	}
	evs := s.env.Emulator.Events(sent.CaseID)
	if last := evs[len(evs)-1]; last.Event != fitconnect.EventRejectSubmission || !strings.HasPrefix(last.Issuer, "http") {
		t.Errorf("last event = %+v", last)
	}
}

func TestCallbackMAC(t *testing.T) {
	now := time.Unix(1672527599, 0)
	body := []byte(`{"type":"x"}`)
	mac := fitconnect.CallbackMAC("secret-secret-secret-secret-secret", "1672527599", body)
	if len(mac) != 128 {
		t.Fatalf("mac %q", mac)
	}
	tests := []struct {
		name, ts, mac string
		now           time.Time
		ok            bool
	}{
		{"valid", "1672527599", mac, now, true},
		{"upper-case hex", "1672527599", strings.ToUpper(mac), now, true},
		{"wrong mac", "1672527599", strings.Repeat("0", 128), now, false},
		{"6 minutes old", "1672527599", mac, now.Add(6 * time.Minute), false},
		{"not a number", "gestern", mac, now, false},
	}
	for _, tt := range tests {
		err := fitconnect.VerifyCallback("secret-secret-secret-secret-secret", tt.ts, tt.mac, body, tt.now)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
	if err := fitconnect.VerifyCallback("secret-secret-secret-secret-secret", "1672527599", mac, []byte(`{"type":"y"}`), now); err == nil {
		t.Error("changed body accepted")
	}
}

func TestProblemsMerge(t *testing.T) {
	ps, err := fitconnect.Merge(map[fitconnect.ProblemCode]fitconnect.ProblemDef{fitconnect.ProbDataHash: {Type: "https://example.org/p/hash"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := ps.Make(fitconnect.ProbDataHash, "data", ""); p.Type != "https://example.org/p/hash" || p.Title == "" {
		t.Errorf("merged = %+v", p)
	}
	if _, err := fitconnect.Merge(map[fitconnect.ProblemCode]fitconnect.ProblemDef{"nonsense": {}}); err == nil {
		t.Error("unknown code accepted")
	}
	var ae *fitconnect.APIError
	_ = errors.As(err, &ae)
}
