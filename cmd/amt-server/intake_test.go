package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/fitconnect/fctest"
	"github.com/amt-mv/amt/fitconnect/sender"
	"github.com/amt-mv/amt/server/fcdemo"
)

func metricValue(t *testing.T, url, name string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

// amt-server --demo runs the emulator, writes DATA/demo-fitconnect.json (0600) for other senders,
// and `amt-server demo submit` sends an application that the server accepts.
func TestDemoFitConnect(t *testing.T) {
	data := t.TempDir()
	url, stop := start(t, "serve", "--data", data, "--demo", "--demo-cases", "20", "--addr", "127.0.0.1:0", "--rate-limit", "0")
	path := filepath.Join(data, demoFitConnectFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v", path, fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	var info fcdemo.Info
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatal(err)
	}
	if info.TokenURL == "" || info.SubmissionAPI == "" || info.Sender.ClientID == "" || info.Sender.ClientSecret == "" || len(info.Destinations) != 4 {
		t.Fatalf("info = %+v", info)
	}
	for _, d := range info.Destinations {
		if d.Amt == "" || !fitconnect.ValidUUID(d.DestinationID) || len(d.Services) != 10 {
			t.Fatalf("destination %+v", d)
		}
		for _, s := range d.Services {
			var doc map[string]any
			if s.Identifier == "" || s.SchemaURI == "" || json.Unmarshal(s.Example, &doc) != nil || !strings.HasPrefix(s.ApplicantNamePointer, "/") {
				t.Fatalf("service %+v", s)
			}
		}
	}
	// Another sender uses the file: a submission built only from it is accepted.
	d := info.Destinations[1]
	s := d.Services[0]
	c := fitconnect.NewClient(fitconnect.ClientConfig{TokenURL: info.TokenURL, SubmissionAPI: info.SubmissionAPI,
		ClientID: info.Sender.ClientID, ClientSecret: info.Sender.ClientSecret})
	if _, err := sender.Send(context.Background(), c, d.DestinationID, sender.Application{
		Service: fitconnect.ServiceType{Identifier: s.Identifier, Name: s.Name}, SchemaURI: s.SchemaURI, Data: s.Example}, sender.Knobs{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "submit", "--data", data, "--amt", "amt-crivitz", "--service", "99050012104000"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Gewerbeanmeldung") {
		t.Errorf("demo submit said %q", out.String())
	}
	deadline := time.Now().Add(60 * time.Second) // hang guard only
	for metricValue(t, url, "amt_intake_accepted_total") != "2" {
		if time.Now().After(deadline) {
			t.Fatalf("accepted = %q", metricValue(t, url, "amt_intake_accepted_total"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// The intake file: secrets from files and env, keys that others may read are refused, and
// intake status reports what waits at FIT-Connect.
func TestIntakeFileAndStatus(t *testing.T) {
	env := fctest.Start(t)
	d := env.AddDestination(t, 0, map[string]string{"urn:de:fim:leika:leistung:99050012104000": "https://schema.amt-mv.example/demo/gewerbeanmeldung/1.0.0/schema.json"}, nil)
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	enc, _ := d.EncryptionKey.PrivateJWK()
	sig, _ := d.SigningKey.PrivateJWK()
	write("enc.jwk", string(enc), 0o600)
	write("sig.jwk", string(sig), 0o600)
	write("open.jwk", string(sig), 0o644)
	body := "destinations:\n  - amt: amt-crivitz\n    destination_id: " + d.ID + "\n    token_url: " + env.TokenURL +
		"\n    submission_api: " + env.URL + "\n    client_id: " + d.ClientID +
		"\n    client_secret_env: FC_SECRET\n    callback_secret_env: FC_CB\n    decryption_keys: [enc.jwk]\n    signing_key: sig.jwk\n"
	write("intake.yaml", body, 0o600)
	envOf := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	cfg, err := loadIntake(filepath.Join(dir, "intake.yaml"), envOf(map[string]string{"FC_SECRET": d.ClientSecret, "FC_CB": strings.Repeat("c", 40)}))
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Destinations[0]
	if got.ClientSecret != d.ClientSecret || got.SigningKid != d.SigningKey.Kid || len(got.DecryptionKeys) != 1 || got.CallbackSecret == "" {
		t.Errorf("destination = %+v", got.DestinationID)
	}
	if cfg.Reply != nil {
		t.Errorf("FIT-Connect replies on without reply.enabled: %+v", cfg.Reply)
	}
	// reply: off unless enabled; the endpoints default to the fact sheet's §9.2, each can be
	// corrected, and one that cannot work is refused.
	for _, tc := range []struct {
		reply string
		want  *fitconnect.ReplyEndpoints
	}{
		{"reply:\n  enabled: false\n", nil},
		{"reply:\n  enabled: true\n", &fitconnect.DefaultReplyEndpoints},
		{"reply:\n  enabled: true\n  endpoints:\n    create: /v2/replies\n", &fitconnect.ReplyEndpoints{Create: "/v2/replies",
			Attachment: fitconnect.DefaultReplyEndpoints.Attachment, Submit: fitconnect.DefaultReplyEndpoints.Submit}},
	} {
		write("reply.yaml", tc.reply+body, 0o600)
		c, err := loadIntake(filepath.Join(dir, "reply.yaml"), envOf(map[string]string{"FC_SECRET": "s", "FC_CB": strings.Repeat("c", 40)}))
		if err != nil {
			t.Fatal(err)
		}
		if (c.Reply == nil) != (tc.want == nil) || (c.Reply != nil && *c.Reply != *tc.want) {
			t.Errorf("%q: reply %+v, want %+v", tc.reply, c.Reply, tc.want)
		}
	}
	bad := []struct{ name, content, env, want string }{
		{"unknown key", body + "    colour: blue\n", "x", "colour"},
		{"reply endpoint without {replyId}", "reply:\n  enabled: true\n  endpoints:\n    submit: /v1/replies\n" + body, "x", "{replyId}"},
		{"reply endpoint not a path", "reply:\n  enabled: true\n  endpoints:\n    create: https://x/v1/replies\n" + body, "x", "start with /"},
		{"missing env", body, "", "FC_SECRET"},
		{"short callback secret", body, "short", "32"},
		{"readable key", strings.Replace(body, "sig.jwk", "open.jwk", 1), "x", "readable by others"},
		{"both file and env", strings.Replace(body, "client_secret_env: FC_SECRET", "client_secret_env: FC_SECRET\n    client_secret_file: x", 1), "x", "not both"},
	}
	for _, b := range bad {
		write("bad.yaml", b.content, 0o600)
		env := map[string]string{"FC_CB": strings.Repeat("c", 40)}
		switch b.env {
		case "x":
			env["FC_SECRET"] = "s"
		case "short":
			env["FC_SECRET"], env["FC_CB"] = "s", "short"
		}
		if _, err := loadIntake(filepath.Join(dir, "bad.yaml"), envOf(env)); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: err = %v, want %q", b.name, err, b.want)
		}
	}
	// intake status: one submission waits.
	if _, err := sender.Send(context.Background(), env.Sender(), d.ID, sender.Application{
		Service:   fitconnect.ServiceType{Identifier: "urn:de:fim:leika:leistung:99050012104000", Name: "Gewerbeanmeldung"},
		SchemaURI: "https://schema.amt-mv.example/demo/gewerbeanmeldung/1.0.0/schema.json", Data: []byte(`{}`)}, sender.Knobs{}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FC_SECRET", d.ClientSecret)
	t.Setenv("FC_CB", strings.Repeat("c", 40))
	var out bytes.Buffer
	if err := run(context.Background(), []string{"intake", "status", "--intake", filepath.Join(dir, "intake.yaml"), "--json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Amt           string    `json:"amt"`
		Pending       int       `json:"pending"`
		OldestPending time.Time `json:"oldestPending"`
	}
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 1 || rows[0].Pending != 1 || rows[0].OldestPending.IsZero() {
		t.Fatalf("status = %s (%v)", out.String(), err)
	}
	if strings.Contains(out.String(), d.ClientSecret) {
		t.Error("status prints the client secret")
	}
}
