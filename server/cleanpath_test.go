package server_test

import (
	"net/http"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// TestUncleanPathsAnswerProblems (issue #16 items 6 and 7): ids "." and "..", "//" and "/../"
// used to get ServeMux's 307/301 redirect in text/html, unauthenticated; now a 404 problem+json.
func TestUncleanPathsAnswerProblems(t *testing.T) {
	env := servertest.Start(t, servertest.WithCases(4))
	for _, p := range []string{
		api.BasePath + "/cases/.", api.BasePath + "/cases/..", api.BasePath + "/cases/../me",
		"//api/v1/me", api.BasePath + "//me", api.BasePath + "/cases/./x/events",
	} {
		req, _ := http.NewRequest("GET", env.URL+p, nil)
		req.URL.Opaque = p // send the path as it is, uncleaned
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != api.ContentTypeProblem {
			t.Errorf("GET %s: %d %s, want 404 problem+json", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	// Clean paths still work.
	resp, err := http.Get(env.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
}
