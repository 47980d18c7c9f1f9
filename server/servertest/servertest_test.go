package servertest_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

func TestStart(t *testing.T) {
	var hits atomic.Int64
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	env := servertest.Start(t, servertest.WithCases(12), servertest.WithNow(func() time.Time { return now }),
		servertest.WithHandlerWrapper(func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); h.ServeHTTP(w, r) })
		}))
	if env.Data.N != 12 || len(env.Tokens) != len(env.Data.Clerks) || len(env.Data.Clerks) == 0 {
		t.Fatalf("env: N=%d tokens=%d clerks=%d", env.Data.N, len(env.Tokens), len(env.Data.Clerks))
	}
	for _, c := range env.Data.Clerks {
		req, _ := http.NewRequest("GET", env.URL+api.BasePath+"/me", nil)
		req.Header.Set("Authorization", "Bearer "+env.Token(c.ID))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", c.ID, resp.StatusCode)
		}
	}
	if hits.Load() != int64(len(env.Data.Clerks)) {
		t.Fatalf("wrapper saw %d requests", hits.Load())
	}
	if len(env.ClerksOf(env.Data.Amts[0].ID)) == 0 {
		t.Fatal("no clerks in first amt")
	}
}
