package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// FuzzDecodeRequest feeds arbitrary bodies to the request decoder and the field validation of
// every action kind: they must never panic, and whatever decodes must survive a JSON round trip.
func FuzzDecodeRequest(f *testing.F) {
	f.Add(uint8(0), []byte(`{"text":"Bitte Nachweis prüfen"}`))
	f.Add(uint8(1), []byte(`{"outcome":"approved","reasoning":"ok","feeCents":1500,"validUntil":"2027-12-31"}`))
	f.Add(uint8(2), []byte(`{"approve":false,"comment":"Begründung fehlt"}`))
	f.Add(uint8(3), []byte(`{"assignee":"crivitz.schulz"}`))
	f.Add(uint8(4), []byte(`{"status":"in_review"}`))
	f.Add(uint8(5), []byte(`{"date":"2026-12-01","reason":"Rückruf"}`))
	f.Add(uint8(6), []byte(`{"documents":["Personalausweis"],"deadline":"2026-12-24","message":"Bitte nachreichen"}`))
	f.Add(uint8(0), []byte(`{"text":"a"} {}`))
	f.Add(uint8(1), []byte(`{"feeCents":1e400}`))
	f.Add(uint8(0), []byte("{\"text\":\"\xff\"}"))
	s := &Server{cfg: Config{Now: func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }}, loc: time.UTC}
	f.Fuzz(func(t *testing.T, k uint8, body []byte) {
		kind := api.ActionKinds[int(k)%len(api.ActionKinds)]
		v, err := decodeRequest(kind, body)
		if err != nil {
			if v != nil {
				t.Fatal("value with error")
			}
			return
		}
		_ = s.validate(v)
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if _, err := decodeRequest(kind, raw); err != nil {
			t.Fatalf("round trip of %q: %v", raw, err)
		}
	})
}
