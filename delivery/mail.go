// Package delivery owns how an outgoing document reaches the applicant: the e-mail through the
// operator's SMTP relay (this file), the Amt's print queue and the FIT-Connect reply, and how a
// failed attempt is classified (temporary: retry with backoff; permanent: failed with reason).
package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// Mail is one e-mail to an applicant with one attached document.
type Mail struct {
	From        string // envelope and header sender, e.g. "bescheide@amt-crivitz.de"
	FromName    string // display name, e.g. "Amt Crivitz"
	To          string
	Subject     string // no personal data: it travels in the clear on many hops
	Body        string // plain text, UTF-8
	MessageID   string // stable per document, so a resend can be recognised
	Date        time.Time
	FileName    string
	ContentType string
	Data        []byte
}

// MailerConfig is the operator's SMTP relay.
type MailerConfig struct {
	Addr     string // host:port of the relay (submission port 587 usually)
	Username string // optional; AUTH PLAIN only after STARTTLS
	Password string
	HeloName string      // name sent in EHLO; empty = "localhost"
	TLS      *tls.Config // nil = system roots, ServerName from Addr
	Timeout  time.Duration
}

// Mailer sends Mails through one relay. STARTTLS is required unless the relay is on loopback.
type Mailer struct{ cfg MailerConfig }

// NewMailer checks the configuration and returns a Mailer.
func NewMailer(cfg MailerConfig) (*Mailer, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("delivery: smtp address %q: %w", cfg.Addr, err)
	}
	if cfg.TLS == nil {
		cfg.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		cfg.TLS = cfg.TLS.Clone()
	}
	if cfg.TLS.ServerName == "" {
		cfg.TLS.ServerName = host
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.HeloName == "" {
		cfg.HeloName = "localhost"
	}
	return &Mailer{cfg: cfg}, nil
}

// PermanentError is a failure that a retry will not cure: the relay rejected the sender, the
// recipient or the message with a 5xx reply, or the relay cannot be used safely.
type PermanentError struct{ Reason string }

func (e *PermanentError) Error() string { return e.Reason }

// IsPermanent reports whether err is a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// classify turns an SMTP reply into a permanent or temporary error with a reason a clerk can read.
func classify(step string, err error) error {
	var se *textproto.Error
	if errors.As(err, &se) {
		reason := fmt.Sprintf("%s: SMTP %d %s", step, se.Code, strings.TrimSpace(se.Msg))
		if se.Code >= 500 {
			return &PermanentError{Reason: reason}
		}
		return errors.New(reason)
	}
	return fmt.Errorf("%s: %w", step, err)
}

// Send delivers one mail. A nil error means the relay accepted it.
func (m *Mailer) Send(ctx context.Context, ml Mail) error {
	if _, err := mail.ParseAddress(ml.To); err != nil {
		return &PermanentError{Reason: "invalid recipient address"}
	}
	if _, err := mail.ParseAddress(ml.From); err != nil {
		return &PermanentError{Reason: "invalid sender address (operator config)"}
	}
	msg, err := ml.Bytes()
	if err != nil {
		return &PermanentError{Reason: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("connect to the mail relay: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	host, _, _ := net.SplitHostPort(m.cfg.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return classify("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(m.cfg.HeloName); err != nil {
		return classify("EHLO", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(m.cfg.TLS); err != nil {
			return &PermanentError{Reason: "STARTTLS: " + err.Error()}
		}
	} else if !isLoopback(host) {
		return &PermanentError{Reason: "the mail relay offers no STARTTLS; refusing to send personal data in the clear"}
	}
	if m.cfg.Username != "" {
		// smtp.PlainAuth itself refuses to send the password without TLS except to localhost.
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, host)); err != nil {
			return classify("AUTH", err)
		}
	}
	if err := c.Mail(ml.From); err != nil {
		return classify("MAIL FROM", err)
	}
	if err := c.Rcpt(ml.To); err != nil {
		return classify("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return classify("DATA", err)
	}
	if err := w.Close(); err != nil {
		return classify("DATA", err)
	}
	_ = c.Quit()
	return nil
}

// Bytes is the mail as an RFC 5322 message: a plain-text part and the document as a base64
// attachment.
func (ml Mail) Bytes() ([]byte, error) {
	for _, h := range []string{ml.From, ml.To, ml.MessageID, ml.FileName, ml.ContentType} {
		if strings.ContainsAny(h, "\r\n") {
			return nil, errors.New("line break in a mail header")
		}
	}
	var b bytes.Buffer
	boundary := "amt-" + base64.RawURLEncoding.EncodeToString([]byte(ml.MessageID))
	boundary = strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, boundary)
	if len(boundary) > 60 {
		boundary = boundary[:60]
	}
	from := (&mail.Address{Name: ml.FromName, Address: ml.From}).String()
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", from)
	hdr("To", (&mail.Address{Address: ml.To}).String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", ml.Subject))
	hdr("Date", ml.Date.Format(time.RFC1123Z))
	if ml.MessageID != "" {
		hdr("Message-ID", "<"+ml.MessageID+">")
	}
	hdr("MIME-Version", "1.0")
	hdr("Auto-Submitted", "auto-generated")
	hdr("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	b.WriteString("\r\n--" + boundary + "\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(ml.Body, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n--" + boundary + "\r\n")
	ct := ml.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	b.WriteString("Content-Type: " + mime.FormatMediaType(ct, map[string]string{"name": ml.FileName}) + "\r\n")
	b.WriteString("Content-Disposition: " + mime.FormatMediaType("attachment", map[string]string{"filename": ml.FileName}) + "\r\n")
	b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(ml.Data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// Backoff is the wait before retry number attempt (1-based) of a temporary failure: 1, 2, 4, …
// minutes, at most an hour.
func Backoff(attempt int) time.Duration {
	d := time.Minute
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
