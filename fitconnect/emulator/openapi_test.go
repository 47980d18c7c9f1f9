package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/fitconnect/emulator"
	"github.com/amt-mv/amt/fitconnect/fctest"
)

// openapi.yaml and emulator.Routes list the same endpoints, and the emulator answers each of
// them (not 404/405 from the mux).
func TestSpecMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	var inSpec, inGo []string
	for p, item := range spec.Paths {
		for m := range item {
			if m == "parameters" {
				continue
			}
			inSpec = append(inSpec, strings.ToUpper(m)+" "+p)
		}
	}
	for _, r := range emulator.Routes {
		inGo = append(inGo, r.Method+" "+r.Pattern)
	}
	slices.Sort(inSpec)
	slices.Sort(inGo)
	if !slices.Equal(inSpec, inGo) {
		t.Errorf("openapi.yaml and emulator.Routes differ:\n spec: %v\n   Go: %v", inSpec, inGo)
	}
	env := fctest.Start(t)
	for _, r := range emulator.Routes {
		path := strings.NewReplacer("{destinationId}", "d", "{keyId}", "k", "{submissionId}", "s",
			"{attachmentId}", "a", "{caseId}", "c", "{replyId}", "r").Replace(r.Pattern)
		req := httptest.NewRequest(r.Method, path, strings.NewReader(""))
		rec := httptest.NewRecorder()
		env.Emulator.ServeHTTP(rec, req)
		if rec.Code == http.StatusMethodNotAllowed || (rec.Code == http.StatusNotFound && !strings.Contains(rec.Header().Get("Content-Type"), "problem")) {
			t.Errorf("%s %s: %d from the mux, not the handler", r.Method, r.Pattern, rec.Code)
		}
	}
}
