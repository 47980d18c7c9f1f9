package main

import (
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

// cmdRequestDocs asks the applicant for documents (Nachforderung).
func cmdRequestDocs(a *app, args []string) int {
	fs := a.newFlags("request-docs")
	var docs stringsFlag
	fs.Var(&docs, "doc", a.T("flag.doc"))
	deadline := fs.String("deadline", "", a.T("flag.deadline"))
	message := fs.String("message", "", a.T("flag.message"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 || len(docs) == 0 || *deadline == "" {
		a.errorf("%s", a.T("usage.request_docs"))
		return exitUsage
	}
	if len(docs) > casework.MaxDocuments {
		a.errorf("%s", a.T("err.too_many_docs", casework.MaxDocuments))
		return exitUsage
	}
	for _, d := range docs {
		if strings.TrimSpace(d) == "" {
			a.errorf("%s", a.T("err.empty_text"))
			return exitUsage
		}
		if a.tooLong(d, casework.MaxDocumentRunes) {
			return exitUsage
		}
	}
	if a.tooLong(*message, api.MaxNoteRunes) {
		return exitUsage
	}
	date, ok := a.workingDate(*deadline)
	if !ok {
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanRequestDocuments(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	return a.queue(s, c, api.ActionDocumentRequest, api.DocumentRequestRequest{Documents: docs, Deadline: date, Message: *message})
}
