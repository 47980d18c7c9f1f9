package casework

import "github.com/amt-mv/amt/api"

// NoticeKind is what a clerk is told about a change that reached them from the server.
type NoticeKind string

// Notice kinds, most important first.
const (
	// NoticeApproved: a lead approved the clerk's proposal.
	NoticeApproved NoticeKind = "approved"
	// NoticeReturned: a lead returned the clerk's proposal.
	NoticeReturned NoticeKind = "returned"
	// NoticeDocuments: the applicant's documents arrived for a Nachforderung of the clerk's case.
	NoticeDocuments NoticeKind = "documents"
	// NoticeChanged: a colleague changed a case assigned to the clerk.
	NoticeChanged NoticeKind = "changed"
)

// Notice is one thing a clerk is told about a case: its kind and who caused it.
type Notice struct {
	Kind  NoticeKind
	Actor string // clerk id, "applicant" for documents
	Seq   int64  // the history entry
}

// LastSeq is the sequence number of the case's newest history entry (0 without history).
func LastSeq(c api.Case) int64 {
	var n int64
	for _, e := range c.History {
		n = max(n, e.Seq)
	}
	return n
}

// Notices lists what clerk `me` should be told about case c's history entries after seq since
// (the entries they have seen): their proposal approved or returned, documents arrived for a
// case of theirs (assigned to them, or whose Nachforderung they made), a colleague's change to a
// case assigned to them. The clerk's own entries are never news. At most one notice per kind, the
// latest; the order is by importance (NoticeKind constants).
func Notices(c api.Case, me string, since int64) []Notice {
	if me == "" {
		return nil
	}
	mine := c.Assignee == me
	requested := false
	for _, r := range c.DocumentRequests {
		requested = requested || r.Actor == me
	}
	proposer := ""
	if c.Decision != nil {
		proposer = c.Decision.Actor
	}
	found := map[NoticeKind]Notice{}
	for _, e := range c.History {
		if e.Seq <= since || e.Actor == me {
			continue
		}
		n := Notice{Actor: e.Actor, Seq: e.Seq}
		switch e.Kind {
		case api.EventDecisionApproved, api.EventDecisionReturned:
			switch {
			case proposer == me && e.Kind == api.EventDecisionApproved:
				n.Kind = NoticeApproved
			case proposer == me:
				n.Kind = NoticeReturned
			case mine:
				n.Kind = NoticeChanged
			}
		case api.EventDocumentsReceived:
			if mine || requested {
				n.Kind = NoticeDocuments
			}
		case api.EventDecided:
			// Follows an approval (told above) or is a colleague's final decision.
			if mine && !hasEvent(c, api.EventDecisionApproved, e.Seq) {
				n.Kind = NoticeChanged
			}
		case api.EventReceived, api.EventDocumentSent, api.EventDocumentFailed, api.EventDocumentPrinted:
			// The system's own entries, shown elsewhere (delivery marks).
		default:
			if mine {
				n.Kind = NoticeChanged
			}
		}
		if n.Kind != "" {
			found[n.Kind] = n
		}
	}
	var out []Notice
	for _, k := range []NoticeKind{NoticeApproved, NoticeReturned, NoticeDocuments, NoticeChanged} {
		if n, ok := found[k]; ok {
			out = append(out, n)
		}
	}
	return out
}

// hasEvent reports whether the entry just before seq is of kind k (an approval is followed by its
// decided entry in the same change).
func hasEvent(c api.Case, k api.EventKind, seq int64) bool {
	for _, e := range c.History {
		if e.Seq == seq-1 && e.Kind == k {
			return true
		}
	}
	return false
}
