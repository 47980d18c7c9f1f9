package server

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
)

// attachmentWriteTimeout bounds one attachment response.
const attachmentWriteTimeout = 30 * time.Minute

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, p *principal) error {
	me := api.Me{Clerk: p.Clerk, Role: p.Role, Amt: p.Amt}
	if !p.expires.IsZero() {
		t := p.expires.UTC()
		me.TokenExpires = &t
	}
	c, _, err := s.store.Clerk(r.Context(), p.Amt, p.Clerk)
	if err != nil {
		return err
	}
	a, _, err := s.store.Amt(r.Context(), p.Amt)
	if err != nil {
		return err
	}
	me.Name, me.AmtName = c.Name, a.Name
	lh := api.Letterhead(s.letterhead(p.Amt))
	me.Letterhead = &lh
	return writeJSON(w, r, http.StatusOK, me)
}

func (s *Server) getClerks(w http.ResponseWriter, r *http.Request, p *principal) error {
	list := api.ClerkList{Clerks: []api.Clerk{}}
	clerks, err := s.store.Clerks(r.Context(), p.Amt)
	if err != nil {
		return err
	}
	for _, c := range clerks {
		list.Clerks = append(list.Clerks, api.Clerk{ID: c.ID, Name: c.Name, Role: c.Role})
	}
	return writeJSON(w, r, http.StatusOK, list)
}

// loadVisible reads a case of the caller's Amt that has not left it; a forwarded case stays
// readable to the Amt's leads and deputies as a closed record (they approved its leaving), never
// to its clerks, and no action applies to it.
func (s *Server) loadVisible(ctx context.Context, p *principal, id string) (api.Case, error) {
	if id == "" || strings.IndexByte(id, 0) >= 0 {
		return api.Case{}, notFound()
	}
	c, ok, err := s.store.Case(ctx, p.Amt, id)
	if err != nil {
		return c, err
	}
	if !ok || (!visible(c) && !casework.MayApprove(p.Role)) {
		return api.Case{}, notFound()
	}
	return c, nil
}

func etagOf(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// etagMatches reports whether an If-None-Match header names the version: weak comparison as
// RFC 9110 prescribes for If-None-Match (W/"7" equals "7"), "*" matches when star is set; bare
// numbers are accepted too.
func etagMatches(header string, version int64, star bool) bool {
	want := strconv.FormatInt(version, 10)
	for part := range strings.SplitSeq(header, ",") {
		t := strings.TrimSpace(part)
		if t == "*" {
			if star {
				return true
			}
			continue
		}
		t = strings.TrimPrefix(t, "W/")
		t = strings.Trim(t, `"`)
		if t == want {
			return true
		}
	}
	return false
}

// ifMatchCurrent judges an If-Match header against the case version (RFC 9110 §13.1.1): a list
// of entity tags compared strongly, so W/"7" never matches and a bare 7 is no entity tag (400).
// One deviation, documented in api/openapi.yaml: "*" (any current representation) is refused
// with 428 — a state-changing action must name the version the clerk saw, so that no decision
// ever overwrites a change its author has not seen.
func ifMatchCurrent(header string, version int64) (bool, *apiError) {
	want := etagOf(version)
	match := false
	for part := range strings.SplitSeq(header, ",") {
		t := strings.TrimSpace(part)
		switch {
		case t == "*":
			return false, problem(http.StatusPreconditionRequired, api.ProblemPreconditionNeeded, "If-Match required",
				`If-Match: * is not accepted: send the ETag of the case version you saw, e.g. "7"`)
		case validEntityTag(strings.TrimPrefix(t, "W/")):
			if t == want {
				match = true
			}
		default:
			return false, badRequest(`If-Match must list entity tags such as "7" (quoted)`)
		}
	}
	return match, nil
}

// validEntityTag reports whether t is an opaque-tag: a quoted string of etagc characters.
func validEntityTag(t string) bool {
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return false
	}
	for i := 1; i < len(t)-1; i++ {
		if c := t[i]; c == '"' || c < 0x21 || c == 0x7f {
			return false
		}
	}
	return true
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, p *principal) error {
	c, err := s.loadVisible(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	tag := etagOf(c.Version)
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "private, no-cache")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, c.Version, true) {
		w.Header().Add("Vary", "Accept-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return writeJSON(w, r, http.StatusOK, c)
}

func (s *Server) getEvents(w http.ResponseWriter, r *http.Request, p *principal) error {
	id := r.PathValue("id")
	if _, err := s.loadVisible(r.Context(), p, id); err != nil {
		return err
	}
	var list api.EventList
	var err error
	if list.Events, err = s.store.Events(r.Context(), p.Amt, id); err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, list)
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request, p *principal) error {
	c, err := s.loadVisible(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	aid := r.PathValue("aid")
	i := slices.IndexFunc(c.Attachments, func(a api.Attachment) bool { return a.ID == aid })
	if i < 0 {
		return notFound()
	}
	att := c.Attachments[i]
	data, err := s.store.File(r.Context(), p.Amt, att.SHA256)
	if err != nil {
		return err
	}
	if data == nil {
		return notFound()
	}
	// Downloads over a slow uplink may outlast the server's WriteTimeout; clients resume with
	// Range, but give one response a generous deadline anyway.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(attachmentWriteTimeout))
	h := w.Header()
	ct := att.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("ETag", `"`+att.SHA256+`"`)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", "attachment")
	http.ServeContent(&rangeProblemWriter{ResponseWriter: w, r: r}, r, "", c.SubmittedAt, bytes.NewReader(data))
	return nil
}

// rangeProblemWriter replaces the plain-text error bodies of http.ServeContent (416 and others)
// with problem+json.
type rangeProblemWriter struct {
	http.ResponseWriter
	r       *http.Request
	swallow bool
}

func (rw *rangeProblemWriter) WriteHeader(code int) {
	if code < 400 {
		rw.ResponseWriter.WriteHeader(code)
		return
	}
	rw.swallow = true
	h := rw.Header()
	h.Del("Content-Disposition")
	h.Del("Cache-Control")
	h.Del("ETag")
	var e *apiError
	if code == http.StatusRequestedRangeNotSatisfiable {
		e = problem(code, api.ProblemRangeNotSatisfiable, "Range not satisfiable", "")
	} else {
		e = problem(code, api.ProblemBadRequest, http.StatusText(code), "")
	}
	writeProblem(rw.ResponseWriter, rw.r, e)
}

func (rw *rangeProblemWriter) Write(b []byte) (int, error) {
	if rw.swallow {
		return len(b), nil
	}
	return rw.ResponseWriter.Write(b)
}
