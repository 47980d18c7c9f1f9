package server

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

// attachmentWriteTimeout bounds one attachment response.
const attachmentWriteTimeout = 30 * time.Minute

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, p *principal) error {
	me := api.Me{Clerk: p.Clerk, Role: p.Role, Amt: p.Amt}
	err := s.db.View(func(tx *bolt.Tx) error {
		var c clerkRec
		if _, err := getJSON(tx.Bucket(bClerks), []byte(p.Clerk), &c); err != nil {
			return err
		}
		var a amtRec
		if _, err := getJSON(tx.Bucket(bAmts), []byte(p.Amt), &a); err != nil {
			return err
		}
		me.Name, me.AmtName = c.Name, a.Name
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, me)
}

func (s *Server) getClerks(w http.ResponseWriter, r *http.Request, p *principal) error {
	list := api.ClerkList{Clerks: []api.Clerk{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bClerks).ForEach(func(k, v []byte) error {
			var c clerkRec
			if err := jsonUnmarshal(v, &c); err != nil {
				return err
			}
			if c.Amt == p.Amt {
				list.Clerks = append(list.Clerks, api.Clerk{ID: c.ID, Name: c.Name, Role: c.Role})
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, list)
}

// loadVisible reads a case of the caller's Amt that has not left it.
func (s *Server) loadVisible(p *principal, id string) (api.Case, error) {
	var c api.Case
	err := s.db.View(func(tx *bolt.Tx) error {
		var ok bool
		var err error
		c, ok, err = caseInAmt(tx, p.Amt, id)
		if err != nil {
			return err
		}
		if !ok || !visible(c) {
			return notFound()
		}
		return nil
	})
	return c, err
}

func etagOf(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// etagMatches reports whether a list-valued If-None-Match / If-Match header names the version.
// Weak tags compare equal to strong ones; bare numbers are accepted too. "*" matches only when
// star is set (If-None-Match): an If-Match must name the version the clerk saw, so that no
// decision ever overwrites a change its author has not seen.
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

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, p *principal) error {
	c, err := s.loadVisible(p, r.PathValue("id"))
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
	var list api.EventList
	err := s.db.View(func(tx *bolt.Tx) error {
		c, ok, err := caseInAmt(tx, p.Amt, id)
		if err != nil {
			return err
		}
		if !ok || !visible(c) {
			return notFound()
		}
		list.Events, err = listEvents(tx, id)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, list)
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request, p *principal) error {
	c, err := s.loadVisible(p, r.PathValue("id"))
	if err != nil {
		return err
	}
	aid := r.PathValue("aid")
	i := slices.IndexFunc(c.Attachments, func(a api.Attachment) bool { return a.ID == aid })
	if i < 0 {
		return notFound()
	}
	att := c.Attachments[i]
	var data []byte
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bFiles).Get([]byte(att.SHA256))
		if v == nil {
			return notFound()
		}
		data = bytes.Clone(v)
		return nil
	})
	if err != nil {
		return err
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
