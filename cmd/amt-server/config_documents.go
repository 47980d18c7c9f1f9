package main

// Settings of the outgoing documents (Bescheid, Nachforderung): the Ämter's letterheads, the
// texts file, and the SMTP relay for applicants who chose e-mail.

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/delivery"
	"github.com/amt-mv/amt/letter"
	"github.com/amt-mv/amt/server"
)

type docSettings struct {
	Letterheads  string // YAML file: amt id → letterhead
	Texts        string // texts file (catalogue.LoadTexts); empty = built-in texts
	MailRelay    string // host:port; empty = no e-mail (letters instead)
	MailFrom     string
	MailUser     string
	MailPassFile string
	MailCAFile   string
}

func init() {
	settingsTable = append(settingsTable,
		setting{key: "letters.letterheads", flag: "letterheads", env: "AMT_SERVER_LETTERHEADS", path: true,
			usage: "YAML file with each Amt's letterhead for its Bescheide (amt id → name, street, postalCode, city, phone, email, web, hours, bank, iban, bic)",
			set:   func(s *settings, v string) error { s.Docs.Letterheads = v; return nil }},
		setting{key: "letters.texts", flag: "texts", env: "AMT_SERVER_TEXTS", path: true,
			usage: "texts file: Textbausteine, Rechtsbehelfsbelehrung and letter wordings per service (default: the built-in texts)",
			set:   func(s *settings, v string) error { s.Docs.Texts = v; return nil }},
		setting{key: "mail.relay", flag: "mail-relay", env: "AMT_SERVER_MAIL_RELAY",
			usage: "SMTP relay host:port for Bescheide to applicants who chose e-mail (STARTTLS required unless loopback); empty = they get letters",
			set: func(s *settings, v string) error {
				if v != "" {
					if _, _, err := splitHostPort(v); err != nil {
						return err
					}
				}
				s.Docs.MailRelay = v
				return nil
			}},
		setting{key: "mail.from", flag: "mail-from", env: "AMT_SERVER_MAIL_FROM",
			usage: "sender address of the mails, e.g. bescheide@amt-crivitz.de",
			set: func(s *settings, v string) error {
				if v != "" {
					if _, err := mail.ParseAddress(v); err != nil {
						return fmt.Errorf("%q is not an e-mail address", v)
					}
				}
				s.Docs.MailFrom = v
				return nil
			}},
		setting{key: "mail.username", flag: "mail-username", env: "AMT_SERVER_MAIL_USERNAME",
			usage: "SMTP AUTH user at the relay (optional; only sent under TLS)",
			set:   func(s *settings, v string) error { s.Docs.MailUser = v; return nil }},
		setting{key: "mail.password_file", flag: "mail-password-file", env: "AMT_SERVER_MAIL_PASSWORD_FILE", path: true,
			usage: "file holding the SMTP password (not the password itself, so it stays out of the config and the process list)",
			set:   func(s *settings, v string) error { s.Docs.MailPassFile = v; return nil }},
		setting{key: "mail.ca_file", flag: "mail-ca-file", env: "AMT_SERVER_MAIL_CA_FILE", path: true,
			usage: "PEM file of the CA that signed the relay's certificate (default: the system's roots)",
			set:   func(s *settings, v string) error { s.Docs.MailCAFile = v; return nil }},
	)
}

// documentsConfig builds the server's documents configuration from the settings.
func documentsConfig(d docSettings) (server.DocumentsConfig, error) {
	var cfg server.DocumentsConfig
	if d.Texts != "" {
		t, err := catalogue.LoadTexts(d.Texts)
		if err != nil {
			return cfg, err
		}
		cat := catalogue.Default()
		if err := cat.ApplyTexts(t); err != nil {
			return cfg, fmt.Errorf("letters.texts %s: %w", d.Texts, err)
		}
		cfg.Catalogue = cat
	}
	if d.Letterheads != "" {
		raw, err := os.ReadFile(d.Letterheads)
		if err != nil {
			return cfg, fmt.Errorf("letters.letterheads: %w", err)
		}
		var m map[string]api.Letterhead
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		if err := dec.Decode(&m); err != nil {
			return cfg, fmt.Errorf("letters.letterheads %s: %w", d.Letterheads, err)
		}
		cfg.Letterheads = map[string]letter.Sender{}
		for id, l := range m {
			if strings.TrimSpace(l.Name) == "" {
				return cfg, fmt.Errorf("letters.letterheads %s: %s has no name", d.Letterheads, id)
			}
			cfg.Letterheads[id] = letter.Sender(l)
		}
	}
	if d.MailRelay == "" {
		return cfg, nil
	}
	if d.MailFrom == "" {
		return cfg, errors.New("mail.relay is set but mail.from is not")
	}
	mc := delivery.MailerConfig{Addr: d.MailRelay, Username: d.MailUser}
	if d.MailPassFile != "" {
		pw, err := os.ReadFile(d.MailPassFile)
		if err != nil {
			return cfg, fmt.Errorf("mail.password_file: %w", err)
		}
		mc.Password = strings.TrimRight(string(pw), "\r\n")
	}
	if d.MailCAFile != "" {
		pem, err := os.ReadFile(d.MailCAFile)
		if err != nil {
			return cfg, fmt.Errorf("mail.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return cfg, fmt.Errorf("mail.ca_file %s: no PEM certificate", d.MailCAFile)
		}
		mc.TLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	m, err := delivery.NewMailer(mc)
	if err != nil {
		return cfg, err
	}
	cfg.Mail = &server.MailConfig{Mailer: m, From: d.MailFrom}
	return cfg, nil
}
