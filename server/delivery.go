package server

// The delivery loop: sends queued outgoing documents through e-mail or FIT-Connect, retries
// temporary failures with backoff, and records the outcome on the case (delivery state and an
// event in its history). Letters need no loop: they wait in the print queue until a clerk marks
// them printed.

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/delivery"
)

// deliveryRec is a queued delivery of one document (Store: PutDelivery, DueDeliveries).
type deliveryRec struct {
	Amt       string    `json:"amt"`
	CaseID    string    `json:"caseId"`
	DocID     string    `json:"docId"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"nextAt"` // due at; also the end of a claim while an attempt runs
	Since     time.Time `json:"since"`  // queued at
	LastError string    `json:"lastError,omitempty"`
}

// deliveryLease is how long one attempt holds its claim on a delivery, so that another instance
// (or the next pass) does not send the same document meanwhile.
const deliveryLease = 10 * time.Minute

// DefaultDeliveryInterval is how often the delivery loop looks for due deliveries.
const DefaultDeliveryInterval = 15 * time.Second

func (s *Server) deliveryLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.DeliveryInterval)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
		case <-s.deliveryKick:
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-s.quit:
				cancel()
			case <-ctx.Done():
			}
		}()
		if _, err := s.DeliverDue(ctx); err != nil {
			s.log.Warn("delivery pass failed", "err", err)
		}
		cancel()
	}
}

// kickDelivery wakes the delivery loop (after an action queued a delivery).
func (s *Server) kickDelivery() {
	select {
	case s.deliveryKick <- struct{}{}:
	default:
	}
}

// DeliverDue makes one attempt at every delivery that is due and reports how many it attempted.
// The delivery loop calls it; tests call it directly with an injected clock.
func (s *Server) DeliverDue(ctx context.Context) (int, error) {
	recs, err := s.store.DueDeliveries(ctx, s.now().UTC(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, rec := range recs {
		if ctx.Err() != nil {
			break
		}
		ok, err := s.deliverOne(ctx, rec)
		if err != nil {
			s.log.Warn("delivery failed to record", "case", rec.CaseID, "doc", rec.DocID, "err", err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// deliverOne claims a due delivery, sends it and records the outcome.
func (s *Server) deliverOne(ctx context.Context, due deliveryRec) (bool, error) {
	now := s.now().UTC()
	var c api.Case
	var doc api.Document
	claimed := false
	err := s.store.Update(ctx, due.Amt, func(tx ActionTx) error {
		claimed = false
		rec, ok, err := tx.Delivery(due.CaseID, due.DocID)
		if err != nil || !ok || rec.NextAt.After(now) {
			return err
		}
		cc, ok, err := tx.Case(due.CaseID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cc.Documents, func(d api.Document) bool { return d.ID == due.DocID })
		if !ok || i < 0 || cc.Documents[i].Delivery.State != api.DeliveryPending {
			return tx.DeleteDelivery(due.CaseID, due.DocID)
		}
		rec.NextAt = now.Add(deliveryLease)
		if err := tx.PutDelivery(rec); err != nil {
			return err
		}
		c, doc, claimed = cc, cc.Documents[i], true
		return nil
	})
	if err != nil || !claimed {
		return false, err
	}
	data, err := s.store.File(ctx, c.Amt, doc.SHA256)
	if err == nil && data == nil {
		err = &delivery.PermanentError{Reason: "the document's bytes are missing"}
	}
	var detail string
	if err == nil {
		detail, err = s.send(ctx, c, doc, data)
	}
	return true, s.recordDelivery(ctx, due, err, detail)
}

// send delivers a document through its channel; detail names the recipient for the history.
func (s *Server) send(ctx context.Context, c api.Case, doc api.Document, data []byte) (string, error) {
	rc := c.ReplyChannel
	switch doc.Delivery.Channel {
	case api.ChannelEmail:
		mc := s.cfg.Documents.Mail
		if mc == nil || rc == nil || rc.Address == "" {
			return "", &delivery.PermanentError{Reason: "no e-mail channel configured or no address"}
		}
		sender := s.letterhead(c.Amt)
		name := mc.FromName
		if name == "" {
			name = sender.Name
		}
		m := delivery.Mail{From: mc.From, FromName: name, To: rc.Address,
			Subject: docLabel(doc.Kind) + " zu Ihrem Antrag – Aktenzeichen " + c.Reference,
			Body:    mailBody(doc, c, sender.Name, sender.Phone, sender.Email), MessageID: doc.ID + "." + doc.SHA256[:16] + "@" + c.Amt + ".amt",
			Date: s.now(), FileName: doc.Name, ContentType: doc.ContentType, Data: data}
		return MaskEmail(rc.Address), mc.Mailer.Send(ctx, m)
	case api.ChannelFitConnect:
		if s.cfg.Documents.FitConnect == nil || rc == nil || rc.FitConnect == nil {
			return "", &delivery.PermanentError{Reason: "no FIT-Connect reply channel configured"}
		}
		err := s.cfg.Documents.FitConnect.SendReply(ctx, *rc.FitConnect, delivery.Document{ID: doc.ID, Kind: doc.Kind,
			Name: doc.Name, ContentType: doc.ContentType, Data: data, Reference: c.Reference})
		return "Online-Dienst des Antrags", err
	}
	return "", &delivery.PermanentError{Reason: "channel " + string(doc.Delivery.Channel) + " is not sent by the server"}
}

// mailBody is the short German text of a delivery mail: no personal data beyond the reference.
func mailBody(doc api.Document, c api.Case, amt, phone, email string) string {
	b := "Guten Tag,\n\nim Anhang erhalten Sie " + map[api.DocumentKind]string{api.DocumentBescheid: "den Bescheid",
		api.DocumentNachforderung: "unser Schreiben über fehlende Unterlagen"}[doc.Kind] +
		" zu Ihrem Antrag (Aktenzeichen " + c.Reference + ") als PDF-Datei.\n\n"
	contact := ""
	if phone != "" {
		contact += " telefonisch unter " + phone
	}
	if email != "" {
		if contact != "" {
			contact += " oder"
		}
		contact += " per E-Mail an " + email
	}
	if contact != "" {
		b += "Bei Fragen erreichen Sie uns" + contact + ". Bitte geben Sie dabei das Aktenzeichen an.\n\n"
	}
	return b + "Mit freundlichen Grüßen\n" + amt + "\n\nDiese Nachricht wurde automatisch versandt.\n"
}

// recordDelivery writes the outcome of an attempt: sent or failed for good on the case with an
// event; a temporary failure only reschedules the queued delivery (after RetryFor it fails).
func (s *Server) recordDelivery(ctx context.Context, due deliveryRec, sendErr error, detail string) error {
	now := s.now().UTC()
	retryFor := s.cfg.Documents.RetryFor
	if retryFor <= 0 {
		retryFor = 3 * 24 * time.Hour
	}
	var notify string
	err := s.store.Update(ctx, due.Amt, func(tx ActionTx) error {
		notify = ""
		rec, ok, err := tx.Delivery(due.CaseID, due.DocID)
		if err != nil || !ok {
			return err
		}
		permanent := sendErr != nil && (delivery.IsPermanent(sendErr) || now.Sub(rec.Since) >= retryFor)
		if sendErr != nil && !permanent {
			rec.Attempts++
			rec.NextAt = now.Add(delivery.Backoff(rec.Attempts))
			rec.LastError = sendErr.Error()
			return tx.PutDelivery(rec)
		}
		c, ok, err := tx.Case(due.CaseID)
		if err != nil || !ok {
			return err
		}
		i := slices.IndexFunc(c.Documents, func(d api.Document) bool { return d.ID == due.DocID })
		if i < 0 {
			return tx.DeleteDelivery(due.CaseID, due.DocID)
		}
		before := c
		docs := slices.Clone(c.Documents)
		d := &docs[i]
		at := now
		d.Delivery.At = &at
		when := now.In(s.loc).Format("02.01.2006 15:04")
		var e api.Event
		if sendErr == nil {
			d.Delivery.State, d.Delivery.Detail = api.DeliverySent, detail
			e = sysEvent(api.EventDocumentSent, now, docLabel(d.Kind)+" per "+channelLabel(d.Delivery.Channel)+" versandt an "+detail+" am "+when)
		} else {
			reason := sendErr.Error()
			var pe *delivery.PermanentError
			if !errors.As(sendErr, &pe) {
				reason = "nach " + strconv.Itoa(int(now.Sub(rec.Since).Hours())) + " Stunden Wiederholung aufgegeben: " + reason
			}
			d.Delivery.State, d.Delivery.Detail = api.DeliveryFailed, casework.Summary(reason)
			e = sysEvent(api.EventDocumentFailed, now, docLabel(d.Kind)+" per "+channelLabel(d.Delivery.Channel)+
				" nicht zugestellt am "+when+": "+casework.Summary(reason))
		}
		c.Documents = docs
		c.Version++
		c.UpdatedAt = now
		if err := tx.WriteCase(&before, &c, []api.Event{e}, now); err != nil {
			return err
		}
		notify = c.Amt
		return tx.DeleteDelivery(due.CaseID, due.DocID)
	})
	if err == nil && notify != "" {
		s.feed.notify(notify)
	}
	return err
}

func sysEvent(kind api.EventKind, at time.Time, sum string) api.Event {
	return api.Event{Kind: kind, Actor: "system", At: at, Summary: sum}
}

func channelLabel(ch api.DeliveryChannel) string {
	switch ch {
	case api.ChannelEmail:
		return "E-Mail"
	case api.ChannelFitConnect:
		return "FIT-Connect"
	}
	return "Post"
}
