package delivery

import (
	"context"

	"github.com/amt-mv/amt/api"
)

// Document is an outgoing document as a channel sends it.
type Document struct {
	ID          string
	Kind        api.DocumentKind
	Name        string
	ContentType string
	Data        []byte
	Reference   string // the case's Aktenzeichen
}

// ReplySender sends a document as a FIT-Connect reply to the online service the applicant used
// (fact sheet §9: the reply endpoints there are unverified; see docs/betrieb.md). A
// *PermanentError means a retry will not help.
type ReplySender interface {
	SendReply(ctx context.Context, to api.FitConnectReply, doc Document) error
}
