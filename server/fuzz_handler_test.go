package server_test

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// FuzzActionHandler sends arbitrary bodies, ids and If-Match values through the real handler of
// every action: whatever comes in, the answer is never a 5xx and errors are problem+json.
func FuzzActionHandler(f *testing.F) {
	env := servertest.Start(f, servertest.WithCases(20), servertest.WithNow(func() time.Time { return fixedNow }))
	amt := env.Data.Amts[0].ID
	var ids []string
	for i := 0; i < env.Data.N; i++ {
		if c := env.Data.Case(i).Case; c.Amt == amt {
			ids = append(ids, c.ID)
		}
	}
	lead := clerkOf(f, env, amt, api.RoleLead)
	tok := env.Token(lead)
	h := env.Server.Handler()
	f.Add(uint8(0), uint8(0), "n-1", `"1"`, []byte(`{"text":"x"}`))
	f.Add(uint8(1), uint8(1), "d-1", `"2"`, []byte(`{"outcome":"approved","reasoning":"x"}`))
	f.Add(uint8(2), uint8(2), "d-1", `*`, []byte(`{"approve":true}`))
	f.Add(uint8(3), uint8(0), "a-1", `"3"`, []byte(`{"assignee":"`+lead+`"}`))
	f.Add(uint8(4), uint8(3), "s-1", `"1"`, []byte(`{"status":"in_review"}`))
	f.Add(uint8(5), uint8(1), "r-1", ``, []byte(`{"date":"2026-12-01"}`))
	f.Add(uint8(6), uint8(2), "q-1", ``, []byte(`{"documents":["Pass"],"deadline":"2026-12-01"}`))
	f.Add(uint8(0), uint8(0), "%00", `"x"`, []byte("{\"text\":\"\x00\"}"))
	f.Fuzz(func(t *testing.T, k, ci uint8, actionID, ifMatch string, body []byte) {
		kind := api.ActionKinds[int(k)%len(api.ActionKinds)]
		caseID := ids[int(ci)%len(ids)]
		path, err := api.ActionPath(kind, caseID, actionID, actionID)
		if err != nil {
			return
		}
		req := httptest.NewRequest("PUT", "http://amt.test"+api.BasePath+"/x", bytes.NewReader(body))
		req.URL.Path = path
		req.URL.RawPath = ""
		req.RequestURI = ""
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(api.HeaderIdempotencyKey, actionID)
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", kind, path, rec.Code, rec.Body.Bytes())
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") != api.ContentTypeProblem {
			t.Fatalf("%d without problem+json", rec.Code)
		}
	})
}
