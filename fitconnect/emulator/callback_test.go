package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/fitconnect/fctest"
	"github.com/amt-mv/amt/fitconnect/sender"
)

func TestCallbackSignedAndRetried(t *testing.T) {
	const secret = "callback-secret-of-at-least-32-characters"
	var calls atomic.Int32
	got := make(chan fitconnect.CallbackBody, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := fitconnect.VerifyCallback(secret, r.Header.Get("callback-timestamp"), r.Header.Get("callback-authentication"), body, time.Now()); err != nil {
			t.Errorf("callback does not verify: %v", err)
		}
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // the first attempt fails: the emulator retries
			return
		}
		var cb fitconnect.CallbackBody
		_ = json.Unmarshal(body, &cb)
		got <- cb
	}))
	defer srv.Close()
	env := fctest.Start(t)
	svc := "urn:de:fim:leika:leistung:99050012104000"
	d := env.AddDestination(t, 0, map[string]string{svc: "https://example.org/s.json"}, &fitconnect.Callback{URL: srv.URL, Secret: secret})
	sent, err := sender.Send(context.Background(), env.Sender(), d.ID, sender.Application{
		Service: fitconnect.ServiceType{Identifier: svc, Name: "Gewerbeanmeldung"}, SchemaURI: "https://example.org/s.json", Data: []byte(`{}`)}, sender.Knobs{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case cb := <-got:
		if cb.Type != fitconnect.CallbackNewSubmissions || len(cb.Submissions) != 1 || cb.Submissions[0].SubmissionID != sent.SubmissionID {
			t.Errorf("callback = %+v", cb)
		}
	case <-time.After(30 * time.Second): // hang guard only
		t.Fatal("no callback")
	}
	env.Emulator.Close()
	recs := env.Emulator.Callbacks()
	if len(recs) != 2 || recs[0].Status != 503 || recs[1].Status != 200 {
		t.Errorf("callback log = %+v", recs)
	}
}
