package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
)

func cmdShow(a *app, args []string) int {
	fs := a.newFlags("show")
	asJSON := fs.Bool("json", false, a.T("flag.json"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 {
		a.errorf("%s", a.T("usage.show"))
		return exitUsage
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer a.closeStore(st)
	c, ok := a.findCase(st, pos[0])
	if !ok {
		return a.fail()
	}
	out, _ := st.Outbox()
	var acts []store.Action
	for _, x := range out {
		if x.CaseID == c.ID {
			acts = append(acts, x)
		}
	}
	if *asJSON {
		return a.writeJSON(c)
	}
	a.clerks = storedClerks(st)
	a.printCase(c, acts)
	return exitOK
}

func (a *app) printCase(c api.Case, acts []store.Action) {
	w := a.stdout
	L := sanitize.Line
	fmt.Fprintf(w, "%s  %s (%s)\n", L(c.Reference), L(c.Service.Name), L(c.Service.Key))
	fmt.Fprintf(w, "%s: %s   %s: %s   %s: %s\n", a.T("f.status"), a.statusLabel(c.Status),
		a.T("f.due"), a.date(c.DueDate), a.T("f.assignee"), a.clerkName(c.Assignee))
	fmt.Fprintf(w, "%s: %s   ID: %s   %s: %d\n", a.T("f.submitted"), a.dateTime(c.SubmittedAt), L(c.ID), a.T("f.version"), c.Version)
	ap := c.Applicant
	fmt.Fprintf(w, "%s: %s", a.T("f.applicant"), L(ap.Name))
	for _, s := range []string{ap.Address, ap.Email, ap.Phone} {
		if s != "" {
			fmt.Fprintf(w, ", %s", L(s))
		}
	}
	fmt.Fprintln(w)
	for _, r := range casework.Resubmissions(c) { // one per clerk
		fmt.Fprintf(w, "%s: %s (%s)", a.T("f.resubmission"), a.date(r.Date), a.clerkName(r.Actor))
		if r.Reason != "" {
			fmt.Fprintf(w, " %s", L(r.Reason))
		}
		fmt.Fprintln(w)
	}
	for _, sec := range c.Sections {
		fmt.Fprintf(w, "\n== %s ==\n", L(sec.Title))
		for _, f := range sec.Fields {
			fmt.Fprintf(w, "  %s: %s\n", L(f.Label), indent(sanitize.Text(f.Value), "    "))
		}
	}
	if len(c.Attachments) > 0 {
		fmt.Fprintf(w, "\n== %s ==\n", a.T("f.attachments"))
		for _, at := range c.Attachments {
			fmt.Fprintf(w, "  - %s (%s, %d B)\n", L(at.Name), L(at.ContentType), at.Size)
		}
	}
	if len(c.Evidence) > 0 {
		fmt.Fprintf(w, "\n== %s ==\n", a.T("f.evidence"))
		for _, e := range c.Evidence {
			v := ""
			if e.Verified {
				v = " ✓"
			}
			if e.CheckedBy != "" && e.CheckedAt != nil {
				v += " " + a.T("f.checked_by", a.clerkName(e.CheckedBy), a.date(e.CheckedAt.Format(time.DateOnly)))
			}
			fmt.Fprintf(w, "  - %s (%s, %s)%s\n", L(e.Title), L(e.Register), L(e.Issuer), v)
			for _, f := range e.Fields {
				fmt.Fprintf(w, "      %s: %s\n", L(f.Label), L(f.Value))
			}
		}
	}
	if p := c.Payment; p != nil {
		fmt.Fprintf(w, "\n%s: %s (%s)\n", a.T("f.payment"), casework.FormatFee(p.AmountCents), a.catalogue("case.pay.", p.Status))
	}
	for _, d := range c.DocumentRequests {
		fmt.Fprintf(w, "\n%s: %s (%s %s)\n", a.T("f.docrequest"), L(strings.Join(d.Documents, ", ")), a.T("f.deadline"), a.date(d.Deadline))
	}
	if d := c.Decision; d != nil {
		fmt.Fprintf(w, "\n== %s ==\n  %s (%s), %s\n", a.T("f.decision"), a.outcomeLabel(d.Outcome), a.catalogue("case.decision.", string(d.State)), a.clerkName(d.Actor))
		if d.FeeCents != nil {
			fmt.Fprintf(w, "  %s: %s\n", a.T("f.fee"), casework.FormatFee(*d.FeeCents))
		}
		if d.ValidUntil != "" {
			fmt.Fprintf(w, "  %s: %s\n", a.T("f.valid_until"), a.date(d.ValidUntil))
		}
		for _, f := range catalogue.DecisionFieldsOf(c.Service) {
			if v := d.Values[f.Name]; v != "" {
				fmt.Fprintf(w, "  %s: %s\n", L(f.Label), L(casework.FormatDecisionValue(f.Kind, v, a.caseworkLang())))
			}
		}
		fmt.Fprintf(w, "  %s\n", indent(sanitize.Text(d.Reasoning), "  "))
	}
	if fs := catalogue.DecisionFieldsOf(c.Service); len(fs) > 0 && c.Status.Open() {
		// What amt decide --value takes for this service.
		var parts []string
		for _, f := range fs {
			if casework.InValues(f.Kind) {
				p := f.Name + " (" + L(f.Label)
				if f.Required {
					p += ", " + a.T("f.required")
				}
				parts = append(parts, p+")")
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "\n%s: %s\n", a.T("f.decision_fields"), strings.Join(parts, ", "))
		}
	}
	if len(c.Notes) > 0 {
		fmt.Fprintf(w, "\n== %s ==\n", a.T("f.notes"))
		for _, n := range c.Notes {
			fmt.Fprintf(w, "  %s %s:\n    %s\n", a.dateTime(n.CreatedAt), a.clerkName(n.Actor), indent(sanitize.Text(n.Text), "    "))
		}
	}
	if len(acts) > 0 {
		fmt.Fprintf(w, "\n== %s ==\n", a.T("f.outbox"))
		for _, x := range acts {
			fmt.Fprintf(w, "  %s  %s  %s\n", a.stateLabel(x.State), a.kindLabel(x.Kind), L(x.ID))
		}
	}
}

// clerkName is the name the terminal app shows for a clerk id (the id when the clerk is not
// known, "–" for none), sanitised. a.clerks is loaded by the command.
func (a *app) clerkName(id string) string {
	if id == "" {
		return "–"
	}
	for _, k := range a.clerks {
		if k.ID == id && k.Name != "" {
			return sanitize.Line(k.Name)
		}
	}
	return sanitize.Line(id)
}

// dateTime is a moment as the clerk reads it: 24.11.2026 09:14 (English: 2026-11-24 09:14).
func (a *app) dateTime(t time.Time) string {
	if a.lang == "en" {
		return t.Local().Format("2006-01-02 15:04")
	}
	return t.Local().Format("02.01.2006 15:04")
}

// caseworkLang is the output language for casework's formatting.
func (a *app) caseworkLang() casework.Lang {
	if a.lang == "en" {
		return casework.English
	}
	return casework.German
}
