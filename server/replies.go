package server

import (
	"github.com/amt-mv/amt/delivery"
	"github.com/amt-mv/amt/fitconnect"
)

// ReplySender builds the FIT-Connect reply channel of the intake's destinations: each destination
// answers through its own subscriber credentials, at the given reply endpoints (unverified, fact
// sheet §9.2; empty = fitconnect.DefaultReplyEndpoints). Use it as DocumentsConfig.FitConnect.
func (ic *IntakeConfig) ReplySender(ep fitconnect.ReplyEndpoints) *delivery.FitConnectReplies {
	r := &delivery.FitConnectReplies{Clients: map[string]*fitconnect.Client{}, Endpoints: ep.WithDefaults()}
	for _, d := range ic.Destinations {
		r.Clients[d.DestinationID] = fitconnect.NewClient(fitconnect.ClientConfig{TokenURL: d.TokenURL, SubmissionAPI: d.SubmissionAPI,
			ClientID: d.ClientID, ClientSecret: d.ClientSecret, HTTP: ic.HTTP})
	}
	return r
}
