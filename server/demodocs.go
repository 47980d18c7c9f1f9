package server

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/amt-mv/amt/delivery"
	"github.com/amt-mv/amt/delivery/mailsink"
	"github.com/amt-mv/amt/letter"
	"github.com/amt-mv/amt/server/demo"
)

// DemoMailDir is the folder inside a demo's data directory where the demo's mail sink writes
// every e-mail an applicant would receive, as an .eml file.
const DemoMailDir = "mail"

// DemoDocuments starts the demo's mail relay (mailsink on loopback, STARTTLS, writing
// dataDir/mail/*.eml) and returns the documents configuration of the demo: the demo Ämter's
// letterheads and e-mail through that relay. stop stops the relay.
func DemoDocuments(dataDir string) (cfg DocumentsConfig, stop func(), err error) {
	sink, err := mailsink.Start(filepath.Join(dataDir, DemoMailDir))
	if err != nil {
		return DocumentsConfig{}, nil, fmt.Errorf("demo mail relay: %w", err)
	}
	m, err := delivery.NewMailer(delivery.MailerConfig{Addr: sink.Addr(), TLS: sink.TLSConfig(), Timeout: 30 * time.Second})
	if err != nil {
		sink.Close()
		return DocumentsConfig{}, nil, err
	}
	lh := map[string]letter.Sender{}
	for id, l := range demo.Letterheads() {
		lh[id] = letter.Sender(l)
	}
	return DocumentsConfig{Letterheads: lh, Mail: &MailConfig{Mailer: m, From: "bescheide@amt.example.org"}},
		func() { sink.Close() }, nil
}
