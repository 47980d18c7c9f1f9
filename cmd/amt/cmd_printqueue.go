package main

// amt print-queue: the Amt's print queue (Postausgang) on the command line — the letters the
// server wrote for applicants who get their answer by post, waiting for a clerk to print them
// (with the system's viewer, or the configured viewer command) and mark them printed.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/components/caseview"
)

func init() {
	for k, v := range printQueueMessages {
		messages[k] = v
	}
}

var printQueueMessages = map[string][2]string{
	"help.print_queue": {"Postausgang: auf den Druck wartende Schreiben auflisten (list), mit dem Betrachter öffnen (print) und als gedruckt markieren (printed)",
		"print queue: list the letters waiting for print (list), open one with the viewer (print) and mark it printed (printed)"},
	"usage.print_queue": {"Aufruf: amt print-queue [list] [--json] | print ID [DOKUMENT] | printed ID [DOKUMENT]",
		"usage: amt print-queue [list] [--json] | print ID [DOCUMENT] | printed ID [DOCUMENT]"},
	"pq.header":             {"AKTENZEICHEN\tSCHREIBEN\tANTRAGSTELLER\tERSTELLT\tDOKUMENT", "REFERENCE\tLETTER\tAPPLICANT\tCREATED\tDOCUMENT"},
	"pq.empty":              {"Der Postausgang ist leer.", "The print queue is empty."},
	"pq.kind.bescheid":      {"Bescheid", "notice"},
	"pq.kind.nachforderung": {"Nachforderung", "request for documents"},
	"pq.none_in_case":       {"Im Vorgang %s wartet kein Schreiben auf den Druck.", "No letter of case %s waits for print."},
	"pq.which":              {"Im Vorgang %s warten mehrere Schreiben; bitte das Dokument angeben: %s", "Several letters of case %s wait; name the document: %s"},
	"pq.no_doc":             {"Der Vorgang %s hat kein Schreiben %s im Postausgang.", "Case %s has no letter %s in the print queue."},
	"pq.offline":            {"Das Schreiben ist noch nicht heruntergeladen und der Server ist nicht erreichbar: %v", "The letter is not downloaded yet and the server cannot be reached: %v"},
	"pq.viewer":             {"Der Betrachter konnte das Schreiben nicht öffnen: %v", "The viewer could not open the letter: %v"},
	"pq.opened":             {"%s geöffnet. Nach dem Druck: amt print-queue printed %s %s", "%s opened. After printing: amt print-queue printed %s %s"},
	"pq.wait":               {"Drücken Sie die Eingabetaste, wenn der Druck fertig ist (die Kopie zum Ansehen wird dann gelöscht). ", "Press Enter when printing is done (the viewing copy is then deleted). "},
	"pq.ask_printed":        {"Als gedruckt markieren? [j/N] ", "Mark it printed? [y/N] "},
}

// printItemJSON is the --json shape of a print queue entry.
type printItemJSON struct {
	CaseID    string           `json:"caseId"`
	Reference string           `json:"reference"`
	Applicant string           `json:"applicant"`
	Service   string           `json:"service"`
	Document  api.Document     `json:"document"`
	Kind      api.DocumentKind `json:"kind"`
}

func cmdPrintQueue(a *app, args []string) int {
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "list":
		return a.printQueueList(args)
	case "print", "printed":
		fs := a.newFlags("print-queue " + sub)
		pos, err := parseFlags(fs, args)
		if err != nil {
			return flagExit(err)
		}
		if len(pos) < 1 || len(pos) > 2 {
			a.errorf("%s", a.T("usage.print_queue"))
			return exitUsage
		}
		s, c, ok := a.openCase(pos[0])
		if !ok {
			return a.fail()
		}
		defer s.close()
		doc, ok := a.printDoc(c, pos[1:])
		if !ok {
			return exitErr
		}
		if sub == "printed" {
			return a.markPrinted(s, c, doc)
		}
		return a.printOne(s, c, doc)
	}
	a.errorf("%s", a.T("usage.print_queue"))
	return exitUsage
}

func (a *app) printQueueList(args []string) int {
	fs := a.newFlags("print-queue")
	asJSON := fs.Bool("json", false, a.T("flag.json"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		a.errorf("%s", a.T("usage.print_queue"))
		return exitUsage
	}
	st, ok := a.openStore()
	if !ok {
		return a.fail()
	}
	defer st.Close()
	items, err := st.PrintQueue()
	if err != nil {
		return a.storeErr(err)
	}
	if *asJSON {
		js := make([]printItemJSON, 0, len(items))
		for _, it := range items {
			js = append(js, printItemJSON{CaseID: it.CaseID, Reference: it.Reference, Applicant: it.ApplicantName,
				Service: it.ServiceName, Document: it.Doc, Kind: it.Doc.Kind})
		}
		return a.writeJSON(js)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, a.T("pq.header"))
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(it.Reference, 24), a.T("pq.kind."+string(it.Doc.Kind)),
			cell(it.ApplicantName, 30), a.date(it.Doc.CreatedAt.Local().Format("2006-01-02")), cell(it.Doc.ID, 60))
	}
	if err := tw.Flush(); err != nil {
		return exitErr
	}
	if len(items) == 0 {
		fmt.Fprintln(a.stderr, a.T("pq.empty"))
	}
	return exitOK
}

// printDoc picks the document of the case the clerk means: the one named, or the only one waiting.
func (a *app) printDoc(c api.Case, named []string) (api.Document, bool) {
	items := store.PrintItems(c)
	ref := sanitize.Line(c.Reference)
	if len(named) == 1 {
		for _, it := range items {
			if it.Doc.ID == named[0] {
				return it.Doc, true
			}
		}
		a.errorf("%s", a.T("pq.no_doc", ref, sanitize.Line(named[0])))
		return api.Document{}, false
	}
	switch len(items) {
	case 0:
		a.errorf("%s", a.T("pq.none_in_case", ref))
		return api.Document{}, false
	case 1:
		return items[0].Doc, true
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, sanitize.Line(it.Doc.ID))
	}
	a.errorf("%s", a.T("pq.which", ref, strings.Join(ids, ", ")))
	return api.Document{}, false
}

func (a *app) markPrinted(s *session, c api.Case, doc api.Document) int {
	if err := casework.PrintAllowed(c, doc.ID); err != nil {
		return a.refused(err)
	}
	return a.queueSub(s, c, api.ActionPrinted, doc.ID, api.PrintedRequest{})
}

// printOne downloads the letter into the sealed cache (unless it is there), opens a plain copy
// with the viewer and, on a terminal, waits until the clerk has printed it and offers to mark it.
func (a *app) printOne(s *session, c api.Case, doc api.Document) int {
	att := doc.AsAttachment()
	if !s.st.AttachmentComplete(c.ID, att) {
		if s.c == nil {
			a.errorf("%s", a.T("pq.offline", a.T("err.not_logged_in")))
			return exitOffline
		}
		w, err := s.st.OpenAttachmentWriter(c.ID, att)
		if err != nil {
			return a.storeErr(err)
		}
		ctx, cancel := context.WithTimeout(a.ctx, 2*time.Minute)
		err = s.c.Download(ctx, c.ID, att, w, nil)
		cancel()
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			a.errorf("%s", a.T("pq.offline", err))
			return exitOffline
		}
	}
	ext := caseview.ViewerExt(att.ContentType)
	if ext == "" {
		ext = ".pdf"
	}
	path, err := s.st.ViewAttachment(c.ID, att, ext)
	if err != nil {
		return a.storeErr(err)
	}
	if err := a.openViewer(path); err != nil {
		a.errorf("%s", a.T("pq.viewer", err))
		return exitErr
	}
	ref := sanitize.Line(c.Reference)
	a.printf("%s\n", a.T("pq.opened", sanitize.Line(doc.Name), ref, sanitize.Line(doc.ID)))
	if !isInteractive() {
		return exitOK
	}
	if a.viewerCommand() == "" {
		// The system viewer runs on its own: the plain copy must outlive it until the clerk is done
		// (closing the cache deletes it).
		a.confirm(a.T("pq.wait"))
	}
	if a.confirm(a.T("pq.ask_printed")) {
		return a.markPrinted(s, c, doc)
	}
	return exitOK
}

// viewerCommand is the configured viewer (AMT_VIEWER, else the config's viewer): a command the
// file's path is appended to, e.g. "lp" to print at once; "" = the system's viewer.
func (a *app) viewerCommand() string {
	if v := os.Getenv("AMT_VIEWER"); v != "" {
		return v
	}
	return a.cfg.Viewer
}

// openViewer opens path with the configured viewer command (and waits for it), else with the
// system's viewer.
func (a *app) openViewer(path string) error {
	v := strings.Fields(a.viewerCommand())
	if len(v) == 0 {
		return caseview.SystemOpen(path)
	}
	cmd := exec.CommandContext(a.ctx, v[0], append(v[1:], path)...)
	cmd.Stdout, cmd.Stderr = a.stderr, a.stderr
	return cmd.Run()
}
