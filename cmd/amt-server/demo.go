package main

import (
	"log/slog"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/idp"
	"github.com/amt-mv/amt/server/demo"
)

// demoData generates the demo data set; n = 0 is the realistic default.
func demoData(n int, ref time.Time) *demo.Data {
	return demo.Generate(demo.Options{Cases: n, Now: ref})
}

// The demo provider's client and audience.
const (
	demoClientID = "amt"
	demoAudience = "amt-api"
)

// startDemoProvider runs the test OpenID provider of --demo --oidc with every demo clerk as a
// user: their Amt in the amt claim, leads with role amt-lead, and one deputy per Amt (its second
// clerk) with amt-deputy, so four-eyes approvals can be tried by a deputy too.
func startDemoProvider(f serveFlags, logger *slog.Logger) (*idp.Provider, error) {
	ref := time.Now().UTC().Truncate(24 * time.Hour)
	if f.demoDate != "" {
		if t, err := time.ParseInLocation(time.DateOnly, f.demoDate, time.UTC); err == nil {
			ref = t
		}
	}
	d := demoData(1, ref)
	var users []idp.User
	roles := demoRoles(d.Clerks)
	for _, c := range d.Clerks {
		u := idp.User{Username: c.ID, Name: c.Name, Amt: c.Amt}
		switch roles[c.ID] {
		case api.RoleLead:
			u.Roles = []string{idp.RoleLead}
		case api.RoleDeputy:
			u.Roles = []string{idp.RoleDeputy}
		}
		users = append(users, u)
	}
	return idp.Start(idp.Options{Users: users, Clients: []idp.Client{{ID: demoClientID, Audience: []string{demoAudience}}},
		PollInterval: 2 * time.Second, Logger: logger.With("component", "test-idp")})
}

// demoRoles gives each demo clerk a role: the catalogue's leads stay leads, and the first other
// clerk of each Amt is its deputy (Stellvertretung), so that in an Amt with one lead the lead's own
// four-eyes proposals can be approved too — with static tokens as with --oidc.
func demoRoles(clerks []demo.Clerk) map[string]api.Role {
	out := make(map[string]api.Role, len(clerks))
	deputy := map[string]bool{}
	for _, c := range clerks {
		switch {
		case c.Role == api.RoleLead:
			out[c.ID] = api.RoleLead
		case !deputy[c.Amt]:
			deputy[c.Amt] = true
			out[c.ID] = api.RoleDeputy
		default:
			out[c.ID] = c.Role
		}
	}
	return out
}
