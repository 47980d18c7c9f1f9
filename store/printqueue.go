package store

import (
	"cmp"
	"errors"
	"slices"

	"github.com/amt-mv/amt/api"
)

// PrintItem is one document of the Amt's print queue (Postausgang): a letter the server wrote for
// the post that no clerk has marked printed yet.
type PrintItem struct {
	CaseID, Reference, ServiceName, ApplicantName string
	Doc                                           api.Document
}

// PrintQueue lists the cached documents waiting in the print queue, oldest first: letters
// (channel letter) still pending, with the clerk's queued printed marks applied (a document
// marked printed offline has left the queue). It reads only the cases whose summary says a
// letter waits.
func (s *Store) PrintQueue() ([]PrintItem, error) {
	var ids []string
	if err := s.ScanSummaries(ScanAll, func(sum Summary) bool {
		if sum.PrintWaiting {
			ids = append(ids, sum.ID)
		}
		return true
	}); err != nil {
		return nil, err
	}
	var out []PrintItem
	for _, id := range ids {
		c, err := s.Case(id)
		if errors.Is(err, ErrNotFound) {
			continue // purged meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, PrintItems(c)...)
	}
	slices.SortStableFunc(out, func(a, b PrintItem) int {
		return cmp.Or(a.Doc.CreatedAt.Compare(b.Doc.CreatedAt), cmp.Compare(a.Reference, b.Reference), cmp.Compare(a.Doc.ID, b.Doc.ID))
	})
	return out, nil
}

// PrintItems returns the documents of one case that wait in the print queue.
func PrintItems(c api.Case) []PrintItem {
	var out []PrintItem
	for _, d := range c.Documents {
		if d.Delivery.Channel == api.ChannelLetter && d.Delivery.State == api.DeliveryPending {
			out = append(out, PrintItem{CaseID: c.ID, Reference: c.Reference, ServiceName: c.Service.Name,
				ApplicantName: c.Applicant.Name, Doc: d})
		}
	}
	return out
}
