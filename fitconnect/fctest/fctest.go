// Package fctest starts the FIT-Connect emulator over loopback for tests, with destinations,
// their keys and a sender client, so a test can send real submissions and receive them as a
// subscriber. The keys are the fixed ones of package demokeys.
package fctest

import (
	"net/http/httptest"
	"testing"

	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/fitconnect/demokeys"
	"github.com/amt-mv/amt/fitconnect/emulator"
)

// Key returns the i-th of the fixed keys of package demokeys (0 ≤ i < 8) with the given kid and
// a fresh self-signed certificate.
func Key(t testing.TB, i int, kid string) *fitconnect.Key {
	t.Helper()
	k, err := demokeys.Key(i, kid)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Destination is one emulated destination and what its subscriber holds.
type Destination struct {
	ID            string
	EncryptionKey *fitconnect.Key // private: the subscriber decrypts with it
	SigningKey    *fitconnect.Key // private: the subscriber signs its SETs with it
	ClientID      string
	ClientSecret  string
}

// Env is a running emulator.
type Env struct {
	Emulator     *emulator.Emulator
	Server       *httptest.Server
	URL          string // Submission API base (and issuer of the service's SETs)
	TokenURL     string
	SenderID     string
	SenderSecret string
}

// Start runs an emulator on loopback with a sender client; it stops with the test.
func Start(t testing.TB) *Env {
	t.Helper()
	emu, err := emulator.New(emulator.Options{Key: Key(t, 7, "service-key")})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	emu.SetBaseURL(srv.URL)
	t.Cleanup(func() { srv.Close(); emu.Close() })
	env := &Env{Emulator: emu, Server: srv, URL: srv.URL, TokenURL: srv.URL + "/token",
		SenderID: "sender-" + fitconnect.NewUUID()[:8], SenderSecret: "sender-secret-" + fitconnect.NewUUID()}
	emu.AddClient(env.SenderID, env.SenderSecret, emulator.Sender)
	return env
}

// AddDestination registers a destination offering the services (identifier → data schema URI)
// with keys i and i+1 of Key, and a subscriber client bound to it.
func (e *Env) AddDestination(t testing.TB, keyIndex int, services map[string]string, cb *fitconnect.Callback) *Destination {
	t.Helper()
	id := fitconnect.NewUUID()
	d := &Destination{ID: id, EncryptionKey: Key(t, keyIndex, "enc-"+id[:8]), SigningKey: Key(t, keyIndex+1, "sig-"+id[:8]),
		ClientID: "sub-" + id[:8], ClientSecret: "subscriber-secret-" + fitconnect.NewUUID()}
	spec := emulator.DestinationSpec{ID: id, EncryptionKey: d.EncryptionKey, SigningKey: d.SigningKey, Callback: cb}
	for ident, schema := range services {
		spec.Services = append(spec.Services, fitconnect.DestinationService{Identifier: ident, Regions: []string{"DE13"},
			SubmissionSchemas: []fitconnect.SubmissionSchema{{SchemaURI: schema, MimeType: "application/json"}}})
	}
	if err := e.Emulator.AddDestination(spec); err != nil {
		t.Fatal(err)
	}
	e.Emulator.AddClient(d.ClientID, d.ClientSecret, emulator.Subscriber, id)
	return d
}

// Sender returns a client of the sender.
func (e *Env) Sender() *fitconnect.Client {
	return fitconnect.NewClient(fitconnect.ClientConfig{TokenURL: e.TokenURL, SubmissionAPI: e.URL, ClientID: e.SenderID, ClientSecret: e.SenderSecret})
}

// Subscriber returns a client of a destination's subscriber.
func (e *Env) Subscriber(d *Destination) *fitconnect.Client {
	return fitconnect.NewClient(fitconnect.ClientConfig{TokenURL: e.TokenURL, SubmissionAPI: e.URL, ClientID: d.ClientID, ClientSecret: d.ClientSecret})
}
