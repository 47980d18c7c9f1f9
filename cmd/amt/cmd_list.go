package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/query"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
)

// caseJSON is the --json shape of a list row.
type caseJSON struct {
	ID               string     `json:"id"`
	Reference        string     `json:"reference"`
	Service          string     `json:"service"`
	ServiceKey       string     `json:"serviceKey"`
	Applicant        string     `json:"applicant"`
	SubmittedAt      time.Time  `json:"submittedAt"`
	DueDate          string     `json:"dueDate"`
	Status           api.Status `json:"status"`
	Assignee         string     `json:"assignee,omitempty"`
	ResubmissionDate string     `json:"resubmissionDate,omitempty"`
	Version          int64      `json:"version"`
	Pending          int        `json:"pending,omitempty"`
	Conflict         bool       `json:"conflict,omitempty"`
	Rejected         bool       `json:"rejected,omitempty"`
}

func cmdList(a *app, args []string) int {
	fs := a.newFlags("list")
	status := fs.String("status", "", a.T("flag.status"))
	mine := fs.Bool("mine", false, a.T("flag.mine"))
	overdue := fs.Bool("overdue", false, a.T("flag.overdue"))
	service := fs.String("service", "", a.T("flag.service"))
	qtext := fs.String("query", "", a.T("flag.query"))
	asJSON := fs.Bool("json", false, a.T("flag.json"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 && *qtext == "" {
		*qtext = strings.Join(pos, " ")
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer a.closeStore(st)
	var me api.Me
	if b, err := st.Meta(metaMe); err == nil {
		_ = json.Unmarshal(b, &me)
	}
	if *mine && me.Clerk == "" {
		a.errorf("%s", a.T("err.not_logged_in"))
		return exitErr
	}
	statuses := map[api.Status]bool{}
	for _, s := range strings.Split(*status, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !api.Status(s).Valid() {
			a.errorf("%s", a.T("err.bad_status", s, statusList()))
			return exitUsage
		}
		statuses[api.Status(s)] = true
	}
	// The inbox's filter language (fields, -exclusions, assignee names, short Aktenzeichen).
	qry, err := query.Parse(*qtext, time.Now())
	if err != nil {
		a.errorf("%s", a.T("err.bad_query", err.Error()))
		return exitUsage
	}
	var clerks []api.Clerk
	if b, err := st.Meta(metaClerks); err == nil {
		_ = json.Unmarshal(b, &clerks)
	}
	qenv := query.NewEnv(me.Clerk, clerks, time.Now(), 3)
	rows, err := st.AllSummaries()
	if err != nil {
		return a.storeErr(err)
	}
	td := today()
	svc := strings.ToLower(*service)
	var out []store.Summary
	for _, r := range rows {
		if len(statuses) > 0 && !statuses[r.Status] {
			continue
		}
		if *mine && r.Assignee != me.Clerk {
			continue
		}
		if *overdue && !(r.Status.Open() && r.DueDate != "" && r.DueDate < td) {
			continue
		}
		if svc != "" && !strings.Contains(strings.ToLower(r.ServiceName), svc) && r.ServiceKey != *service {
			continue
		}
		if !qry.Match(&r, qenv) {
			continue
		}
		out = append(out, r)
	}
	if *asJSON {
		js := make([]caseJSON, 0, len(out))
		for _, r := range out {
			js = append(js, caseJSON{ID: r.ID, Reference: r.Reference, Service: r.ServiceName, ServiceKey: r.ServiceKey,
				Applicant: r.ApplicantName, SubmittedAt: r.SubmittedAt, DueDate: r.DueDate, Status: r.Status,
				Assignee: r.Assignee, ResubmissionDate: r.ResubmissionDate, Version: r.Version,
				Pending: r.Pending, Conflict: r.Conflict, Rejected: r.Rejected})
		}
		return a.writeJSON(js)
	}
	a.clerks = storedClerks(st)
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, a.T("list.header"))
	for _, r := range out {
		// The same marks as the terminal app: ⚠ conflict, ✗ rejected, ⟳ pending; "!" overdue.
		mark := ""
		switch {
		case r.Conflict:
			mark = common.MarkConflict
		case r.Rejected:
			mark = common.MarkRejected
		case r.Pending > 0:
			mark = common.MarkPending + strconv.Itoa(r.Pending)
		}
		due := a.date(r.DueDate)
		if r.Status.Open() && r.DueDate != "" && r.DueDate < td {
			due += " " + common.DueOverdue.Symbol()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			cell(r.Reference, 24), cell(a.statusLabel(r.Status), 26), cell(due, 13),
			cell(a.clerkName(r.Assignee), 20), cell(r.ApplicantName, 30), cell(r.ServiceName, 30), mark, cell(r.ID, 40))
	}
	if err := tw.Flush(); err != nil {
		return exitErr
	}
	if len(out) == 0 {
		fmt.Fprintln(a.stderr, a.T("list.empty"))
	}
	return exitOK
}

func statusList() string {
	var s []string
	for _, st := range api.Statuses {
		s = append(s, string(st))
	}
	return strings.Join(s, ", ")
}
