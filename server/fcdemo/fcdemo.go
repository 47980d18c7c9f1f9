// Package fcdemo is the demo's FIT-Connect: the emulator of the Submission API on loopback, one
// destination per demo Amt offering every service of the catalogue, the matching intake
// configuration for amt-server, and a sender that submits realistic applications (from the demo
// generator) through the real path: encrypted, submitted, fetched, verified, accepted. The keys are
// the fixed public ones of fitconnect/demokeys: demo only.
package fcdemo

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/fitconnect/demokeys"
	"github.com/amt-mv/amt/fitconnect/emulator"
	"github.com/amt-mv/amt/fitconnect/sender"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
)

// Destination is one demo Amt's destination and its subscriber's secrets.
type Destination struct {
	Amt            string
	DestinationID  string
	ClientID       string
	ClientSecret   string
	EncryptionKey  *fitconnect.Key
	SigningKey     *fitconnect.Key
	CallbackSecret string
}

// World is a running demo FIT-Connect.
type World struct {
	Emulator     *emulator.Emulator
	URL          string // Submission API base and token endpoint host
	Destinations []Destination
	SenderID     string
	SenderSecret string
	Catalogue    *catalogue.Catalogue

	hs     *http.Server
	sender *fitconnect.Client
	mu     sync.Mutex
	seed   uint64
}

// Start runs the emulator on 127.0.0.1 with a destination per Amt.
func Start(amts []string, cat *catalogue.Catalogue, logger *slog.Logger) (*World, error) {
	if cat == nil {
		cat = catalogue.Default()
	}
	svcKey, err := demokeys.Key(7, "fitconnect-demo-service")
	if err != nil {
		return nil, err
	}
	emu, err := emulator.New(emulator.Options{Key: svcKey, Logger: logger})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w := &World{Emulator: emu, URL: "http://" + ln.Addr().String(), Catalogue: cat,
		SenderID: "demo-onlinedienst", SenderSecret: fitconnect.NewUUID(), seed: uint64(time.Now().UnixNano())}
	emu.SetBaseURL(w.URL)
	w.hs = &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = w.hs.Serve(ln) }()
	emu.AddClient(w.SenderID, w.SenderSecret, emulator.Sender)
	var services []fitconnect.DestinationService
	for _, s := range cat.Services {
		services = append(services, fitconnect.DestinationService{Identifier: s.URN(), Regions: []string{"DE13"},
			SubmissionSchemas: []fitconnect.SubmissionSchema{{SchemaURI: s.Data.SchemaURI, MimeType: fitconnect.ContentTypeJSON}}})
	}
	for i, amt := range amts {
		id := fitconnect.NewUUID()
		enc, err := demokeys.Key(i%4, "enc-"+id[:8])
		if err != nil {
			return nil, err
		}
		sig, err := demokeys.Key(4+i%3, "sig-"+id[:8])
		if err != nil {
			return nil, err
		}
		d := Destination{Amt: amt, DestinationID: id, ClientID: "amt-server-" + amt, ClientSecret: fitconnect.NewUUID(),
			EncryptionKey: enc, SigningKey: sig, CallbackSecret: strings.ReplaceAll(fitconnect.NewUUID()+fitconnect.NewUUID(), "-", "")}
		if err := emu.AddDestination(emulator.DestinationSpec{ID: id, Services: services, EncryptionKey: enc, SigningKey: sig,
			ReplyChannels: map[string]any{"eMail": map[string]bool{"usePgp": false}}}); err != nil {
			return nil, err
		}
		emu.AddClient(d.ClientID, d.ClientSecret, emulator.Subscriber, id)
		w.Destinations = append(w.Destinations, d)
	}
	w.sender = fitconnect.NewClient(fitconnect.ClientConfig{TokenURL: w.URL + "/token", SubmissionAPI: w.URL,
		ClientID: w.SenderID, ClientSecret: w.SenderSecret})
	return w, nil
}

// Close stops the emulator.
func (w *World) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = w.hs.Shutdown(ctx)
	w.Emulator.Close()
}

// IntakeConfig is amt-server's intake for the demo destinations.
func (w *World) IntakeConfig() *server.IntakeConfig {
	cfg := &server.IntakeConfig{Catalogue: w.Catalogue}
	for _, d := range w.Destinations {
		cfg.Destinations = append(cfg.Destinations, server.IntakeDestination{Amt: d.Amt, DestinationID: d.DestinationID,
			TokenURL: w.URL + "/token", SubmissionAPI: w.URL, ClientID: d.ClientID, ClientSecret: d.ClientSecret,
			DecryptionKeys: []*rsa.PrivateKey{d.EncryptionKey.Private}, SigningKey: d.SigningKey.Private,
			SigningKid: d.SigningKey.Kid, CallbackSecret: d.CallbackSecret})
	}
	return cfg
}

// Sender is the demo online service's client.
func (w *World) Sender() *fitconnect.Client { return w.sender }

// SetCallbacks points every destination's callback at amt-server (base URL without path).
func (w *World) SetCallbacks(serverURL string) {
	for _, d := range w.Destinations {
		w.Emulator.SetCallback(d.DestinationID, &fitconnect.Callback{
			URL:    strings.TrimRight(serverURL, "/") + strings.Replace(api.FitConnectCallbackPath, "{destinationId}", d.DestinationID, 1),
			Secret: d.CallbackSecret})
	}
}

// Destination finds the destination of an Amt.
func (w *World) Destination(amt string) (Destination, bool) {
	for _, d := range w.Destinations {
		if d.Amt == amt {
			return d, true
		}
	}
	return Destination{}, false
}

// Submit sends a new realistic application to an Amt for a service (empty: chosen at random).
func (w *World) Submit(ctx context.Context, amt, serviceKey string) (*sender.Sent, error) {
	w.mu.Lock()
	w.seed++
	seed := w.seed
	w.mu.Unlock()
	if amt == "" {
		amt = w.Destinations[int(seed%uint64(len(w.Destinations)))].Amt
	}
	d, ok := w.Destination(amt)
	if !ok {
		return nil, fmt.Errorf("fcdemo: no destination for Amt %q", amt)
	}
	a, err := demo.NewApplication(seed, amt, serviceKey, time.Now())
	if err != nil {
		return nil, err
	}
	app, err := SenderApplication(w.Catalogue, a, seed)
	if err != nil {
		return nil, err
	}
	return sender.Send(ctx, w.sender, d.DestinationID, app, sender.Knobs{})
}

// SenderApplication turns a demo application into what the online service sends: the data
// document built through the catalogue's mapping, the attachments, the online payment and a
// reply channel (e-mail when the applicant gave an address, otherwise letter).
func SenderApplication(cat *catalogue.Catalogue, a demo.Application, seed uint64) (sender.Application, error) {
	svc, ok := cat.Lookup(a.Service.Key)
	if !ok {
		return sender.Application{}, fmt.Errorf("fcdemo: service %s not in the catalogue", a.Service.Key)
	}
	data, err := svc.Document(a.Applicant, a.Sections)
	if err != nil {
		return sender.Application{}, err
	}
	out := sender.Application{Service: fitconnect.ServiceType{Identifier: svc.URN(), Name: svc.Name},
		SchemaURI: svc.Data.SchemaURI, Data: data}
	for _, f := range a.Attachments {
		out.Attachments = append(out.Attachments, sender.File{Name: f.Name, MimeType: f.ContentType, Data: f.Data})
	}
	if a.Applicant.Email != "" {
		out.ReplyChannel = &fitconnect.ReplyChannel{EMail: &fitconnect.EMailChannel{Address: a.Applicant.Email}}
	}
	if p := a.Payment; p != nil {
		amount := float64(p.AmountCents) / 100
		r := rand.New(rand.NewPCG(seed, 7))
		method := []string{"GIROPAY", "CREDITCARD", "PAYPAL"}[r.IntN(3)]
		out.Payment = &fitconnect.PaymentInformation{TransactionReference: p.Reference, TransactionID: strings.ReplaceAll(fitconnect.NewUUID(), "-", "")[:20],
			PaymentMethod: method, Status: "BOOKED", GrossAmount: &amount, TransactionTimestamp: time.Now().UTC().Format(time.RFC3339)}
	}
	return out, nil
}

// Run submits a new application every interval until ctx ends; errors are logged.
func (w *World) Run(ctx context.Context, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sent, err := w.Submit(ctx, "", "")
			if err != nil {
				if !errors.Is(err, context.Canceled) && logger != nil {
					logger.Warn("demo: submitting an application failed", "err", err)
				}
				continue
			}
			if logger != nil {
				logger.Info("demo: application submitted to FIT-Connect", "submission", sent.SubmissionID)
			}
		}
	}
}

// Info is the content of DATA/demo-fitconnect.json: what another sender needs to use the demo's
// emulator.
type Info struct {
	TokenURL      string `json:"tokenUrl"`
	SubmissionAPI string `json:"submissionApi"`
	Sender        struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	} `json:"sender"`
	Destinations []InfoDestination `json:"destinations"`
}

// InfoDestination is one destination in Info.
type InfoDestination struct {
	Amt           string        `json:"amt"`
	DestinationID string        `json:"destinationId"`
	Services      []InfoService `json:"services"`
}

// InfoService is one service with a valid example data document.
type InfoService struct {
	Identifier           string          `json:"identifier"`
	Name                 string          `json:"name"`
	SchemaURI            string          `json:"schemaUri"`
	Example              json.RawMessage `json:"example"`
	ApplicantNamePointer string          `json:"applicantNamePointer"`
}

// Info describes the world for DATA/demo-fitconnect.json.
func (w *World) Info() (Info, error) {
	var info Info
	info.TokenURL, info.SubmissionAPI = w.URL+"/token", w.URL
	info.Sender.ClientID, info.Sender.ClientSecret = w.SenderID, w.SenderSecret
	for _, d := range w.Destinations {
		id := InfoDestination{Amt: d.Amt, DestinationID: d.DestinationID}
		for _, s := range w.Catalogue.Services {
			a, err := demo.NewApplication(1, d.Amt, s.Key, time.Now())
			if err != nil {
				return info, err
			}
			doc, err := s.Document(a.Applicant, a.Sections)
			if err != nil {
				return info, err
			}
			ptr := ""
			if n := s.Data.Applicant.Name; len(n) > 0 {
				ptr = n[len(n)-1]
			}
			if a.Applicant.Kind == "organisation" && s.Data.Applicant.Organisation != "" {
				ptr = s.Data.Applicant.Organisation
			}
			id.Services = append(id.Services, InfoService{Identifier: s.URN(), Name: s.Name, SchemaURI: s.Data.SchemaURI,
				Example: doc, ApplicantNamePointer: ptr})
		}
		info.Destinations = append(info.Destinations, id)
	}
	return info, nil
}
