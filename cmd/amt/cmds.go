package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/safefile"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/internal/version"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// pushTimeout bounds the one push an action command tries after queueing.
var pushTimeout = 8 * time.Second

func cmdVersion(a *app, _ []string) int {
	a.printf("%s\n", version.String("amt"))
	return exitOK
}

func cmdLogin(a *app, args []string) int {
	fs := a.newFlags("login")
	tok := fs.String("token", "", a.T("flag.token"))
	noBrowser := fs.Bool("no-browser", false, a.T("flag.no_browser"))
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer st.Close()
	server := a.serverURL(st)
	if server == "" {
		a.errorf("%s", a.T("err.no_server"))
		return exitUsage
	}
	token := *tok
	if token == "" {
		token = os.Getenv("AMT_TOKEN")
	}
	if token == "" {
		// Without a token: sign in through the provider the server names, if it names one.
		if info, ok := a.signInInfo(server); ok && info.OIDC != nil {
			return a.loginDevice(st, server, *info.OIDC, *noBrowser)
		}
		fmt.Fprint(a.stderr, a.T("login.prompt"))
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			a.errorf("%s", a.T("err.no_token"))
			return exitUsage
		}
		token = strings.TrimSpace(line)
	}
	c, err := a.newClient(server, token)
	if err != nil {
		a.errorf("%v", err)
		return exitErr
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(a.ctx, 15*time.Second)
	defer cancel()
	me, err := c.Me(ctx)
	offline := false
	switch {
	case err == nil:
	case errors.Is(err, client.ErrUnauthorized):
		a.errorf("%s", a.T("err.unauthorized_login"))
		return exitErr
	case errors.Is(err, client.ErrOffline) || errors.Is(err, client.ErrRetryLater):
		offline = true
	default:
		a.errorf("%s", a.T("err.login", sanitize.Line(err.Error())))
		return exitErr
	}
	if old, err := st.Meta(metaServer); err == nil && string(old) != "" && string(old) != server {
		// Another server's cases must not mix with this one's.
		if err := st.ResetForResync(); err != nil {
			return a.storeErr(err)
		}
	}
	put := func(k string, v []byte) bool {
		if err := st.PutMeta(k, v); err != nil {
			a.storeErr(err)
			return false
		}
		return true
	}
	if !put(metaServer, []byte(server)) || !put(metaToken, []byte(token)) {
		return a.fail()
	}
	if offline {
		a.printf("%s\n", a.T("login.offline"))
		return exitOffline
	}
	b, _ := json.Marshal(me)
	if !put(metaMe, b) {
		return a.fail()
	}
	if clerks, err := c.Clerks(ctx); err == nil {
		b, _ := json.Marshal(clerks)
		if !put(metaClerks, b) {
			return a.fail()
		}
	}
	a.printf("%s\n", a.T("login.ok", sanitize.Line(me.Name), sanitize.Line(me.Clerk), sanitize.Line(me.AmtName)))
	return exitOK
}

func cmdSync(a *app, args []string) int {
	fs := a.newFlags("sync")
	timeout := fs.Duration("timeout", 5*time.Minute, a.T("flag.timeout"))
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	return a.syncNow(*timeout)
}

// syncNow pushes the outbox and pulls the change feed once, and reports the result.
func (a *app) syncNow(timeout time.Duration) int {
	s, ok := a.openSession(true)
	if !ok {
		return a.fail()
	}
	defer s.close()
	ctx, cancel := context.WithTimeout(a.ctx, timeout)
	defer cancel()
	rep := startSyncReporter(a.stderr, a.lang, s.y.Events(), writerIsTerminal(a.stderr))
	err := s.y.SyncOnce(ctx)
	rep.finish()
	ev := s.y.Status()
	if p := ev.Progress; p.SlowLine && (err == nil || errors.Is(err, syncer.ErrSlowLine)) {
		// Say what is true: the server answered, the line is slow (or broke halfway).
		if err == nil {
			a.errorf("%s", i18n.SyncProgress(i18n.Parse(a.lang), factsOf(p)))
		}
	}
	switch {
	case err == nil:
		a.refreshMe(s, 10*time.Second)
		purged := a.autoPurge(s.st)
		n, _ := s.st.Count()
		a.printf("%s\n", a.T("sync.ok", n, ev.Pending, ev.Conflicts, ev.Rejected))
		if purged > 0 {
			a.printf("%s\n", a.T("purge.auto", purged, a.retentionDays()))
		}
		return exitOK
	case errors.Is(err, client.ErrUnauthorized):
		a.errorf("%s", a.unauthorizedText(err))
		return exitErr
	case errors.Is(err, syncer.ErrSlowLine):
		a.errorf("%s", i18n.SyncCut(i18n.Parse(a.lang), factsOf(ev.Progress)))
		a.errorf("%s", a.T("sync.queued", ev.Pending))
		return exitOffline
	case errors.Is(err, client.ErrOffline), errors.Is(err, context.DeadlineExceeded):
		a.errorf("%s", a.T("sync.offline", ev.Pending))
		return exitOffline
	case errors.Is(err, store.ErrCorrupt):
		return a.storeErr(err)
	}
	a.errorf("%s", a.T("sync.failed", sanitize.Line(err.Error())))
	return exitErr
}

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
	query := fs.String("query", "", a.T("flag.query"))
	asJSON := fs.Bool("json", false, a.T("flag.json"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 && *query == "" {
		*query = strings.Join(pos, " ")
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer st.Close()
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
	rows, err := st.AllSummaries()
	if err != nil {
		return a.storeErr(err)
	}
	td := today()
	svc := strings.ToLower(*service)
	q := strings.ToLower(*query)
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
		if q != "" && !strings.Contains(r.Search, q) && !strings.Contains(strings.ToLower(r.Reference), q) {
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
		due := r.DueDate
		if r.Status.Open() && due != "" && due < td {
			due += " " + common.DueOverdue.Symbol()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			cell(r.Reference, 24), cell(a.statusLabel(r.Status), 26), cell(due, 13),
			cell(r.Assignee, 20), cell(r.ApplicantName, 30), cell(r.ServiceName, 30), mark, cell(r.ID, 40))
	}
	if err := tw.Flush(); err != nil {
		return exitErr
	}
	if len(out) == 0 {
		fmt.Fprintln(a.stderr, a.T("list.empty"))
	}
	return exitOK
}

// cell sanitises untrusted text for one table cell and bounds its width.
func cell(s string, max int) string {
	s = sanitize.Line(s)
	s = strings.ReplaceAll(s, "\t", " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

func statusList() string {
	var s []string
	for _, st := range api.Statuses {
		s = append(s, string(st))
	}
	return strings.Join(s, ", ")
}

// writeJSON prints v as indented JSON. encoding/json already escapes C0 controls; C1 controls,
// bidi overrides and other invisible format characters are escaped too, so raw JSON on a terminal
// is as safe as the plain-text output (the decoded strings are unchanged). A slice is written an
// element at a time (same bytes as json.MarshalIndent), so listing 100,000 cases does not hold
// the whole document in memory; an empty or nil slice prints [].
func (a *app) writeJSON(v any) int {
	w := bufio.NewWriterSize(a.stdout, 64<<10)
	fail := func(err error) int {
		a.errorf("%v", err)
		return exitErr
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
		w.WriteString("[")
		for i := range rv.Len() {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n  ")
			b, err := json.MarshalIndent(rv.Index(i).Interface(), "  ", "  ")
			if err != nil {
				return fail(err)
			}
			writeEscapedJSON(w, b)
		}
		if rv.Len() > 0 {
			w.WriteString("\n")
		}
		w.WriteString("]")
	} else {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fail(err)
		}
		writeEscapedJSON(w, b)
	}
	w.WriteString("\n")
	if err := w.Flush(); err != nil {
		return exitErr
	}
	return exitOK
}

// writeEscapedJSON copies JSON to w, escaping DEL, C1 controls and Unicode format characters
// (bidi overrides, zero-width marks) as \uXXXX. Such runes only occur inside JSON strings.
func writeEscapedJSON(w *bufio.Writer, b []byte) {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Cf, r) {
			fmt.Fprintf(w, "\\u%04x", r)
		} else {
			w.Write(b[:n])
		}
		b = b[n:]
	}
}

// openCase opens the cache (no server needed) and finds a case by id or Aktenzeichen. On success
// the caller closes the session.
func (a *app) openCase(key string) (*session, api.Case, bool) {
	s, ok := a.openSession(false)
	if !ok {
		return nil, api.Case{}, false
	}
	c, ok := a.findCase(s.st, key)
	if !ok {
		s.close()
		return nil, c, false
	}
	return s, c, true
}

// findCase looks a case up by id or reference (Aktenzeichen).
func (a *app) findCase(st *store.Store, key string) (api.Case, bool) {
	c, err := st.Case(key)
	if err == nil {
		return c, true
	}
	if !errors.Is(err, store.ErrNotFound) {
		a.storeErr(err)
		return c, false
	}
	rows, err := st.AllSummaries()
	if err != nil {
		a.storeErr(err)
		return c, false
	}
	// The store counts its index rows as it writes them: fewer readable rows than counted means
	// damage hid some, and the case may be among them — say so rather than "not cached".
	if n, err := st.Count(); err != nil || n != len(rows) {
		if err == nil {
			err = fmt.Errorf("%w: the list index has %d of %d rows", store.ErrCorrupt, len(rows), n)
		}
		a.storeErr(err)
		return c, false
	}
	for _, r := range rows {
		if r.ID == key {
			// Listed but its record is gone: the file is damaged, not the case unknown.
			a.storeErr(fmt.Errorf("%w: case %s is listed but its record is missing", store.ErrCorrupt, key))
			return c, false
		}
		if strings.EqualFold(r.Reference, key) {
			c, err := st.Case(r.ID)
			if err != nil {
				a.storeErr(err)
			}
			return c, err == nil
		}
	}
	a.errorf("%s", a.T("err.case_not_found", sanitize.Line(key)))
	return c, false
}

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
	defer st.Close()
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
	a.printCase(c, acts)
	return exitOK
}

func (a *app) printCase(c api.Case, acts []store.Action) {
	w := a.stdout
	L := sanitize.Line
	fmt.Fprintf(w, "%s  %s (%s)\n", L(c.Reference), L(c.Service.Name), L(c.Service.Key))
	fmt.Fprintf(w, "%s: %s   %s: %s   %s: %s\n", a.T("f.status"), a.statusLabel(c.Status),
		a.T("f.due"), a.date(c.DueDate), a.T("f.assignee"), orDash(L(c.Assignee)))
	fmt.Fprintf(w, "%s: %s   ID: %s   %s: %d\n", a.T("f.submitted"), c.SubmittedAt.Local().Format("2006-01-02 15:04"), L(c.ID), a.T("f.version"), c.Version)
	ap := c.Applicant
	fmt.Fprintf(w, "%s: %s", a.T("f.applicant"), L(ap.Name))
	for _, s := range []string{ap.Address, ap.Email, ap.Phone} {
		if s != "" {
			fmt.Fprintf(w, ", %s", L(s))
		}
	}
	fmt.Fprintln(w)
	if c.Resubmission != nil {
		fmt.Fprintf(w, "%s: %s %s\n", a.T("f.resubmission"), a.date(c.Resubmission.Date), L(c.Resubmission.Reason))
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
			fmt.Fprintf(w, "  - %s (%s, %s)%s\n", L(e.Title), L(e.Register), L(e.Issuer), v)
			for _, f := range e.Fields {
				fmt.Fprintf(w, "      %s: %s\n", L(f.Label), L(f.Value))
			}
		}
	}
	if p := c.Payment; p != nil {
		fmt.Fprintf(w, "\n%s: %s (%s)\n", a.T("f.payment"), casework.FormatFee(p.AmountCents), L(p.Status))
	}
	for _, d := range c.DocumentRequests {
		fmt.Fprintf(w, "\n%s: %s (%s %s)\n", a.T("f.docrequest"), L(strings.Join(d.Documents, ", ")), a.T("f.deadline"), a.date(d.Deadline))
	}
	if d := c.Decision; d != nil {
		fmt.Fprintf(w, "\n== %s ==\n  %s (%s), %s\n", a.T("f.decision"), a.outcomeLabel(d.Outcome), L(d.State), L(d.Actor))
		if d.FeeCents != nil {
			fmt.Fprintf(w, "  %s: %s\n", a.T("f.fee"), casework.FormatFee(*d.FeeCents))
		}
		if d.ValidUntil != "" {
			fmt.Fprintf(w, "  %s: %s\n", a.T("f.valid_until"), a.date(d.ValidUntil))
		}
		fmt.Fprintf(w, "  %s\n", indent(sanitize.Text(d.Reasoning), "  "))
	}
	if len(c.Notes) > 0 {
		fmt.Fprintf(w, "\n== %s ==\n", a.T("f.notes"))
		for _, n := range c.Notes {
			fmt.Fprintf(w, "  %s %s:\n    %s\n", n.CreatedAt.Local().Format("2006-01-02 15:04"), L(n.Actor), indent(sanitize.Text(n.Text), "    "))
		}
	}
	if len(acts) > 0 {
		fmt.Fprintf(w, "\n== %s ==\n", a.T("f.outbox"))
		for _, x := range acts {
			fmt.Fprintf(w, "  %s  %s  %s\n", a.stateLabel(x.State), a.kindLabel(x.Kind), L(x.ID))
		}
	}
}

func indent(s, pre string) string { return strings.ReplaceAll(s, "\n", "\n"+pre) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// queue records an action for the case and tries to deliver it at once.
func (a *app) queue(s *session, c api.Case, kind api.ActionKind, body any) int {
	return a.queueSub(s, c, kind, "", body)
}

// queueSub is queue for actions addressed below the case (subID: the decision of an approval).
func (a *app) queueSub(s *session, c api.Case, kind api.ActionKind, subID string, body any) int {
	act, err := a.enqueue(s, c, kind, subID, body)
	if err != nil {
		return a.storeErr(err)
	}
	return a.deliver(s, act.ID)
}

// enqueue records an action for the case against the version the server last sent.
func (a *app) enqueue(s *session, c api.Case, kind api.ActionKind, subID string, body any) (store.Action, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return store.Action{}, err
	}
	base := c.Version
	if sc, err := s.st.ServerCase(c.ID); err == nil {
		base = sc.Version
	}
	return s.st.Enqueue(store.Action{CaseID: c.ID, Kind: kind, SubID: subID, Body: b, BaseVersion: base, Actor: s.me.Clerk})
}

// deliver tries one push (bounded by pushTimeout) and reports what became of action id.
func (a *app) deliver(s *session, id string) int {
	if s.c == nil {
		a.printf("%s\n", a.T("queued.offline"))
		return exitOK
	}
	ctx, cancel := context.WithTimeout(a.ctx, pushTimeout)
	defer cancel()
	perr := s.y.Push(ctx)
	if errors.Is(perr, store.ErrCorrupt) {
		return a.storeErr(perr)
	}
	out, err := s.st.Outbox()
	if err != nil {
		return a.storeErr(err)
	}
	for _, x := range out {
		if x.ID != id {
			continue
		}
		switch x.State {
		case store.StateConflict:
			a.errorf("%s", a.T("queued.conflict", id))
			return exitErr
		case store.StateRejected:
			a.errorf("%s", a.T("queued.rejected", sanitize.Line(x.LastError)))
			return exitErr
		}
		if errors.Is(perr, client.ErrUnauthorized) {
			a.errorf("%s", a.unauthorizedText(perr))
			return exitErr
		}
		if perr != nil || x.Attempts == 0 {
			a.printf("%s\n", a.T("queued.offline"))
		} else {
			a.printf("%s\n", a.T("queued.retry"))
		}
		return exitOK
	}
	a.printf("%s\n", a.T("queued.sent"))
	return exitOK
}

func cmdComment(a *app, args []string) int {
	fs := a.newFlags("comment")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) < 2 {
		a.errorf("%s", a.T("usage.comment"))
		return exitUsage
	}
	text := strings.Join(pos[1:], " ")
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, api.MaxBodyBytes))
		if err != nil {
			a.errorf("%v", err)
			return exitErr
		}
		text = strings.TrimRight(string(b), "\n")
	}
	if strings.TrimSpace(text) == "" {
		a.errorf("%s", a.T("err.empty_text"))
		return exitUsage
	}
	if n := len([]rune(text)); n > api.MaxNoteRunes {
		a.errorf("%s", a.T("err.text_too_long", api.MaxNoteRunes))
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanNote(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	return a.queue(s, c, api.ActionNote, api.NoteRequest{Text: text})
}

func cmdAssign(a *app, args []string) int {
	fs := a.newFlags("assign")
	to := fs.String("to", "", a.T("flag.to"))
	me := fs.Bool("me", false, a.T("flag.me"))
	none := fs.Bool("none", false, a.T("flag.none"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	n := 0
	for _, b := range []bool{*to != "", *me, *none} {
		if b {
			n++
		}
	}
	if len(pos) != 1 || n != 1 {
		a.errorf("%s", a.T("usage.assign"))
		return exitUsage
	}
	s, ok := a.openSession(false)
	if !ok {
		return a.fail()
	}
	defer s.close()
	assignee := *to
	if *me {
		if s.me.Clerk == "" {
			a.errorf("%s", a.T("err.not_logged_in"))
			return exitErr
		}
		assignee = s.me.Clerk
	}
	if assignee != "" {
		var clerks []api.Clerk
		if b, err := s.st.Meta(metaClerks); err == nil && json.Unmarshal(b, &clerks) == nil && len(clerks) > 0 {
			found := false
			for _, k := range clerks {
				if k.ID == assignee {
					found = true
				}
			}
			if !found {
				a.errorf("%s", a.T("err.unknown_clerk", sanitize.Line(assignee)))
				return exitUsage
			}
		}
	}
	c, ok := a.findCase(s.st, pos[0])
	if !ok {
		return a.fail()
	}
	if err := casework.CanAssign(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	return a.queue(s, c, api.ActionAssignment, api.AssignmentRequest{Assignee: assignee})
}

func cmdDecide(a *app, args []string) int {
	fs := a.newFlags("decide")
	reason := fs.String("reason", "", a.T("flag.reason"))
	fee := fs.Int64("fee-cents", -1, a.T("flag.fee"))
	valid := fs.String("valid-until", "", a.T("flag.valid_until"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 2 {
		a.errorf("%s", a.T("usage.decide"))
		return exitUsage
	}
	outcome := api.Outcome(strings.ReplaceAll(pos[1], "-", "_"))
	if !outcome.Valid() {
		var s []string
		for _, o := range api.Outcomes {
			s = append(s, string(o))
		}
		a.errorf("%s", a.T("err.bad_outcome", sanitize.Line(pos[1]), strings.Join(s, ", ")))
		return exitUsage
	}
	if strings.TrimSpace(*reason) == "" {
		a.errorf("%s", a.T("err.need_reason"))
		return exitUsage
	}
	if a.tooLong(*reason, api.MaxNoteRunes) {
		return exitUsage
	}
	validUntil := ""
	if *valid != "" {
		var ok bool
		if validUntil, ok = a.futureDate(*valid); !ok {
			return exitUsage
		}
	}
	req := api.DecisionRequest{Outcome: outcome, Reasoning: *reason, ValidUntil: validUntil}
	if *fee >= 0 {
		req.FeeCents = fee
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanDecide(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	if casework.StartsReview(c, outcome) {
		// Like the terminal app: a new case is taken into review first, in the same queue.
		if _, err := a.enqueue(s, c, api.ActionStatus, "", api.StatusRequest{Status: api.StatusInReview}); err != nil {
			return a.storeErr(err)
		}
	}
	return a.queue(s, c, api.ActionDecision, req)
}

// actionJSON is the --json shape of an outbox entry.
type actionJSON struct {
	ID            string          `json:"id"`
	Seq           uint64          `json:"seq"`
	CaseID        string          `json:"caseId"`
	Reference     string          `json:"reference,omitempty"`
	Kind          api.ActionKind  `json:"kind"`
	State         string          `json:"state"`
	Body          json.RawMessage `json:"body,omitempty"`
	BaseVersion   int64           `json:"baseVersion"`
	CreatedAt     time.Time       `json:"createdAt"`
	Attempts      int             `json:"attempts"`
	NextAttempt   time.Time       `json:"nextAttempt,omitzero"`
	LastError     string          `json:"lastError,omitempty"`
	ServerVersion int64           `json:"serverVersion,omitempty"`
}

func cmdOutbox(a *app, args []string) int {
	fs := a.newFlags("outbox")
	asJSON := fs.Bool("json", false, a.T("flag.json"))
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	return a.listActions(*asJSON, "")
}

func (a *app) listActions(asJSON bool, only store.ActionState) int {
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer st.Close()
	out, err := st.Outbox()
	if err != nil {
		return a.storeErr(err)
	}
	refs := map[string]string{}
	if rows, err := st.AllSummaries(); err == nil {
		for _, r := range rows {
			refs[r.ID] = r.Reference
		}
	}
	var sel []store.Action
	for _, x := range out {
		if only == "" || x.State == only {
			sel = append(sel, x)
		}
	}
	if asJSON {
		js := make([]actionJSON, 0, len(sel))
		for _, x := range sel {
			j := actionJSON{ID: x.ID, Seq: x.Seq, CaseID: x.CaseID, Reference: refs[x.CaseID], Kind: x.Kind,
				State: string(x.State), BaseVersion: x.BaseVersion, CreatedAt: x.CreatedAt, Attempts: x.Attempts,
				NextAttempt: x.NextAttempt, LastError: x.LastError}
			if json.Valid(x.Body) {
				j.Body = x.Body
			}
			if x.ServerCase != nil {
				j.ServerVersion = x.ServerCase.Version
			}
			js = append(js, j)
		}
		return a.writeJSON(js)
	}
	if len(sel) == 0 {
		a.printf("%s\n", a.T("outbox.empty"))
		return exitOK
	}
	for _, x := range sel {
		a.printf("%s  %-12s %-16s %s  %s\n", x.ID, a.stateLabel(x.State), a.kindLabel(x.Kind),
			cell(refs[x.CaseID], 24), x.CreatedAt.Local().Format("2006-01-02 15:04"))
		a.printf("    %s\n", indent(a.describe(x), "    "))
		switch x.State {
		case store.StatePending:
			if x.Attempts > 0 {
				a.printf("    %s\n", a.T("outbox.retry", x.Attempts, x.NextAttempt.Local().Format("15:04:05"), sanitize.Line(x.LastError)))
			}
		case store.StateRejected:
			a.printf("    %s\n", a.T("outbox.rejected", sanitize.Line(x.LastError)))
		case store.StateConflict:
			if sc := x.ServerCase; sc != nil {
				a.printf("    %s\n", a.T("outbox.conflict", sc.Version, a.statusLabel(sc.Status), orDash(sanitize.Line(sc.Assignee))))
				if d := sc.Decision; d != nil {
					a.printf("    %s\n", a.T("outbox.conflict_decision", a.outcomeLabel(d.Outcome), sanitize.Line(d.Actor)))
				}
			}
			a.printf("    %s\n", a.T("outbox.resolve_hint", x.ID))
		}
	}
	return exitOK
}

func cmdConflicts(a *app, args []string) int {
	if len(args) == 0 || args[0] == "list" || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && args[0] == "list" {
			args = args[1:]
		}
		fs := a.newFlags("conflicts")
		asJSON := fs.Bool("json", false, a.T("flag.json"))
		if _, err := parseFlags(fs, args); err != nil {
			return flagExit(err)
		}
		return a.listActions(*asJSON, store.StateConflict)
	}
	if args[0] != "resolve" {
		a.errorf("%s", a.T("usage.conflicts"))
		return exitUsage
	}
	fs := a.newFlags("conflicts resolve")
	reapply := fs.Bool("reapply", false, a.T("flag.reapply"))
	asNote := fs.Bool("as-note", false, a.T("flag.as_note"))
	discard := fs.Bool("discard", false, a.T("flag.discard"))
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return flagExit(err)
	}
	var r syncer.Resolution
	n := 0
	if *reapply {
		r, n = syncer.Reapply, n+1
	}
	if *asNote {
		r, n = syncer.AsNote, n+1
	}
	if *discard {
		r, n = syncer.Discard, n+1
	}
	if len(pos) != 1 || n != 1 {
		a.errorf("%s", a.T("usage.conflicts"))
		return exitUsage
	}
	s, ok := a.openSession(false)
	if !ok {
		return a.fail()
	}
	defer s.close()
	noteID, err := syncer.Resolve(s.st, pos[0], r)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.errorf("%s", a.T("err.action_not_found", sanitize.Line(pos[0])))
		return exitErr
	case errors.Is(err, syncer.ErrNotConflict):
		a.errorf("%s", a.T("err.not_conflict"))
		return exitErr
	case err != nil:
		return a.storeErr(err)
	}
	switch r {
	case syncer.Reapply:
		return a.deliver(s, pos[0])
	case syncer.AsNote:
		return a.deliver(s, noteID)
	}
	a.printf("%s\n", a.T("resolve.discarded"))
	return exitOK
}

// parseAge reads "90d", "12w" or a Go duration ("720h").
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suf, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suf); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 || int64(v) > math.MaxInt64/int64(unit) {
				return 0, fmt.Errorf("invalid age %q", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid age %q", s)
	}
	return d, nil
}

func cmdPurge(a *app, args []string) int {
	days := a.retentionDays()
	fs := a.newFlags("purge")
	older := fs.String("older-than", strconv.Itoa(days)+"d", a.T("flag.older_than"))
	compact := fs.Bool("compact", true, a.T("flag.compact"))
	if _, err := parseFlags(fs, args); err != nil {
		return flagExit(err)
	}
	age, err := parseAge(*older)
	if err != nil {
		a.errorf("%s", a.T("err.bad_age", sanitize.Line(*older)))
		return exitUsage
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer st.Close()
	n, err := st.Purge(time.Now().Add(-age))
	if err != nil {
		return a.storeErr(err)
	}
	if *compact && n > 0 {
		if err := st.Compact(); err != nil {
			return a.storeErr(err)
		}
	}
	a.printf("%s\n", a.T("purge.done", n))
	return exitOK
}

const configTemplate = `# amt – Konfiguration / configuration
# Flags (--server, --data, --lang) und Umgebungsvariablen (AMT_SERVER, AMT_DATA, AMT_TOKEN,
# AMT_PASSPHRASE) haben Vorrang vor dieser Datei.

# Adresse der zentralen API (https://…)
server: ""

# Zusätzliche vertrauenswürdige CA (PEM) und Client-Zertifikat für mTLS
# ca_file: /etc/amt/ca.pem
# cert_file: /etc/amt/client.pem
# key_file: /etc/amt/client-key.pem

# Sprache: de oder en
lang: de

# Abgeschlossene Vorgänge nach so vielen Tagen aus dem lokalen Cache entfernen: automatisch
# einmal am Tag (beim Start von amt und nach amt sync) und mit amt purge. Vorgänge mit
# vorgemerkten Aktionen bleiben; auf dem Server bleibt alles erhalten.
retention_days: 90

# Cache-Verzeichnis (Standard: Datenverzeichnis des Benutzers)
# data: /home/clerk/.local/share/amt

# Oberfläche: Farbschema default oder high-contrast; Maus; Frist „bald fällig“ in Tagen
# theme: default
# mouse: false
# dueSoonDays: 3

# Tastenbelegung überschreiben (Aktion: Tasten), siehe „?“ in der Oberfläche
# keys:
#   case.decide: ["ctrl+d"]
#   quit: ["Q"]

# Eigene Ansichten (Reiter) im Posteingang
# views:
#   - name: Gewerbe
#     filter: "service:gewerbe status:new,in_review"
`

func cmdConfig(a *app, args []string) int {
	if len(args) == 0 {
		a.errorf("%s", a.T("usage.config"))
		return exitUsage
	}
	switch args[0] {
	case "path":
		a.printf("%s\n", a.cfgPath)
		return exitOK
	case "init":
		fs := a.newFlags("config init")
		force := fs.Bool("force", false, a.T("flag.force"))
		if _, err := parseFlags(fs, args[1:]); err != nil {
			return flagExit(err)
		}
		if a.cfgPath == "" {
			a.errorf("%s", a.T("err.no_config_dir"))
			return exitErr
		}
		if _, err := os.Stat(a.cfgPath); err == nil && !*force {
			a.errorf("%s", a.T("err.config_exists", a.cfgPath))
			return exitErr
		}
		if err := os.MkdirAll(filepath.Dir(a.cfgPath), 0o700); err != nil {
			a.errorf("%v", err)
			return exitErr
		}
		if err := safefile.WriteFile(a.cfgPath, []byte(configTemplate)); err != nil {
			a.errorf("%v", err)
			return exitErr
		}
		a.printf("%s\n", a.T("config.written", a.cfgPath))
		return exitOK
	}
	a.errorf("%s", a.T("usage.config"))
	return exitUsage
}

// describe says in the clerk's language what a queued action will do (sanitised).
func (a *app) describe(x store.Action) string {
	L := sanitize.Line
	short := func(s string) string {
		s = L(s)
		if r := []rune(s); len(r) > 100 {
			s = string(r[:99]) + "…"
		}
		return s
	}
	b, err := casework.Decode(x.Kind, x.Body)
	if err != nil {
		return ""
	}
	switch b.Kind {
	case api.ActionNote:
		return short(b.Note.Text)
	case api.ActionDecision:
		r := b.Decision
		s := a.outcomeLabel(r.Outcome)
		if r.FeeCents != nil {
			s += ", " + casework.FormatFee(*r.FeeCents)
		}
		if r.ValidUntil != "" {
			s += ", " + a.T("f.valid_until") + " " + a.date(r.ValidUntil)
		}
		return s + ": " + short(r.Reasoning)
	case api.ActionAssignment:
		return "→ " + orDash(L(b.Assignment.Assignee))
	case api.ActionStatus:
		return "→ " + a.statusLabel(b.Status.Status)
	case api.ActionResubmission:
		return a.date(b.Resubmission.Date) + " " + short(b.Resubmission.Reason)
	case api.ActionDocumentRequest:
		r := b.DocumentRequest
		return short(strings.Join(r.Documents, ", ")) + " (" + a.T("f.deadline") + " " + a.date(r.Deadline) + ")"
	case api.ActionApproval:
		if b.Approval.Approve {
			return a.T("f.approve") + " " + short(b.Approval.Comment)
		}
		return a.T("f.return") + " " + short(b.Approval.Comment)
	}
	return ""
}
