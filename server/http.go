package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/amt-mv/amt/api"
)

// apiError is an error answered as application/problem+json.
type apiError struct {
	api.Problem
	etag string // set on 412
}

func (e *apiError) Error() string { return e.Problem.Error() }

func problem(status int, typ, title, detail string) *apiError {
	return &apiError{Problem: api.Problem{Type: typ, Title: title, Status: status, Detail: detail}}
}

func badRequest(detail string) *apiError {
	return problem(http.StatusBadRequest, api.ProblemBadRequest, "Bad request", detail)
}

func invalid(detail string) *apiError {
	return problem(http.StatusUnprocessableEntity, api.ProblemValidation, "Invalid field value", detail)
}

func conflict(detail string) *apiError {
	return problem(http.StatusConflict, api.ProblemConflict, "Action not allowed in this state", detail)
}

func notFound() *apiError {
	return problem(http.StatusNotFound, api.ProblemNotFound, "Not found", "")
}

func writeProblem(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.etag != "" {
		w.Header().Set("ETag", e.etag)
	}
	body, err := json.Marshal(e.Problem)
	if err != nil {
		body = []byte(`{"type":"` + api.ProblemInternal + `","title":"Internal error","status":500}`)
	}
	writeBody(w, r, e.Status, api.ContentTypeProblem, body)
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	writeBody(w, r, status, "application/json", body)
	return nil
}

// gzipMin is the smallest body worth compressing.
const gzipMin = 256

var gzPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression); return w }}

// writeBody writes a complete body, gzip-compressed when the client accepts it and it pays off.
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if len(body) >= gzipMin && acceptsGzip(r) && r.Method != http.MethodHead {
		var buf bytes.Buffer
		zw := gzPool.Get().(*gzip.Writer)
		zw.Reset(&buf)
		zw.Write(body)
		zw.Close()
		gzPool.Put(zw)
		h.Set("Content-Encoding", "gzip")
		body = buf.Bytes()
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// acceptsGzip reports whether Accept-Encoding lists gzip with a non-zero quality.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			params = strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			if q, ok := strings.CutPrefix(params, "q="); ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}

var errBodyTooLarge = errors.New("request body too large")

// requireJSON answers 415 unless a request with a body (PUT, POST, PATCH) declares it as JSON:
// exactly one Content-Type, application/json, with no charset other than UTF-8. A missing
// Content-Type is refused too: every body of the contract is JSON, and a client that does not
// say so is not the amt client (which always sends it). The detail never echoes the header.
func requireJSON(r *http.Request) *apiError {
	switch r.Method {
	case http.MethodPut, http.MethodPost, http.MethodPatch:
	default:
		return nil
	}
	unsupported := func(detail string) *apiError {
		return problem(http.StatusUnsupportedMediaType, api.ProblemUnsupportedMediaType, "Unsupported media type", detail)
	}
	vals := r.Header.Values("Content-Type")
	if len(vals) == 0 {
		return unsupported("send the body with Content-Type: application/json")
	}
	if len(vals) > 1 {
		return unsupported("send exactly one Content-Type: application/json")
	}
	mt, params, err := mime.ParseMediaType(vals[0])
	if err != nil || mt != "application/json" {
		return unsupported("the body must be Content-Type: application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return unsupported("the body must be UTF-8 JSON (charset=utf-8)")
	}
	return nil
}

// readBody reads the whole request body up to api.MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > api.MaxBodyBytes {
		return nil, errBodyTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, api.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errBodyTooLarge
		}
		return nil, badRequest("could not read the request body")
	}
	return body, nil
}

// reqInfo is filled in by inner handlers for the access log and metrics.
type reqInfo struct {
	route string
	clerk string
}

type ctxKey struct{}

func infoFrom(r *http.Request) *reqInfo {
	ri, _ := r.Context().Value(ctxKey{}).(*reqInfo)
	return ri
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status  int
	written bool
}

func (sw *statusWriter) WriteHeader(code int) {
	if !sw.written {
		sw.status = code
		sw.written = true
	}
	sw.ResponseWriter.WriteHeader(code)
}

func (sw *statusWriter) Write(b []byte) (int, error) {
	if !sw.written {
		sw.status = http.StatusOK
		sw.written = true
	}
	return sw.ResponseWriter.Write(b)
}

func (sw *statusWriter) Flush() {
	if f, ok := sw.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// observe logs one line per request (route pattern, status, duration, clerk id — never the path,
// token or body) and feeds the metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		status := sw.status
		if !sw.written {
			status = http.StatusOK
		}
		route := ri.route
		if route == "" {
			route = "unmatched"
		}
		s.metrics.observe(r.Method, route, status, d)
		attrs := []any{"method", r.Method, "route", route, "status", status, "dur", d.Round(time.Microsecond)}
		if ri.clerk != "" {
			attrs = append(attrs, "clerk", ri.clerk)
		}
		s.log.Info("request", attrs...)
	})
}

// recoverer turns a panic into a 500 problem; the log names the route, never request data.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			route := ""
			if ri := infoFrom(r); ri != nil {
				route = ri.route
			}
			s.log.Error("panic in handler", "route", route)
			if sw, ok := w.(*statusWriter); ok && sw.written {
				return
			}
			writeProblem(w, r, problem(http.StatusInternalServerError, api.ProblemInternal, "Internal error", ""))
		}()
		next.ServeHTTP(w, r)
	})
}
