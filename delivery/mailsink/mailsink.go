// Package mailsink is a small SMTP server (go-smtp) on loopback with STARTTLS that writes every
// accepted message as an .eml file into a folder: the demo's mail relay, so a newcomer can open
// what an applicant would receive, and the real relay that delivery tests talk to.
package mailsink

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data []byte
	File string // the .eml file, if the sink writes files
	TLS  bool   // the message travelled over TLS (STARTTLS)
}

// Sink is a running SMTP server.
type Sink struct {
	srv  *smtp.Server
	ln   net.Listener
	dir  string
	pool *x509.CertPool

	mu   sync.Mutex
	msgs []Message
	// Refuse, when set, is asked before each message is accepted: a non-nil error (an
	// *smtp.SMTPError with its code) is the reply to DATA.
	refuse func(from string, to []string) error
	done   chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Start listens on 127.0.0.1 (a free port) and serves until Close. dir, if not empty, receives
// each message as <n>.eml (0600, dir 0700).
func Start(dir string) (*Sink, error) {
	cert, pool, err := selfSigned()
	if err != nil {
		return nil, err
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("mailsink: %w", err)
		}
	}
	s := &Sink{dir: dir, pool: pool, done: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, c: c}, nil }))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.MaxMessageBytes = 32 << 20
	srv.MaxRecipients = 10
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mailsink: %w", err)
	}
	s.srv, s.ln = srv, ln
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the sink's host:port.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// RootCAs trusts the sink's self-signed certificate (for the STARTTLS handshake).
func (s *Sink) RootCAs() *x509.CertPool { return s.pool }

// TLSConfig is a client TLS config that verifies the sink's certificate.
func (s *Sink) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}
}

// SetRefuse installs (or, with nil, removes) the hook that can refuse messages.
func (s *Sink) SetRefuse(f func(from string, to []string) error) {
	s.mu.Lock()
	s.refuse = f
	s.mu.Unlock()
}

// Messages returns the messages accepted so far.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Close stops the server. It may be called more than once.
func (s *Sink) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.srv.Close()
		// Serve may not have registered the listener with the server yet.
		_ = s.ln.Close()
		<-s.done
	})
	return s.closeErr
}

type session struct {
	s    *Sink
	c    *smtp.Conn
	from string
	to   []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil {
		if err := s.refuse(ss.from, ss.to); err != nil {
			return err
		}
	}
	_, tlsOn := ss.c.TLSConnectionState()
	m := Message{From: ss.from, To: append([]string(nil), ss.to...), Data: data, TLS: tlsOn}
	if s.dir != "" {
		m.File = filepath.Join(s.dir, strconv.Itoa(len(s.msgs)+1)+"-"+time.Now().UTC().Format("20060102T150405")+".eml")
		if err := os.WriteFile(m.File, bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), 0o600); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot store the message"}
		}
	}
	s.msgs = append(s.msgs, m)
	return nil
}

func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "amt mail sink"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	if leaf == nil {
		return tls.Certificate{}, nil, errors.New("mailsink: no certificate")
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
