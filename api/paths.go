package api

// Route is one endpoint of the contract: an HTTP method and a path pattern in net/http ServeMux
// syntax ({name} wildcards). Routes and api/openapi.yaml must list the same endpoints.
type Route struct {
	Method  string
	Pattern string
}

// Routes lists every endpoint of the contract. The server registers exactly these; a test checks
// them against openapi.yaml.
var Routes = []Route{
	{"GET", BasePath + "/me"},
	{"GET", BasePath + "/clerks"},
	{"GET", BasePath + "/changes"},
	{"GET", BasePath + "/cases/{id}"},
	{"GET", BasePath + "/cases/{id}/events"},
	{"GET", BasePath + "/cases/{id}/attachments/{aid}"},
	{"PUT", BasePath + "/cases/{id}/notes/{noteID}"},
	{"PUT", BasePath + "/cases/{id}/decisions/{decisionID}"},
	{"PUT", BasePath + "/cases/{id}/decisions/{decisionID}/approval"},
	{"PUT", BasePath + "/cases/{id}/assignment"},
	{"PUT", BasePath + "/cases/{id}/status"},
	{"PUT", BasePath + "/cases/{id}/resubmissions/{resubmissionID}"},
	{"PUT", BasePath + "/cases/{id}/document-requests/{requestID}"},
	{"GET", BasePath + "/cases/{id}/documents/{docID}"},
	{"PUT", BasePath + "/cases/{id}/documents/{docID}/printed"},
	{"PUT", BasePath + "/cases/{id}/evidence/{evidenceID}/checked"},
	{"GET", "/healthz"},
	{"GET", "/readyz"},
	{"GET", "/metrics"},
	{"GET", BasePath + "/sign-in"},
	{"POST", FitConnectCallbackPath},
}

// FitConnectCallbackPath is where FIT-Connect delivers callbacks for a destination (configured
// as the destination's callback URL in FITKO's self-service portal). It carries no bearer token:
// the callback-authentication HMAC is checked instead.
const FitConnectCallbackPath = "/fitconnect/callback/{destinationId}"

// Header names of the contract beyond the standard ones.
const (
	// HeaderIdempotencyKey carries the client-chosen action id on PUTs whose path has none
	// (assignment, status). Servers answer a replayed key with the original result, before any
	// If-Match check, so a resend after a lost response is never a false conflict.
	HeaderIdempotencyKey = "Idempotency-Key"
)
