package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/amt-mv/amt/delivery/mailsink"
)

func testMail() Mail {
	return Mail{From: "bescheide@amt-crivitz.example", FromName: "Amt Crivitz", To: "m.mueller@example.com",
		Subject: "Ihr Bescheid – Aktenzeichen GEW-2026-000043", Body: "Guten Tag,\n\nim Anhang erhalten Sie Ihren Bescheid.\nÄ ö ü ß\n",
		MessageID: "doc-1.GEW-2026-000043@amt.example", Date: time.Date(2026, 12, 4, 10, 14, 0, 0, time.UTC),
		FileName: "Bescheid_GEW-2026-000043.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte("%PDF-1.4 Größe\n"), 500)}
}

func startSink(t *testing.T, dir string) *mailsink.Sink {
	t.Helper()
	s, err := mailsink.Start(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mailer(t *testing.T, s *mailsink.Sink) *Mailer {
	t.Helper()
	m, err := NewMailer(MailerConfig{Addr: s.Addr(), TLS: s.TLSConfig(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// attachment parses a received message and returns its body text and attachment bytes.
func attachment(t *testing.T, raw []byte) (subject, body string, name string, data []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if p.FileName() != "" {
			if p.Header.Get("Content-Transfer-Encoding") != "base64" {
				t.Fatalf("attachment encoded as %q", p.Header.Get("Content-Transfer-Encoding"))
			}
			name = p.FileName()
			data, err = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", ""))
			if err != nil {
				t.Fatal(err)
			}
		} else {
			body = string(b)
		}
	}
	return subject, body, name, data
}

func TestSendArrivesOnceOverSTARTTLS(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	sink := startSink(t, dir)
	ml := testMail()
	if err := mailer(t, sink).Send(context.Background(), ml); err != nil {
		t.Fatal(err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages arrived, want 1", len(msgs))
	}
	m := msgs[0]
	if !m.TLS {
		t.Error("the message did not travel over STARTTLS")
	}
	if m.From != ml.From || len(m.To) != 1 || m.To[0] != ml.To {
		t.Errorf("envelope %s → %v", m.From, m.To)
	}
	subject, body, name, data := attachment(t, m.Data)
	if subject != ml.Subject || !strings.Contains(body, "Ä ö ü ß") || name != ml.FileName {
		t.Errorf("subject %q, body %q, name %q", subject, body, name)
	}
	if sha256.Sum256(data) != sha256.Sum256(ml.Data) {
		t.Error("the attachment's SHA-256 differs from the document's")
	}
	st, err := os.Stat(m.File)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("eml file: %v %v", st, err)
	}
}

func TestTemporaryRefusalThenAccept(t *testing.T) {
	sink := startSink(t, "")
	refusals := 1
	sink.SetRefuse(func(string, []string) error {
		if refusals > 0 {
			refusals--
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	})
	m := mailer(t, sink)
	err := m.Send(context.Background(), testMail())
	if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "451") {
		t.Fatalf("first attempt: %v, want a temporary 451", err)
	}
	if n := len(sink.Messages()); n != 0 {
		t.Fatalf("%d messages after a refusal", n)
	}
	if err := m.Send(context.Background(), testMail()); err != nil {
		t.Fatal(err)
	}
	if n := len(sink.Messages()); n != 1 {
		t.Fatalf("%d messages, want exactly 1", n)
	}
}

func TestPermanentFailures(t *testing.T) {
	sink := startSink(t, "")
	sink.SetRefuse(func(string, []string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
	})
	err := mailer(t, sink).Send(context.Background(), testMail())
	if !IsPermanent(err) || !strings.Contains(err.Error(), "550") || !strings.Contains(err.Error(), "mailbox unavailable") {
		t.Fatalf("got %v, want permanent 550 with reason", err)
	}
	bad := testMail()
	bad.To = "no address"
	if err := mailer(t, sink).Send(context.Background(), bad); !IsPermanent(err) {
		t.Fatalf("invalid recipient: %v", err)
	}
	inj := testMail()
	inj.MessageID = "x\r\nBcc: evil@example.com"
	if err := mailer(t, sink).Send(context.Background(), inj); !IsPermanent(err) {
		t.Fatalf("header injection: %v", err)
	}
}

func TestUntrustedCertificateFails(t *testing.T) {
	sink := startSink(t, "")
	m, err := NewMailer(MailerConfig{Addr: sink.Addr(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), testMail())
	if !IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("got %v, want a permanent STARTTLS failure", err)
	}
	if len(sink.Messages()) != 0 {
		t.Fatal("a message went out over an unverified connection")
	}
}

func TestUnreachableRelayIsTemporary(t *testing.T) {
	sink := startSink(t, "")
	addr := sink.Addr()
	sink.Close()
	m, _ := NewMailer(MailerConfig{Addr: addr, Timeout: 5 * time.Second})
	err := m.Send(context.Background(), testMail())
	if err == nil || IsPermanent(err) {
		t.Fatalf("got %v, want a temporary error", err)
	}
	var pe *PermanentError
	if errors.As(err, &pe) {
		t.Fatal("unexpected permanent error")
	}
}

func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 7: time.Hour, 30: time.Hour} {
		if got := Backoff(attempt); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
}
