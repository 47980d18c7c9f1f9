package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/amt-mv/amt/api"
)

// Application is a fresh application as an online service would send it: the applicant, the
// form sections, the attachments (name, media type, bytes) and the fee paid online, if any.
type Application struct {
	Amt         string
	Service     api.Service
	Applicant   api.Applicant
	Sections    []api.Section
	Attachments []ApplicationFile
	// Payment is set for fee-bearing services the applicant paid online.
	Payment *api.Payment
}

// ApplicationFile is an attachment of an Application.
type ApplicationFile struct {
	Name, ContentType string
	Data              []byte
}

// ServiceKeys lists the LeiKa keys of the demo's services.
func ServiceKeys() []string {
	out := make([]string, len(services))
	for i, s := range services {
		out[i] = s.Key
	}
	return out
}

// NewApplication invents an application for an Amt and service (empty: chosen by the seed) as
// of now. The same seed gives the same application.
func NewApplication(seed uint64, amtID, serviceKey string, now time.Time) (Application, error) {
	r := rand.New(rand.NewPCG(seed, splitmix64(seed)))
	g := &generator{seed: seed, now: now.UTC(), today: now.UTC().Truncate(24 * time.Hour)}
	cg := &caseGen{generator: g, r: r, i: 1 << 30, id: "app"}
	if amtID == "" {
		cg.amt = &amtDefs[r.IntN(len(amtDefs))]
	}
	for i := range amtDefs {
		if amtDefs[i].ID == amtID {
			cg.amt = &amtDefs[i]
		}
	}
	if serviceKey == "" {
		cg.svc = services[r.IntN(len(services))]
	}
	for _, s := range services {
		if s.Key == serviceKey {
			cg.svc = s
		}
	}
	if cg.amt == nil {
		return Application{}, fmt.Errorf("demo: no Amt %q", amtID)
	}
	if cg.svc == nil {
		return Application{}, fmt.Errorf("demo: no service %q", serviceKey)
	}
	cg.applicant()
	cg.submitted = now.UTC()
	cg.movedIn = cg.since(30)
	sections := cg.svc.form(cg)
	files := cg.attachments()
	app := Application{Amt: cg.amt.ID, Service: api.Service{Key: cg.svc.Key, Name: cg.svc.Name, FourEyes: cg.svc.FourEyes},
		Applicant: cg.c.Applicant, Sections: sections}
	for _, a := range cg.c.Attachments {
		app.Attachments = append(app.Attachments, ApplicationFile{Name: a.Name, ContentType: a.ContentType, Data: files[a.ID]})
	}
	cg.payment(api.StatusNew)
	if p := cg.c.Payment; p != nil && p.Status == "paid" {
		app.Payment = p
	}
	return app, nil
}
