package fcdemo_test

import (
	"testing"
	"time"

	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/fcdemo"
)

// Every application the demo can invent maps through the catalogue: the data document is built
// and read back to the same applicant and sections.
func TestDemoApplicationsMap(t *testing.T) {
	cat := catalogue.Default()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for seed := uint64(1); seed <= 400; seed++ {
		for _, key := range demo.ServiceKeys() {
			a, err := demo.NewApplication(seed, "amt-usedom-sued", key, now)
			if err != nil {
				t.Fatal(err)
			}
			app, err := fcdemo.SenderApplication(cat, a, seed)
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, key, err)
			}
			svc, _ := cat.Lookup(key)
			m, err := svc.Map(app.Data)
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, key, err)
			}
			if m.Applicant.Name != a.Applicant.Name || m.Applicant.PostalAddress == nil || len(m.Sections) != len(a.Sections) {
				t.Fatalf("seed %d %s: %+v / %d sections, want %+v / %d", seed, key, m.Applicant, len(m.Sections), a.Applicant, len(a.Sections))
			}
		}
	}
}

// Every demo e-mail address is plain ASCII, as the metadata schema's email format requires.
func TestDemoEmailsASCII(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for seed := uint64(1); seed <= 3000; seed++ {
		a, err := demo.NewApplication(seed, "", "", now)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range a.Applicant.Email {
			if r > 127 {
				t.Fatalf("seed %d: e-mail %q is not ASCII", seed, a.Applicant.Email)
			}
		}
	}
}
