// Package server is the reference central API of amt: HTTP handlers for every api.Routes entry,
// tenancy and bearer auth, bbolt storage, the per-Amt change feed, and demo seeding.
package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // dates are judged in Europe/Berlin on every host

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/catalogue"
)

// Config configures a Server.
type Config struct {
	DataDir string // bbolt file DataDir/server.db (0600), dir 0700; with Database only demo-tokens.json
	// Database is a PostgreSQL URL (postgres://…); empty = the bbolt file in DataDir. The schema
	// is migrated at start (see MigrateDatabase); several servers may share the database.
	Database string
	Now      func() time.Time // nil = time.Now
	Logger   *slog.Logger     // nil = discard
	// RateLimit is the sustained number of requests per second per token; 0 = 50, <0 = off.
	RateLimit float64
	// RateBurst is the token bucket size; 0 = 2×RateLimit (at least 10).
	RateBurst int
	// TombstoneRetention is how long a tombstone stays in the change feed; 0 = 30 days.
	// A cursor older than the newest pruned tombstone answers 410.
	TombstoneRetention time.Duration
	// IdempotencyRetention is how long the whole record of an applied action (with its answer) is
	// kept so that a resend answers the original result; 0 = 90 days. After it only a fingerprint
	// stays, and a resend answers 409 already-applied; see PruneIdempotency.
	IdempotencyRetention time.Duration
	// PruneInterval is how often tombstones and idempotency records are pruned in the background
	// (idempotency records also once at start; passes on a clock that jumped ahead are skipped,
	// see pruneSchedule); 0 = 1 hour, <0 = never (call PruneTombstones and PruneIdempotency
	// yourself).
	PruneInterval time.Duration
	// MaxConns is how many connections a listener from Listener keeps open at once; 0 =
	// DefaultMaxConns, <0 = no limit. At the limit the longest idle keep-alive connection is
	// closed for a new one (with HTTPServer); see Listener.
	MaxConns int
	// MaxConnsPerAddr is how many connections one client address may hold on a listener from
	// Listener (addresses in TrustedProxies excepted); 0 = DefaultMaxConnsPerAddr, <0 = no limit.
	MaxConnsPerAddr int
	// WriteQuotaPerHour is how many actions a token may send per hour (half of it at once);
	// 0 = DefaultWriteQuotaPerHour, <0 = no quota.
	WriteQuotaPerHour int
	// WriteBytesPerHour is how many bytes of action bodies a token may send per hour (half of it
	// at once); 0 = DefaultWriteBytesPerHour, <0 = no quota.
	WriteBytesPerHour int64
	// AuthFailBurst is how many failed sign-ins (answers 401) a client address may have at once
	// before it is throttled (429 with Retry-After); 0 = DefaultAuthFailBurst.
	AuthFailBurst int
	// AuthFailPerMinute is how many failed sign-ins per minute a client address regains;
	// 0 = DefaultAuthFailPerMinute, <0 = no throttling.
	AuthFailPerMinute int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client address for
	// throttling and logs; without them the peer's address is the client's.
	TrustedProxies []netip.Prefix
	// Location is the time zone in which dates (YYYY-MM-DD) are judged; nil = Europe/Berlin.
	Location *time.Location
	// OIDC, if set, accepts access tokens of an OpenID provider (see oidc.go).
	OIDC *OIDCConfig
	// TokenValidity is how long a static token made by CreateToken is accepted;
	// 0 = DefaultTokenValidity. A request with an expired token answers 401 token-expired.
	TokenValidity time.Duration
	// DisableStaticTokens refuses the server's own bearer tokens (amt-server token create), for
	// deployments that sign in through OIDC only.
	DisableStaticTokens bool
	// Intake, if set, makes the server a FIT-Connect subscriber (see IntakeConfig).
	Intake *IntakeConfig

	// Documents configures the outgoing documents (Bescheid, Nachforderung) and their delivery
	// (documents.go).
	Documents DocumentsConfig
	// DeliveryInterval is how often queued e-mail and FIT-Connect deliveries are attempted;
	// 0 = DefaultDeliveryInterval, <0 = never in the background (call DeliverDue yourself).
	DeliveryInterval time.Duration
}

// Server is the reference central API over one bbolt database.
type Server struct {
	cfg     Config
	store   Store
	log     *slog.Logger
	loc     *time.Location
	feed    *broadcaster
	limiter *limiter
	quota   *writeQuota // nil = no write quota
	// authFails throttles failed sign-ins per client address; nil = off.
	authFails *authFailures
	metrics   *metrics
	intake    *intake // FIT-Connect receiver; nil without Config.Intake
	handler   http.Handler
	tokens    tokenUse
	oidc      *oidcAuth // nil unless Config.OIDC is set

	idemBatch int // records per pruning transaction; 0 = idemPruneBatch (tests lower it)

	builtinCatalogue *catalogue.Catalogue // when Config.Documents.Catalogue is nil
	deliveryKick     chan struct{}

	quit      chan struct{}
	admin     *adminServer // the admin socket, if StartAdmin was called; guarded by adminMu
	adminMu   sync.Mutex
	drainOnce sync.Once
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// DBFile is the name of the database file inside Config.DataDir.
const DBFile = "server.db"

// Defaults of Config.
const (
	DefaultIdempotencyRetention = 90 * 24 * time.Hour
	DefaultMaxConns             = 4096
	DefaultMaxConnsPerAddr      = 256
	// DefaultTokenValidity is how long a static token is accepted unless configured otherwise.
	DefaultTokenValidity = 365 * 24 * time.Hour
)

// New opens (or creates) the database in cfg.DataDir and builds the handler.
func New(cfg Config) (*Server, error) {
	if cfg.DataDir == "" && cfg.Database == "" {
		return nil, errors.New("server: DataDir is required")
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		_ = os.Chmod(cfg.DataDir, 0o700)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 50
	}
	if cfg.RateBurst <= 0 {
		cfg.RateBurst = max(10, int(2*cfg.RateLimit))
	}
	if cfg.TombstoneRetention <= 0 {
		cfg.TombstoneRetention = 30 * 24 * time.Hour
	}
	if cfg.IdempotencyRetention <= 0 {
		cfg.IdempotencyRetention = DefaultIdempotencyRetention
	}
	if cfg.PruneInterval == 0 {
		cfg.PruneInterval = time.Hour
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.TokenValidity <= 0 {
		cfg.TokenValidity = DefaultTokenValidity
	}
	if cfg.MaxConnsPerAddr == 0 {
		cfg.MaxConnsPerAddr = DefaultMaxConnsPerAddr
	}
	if cfg.AuthFailBurst <= 0 {
		cfg.AuthFailBurst = DefaultAuthFailBurst
	}
	if cfg.AuthFailPerMinute == 0 {
		cfg.AuthFailPerMinute = DefaultAuthFailPerMinute
	}
	if cfg.OIDC != nil {
		oc := *cfg.OIDC
		if err := oc.validate(); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		cfg.OIDC = &oc
	} else if cfg.DisableStaticTokens {
		return nil, errors.New("server: static tokens are disabled and no OIDC provider is configured: nobody could sign in")
	}
	loc := cfg.Location
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation("Europe/Berlin"); err != nil {
			loc = time.UTC
		}
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		loc:     loc,
		feed:    newBroadcaster(),
		metrics: newMetrics(),
		quit:    make(chan struct{}),

		deliveryKick: make(chan struct{}, 1),
	}
	if cfg.Documents.Catalogue == nil {
		s.builtinCatalogue = catalogue.DefaultWithTexts()
	}
	var err error
	if cfg.Database != "" {
		s.store, err = openPG(cfg.Database, cfg.Logger, s.feed.notify, s.feed.notifyAll)
	} else {
		s.store, err = openBolt(cfg.DataDir, cfg.Now)
	}
	if err != nil {
		return nil, err
	}
	if cfg.OIDC != nil {
		s.oidc = &oidcAuth{cfg: *cfg.OIDC, now: cfg.Now}
	}
	if cfg.RateLimit > 0 {
		s.limiter = newLimiter(cfg.RateLimit, cfg.RateBurst, cfg.Now)
	}
	if cfg.WriteQuotaPerHour == 0 {
		cfg.WriteQuotaPerHour = DefaultWriteQuotaPerHour
	}
	if cfg.WriteBytesPerHour == 0 {
		cfg.WriteBytesPerHour = DefaultWriteBytesPerHour
	}
	if cfg.WriteQuotaPerHour > 0 || cfg.WriteBytesPerHour > 0 {
		s.quota = newWriteQuota(cfg.WriteQuotaPerHour, cfg.WriteBytesPerHour, cfg.Now)
	}
	if cfg.AuthFailPerMinute > 0 {
		s.authFails = newAuthFailures(cfg.AuthFailPerMinute, cfg.AuthFailBurst, cfg.Now)
	}
	s.handler = s.routes()
	if cfg.Intake != nil {
		if err := s.startIntake(*cfg.Intake); err != nil {
			s.store.Close()
			return nil, err
		}
	}
	if cfg.PruneInterval > 0 {
		s.wg.Add(1)
		go s.pruneLoop()
	}
	if s.cfg.DeliveryInterval == 0 {
		s.cfg.DeliveryInterval = DefaultDeliveryInterval
	}
	if s.cfg.DeliveryInterval > 0 {
		s.wg.Add(1)
		go s.deliveryLoop()
	}
	return s, nil
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// Handler returns the HTTP handler serving every api.Routes entry.
func (s *Server) Handler() http.Handler { return s.handler }

// LongPollsWaiting is the number of GET /changes requests now waiting for a change (the
// amt_changes_waiting gauge). A long-poll counted here wakes on any later change of its Amt.
func (s *Server) LongPollsWaiting() int { return int(s.metrics.longPolls.Load()) }

// Drain wakes every long-poll so that in-flight requests finish promptly; use it with
// http.Server.RegisterOnShutdown. New long-polls answer at once afterwards.
func (s *Server) Drain() {
	s.drainOnce.Do(func() { close(s.quit) })
}

// Close drains long-polls, stops the admin socket and background work, writes back the tokens'
// last-used days and closes the database.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.Drain()
		s.stopAdmin()
		s.wg.Wait()
		if ferr := s.flushTokenUse(); ferr != nil {
			s.log.Error("record token use", "err", ferr)
		}
		err = s.store.Close()
	})
	return err
}

// The limits of the http.Server built by NewHTTPServer. A 1 MiB body takes about 35 s at
// 256 kbit/s, so ReadTimeout leaves room for slow uplinks; WriteTimeout covers the longest
// long-poll (api.MaxWaitSeconds) plus a slow response.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 2 * time.Minute
	WriteTimeout      = time.Duration(api.MaxWaitSeconds)*time.Second + 60*time.Second
	IdleTimeout       = 2 * time.Minute
	MaxHeaderBytes    = 32 << 10
)

// NewHTTPServer returns the http.Server that amt-server runs h in: the timeouts and header
// limit above (against slow or idle clients and huge headers) and errors logged at warn level
// by logger (nil = discarded). Tests may shorten the timeouts on the returned value before
// serving.
func NewHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		// OPTIONS * reaches the handler (a problem) instead of net/http's empty 200.
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// HTTPServer returns NewHTTPServer(s.Handler(), logger) with s.Drain registered to run when
// Shutdown starts (long-polls end and /readyz answers 503 while connections drain) and with
// ConnState reporting idle connections to the listeners from s.Listener, so that at MaxConns the
// longest idle one makes room for a new client, and ConnContext and a handler wrapper telling them
// which connections have signed in or are being answered (see Listener). Chain, do not replace,
// its ConnState and ConnContext; wrap a replaced Handler with trackConns.
func (s *Server) HTTPServer(logger *slog.Logger) *http.Server {
	hs := NewHTTPServer(trackConns(s.Handler()), logger)
	hs.RegisterOnShutdown(s.Drain)
	hs.ConnState = connState
	hs.ConnContext = connContext
	return hs
}

// pruneLoop is the background maintenance: idempotency records are pruned at start and then,
// with tombstones, every PruneInterval, when the tokens' last-used days are also written back.
// Pruning passes on a clock that jumped ahead are skipped (pruneSchedule).
func (s *Server) pruneLoop() {
	defer s.wg.Done()
	sched := &pruneSchedule{interval: s.cfg.PruneInterval}
	s.prunePass(sched, false)
	t := time.NewTicker(s.cfg.PruneInterval)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
			s.prunePass(sched, true)
			if err := s.flushTokenUse(); err != nil {
				s.log.Error("record token use", "err", err)
			}
		}
	}
}

// prunePass is one scheduled pass: tombstones (unless at start) and idempotency records, if the
// schedule admits the clock. It reports whether it pruned.
func (s *Server) prunePass(sched *pruneSchedule, tombstones bool) bool {
	if ok, ahead := sched.admit(s.now()); !ok {
		s.metrics.pruneSkipped.Add(1)
		s.log.Warn("pruning skipped: the clock jumped ahead of the server's schedule; set it right, or restart amt-server if the new time is right",
			"ahead", ahead.Round(time.Minute).String())
		return false
	}
	if tombstones {
		if n, err := s.PruneTombstones(); err != nil {
			s.log.Error("prune tombstones", "err", err)
		} else if n > 0 {
			s.log.Info("pruned tombstones", "count", n)
		}
	}
	if n, err := s.PruneIdempotency(); err != nil {
		s.log.Error("prune idempotency records", "err", err)
	} else if n > 0 {
		s.log.Info("aged idempotency records into fingerprints", "count", n)
	}
	return true
}

// principal is the authenticated caller.
type principal struct {
	Clerk string
	Amt   string
	Role  api.Role
	key   string // token hash, for rate limiting
	// expires is when a static token stops being accepted (zero: never, or an OIDC token).
	expires time.Time
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, p *principal) error

// routes registers exactly api.Routes, plus method-less fallbacks that answer 405 and a catch-all
// that answers 404, both as problem+json.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	h := map[string]handlerFunc{
		"GET " + api.BasePath + "/me":                                         s.getMe,
		"GET " + api.BasePath + "/clerks":                                     s.getClerks,
		"GET " + api.BasePath + "/changes":                                    s.getChanges,
		"GET " + api.BasePath + "/cases/{id}":                                 s.getCase,
		"GET " + api.BasePath + "/cases/{id}/events":                          s.getEvents,
		"GET " + api.BasePath + "/cases/{id}/attachments/{aid}":               s.getAttachment,
		"PUT " + api.BasePath + "/cases/{id}/notes/{noteID}":                  s.action(api.ActionNote),
		"PUT " + api.BasePath + "/cases/{id}/decisions/{decisionID}":          s.action(api.ActionDecision),
		"PUT " + api.BasePath + "/cases/{id}/decisions/{decisionID}/approval": s.action(api.ActionApproval),
		"PUT " + api.BasePath + "/cases/{id}/assignment":                      s.action(api.ActionAssignment),
		"PUT " + api.BasePath + "/cases/{id}/status":                          s.action(api.ActionStatus),
		"PUT " + api.BasePath + "/cases/{id}/resubmissions/{resubmissionID}":  s.action(api.ActionResubmission),
		"PUT " + api.BasePath + "/cases/{id}/document-requests/{requestID}":   s.action(api.ActionDocumentRequest),
		"GET " + api.BasePath + "/cases/{id}/documents/{docID}":               s.getDocument,
		"PUT " + api.BasePath + "/cases/{id}/documents/{docID}/printed":       s.action(api.ActionPrinted),
		"PUT " + api.BasePath + "/cases/{id}/evidence/{evidenceID}/checked":   s.action(api.ActionEvidenceChecked),
	}
	public := map[string]http.HandlerFunc{
		"GET /healthz":                       s.healthz,
		"GET /readyz":                        s.readyz,
		"GET /metrics":                       s.serveMetrics,
		"GET " + api.BasePath + "/sign-in":   s.getSignIn,
		"POST " + api.FitConnectCallbackPath: s.fitconnectCallback,
	}
	allow := map[string][]string{}
	registered := 0
	for _, rt := range api.Routes {
		pat := rt.Method + " " + rt.Pattern
		registered++
		allow[rt.Pattern] = append(allow[rt.Pattern], rt.Method)
		if f, ok := h[pat]; ok {
			mux.Handle(pat, s.authed(rt.Pattern, f))
		} else if f, ok := public[pat]; ok {
			mux.Handle(pat, s.named(rt.Pattern, f))
		} else {
			panic("server: no handler for route " + pat)
		}
	}
	if registered != len(h)+len(public) {
		panic("server: handlers and api.Routes disagree")
	}
	for path, methods := range allow {
		a := strings.Join(methods, ", ")
		if strings.Contains(a, "GET") {
			a += ", HEAD"
		}
		mux.Handle(path, s.named(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", a)
			writeProblem(w, r, problem(http.StatusMethodNotAllowed, api.ProblemMethodNotAllowed, "Method not allowed",
				"allowed: "+a))
		}))
	}
	mux.Handle("/", s.named("", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, problem(http.StatusNotFound, api.ProblemNotFound, "Not found", ""))
	}))
	return s.observe(s.recoverer(cleanPaths(mux)))
}

// cleanPaths answers 404 problem+json to a path that is not clean ("//", "/./", "/../", a
// trailing "/." or "/..") instead of ServeMux's redirect in text/html (issue #16 item 7): no
// route of the API has such a path, and ids "." and ".." are no ids.
func cleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if !strings.HasPrefix(p, "/") {
			// "*" (OPTIONS *, or any method): ServeMux would answer an empty 400.
			writeProblem(w, r, badRequest("the request target must be a path"))
			return
		}
		if p != "/" && (path.Clean(p) != strings.TrimSuffix(p, "/") || strings.Contains(p, "//")) {
			writeProblem(w, r, problem(http.StatusNotFound, api.ProblemNotFound, "Not found", ""))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// named records the route pattern for logs and metrics.
func (s *Server) named(pattern string, f http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ri := infoFrom(r); ri != nil {
			ri.route = pattern
		}
		f(w, r)
	})
}

// authed authenticates the bearer token, applies the rate limit and turns errors into problems.
func (s *Server) authed(pattern string, f handlerFunc) http.Handler {
	return s.named(pattern, func(w http.ResponseWriter, r *http.Request) {
		addr := ""
		if s.authFails != nil {
			addr = s.clientAddr(r)
			if wait, logN, blocked := s.authFails.blocked(addr); blocked {
				s.metrics.authThrottled.Add(1)
				if logN > 0 {
					s.log.Warn("sign-ins throttled: too many failed sign-ins from this address", "addr", addr, "refused", logN)
				}
				w.Header().Set("Retry-After", fmt.Sprint(max(1, int((wait+time.Second-1)/time.Second))))
				writeProblem(w, r, problem(http.StatusTooManyRequests, api.ProblemRateLimited, "Too many failed sign-ins",
					"too many failed sign-ins from this address; try again after Retry-After seconds"))
				return
			}
		}
		p, err := s.authenticate(r)
		if err != nil {
			s.metrics.authFailures.Add(1)
			if s.authFails != nil {
				s.authFails.fail(addr)
			} else {
				addr = s.clientAddr(r)
			}
			// The address, never the token (nor the detail, which might one day echo it).
			s.log.Warn("sign-in failed", "addr", addr, "route", pattern)
			w.Header().Set("WWW-Authenticate", `Bearer realm="amt"`)
			writeProblem(w, r, err)
			return
		}
		if ri := infoFrom(r); ri != nil {
			ri.clerk = p.Clerk
		}
		if lc := connOf(r); lc != nil {
			lc.l.prove(lc)
		}
		if s.limiter != nil {
			if ok, wait := s.limiter.allow(p.key); !ok {
				secs := int((wait + time.Second - 1) / time.Second)
				w.Header().Set("Retry-After", fmt.Sprint(max(1, secs)))
				writeProblem(w, r, problem(http.StatusTooManyRequests, api.ProblemRateLimited, "Too many requests", ""))
				return
			}
		}
		if e := requireJSON(r); e != nil {
			writeProblem(w, r, e)
			return
		}
		if err := f(w, r, p); err != nil {
			var pe *apiError
			if !errors.As(err, &pe) {
				if errors.Is(err, errBodyTooLarge) {
					pe = problem(http.StatusRequestEntityTooLarge, api.ProblemTooLarge, "Request body too large",
						fmt.Sprintf("at most %d bytes", api.MaxBodyBytes))
				} else {
					s.log.Error("request failed", "route", pattern, "err", err)
					pe = problem(http.StatusInternalServerError, api.ProblemInternal, "Internal error", "")
				}
			}
			writeProblem(w, r, pe)
		}
	})
}

func (s *Server) authenticate(r *http.Request) (*principal, *apiError) {
	unauth := func(d string) *apiError {
		return problem(http.StatusUnauthorized, api.ProblemUnauthorized, "Unauthorized", d)
	}
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, unauth("a bearer token is required")
	}
	tok = strings.TrimSpace(tok)
	if s.oidc != nil && looksLikeJWT(tok) {
		return s.authenticateOIDC(r, tok)
	}
	if tok == "" || len(tok) > 512 || s.cfg.DisableStaticTokens {
		return nil, unauth("invalid token")
	}
	key := hashToken(tok)
	rec, found, err := s.store.Token(r.Context(), key)
	if err != nil || !found {
		return nil, unauth("invalid token")
	}
	if !rec.Expires.IsZero() && !s.now().Before(rec.Expires) {
		e := unauth("this token expired on " + rec.Expires.In(s.loc).Format(time.DateOnly) +
			"; ask the administrator for a new one (amt-server token rotate) and sign in with it: amt login --token …")
		e.Type, e.Title = api.ProblemTokenExpired, "Token expired"
		return nil, e
	}
	s.tokens.used(key, rec.LastUsed, s.today())
	return &principal{Clerk: rec.Clerk, Amt: rec.Amt, Role: rec.Role, key: string(key), expires: rec.Expires}, nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.quit:
		w.Header().Set("Retry-After", "5")
		writeProblem(w, r, problem(http.StatusServiceUnavailable, api.ProblemUnavailable, "Shutting down", ""))
		return
	default:
	}
	if err := s.store.Ping(r.Context()); err != nil {
		w.Header().Set("Retry-After", "5")
		writeProblem(w, r, problem(http.StatusServiceUnavailable, api.ProblemUnavailable, "Database unavailable", ""))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ready\n")
}

// validID accepts ids made of URL-safe characters, 1 to 128 of them (casework.ValidID: the
// outbox accepts the same).
func validID(id string) bool { return casework.ValidID(id) }
