package server

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"

	"github.com/amt-mv/amt/api"
)

// net/http answers a request it cannot parse (a malformed request line or header, headers over
// MaxHeaderBytes, an unsupported transfer encoding) itself, before any handler runs, with one
// write of a fixed shape on the connection: a status line, exactly these headers, a text/plain
// body. No handler response has this shape (they always carry a Date header), so a connection
// can recognise it and answer the same status as problem+json instead (issue #16 item 7: every
// answer of the API is problem+json).
const netHTTPErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// rewriteNetHTTPError returns the problem+json response for one of net/http's own error writes,
// or nil if b is not one. The detail never echoes net/http's text, which may quote request bytes.
func rewriteNetHTTPError(b []byte) []byte {
	rest, ok := bytes.CutPrefix(b, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 4 || rest[3] != ' ' {
		return nil
	}
	i := bytes.Index(rest, []byte(netHTTPErrorHeaders))
	if i < 0 || bytes.IndexByte(rest[:i], '\n') >= 0 {
		return nil
	}
	code, err := strconv.Atoi(string(rest[:3]))
	if err != nil || code < 400 || code > 599 {
		return nil
	}
	p := api.Problem{Status: code, Title: http.StatusText(code)}
	switch code {
	case http.StatusRequestHeaderFieldsTooLarge:
		p.Type, p.Detail = api.ProblemHeadersTooLarge, "the request headers are larger than the server accepts"
	case http.StatusNotImplemented:
		p.Type, p.Detail = api.ProblemNotImplemented, "the request uses an HTTP feature the server does not implement"
	default:
		p.Type, p.Detail = api.ProblemBadRequest, "the request is not well-formed HTTP"
	}
	if p.Title == "" {
		p.Title = "Error"
	}
	body, _ := json.Marshal(p)
	var out bytes.Buffer
	out.WriteString("HTTP/1.1 " + strconv.Itoa(code) + " " + p.Title + "\r\n")
	out.WriteString("Content-Type: " + api.ContentTypeProblem + "\r\n")
	out.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	out.WriteString("X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n")
	out.Write(body)
	return out.Bytes()
}

// problemConn answers net/http's own errors as problem+json (rewriteNetHTTPError).
type problemConn struct{ net.Conn }

func (c problemConn) Write(b []byte) (int, error) {
	if r := rewriteNetHTTPError(b); r != nil {
		if _, err := c.Conn.Write(r); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// NetConn returns the wrapped connection (for asLimitConn, like *tls.Conn).
func (c problemConn) NetConn() net.Conn { return c.Conn }
