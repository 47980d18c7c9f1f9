package server

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"log/slog"
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

// TLSListener terminates TLS on ln (a listener from Listener) itself, for HTTPServerTLS: the
// http.Server then sees the decrypted connection, so that net/http's own error answers on
// HTTP/1.1 over TLS are problem+json too (http.Server.ServeTLS hands them straight to the
// *tls.Conn, out of reach). cfg must carry the certificate; its NextProtos are set to h2 and
// http/1.1. The handshake runs on the connection's first read, under the server's header
// deadline.
func TLSListener(ln net.Listener, cfg *tls.Config) net.Listener {
	cfg = cfg.Clone()
	cfg.NextProtos = []string{"h2", "http/1.1"}
	return &tlsListener{Listener: ln, cfg: cfg}
}

type tlsListener struct {
	net.Listener
	cfg *tls.Config
}

func (l *tlsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return problemConn{tls.Server(c, l.cfg)}, nil
}

// HTTPServerTLS is HTTPServer for a TLSListener: HTTP/2 negotiated by ALPN arrives as a
// decrypted stream, so the server speaks it as "unencrypted" HTTP/2 (prior knowledge) besides
// HTTP/1.1. Serve the TLSListener with it (Serve, not ServeTLS).
func (s *Server) HTTPServerTLS(logger *slog.Logger) *http.Server {
	hs := s.HTTPServer(logger)
	hs.Protocols = new(http.Protocols)
	hs.Protocols.SetHTTP1(true)
	hs.Protocols.SetUnencryptedHTTP2(true)
	return hs
}
