// Package demo generates the deterministic, realistic demo data of the reference server: Ämter of
// Mecklenburg-Vorpommern, their clerks, and cases of real municipal services with attachments.
package demo

import "github.com/amt-mv/amt/api"

// Amt is a receiving office (destination).
type Amt struct {
	ID   string // e.g. "amt-crivitz"
	Name string // e.g. "Amt Crivitz"
}

// Clerk is a member of staff of one Amt.
type Clerk struct {
	ID   string // unique across all Ämter, e.g. "crivitz.schulz"
	Name string
	Amt  string
	Role api.Role
}

// SeedCase is one case with its history and the bytes of its attachments.
type SeedCase struct {
	Case   api.Case
	Events []api.Event
	// Files maps attachment id to content; the bytes may be shared between cases (do not modify).
	Files map[string][]byte
}

// Data is a generated data set. Cases are produced on demand so that 100,000 of them never need
// to be in memory at once.
type Data struct {
	Amts   []Amt
	Clerks []Clerk
	N      int // number of cases
	// Case returns case i (0 <= i < N); the same options and i always give the same case.
	Case func(i int) SeedCase
}
