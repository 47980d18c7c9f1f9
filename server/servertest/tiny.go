package servertest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/demo"
)

// generate builds the seeded data set.
func generate(n int, now time.Time) *demo.Data {
	return demo.Generate(demo.Options{Cases: n, Now: now})
}

// Tiny returns a small hand-written data set: two Ämter, three clerks each (one lead), and n
// cases of a plain and a four-eyes service in a mix of states. Use it with WithData when a test
// needs to know the data exactly.
func Tiny(n int, now time.Time) *demo.Data { return tiny(n, now) }

// tiny is a small built-in data set: two Ämter, three clerks each (one lead), and cases of a
// plain and a four-eyes service in a mix of states.
func tiny(n int, now time.Time) *demo.Data {
	now = now.UTC().Truncate(24 * time.Hour)
	d := &demo.Data{
		Amts: []demo.Amt{{ID: "amt-crivitz", Name: "Amt Crivitz"}, {ID: "amt-sternberger-seenlandschaft", Name: "Amt Sternberger Seenlandschaft"}},
		Clerks: []demo.Clerk{
			{ID: "crivitz.schulz", Name: "Anke Schulz", Amt: "amt-crivitz", Role: api.RoleClerk},
			{ID: "crivitz.meier", Name: "Jens Meier", Amt: "amt-crivitz", Role: api.RoleClerk},
			{ID: "crivitz.krause", Name: "Petra Krause", Amt: "amt-crivitz", Role: api.RoleLead},
			{ID: "sternberg.wolf", Name: "Uwe Wolf", Amt: "amt-sternberger-seenlandschaft", Role: api.RoleClerk},
			{ID: "sternberg.lange", Name: "Maria Lange", Amt: "amt-sternberger-seenlandschaft", Role: api.RoleClerk},
			{ID: "sternberg.peters", Name: "Karin Peters", Amt: "amt-sternberger-seenlandschaft", Role: api.RoleLead},
		},
		N: n,
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	txt := make([]byte, 0, 4096)
	for i := 0; len(txt) < 4000; i++ {
		txt = fmt.Appendf(txt, "Zeile %d des Nachweises.\n", i)
	}
	sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
	statuses := []api.Status{api.StatusNew, api.StatusInReview, api.StatusAwaitingDocuments, api.StatusNew,
		api.StatusInReview, api.StatusDecided, api.StatusClosed, api.StatusNew}
	d.Case = func(i int) demo.SeedCase {
		amt := d.Amts[i%len(d.Amts)].ID
		svc := api.Service{Key: "99050012104000", Name: "Gewerbeanmeldung"}
		if i%3 == 2 {
			svc = api.Service{Key: "99107004000000", Name: "Wohngeld", FourEyes: true}
		}
		submitted := now.Add(-time.Duration(i%30+1) * 24 * time.Hour)
		c := api.Case{
			ID:          fmt.Sprintf("case-%06d", i),
			Amt:         amt,
			Reference:   fmt.Sprintf("GEW-2026-%06d", i),
			Service:     svc,
			Applicant:   api.Applicant{Kind: "person", Name: fmt.Sprintf("Antragsteller %d", i), Address: "Schlossstraße 1, 19089 Crivitz"},
			SubmittedAt: submitted,
			DueDate:     submitted.AddDate(0, 1, 0).Format(time.DateOnly),
			Status:      statuses[i%len(statuses)],
			Sections: []api.Section{{Title: "Angaben", Fields: []api.Field{
				{Label: "Name", Value: fmt.Sprintf("Antragsteller %d", i)},
				{Label: "Tätigkeit", Value: "Einzelhandel mit Backwaren"},
			}}},
			Attachments: []api.Attachment{
				{ID: "att-1", Name: "antrag.pdf", ContentType: "application/pdf", Size: int64(len(pdf)), SHA256: sum(pdf)},
				{ID: "att-2", Name: "nachweis.txt", ContentType: "text/plain; charset=utf-8", Size: int64(len(txt)), SHA256: sum(txt)},
			},
			Evidence: []api.Evidence{{ID: "ev-1", Register: "Melderegister", Title: "Meldebestätigung", Issuer: "Amt Crivitz",
				RetrievedAt: submitted, Verified: true, Fields: []api.Field{{Label: "Anschrift", Value: "Schlossstraße 1"}}}},
			Version:   1,
			UpdatedAt: submitted,
		}
		if c.Status == api.StatusDecided || c.Status == api.StatusClosed {
			c.Decision = &api.Decision{ID: fmt.Sprintf("dec-%d", i), Outcome: api.OutcomeApproved, Reasoning: "Voraussetzungen erfüllt",
				State: api.DecisionFinal, Actor: d.Clerks[0].ID, CreatedAt: submitted}
		}
		evs := []api.Event{{Kind: api.EventReceived, Actor: "applicant", At: submitted, Summary: "Antrag eingegangen"}}
		if c.Status != api.StatusNew {
			evs = append(evs, api.Event{Kind: api.EventStatusChanged, Actor: "system", At: submitted, Summary: string(c.Status)})
		}
		return demo.SeedCase{Case: c, Events: evs, Files: map[string][]byte{"att-1": pdf, "att-2": txt}}
	}
	return d
}
