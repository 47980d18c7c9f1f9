// Package servertest starts a real amt reference server on loopback, seeded with a small demo
// data set and a token for every demo clerk, for the tests of other packages.
package servertest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
)

// Env is a running test server.
type Env struct {
	URL    string            // base URL without the API path, e.g. http://127.0.0.1:41234
	Server *server.Server    // for seeding more data or creating tokens
	Tokens map[string]string // clerk id → bearer token
	Data   *demo.Data        // the seeded data set
	HTTP   *httptest.Server
	DB     string // the PostgreSQL URL the server runs on; empty on bbolt
}

// Option configures Start.
type Option func(*options)

type options struct {
	data    *demo.Data
	cases   int
	wrap    func(http.Handler) http.Handler
	now     func() time.Time
	configs []func(*server.Config)
	db      string
	docs    bool
}

// newDatabase, when set (UsePostgres), gives every test server a fresh PostgreSQL store.
var newDatabase func(t testing.TB) string

// UsePostgres makes every later Start run on PostgreSQL: newDB returns the URL of an empty
// database (or schema) for one test server. Call it from TestMain only (see pgtest.Run).
func UsePostgres(newDB func(t testing.TB) string) { newDatabase = newDB }

// Backend names the store Start uses: "bbolt" or "postgres".
func Backend() string {
	if newDatabase != nil {
		return "postgres"
	}
	return "bbolt"
}

// WithDatabase runs the server on the PostgreSQL database at url (which may already hold data:
// then nothing is seeded and Tokens is empty unless the data set's clerks exist).
func WithDatabase(url string) Option { return func(o *options) { o.db = url } }

// WithDocuments writes the seeded cases' documents (Bescheide, Nachforderungen) after seeding,
// as the demo does (server.SeedDocuments).
func WithDocuments() Option { return func(o *options) { o.docs = true } }

// WithCases seeds n cases instead of the default 40.
func WithCases(n int) Option { return func(o *options) { o.cases = n } }

// WithData seeds the given data set instead of a generated one (WithCases is then ignored).
func WithData(d *demo.Data) Option { return func(o *options) { o.data = d } }

// WithHandlerWrapper wraps the server's handler, e.g. to inject faults or count requests.
func WithHandlerWrapper(f func(http.Handler) http.Handler) Option {
	return func(o *options) { o.wrap = f }
}

// WithNow injects the server's clock (also the demo data's reference date).
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithConfig adjusts the server configuration before it starts (rate limit, retention, logger).
// The test server has no rate limit and no throttling of failed sign-ins and no write quota unless one is set here.
func WithConfig(f func(*server.Config)) Option {
	return func(o *options) { o.configs = append(o.configs, f) }
}

// DefaultCases is the number of cases Start seeds by default.
const DefaultCases = 40

// Start runs a seeded server on 127.0.0.1 and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	o := options{cases: DefaultCases, now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	db := o.db
	if db == "" && newDatabase != nil {
		db = newDatabase(t)
	}
	cfg := server.Config{
		Database:          db,
		DataDir:           t.TempDir(),
		Now:               o.now,
		RateLimit:         -1,
		AuthFailPerMinute: -1,
		WriteQuotaPerHour: -1,
		WriteBytesPerHour: -1,
		PruneInterval:     -1,
		// Tests deliver queued documents themselves (DeliverDue).
		DeliveryInterval: -1,
	}
	for _, f := range o.configs {
		f(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatalf("servertest: %v", err)
	}
	data := o.data
	if data == nil {
		data = generate(o.cases, o.now())
	}
	if err := srv.Seed(data); err != nil && !(o.db != "" && errors.Is(err, server.ErrNotEmpty)) {
		srv.Close()
		t.Fatalf("servertest: seed: %v", err)
	}
	if o.docs {
		if err := srv.SeedDocuments(context.Background(), data); err != nil {
			srv.Close()
			t.Fatalf("servertest: seed documents: %v", err)
		}
	}
	tokens := make(map[string]string, len(data.Clerks))
	for _, c := range data.Clerks {
		tok, err := srv.CreateToken(c.Amt, c.ID, c.Role)
		if err != nil {
			srv.Close()
			t.Fatalf("servertest: token: %v", err)
		}
		tokens[c.ID] = tok
	}
	h := srv.Handler()
	if o.wrap != nil {
		h = o.wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Drain() // wake long-polls so Close does not wait for them
		ts.Close()
		srv.Close()
	})
	return &Env{URL: ts.URL, Server: srv, Tokens: tokens, Data: data, HTTP: ts, DB: cfg.Database}
}

// Token returns the bearer token of a demo clerk; it fails the test for an unknown clerk.
func (e *Env) Token(clerk string) string {
	tok, ok := e.Tokens[clerk]
	if !ok {
		panic("servertest: no token for clerk " + clerk)
	}
	return tok
}

// ClerksOf returns the demo clerks of one Amt.
func (e *Env) ClerksOf(amt string) []demo.Clerk {
	var out []demo.Clerk
	for _, c := range e.Data.Clerks {
		if c.Amt == amt {
			out = append(out, c)
		}
	}
	return out
}
