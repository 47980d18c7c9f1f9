package server

// Outgoing documents (Bescheid, Nachforderung): written when a decision becomes final (after the
// approval for four-eyes services) or documents are requested, stored with the case (bytes in
// the file store, metadata in Case.Documents), served at GET /cases/{id}/documents/{docID}, and
// delivered through the applicant's reply channel by the delivery loop (delivery.go).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/delivery"
	"github.com/amt-mv/amt/letter"
	"github.com/amt-mv/amt/letter/pdf"
	"github.com/amt-mv/amt/server/demo"
)

// DocumentsConfig configures the outgoing documents and their delivery.
type DocumentsConfig struct {
	// Catalogue gives each service's letter texts and Rechtsbehelfsbelehrung; nil = the built-in
	// catalogue with its built-in texts.
	Catalogue *catalogue.Catalogue
	// Letterheads are the Ämter's letterheads by Amt id (name, address, contact, bank). An Amt
	// without one writes with its name only.
	Letterheads map[string]letter.Sender
	// Mail sends e-mail replies; nil: applicants who chose e-mail get a letter (print queue).
	Mail *MailConfig
	// FitConnect sends FIT-Connect replies; nil: such applicants get a letter (print queue).
	FitConnect delivery.ReplySender
	// PaymentDays is how many days after the Bescheid a fee is due; 0 = 30.
	PaymentDays int
	// RetryFor is how long temporary delivery failures are retried before the delivery counts
	// as failed; 0 = 3 days.
	RetryFor time.Duration
}

// MailConfig is the e-mail channel: the relay and the sender address.
type MailConfig struct {
	Mailer   *delivery.Mailer
	From     string // e.g. "bescheide@amt-crivitz.de"
	FromName string // empty = the Amt's name
}

func (s *Server) catalogue() *catalogue.Catalogue {
	if s.cfg.Documents.Catalogue != nil {
		return s.cfg.Documents.Catalogue
	}
	return s.builtinCatalogue
}

// letterhead returns the sender of an Amt's letters.
func (s *Server) letterhead(amt string) letter.Sender {
	if lh, ok := s.cfg.Documents.Letterheads[amt]; ok && lh.Name != "" {
		return lh
	}
	if a, ok, err := s.store.Amt(context.Background(), amt); err == nil && ok {
		return letter.Sender{Name: a.Name}
	}
	return letter.Sender{Name: amt}
}

// clerkName returns a clerk's name, or the id when the clerk is unknown.
func clerkName(tx ActionTx, id string) string {
	if id == "" {
		return ""
	}
	if cl, ok, err := tx.Clerk(id); err == nil && ok && cl.Name != "" {
		return cl.Name
	}
	return id
}

// channelFor decides how a document reaches the applicant: the channel chosen in the
// submission, if amt-server can serve it; the print queue otherwise (and for "letter" or no
// choice). detail explains a fallback.
func (s *Server) channelFor(c api.Case) (ch api.DeliveryChannel, detail string) {
	rc := c.ReplyChannel
	if rc == nil || rc.Kind == api.ReplyLetter || rc.Kind == "" {
		return api.ChannelLetter, ""
	}
	switch rc.Kind {
	case api.ReplyEmail:
		if s.cfg.Documents.Mail != nil && rc.Address != "" {
			return api.ChannelEmail, ""
		}
		return api.ChannelLetter, "E-Mail-Versand ist nicht eingerichtet; Versand per Post"
	case api.ReplyFitConnect:
		if s.cfg.Documents.FitConnect != nil && rc.FitConnect != nil {
			return api.ChannelFitConnect, ""
		}
		return api.ChannelLetter, "FIT-Connect-Antwort ist nicht eingerichtet; Versand per Post"
	}
	return api.ChannelLetter, "Rückkanal " + string(rc.Kind) + " wird nicht unterstützt; Versand per Post"
}

// addDocument renders a letter, stores its bytes and lists it on the case, queued for delivery.
func (s *Server) addDocument(tx ActionTx, c *api.Case, kind api.DocumentKind, id string, l letter.Letter, now time.Time) error {
	if slices.ContainsFunc(c.Documents, func(d api.Document) bool { return d.ID == id }) {
		return nil
	}
	b, err := pdf.Render(l, now)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	sha := hex.EncodeToString(sum[:])
	if err := tx.PutFile(sha, b); err != nil {
		return err
	}
	ch, detail := s.channelFor(*c)
	doc := api.Document{ID: id, Kind: kind, Name: pdf.FileName(letter.Kind(kind), c.Reference), ContentType: pdf.ContentType,
		Size: int64(len(b)), SHA256: sha, CreatedAt: now, Delivery: api.Delivery{Channel: ch, State: api.DeliveryPending, Detail: detail}}
	c.Documents = append(slices.Clip(c.Documents), doc)
	if ch != api.ChannelLetter {
		return tx.PutDelivery(deliveryRec{Amt: c.Amt, CaseID: c.ID, DocID: id, NextAt: now, Since: now})
	}
	return nil
}

// writeDocuments adds the documents an applied action calls for: the Bescheid when the case's
// decision became final (and the outcome is made known by one), the Nachforderung of a new
// document request.
func (s *Server) writeDocuments(tx ActionTx, before, c *api.Case, kind api.ActionKind, target string, now time.Time) error {
	switch kind {
	case api.ActionDecision, api.ActionApproval:
		d := c.Decision
		if d == nil || (before.Decision != nil && before.Decision.ID == d.ID && before.Decision.State == api.DecisionFinal) {
			return nil
		}
		return s.addBescheid(tx, c, now)
	case api.ActionDocumentRequest:
		i := slices.IndexFunc(c.DocumentRequests, func(r api.DocumentRequest) bool { return r.ID == target })
		if i < 0 {
			return nil
		}
		return s.addNachforderung(tx, c, c.DocumentRequests[i], now)
	}
	return nil
}

func (s *Server) letterInput(c *api.Case, at time.Time) letter.Input {
	svc, _ := s.catalogue().Lookup(c.Service.Key)
	return letter.Input{Case: *c, Sender: s.letterhead(c.Amt), Service: svc, Date: at.In(s.loc), FeeDays: s.cfg.Documents.PaymentDays}
}

// addBescheid writes the Bescheid of the case's final decision, dated at.
func (s *Server) addBescheid(tx ActionTx, c *api.Case, at time.Time) error {
	d := c.Decision
	if d == nil || d.State != api.DecisionFinal || !letter.HasBescheid(d.Outcome) {
		return nil
	}
	in := s.letterInput(c, at)
	in.Clerk = clerkName(tx, d.Actor)
	in.Approver = clerkName(tx, d.ApprovedBy)
	return s.addDocument(tx, c, api.DocumentBescheid, "bescheid-"+d.ID, letter.ForDecision(in), at)
}

// addNachforderung writes the letter of a document request, dated at.
func (s *Server) addNachforderung(tx ActionTx, c *api.Case, dr api.DocumentRequest, at time.Time) error {
	in := s.letterInput(c, at)
	in.Clerk = clerkName(tx, dr.Actor)
	return s.addDocument(tx, c, api.DocumentNachforderung, "nachforderung-"+dr.ID, letter.ForRequest(in, dr), at)
}

// SeedDocuments writes the documents of seeded cases (the demo's decided cases and document
// requests), dated as their decision or request, and queues them for delivery like new ones.
// Seed does not do it itself: rendering takes a few milliseconds per letter, too long for
// benchmark data sets of 100,000 cases.
func (s *Server) SeedDocuments(ctx context.Context, d *demo.Data) error {
	now := s.now().UTC()
	amts := map[string]bool{}
	for i := range d.N {
		c0 := d.Case(i).Case
		final := c0.Decision != nil && c0.Decision.State == api.DecisionFinal && letter.HasBescheid(c0.Decision.Outcome)
		if !visible(c0) || (!final && len(c0.DocumentRequests) == 0) {
			continue
		}
		err := s.store.Update(ctx, c0.Amt, func(tx ActionTx) error {
			c, ok, err := tx.Case(c0.ID)
			if err != nil || !ok {
				return err
			}
			before := c
			for _, dr := range c.DocumentRequests {
				if err := s.addNachforderung(tx, &c, dr, dr.CreatedAt); err != nil {
					return err
				}
			}
			if final {
				if err := s.addBescheid(tx, &c, c.Decision.CreatedAt); err != nil {
					return err
				}
			}
			if len(c.Documents) == len(before.Documents) {
				return nil
			}
			c.Version++
			c.UpdatedAt = now
			return tx.WriteCase(&before, &c, nil, now)
		})
		if err != nil {
			return fmt.Errorf("server: documents of seeded case %s: %w", c0.ID, err)
		}
		amts[c0.Amt] = true
	}
	for a := range amts {
		s.feed.notify(a)
	}
	s.kickDelivery()
	return nil
}

// docLabel names a document kind for the history.
func docLabel(k api.DocumentKind) string {
	if k == api.DocumentNachforderung {
		return "Nachforderung"
	}
	return "Bescheid"
}

// MaskEmail shortens an e-mail address for the history and lists: "m…@example.com".
func MaskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "…"
	}
	r := []rune(local)
	return string(r[0]) + "…@" + domain
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request, p *principal) error {
	c, err := s.loadVisible(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	did := r.PathValue("docID")
	i := slices.IndexFunc(c.Documents, func(d api.Document) bool { return d.ID == did })
	if i < 0 {
		return notFound()
	}
	doc := c.Documents[i]
	data, err := s.store.File(r.Context(), p.Amt, doc.SHA256)
	if err != nil {
		return err
	}
	if data == nil {
		return notFound()
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(attachmentWriteTimeout))
	h := w.Header()
	h.Set("Content-Type", doc.ContentType)
	h.Set("ETag", `"`+doc.SHA256+`"`)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", "attachment")
	http.ServeContent(&rangeProblemWriter{ResponseWriter: w, r: r}, r, "", doc.CreatedAt, bytes.NewReader(data))
	return nil
}
