package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// amt decide follows the service's decision fields (issue 15 item 11): --value NAME=WERT for a
// Wohngeld grant, read as clerks type it, queued in canonical form; an unknown field, an
// unreadable value or a value with a rejection exit 2 naming the field; amt show lists the
// fields and shows the values.
func TestDecideServiceValues(t *testing.T) {
	setupEnv(t)
	env := servertest.Start(t, servertest.WithCases(200))
	amt := env.Data.Amts[0].ID
	var clerk string
	for _, c := range env.ClerksOf(amt) {
		if c.Role == api.RoleClerk {
			clerk = c.ID
			break
		}
	}
	var wg api.Case
	for i := 0; i < env.Data.N; i++ {
		c := env.Data.Case(i).Case
		if c.Amt == amt && c.Service.Key == "99107004018000" && (c.Status == api.StatusInReview || c.Status == api.StatusNew) && c.Decision == nil {
			wg = c
			break
		}
	}
	if clerk == "" || wg.ID == "" {
		t.Fatalf("no clerk (%q) or Wohngeld case in review (%q)", clerk, wg.ID)
	}
	c := newCLI(t)
	c.must(0, "login", "--server", env.URL, "--token", env.Token(clerk))
	c.must(0, "sync")
	if out := c.must(0, "show", wg.ID); !strings.Contains(out, "monthlyAmount (Wohngeld monatlich") || !strings.Contains(out, "grantPeriod (Bewilligungszeitraum") {
		t.Fatalf("show does not list the decision fields:\n%s", out)
	}
	bad := []struct {
		args []string
		says string
	}{
		{[]string{"--value", "bonus=1"}, "„bonus“ ist kein Bescheid-Feld dieser Leistung (Felder: monthlyAmount, grantPeriod)"},
		{[]string{"--value", "monthlyAmount=viel"}, "--value monthlyAmount: „viel“ nicht lesbar"},
		{[]string{"--value", "grantPeriod=30.11.2027-01.12.2026"}, "--value grantPeriod"},
	}
	for _, b := range bad {
		args := append([]string{"decide", wg.ID, "approved", "--reason", "Anspruch besteht"}, b.args...)
		if code, _, errs := c.run(args...); code != exitUsage || !strings.Contains(errs, b.says) {
			t.Errorf("%v: exit %d, %s", b.args, code, errs)
		}
	}
	if code, _, errs := c.run("decide", wg.ID, "rejected", "--reason", "zu hoch", "--value", "monthlyAmount=10"); code != exitUsage || !strings.Contains(errs, "nur bei einer Bewilligung") {
		t.Errorf("rejection with a value: exit %d, %s", code, errs)
	}
	c.must(0, "decide", wg.ID, "approved", "--reason", "Anspruch nach § 19 WoGG",
		"--value", "monthlyAmount=312,50", "--value", "grantPeriod=01.12.2026-30.11.2027")
	var sc api.Case
	if err := json.Unmarshal([]byte(c.must(0, "show", wg.ID, "--json")), &sc); err != nil {
		t.Fatal(err)
	}
	if sc.Decision == nil || sc.Decision.Values["monthlyAmount"] != "31250" || sc.Decision.Values["grantPeriod"] != "2026-12-01/2027-11-30" {
		t.Fatalf("decision %+v", sc.Decision)
	}
	if out := c.must(0, "show", wg.ID); !strings.Contains(out, "Wohngeld monatlich: 312,50 € monatlich") || !strings.Contains(out, "01.12.2026 bis 30.11.2027") {
		t.Fatalf("show lacks the values:\n%s", out)
	}
}
