package server

// pgStore: the Store on PostgreSQL, for several amt-server instances on one database.
//
// Tenancy: every table carries the Amt and every query names it in its WHERE clause; the one
// exception is the token lookup, which finds the Amt (the token's) by the token's hash. Row-level
// security is the second wall (migration 00005): every transaction first says whose rows it may
// touch (pgWall: one Amt, or every Amt on the few paths that serve all Ämter), and PostgreSQL
// hides and refuses every other row, also from the tables' owner.
//
// Change feed: each Amt has a row in feeds whose counter hands out cursors. A change takes the
// row's lock (INSERT … ON CONFLICT DO UPDATE … RETURNING) in its own transaction and holds it
// until commit, and PostgreSQL makes a commit visible before it releases the transaction's
// locks, so cursors become visible in the order they were handed out: a reader never sees
// cursor n+1 without n (a BIGSERIAL would hand them out at insert time and let a later cursor
// commit first, and a reader past it would skip the earlier one for good). Readers read a page
// in one REPEATABLE READ snapshot. After a change commits, NOTIFY amt_changes with the Amt as
// payload wakes the long-polls of every instance (a wake-up only: the feed is read from the
// table).
//
// Idempotency: the idem table's primary key (Amt, case, kind, action id) makes a second insert
// of the same action fail; Update then runs the action again and finds the first one's record
// (replay). Two writers of one case also take turns on the case's row lock (Case is SELECT …
// FOR UPDATE), so the loser normally sees the record at once.

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/amt-mv/amt/api"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// pgChannel is the LISTEN/NOTIFY channel of change wake-ups; the payload is the Amt's id.
const pgChannel = "amt_changes"

// Defaults of the PostgreSQL connection, unless the database URL sets them.
const (
	pgStatementTimeout = "30s"
	pgIdleInTxTimeout  = "60s"
	pgMaxConns         = 20
	pgUpdateAttempts   = 8
)

type pgStore struct {
	pool    *pgxpool.Pool
	log     *slog.Logger
	wake    func(amt string) // wakes this instance's long-polls of an Amt
	wakeAll func()           // wakes every long-poll of this instance
	stop    context.CancelFunc
	done    chan struct{}
}

var _ Store = (*pgStore)(nil)

// pgWall says whose rows a transaction may see and write under row-level security (migration
// 00005): one Amt (every clerk's request), or every Amt (pgAllAmts) on the paths that serve all
// Ämter by design: token lookup by hash, metrics, seeding, pruning, the delivery queue, operator
// commands on tokens, migrate-store. The setting is local to the transaction.
type pgWall struct {
	amt string
	all bool
}

// pgAmt is the wall of one Amt.
func pgAmt(amt string) pgWall { return pgWall{amt: amt} }

// pgAllAmts is the wall of the cross-Amt paths.
var pgAllAmts = pgWall{all: true}

const (
	pgSetAmt = `SELECT set_config('amt.amt', $1, true)`
	pgSetAll = `SELECT set_config('amt.scope', 'all', true)`
)

func (w pgWall) queue(b *pgx.Batch) {
	if w.all {
		b.Queue(pgSetAll)
	} else {
		b.Queue(pgSetAmt, w.amt)
	}
}

func (w pgWall) set(ctx context.Context, tx pgx.Tx) error {
	var err error
	if w.all {
		_, err = tx.Exec(ctx, pgSetAll)
	} else {
		_, err = tx.Exec(ctx, pgSetAmt, w.amt)
	}
	return err
}

// begin runs fn in a transaction behind the wall w.
func (p *pgStore) begin(ctx context.Context, w pgWall, opts pgx.TxOptions, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, p.pool, opts, func(tx pgx.Tx) error {
		if err := w.set(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// batch sends b behind the wall w in one round trip: a batch is one implicit transaction, so the
// wall's transaction-local setting holds for every query queued after it.
func (p *pgStore) batch(ctx context.Context, w pgWall, queue func(b *pgx.Batch)) error {
	b := &pgx.Batch{}
	w.queue(b)
	queue(b)
	return p.pool.SendBatch(ctx, b).Close()
}

// queryRow runs a single-row query on the pool behind the wall w (one round trip) and scans it.
func (p *pgStore) queryRow(ctx context.Context, w pgWall, scan func(pgx.Row) error, sql string, args ...any) error {
	return p.batch(ctx, w, func(b *pgx.Batch) { b.Queue(sql, args...).QueryRow(scan) })
}

// query runs a query on the pool behind the wall w (one round trip) and hands fn its rows.
func (p *pgStore) query(ctx context.Context, w pgWall, fn func(pgx.Rows) error, sql string, args ...any) error {
	return p.batch(ctx, w, func(b *pgx.Batch) { b.Queue(sql, args...).Query(fn) })
}

// exec runs a statement on the pool behind the wall w (one round trip).
func (p *pgStore) exec(ctx context.Context, w pgWall, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := p.batch(ctx, w, func(b *pgx.Batch) {
		b.Queue(sql, args...).Exec(func(ct pgconn.CommandTag) error { tag = ct; return nil })
	})
	return tag, err
}

// pgPoolConfig parses a database URL and sets the server's defaults where the URL is silent.
func pgPoolConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's error may quote the URL with its password: say only what is wrong with it.
		return nil, errors.New("server: the database URL is not a valid PostgreSQL connection string (postgres://user@host:5432/dbname?sslmode=…)")
	}
	rp := cfg.ConnConfig.RuntimeParams
	if _, ok := rp["statement_timeout"]; !ok {
		rp["statement_timeout"] = pgStatementTimeout
	}
	if _, ok := rp["idle_in_transaction_session_timeout"]; !ok {
		rp["idle_in_transaction_session_timeout"] = pgIdleInTxTimeout
	}
	if _, ok := rp["application_name"]; !ok {
		rp["application_name"] = "amt-server"
	}
	if !hasParam(url, "pool_max_conns") {
		cfg.MaxConns = pgMaxConns
	}
	return cfg, nil
}

func hasParam(url, name string) bool {
	for i := 0; i+len(name) < len(url); i++ {
		if (url[i] == '?' || url[i] == '&' || url[i] == ' ') && url[i+1:i+1+len(name)] == name {
			return true
		}
	}
	return len(url) >= len(name) && url[:len(name)] == name
}

// MigrateDatabase brings the PostgreSQL database at url to the schema of this binary with the
// embedded migrations (goose, under a session advisory lock, so instances starting together
// take turns). It refuses a database whose schema is newer than the binary. It returns the
// schema versions before and after.
func MigrateDatabase(ctx context.Context, url string) (from, to int64, err error) {
	cfg, err := pgPoolConfig(url)
	if err != nil {
		return 0, 0, err
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return 0, 0, fmt.Errorf("server: database: %w", err)
	}
	defer pool.Close()
	return migratePool(ctx, pool)
}

func migratePool(ctx context.Context, pool *pgxpool.Pool) (from, to int64, err error) {
	// The lock is per schema, so databases that hold several amt schemas (tests) do not queue
	// behind each other; instances of one deployment share the schema and so the lock.
	var schema string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return 0, 0, fmt.Errorf("server: database: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("amt-server migrations " + schema))
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
	if err != nil {
		return 0, 0, err
	}
	fsys, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return 0, 0, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return 0, 0, fmt.Errorf("server: migrations: %w", err)
	}
	cur, target, err := p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("server: database schema version: %w", err)
	}
	if cur > target {
		return cur, cur, fmt.Errorf("server: the database schema (version %d) is newer than this amt-server (up to version %d); run the newer amt-server", cur, target)
	}
	if cur == target {
		return cur, cur, nil
	}
	if _, err := p.Up(ctx); err != nil {
		return cur, 0, fmt.Errorf("server: migrate database: %w", err)
	}
	to, err = p.GetDBVersion(ctx)
	return cur, to, err
}

// openPG connects to PostgreSQL, migrates the schema and starts listening for change wake-ups.
func openPG(url string, log *slog.Logger, wake func(string), wakeAll func()) (*pgStore, error) {
	cfg, err := pgPoolConfig(url)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("server: database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("server: database %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	from, to, err := migratePool(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if from != to {
		log.Info("database schema migrated", "from", from, "to", to)
	}
	// Row-level security binds neither superusers nor BYPASSRLS roles: say so, the operator
	// meant to run on a role of least privilege (docs/betrieb.md).
	var role string
	var bypass bool
	if err := pool.QueryRow(ctx, `SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&role, &bypass); err != nil {
		pool.Close()
		return nil, fmt.Errorf("server: database: %w", err)
	}
	if bypass {
		log.Warn("database role is a superuser or has BYPASSRLS: row-level security does not separate the Ämter for it; run amt-server on a role of least privilege", "role", role)
	}
	lctx, stop := context.WithCancel(context.Background())
	p := &pgStore{pool: pool, log: log, wake: wake, wakeAll: wakeAll, stop: stop, done: make(chan struct{})}
	ready := make(chan struct{})
	go p.listen(lctx, ready)
	select {
	case <-ready:
	case <-ctx.Done():
	}
	return p, nil
}

// listen holds one connection that LISTENs for change wake-ups and wakes this instance's
// long-polls. After a lost connection it reconnects and wakes every long-poll, since wake-ups
// may have been missed meanwhile (a spurious wake-up only makes a long-poll read again).
func (p *pgStore) listen(ctx context.Context, ready chan struct{}) {
	defer close(p.done)
	cc := p.pool.Config().ConnConfig
	delay := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(ctx, cc)
		if err == nil {
			if _, err = conn.Exec(ctx, "LISTEN "+pgChannel); err == nil {
				delay = 100 * time.Millisecond
				if first {
					close(ready)
					first = false
				} else {
					p.wakeAll()
				}
				for {
					n, werr := conn.WaitForNotification(ctx)
					if werr != nil {
						err = werr
						break
					}
					p.wake(n.Payload)
				}
			}
			conn.Close(context.Background())
		}
		if ctx.Err() != nil {
			break
		}
		p.log.Warn("database: change notifications interrupted; reconnecting", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
	if first {
		close(ready)
	}
}

func (p *pgStore) Close() error {
	p.stop()
	<-p.done
	p.pool.Close()
	return nil
}

func (p *pgStore) Ping(ctx context.Context) error { return p.pool.Ping(ctx) }

func (p *pgStore) Token(ctx context.Context, hash []byte) (tokenRec, bool, error) {
	var rec tokenRec
	// Before the token is found its Amt is unknown: the lookup by hash sees every Amt.
	var expires *time.Time
	err := p.queryRow(ctx, pgAllAmts, func(r pgx.Row) error {
		return r.Scan(&rec.Amt, &rec.Clerk, &rec.Role, &rec.Created, &rec.LastUsed, &expires)
	}, `SELECT amt, clerk, role, created, last_used, expires FROM tokens WHERE hash = $1`, hash)
	if expires != nil {
		rec.Expires = *expires
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return tokenRec{}, false, nil
	}
	return rec, err == nil, err
}

func (p *pgStore) Amt(ctx context.Context, id string) (amtRec, bool, error) {
	a := amtRec{ID: id}
	err := p.queryRow(ctx, pgAmt(id), func(r pgx.Row) error { return r.Scan(&a.Name) }, `SELECT name FROM amts WHERE amt = $1`, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return amtRec{}, false, nil
	}
	return a, err == nil, err
}

const pgClerkSQL = `SELECT name, role FROM clerks WHERE amt = $1 AND id = $2`

func pgClerkResult(amt, id string, err error, c clerkRec) (clerkRec, bool, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return clerkRec{}, false, nil
	}
	c.ID, c.Amt = id, amt
	return c, err == nil, err
}

func (p *pgStore) Clerk(ctx context.Context, amt, id string) (clerkRec, bool, error) {
	var c clerkRec
	err := p.queryRow(ctx, pgAmt(amt), func(r pgx.Row) error { return r.Scan(&c.Name, &c.Role) }, pgClerkSQL, amt, id)
	return pgClerkResult(amt, id, err, c)
}

func (p *pgStore) Clerks(ctx context.Context, amt string) ([]clerkRec, error) {
	var list []clerkRec
	err := p.query(ctx, pgAmt(amt), func(rows pgx.Rows) error {
		var err error
		list, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (clerkRec, error) {
			c := clerkRec{Amt: amt}
			err := r.Scan(&c.ID, &c.Name, &c.Role)
			return c, err
		})
		return err
	}, `SELECT id, name, role FROM clerks WHERE amt = $1 ORDER BY id`, amt)
	return list, err
}

const pgCaseSQL = `SELECT body FROM cases WHERE amt = $1 AND id = $2`

// pgCase reads a case of amt in tx; lock takes its row lock until the transaction ends.
func pgCase(ctx context.Context, tx pgx.Tx, amt, id string, lock bool) (api.Case, bool, error) {
	if !validID(id) {
		return api.Case{}, false, nil
	}
	sql := pgCaseSQL
	if lock {
		sql += ` FOR UPDATE`
	}
	var raw []byte
	err := tx.QueryRow(ctx, sql, amt, id).Scan(&raw)
	return pgDecodeCase(raw, err)
}

func pgDecodeCase(raw []byte, err error) (api.Case, bool, error) {
	var c api.Case
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return api.Case{}, false, err
	}
	return c, true, nil
}

func (p *pgStore) Case(ctx context.Context, amt, id string) (api.Case, bool, error) {
	if !validID(id) {
		return api.Case{}, false, nil
	}
	var raw []byte
	err := p.queryRow(ctx, pgAmt(amt), func(r pgx.Row) error { return r.Scan(&raw) }, pgCaseSQL, amt, id)
	return pgDecodeCase(raw, err)
}

const pgEventsSQL = `SELECT body FROM events WHERE amt = $1 AND case_id = $2 ORDER BY seq`

func pgCollectEvents(rows pgx.Rows) ([]api.Event, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (api.Event, error) {
		var raw []byte
		var e api.Event
		if err := r.Scan(&raw); err != nil {
			return e, err
		}
		return e, json.Unmarshal(raw, &e)
	})
}

func pgEvents(ctx context.Context, tx pgx.Tx, amt, caseID string) ([]api.Event, error) {
	rows, err := tx.Query(ctx, pgEventsSQL, amt, caseID)
	if err != nil {
		return nil, err
	}
	return pgCollectEvents(rows)
}

func (p *pgStore) Events(ctx context.Context, amt, caseID string) ([]api.Event, error) {
	var evs []api.Event
	err := p.query(ctx, pgAmt(amt), func(rows pgx.Rows) error {
		var err error
		evs, err = pgCollectEvents(rows)
		return err
	}, pgEventsSQL, amt, caseID)
	if evs == nil && err == nil {
		evs = []api.Event{}
	}
	return evs, err
}

func (p *pgStore) File(ctx context.Context, amt, sha string) ([]byte, error) {
	var data []byte
	err := p.queryRow(ctx, pgAmt(amt), func(r pgx.Row) error { return r.Scan(&data) }, `SELECT data FROM files WHERE amt = $1 AND sha = $2`, amt, sha)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return data, err
}

// StatusCounts counts the cases of every Amt (metrics).
func (p *pgStore) StatusCounts(ctx context.Context) (map[api.Status]uint64, error) {
	out := map[api.Status]uint64{}
	err := p.query(ctx, pgAllAmts, func(rows pgx.Rows) error {
		for rows.Next() {
			var st string
			var n int64
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			out[api.Status(st)] = uint64(n)
		}
		return rows.Err()
	}, `SELECT status, count(*) FROM cases GROUP BY status`)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (p *pgStore) Empty(ctx context.Context) (bool, error) {
	var any bool
	err := p.queryRow(ctx, pgAllAmts, func(r pgx.Row) error { return r.Scan(&any) },
		`SELECT EXISTS (SELECT 1 FROM amts) OR EXISTS (SELECT 1 FROM clerks) OR EXISTS (SELECT 1 FROM cases)`)
	return !any, err
}

func (p *pgStore) Changes(ctx context.Context, amt string, cursor uint64, fromStart bool, limit int, deltas bool) (feedPage, error) {
	var page feedPage
	err := p.begin(ctx, pgAmt(amt), pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		fw := newFeedWriter(limit)
		var last, horizon int64
		err := tx.QueryRow(ctx, `SELECT last, horizon FROM feeds WHERE amt = $1`, amt).Scan(&last, &horizon)
		if errors.Is(err, pgx.ErrNoRows) {
			if !fromStart && cursor > 0 {
				return cursorAhead()
			}
			page = fw.finish(0)
			return nil
		}
		if err != nil {
			return err
		}
		if !fromStart && cursor > uint64(last) {
			return cursorAhead()
		}
		if !fromStart && cursor < uint64(horizon) {
			return cursorGone()
		}
		if cursor > uint64(last) {
			cursor = uint64(last)
		}
		type entry struct {
			seq    int64
			kind   string
			caseID string
			raw    []byte
		}
		rows, err := tx.Query(ctx, `SELECT ch.seq, ch.kind, ch.case_id, c.body
			FROM changes ch LEFT JOIN cases c ON ch.kind = 'upsert' AND c.amt = ch.amt AND c.id = ch.case_id
			WHERE ch.amt = $1 AND ch.seq > $2 ORDER BY ch.seq LIMIT $3`, amt, int64(cursor), limit)
		if err != nil {
			return err
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (entry, error) {
			var e entry
			err := r.Scan(&e.seq, &e.kind, &e.caseID, &e.raw)
			return e, err
		})
		if err != nil {
			return err
		}
		if deltas && !fromStart && cursor > 0 {
			// The shapes the client may hold, read before the page is written (one query
			// per case would be one round trip each).
			ids := make([]string, 0, len(list))
			for _, e := range list {
				if e.raw != nil {
					ids = append(ids, e.caseID)
				}
			}
			shapes := map[string]api.CaseShape{}
			if len(ids) > 0 {
				rows, err := tx.Query(ctx, `SELECT DISTINCT ON (case_id) case_id, shape FROM shapes
					WHERE amt = $1 AND case_id = ANY($2) AND seq <= $3 ORDER BY case_id, seq DESC`, amt, ids, int64(cursor))
				if err != nil {
					return err
				}
				for rows.Next() {
					var id string
					var raw []byte
					if err := rows.Scan(&id, &raw); err != nil {
						rows.Close()
						return err
					}
					var sh api.CaseShape
					if json.Unmarshal(raw, &sh) == nil {
						shapes[id] = sh
					}
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
			fw.deltaBase = func(caseID string) (api.CaseShape, bool) {
				sh, ok := shapes[caseID]
				return sh, ok
			}
		}
		for _, e := range list {
			if _, err := fw.add(uint64(e.seq), api.ChangeKind(e.kind), e.caseID, e.raw); err != nil {
				return err
			}
		}
		if len(list) == limit {
			var after int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM changes WHERE amt = $1 AND seq > $2`, amt, list[len(list)-1].seq).Scan(&after); err != nil {
				return err
			}
			if after > 0 {
				fw.hasMore = true
				fw.rest(int(after))
			}
		}
		page = fw.finish(uint64(last))
		return nil
	})
	return page, err
}

// retryable reports whether a transaction failed only because of another writer: a unique
// violation (another instance stored the same action or case first), a serialisation failure or
// a deadlock. Running it again then gives the answer of the state after the other writer.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "23505", "40001", "40P01":
		return true
	}
	return false
}

// pgTx is the ActionTx of a PostgreSQL transaction.
type pgTx struct {
	ctx      context.Context
	tx       pgx.Tx
	amt      string
	notified bool
}

func (p *pgStore) Update(ctx context.Context, amt string, fn func(tx ActionTx) error) error {
	var err error
	for attempt := 0; attempt < pgUpdateAttempts; attempt++ {
		err = p.begin(ctx, pgAmt(amt), pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
			return fn(&pgTx{ctx: ctx, tx: tx, amt: amt})
		})
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (t *pgTx) Case(id string) (api.Case, bool, error) { return pgCase(t.ctx, t.tx, t.amt, id, true) }

func (t *pgTx) Clerk(id string) (clerkRec, bool, error) {
	var c clerkRec
	err := t.tx.QueryRow(t.ctx, pgClerkSQL, t.amt, id).Scan(&c.Name, &c.Role)
	return pgClerkResult(t.amt, id, err, c)
}

func (t *pgTx) Idem(k idemKeyT) (idemRec, bool, error) {
	var rec idemRec
	err := t.tx.QueryRow(t.ctx, `SELECT hash, status, version, body FROM idem WHERE amt = $1 AND case_id = $2 AND kind = $3 AND action_id = $4`,
		t.amt, k.CaseID, string(k.Kind), k.ActionID).Scan(&rec.Hash, &rec.Status, &rec.Version, &rec.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return idemRec{}, false, nil
	}
	return rec, err == nil, err
}

func (t *pgTx) Fingerprint(k idemKeyT) ([]byte, bool, error) {
	var fp []byte
	err := t.tx.QueryRow(t.ctx, `SELECT hash FROM idem_fp WHERE amt = $1 AND case_id = $2 AND kind = $3 AND action_id = $4`,
		t.amt, k.CaseID, string(k.Kind), k.ActionID).Scan(&fp)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return fp, err == nil, err
}

func (t *pgTx) WriteCase(before, c *api.Case, evs []api.Event, now time.Time) error {
	if c.Amt != t.amt {
		return fmt.Errorf("server: case %q of amt %q written in a transaction of %q", c.ID, c.Amt, t.amt)
	}
	if err := pgKeepShape(t.ctx, t.tx, before, c); err != nil {
		return err
	}
	if err := pgWriteCase(t.ctx, t.tx, c, evs, now, true); err != nil {
		return err
	}
	if !t.notified {
		if _, err := t.tx.Exec(t.ctx, `SELECT pg_notify($1, $2)`, pgChannel, t.amt); err != nil {
			return err
		}
		t.notified = true
	}
	return nil
}

// pgKeepShape keeps the fingerprint of the stored version of before (about to be replaced by
// next) under the feed seq it was published at, at most maxShapes per case; a case that leaves
// the Amt drops its shapes (see shapes.go).
func pgKeepShape(ctx context.Context, tx pgx.Tx, before, next *api.Case) error {
	if before == nil || before.ID == "" {
		return nil
	}
	if next.Amt != before.Amt || changeKindFor(*next) == api.ChangeDelete {
		_, err := tx.Exec(ctx, `DELETE FROM shapes WHERE amt = $1 AND case_id = $2`, before.Amt, before.ID)
		return err
	}
	var seq int64
	var old []byte
	err := tx.QueryRow(ctx, `SELECT ch.seq, c.body FROM changes ch JOIN cases c ON c.amt = ch.amt AND c.id = ch.case_id
		WHERE ch.amt = $1 AND ch.case_id = $2`, before.Amt, before.ID).Scan(&seq, &old)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	raw := shapeToKeep(old)
	if raw == nil {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO shapes (amt, case_id, seq, shape) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, before.Amt, before.ID, seq, raw)
	b.Queue(`DELETE FROM shapes WHERE amt = $1 AND case_id = $2 AND seq NOT IN
		(SELECT seq FROM shapes WHERE amt = $1 AND case_id = $2 ORDER BY seq DESC LIMIT $3)`, before.Amt, before.ID, maxShapes)
	return tx.SendBatch(ctx, b).Close()
}

// pgWriteCase stores a case with its new events (appended to its History) and, with feed, its
// change-feed entry under a cursor taken from the Amt's feed row (whose lock the transaction then
// holds until it ends).
func pgWriteCase(ctx context.Context, tx pgx.Tx, c *api.Case, evs []api.Event, now time.Time, feed bool) error {
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM events WHERE amt = $1 AND case_id = $2`, c.Amt, c.ID).Scan(&seq); err != nil {
		return err
	}
	if int64(len(c.History)) != seq {
		h, err := pgEvents(ctx, tx, c.Amt, c.ID)
		if err != nil {
			return err
		}
		c.History = h
	}
	hist := make([]api.Event, len(c.History), len(c.History)+len(evs))
	copy(hist, c.History)
	seqs := make([]int64, 0, len(evs))
	bodies := make([][]byte, 0, len(evs))
	for _, e := range evs {
		seq++
		e.Seq = seq
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		seqs = append(seqs, seq)
		bodies = append(bodies, raw)
		hist = append(hist, e)
	}
	if len(hist) > 0 {
		c.History = hist
	}
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO cases (amt, id, status, body) VALUES ($1, $2, $3, $4)
		ON CONFLICT (amt, id) DO UPDATE SET status = excluded.status, body = excluded.body`, c.Amt, c.ID, string(c.Status), body)
	if len(seqs) > 0 {
		b.Queue(`INSERT INTO events (amt, case_id, seq, body) SELECT $1, $2, unnest($3::bigint[]), unnest($4::bytea[])`,
			c.Amt, c.ID, seqs, bodies)
	}
	if feed {
		b.Queue(`INSERT INTO feeds (amt, last) VALUES ($1, 1) ON CONFLICT (amt) DO UPDATE SET last = feeds.last + 1`, c.Amt)
		b.Queue(`INSERT INTO changes (amt, seq, case_id, kind, at) SELECT $1, last, $2, $3, $4 FROM feeds WHERE amt = $1
			ON CONFLICT (amt, case_id) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, at = excluded.at`,
			c.Amt, c.ID, string(changeKindFor(*c)), now.UTC())
	}
	return tx.SendBatch(ctx, b).Close()
}

func (t *pgTx) PutIdem(k idemKeyT, rec idemRec, now time.Time) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO idem (amt, case_id, kind, action_id, hash, status, version, body, written)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, t.amt, k.CaseID, string(k.Kind), k.ActionID, rec.Hash, rec.Status, rec.Version, rec.Body, now.UTC())
	return err
}

func (p *pgStore) PutAmt(ctx context.Context, a amtRec) error {
	_, err := p.exec(ctx, pgAmt(a.ID), `INSERT INTO amts (amt, name) VALUES ($1, $2) ON CONFLICT (amt) DO UPDATE SET name = excluded.name`, a.ID, a.Name)
	return err
}

// PutClerk adds or updates a clerk; it sees every Amt, to refuse a clerk id another Amt has.
func (p *pgStore) PutClerk(ctx context.Context, c clerkRec) error {
	return p.begin(ctx, pgAllAmts, pgx.TxOptions{}, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM amts WHERE amt = $1)`, c.Amt).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("server: unknown amt %q", c.Amt)
		}
		var other string
		err := tx.QueryRow(ctx, `SELECT amt FROM clerks WHERE id = $1 AND amt <> $2`, c.ID, c.Amt).Scan(&other)
		if err == nil {
			return fmt.Errorf("server: clerk %q belongs to another amt", c.ID)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO clerks (amt, id, name, role) VALUES ($1, $2, $3, $4)
			ON CONFLICT (amt, id) DO UPDATE SET name = excluded.name, role = excluded.role`, c.Amt, c.ID, c.Name, string(c.Role))
		return err
	})
}

func (p *pgStore) PutToken(ctx context.Context, hash []byte, rec tokenRec) error {
	return p.begin(ctx, pgAmt(rec.Amt), pgx.TxOptions{}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE clerks SET role = $3 WHERE amt = $1 AND id = $2`, rec.Amt, rec.Clerk, string(rec.Role))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: %q in %q", ErrUnknownClerk, rec.Clerk, rec.Amt)
		}
		_, err = tx.Exec(ctx, `INSERT INTO tokens (hash, amt, clerk, role, created, last_used, expires) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			hash, rec.Amt, rec.Clerk, string(rec.Role), rec.Created, rec.LastUsed, pgExpires(rec.Expires))
		return err
	})
}

func (p *pgStore) RevokeTokens(ctx context.Context, amt, clerk string) (int, error) {
	tag, err := p.exec(ctx, pgAmt(amt), `DELETE FROM tokens WHERE amt = $1 AND clerk = $2`, amt, clerk)
	return int(tag.RowsAffected()), err
}

type pgToken struct {
	hash []byte
	rec  tokenRec
}

func scanToken(r pgx.CollectableRow) (pgToken, error) {
	var t pgToken
	var expires *time.Time
	err := r.Scan(&t.hash, &t.rec.Amt, &t.rec.Clerk, &t.rec.Role, &t.rec.Created, &t.rec.LastUsed, &expires)
	if expires != nil {
		t.rec.Expires = *expires
	}
	return t, err
}

// pgExpires is a token's expiry for the nullable column: NULL for a token that never expires.
func pgExpires(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// RevokeToken (an operator's command) finds the token by its id among every Amt's.
func (p *pgStore) RevokeToken(ctx context.Context, prefix string) (TokenInfo, error) {
	var info TokenInfo
	err := p.begin(ctx, pgAllAmts, pgx.TxOptions{}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT hash, amt, clerk, role, created, last_used, expires FROM tokens
			WHERE left(encode(hash, 'hex'), $2) = $1 LIMIT 2 FOR UPDATE`, prefix, len(prefix))
		if err != nil {
			return err
		}
		list, err := pgx.CollectRows(rows, scanToken)
		if err != nil {
			return err
		}
		switch len(list) {
		case 0:
			return fmt.Errorf("%w %s", ErrNoToken, prefix)
		case 2:
			return fmt.Errorf("server: token id %s is ambiguous; give more digits", prefix)
		}
		info = tokenInfo(list[0].hash, list[0].rec)
		_, err = tx.Exec(ctx, `DELETE FROM tokens WHERE hash = $1`, list[0].hash)
		return err
	})
	return info, err
}

// ListTokens (an operator's command) lists the tokens of every Amt.
func (p *pgStore) ListTokens(ctx context.Context) ([]TokenInfo, error) {
	var list []pgToken
	err := p.query(ctx, pgAllAmts, func(rows pgx.Rows) error {
		var err error
		list, err = pgx.CollectRows(rows, scanToken)
		return err
	}, `SELECT hash, amt, clerk, role, created, last_used, expires FROM tokens`)
	if err != nil {
		return nil, err
	}
	out := make([]TokenInfo, len(list))
	for i, t := range list {
		out[i] = tokenInfo(t.hash, t.rec)
	}
	return out, nil
}

// TouchTokens records the days tokens were last used, by hash (of any Amt).
func (p *pgStore) TouchTokens(ctx context.Context, days map[string]string) error {
	return p.batch(ctx, pgAllAmts, func(b *pgx.Batch) {
		for k, day := range days {
			b.Queue(`UPDATE tokens SET last_used = $2 WHERE hash = $1 AND last_used < $2`, []byte(k), day)
		}
	})
}

// pgSeedLock is the advisory lock key that makes seeding exclusive across instances.
const pgSeedLock = 0x616d7473656564 // "amtseed"

func (p *pgStore) SeedAmts(ctx context.Context, amts []amtRec, clerks []clerkRec) error {
	return p.begin(ctx, pgAllAmts, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pgSeedLock)); err != nil {
			return err
		}
		var any bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM amts) OR EXISTS (SELECT 1 FROM cases)`).Scan(&any); err != nil {
			return err
		}
		if any {
			return ErrNotEmpty // another instance seeded first
		}
		b := &pgx.Batch{}
		for _, a := range amts {
			b.Queue(`INSERT INTO amts (amt, name) VALUES ($1, $2) ON CONFLICT (amt) DO UPDATE SET name = excluded.name`, a.ID, a.Name)
		}
		for _, c := range clerks {
			b.Queue(`INSERT INTO clerks (amt, id, name, role) VALUES ($1, $2, $3, $4)
				ON CONFLICT (amt, id) DO UPDATE SET name = excluded.name, role = excluded.role`, c.Amt, c.ID, c.Name, string(c.Role))
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

func (p *pgStore) SeedCases(ctx context.Context, cases []seedRec, now time.Time) error {
	return p.begin(ctx, pgAllAmts, pgx.TxOptions{}, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, sr := range cases {
			c := sr.Case
			for key, data := range sr.Files {
				b.Queue(`INSERT INTO files (amt, sha, data) VALUES ($1, $2, $3) ON CONFLICT (amt, sha) DO NOTHING`, c.Amt, key, data)
			}
			seqs := make([]int64, len(sr.Events))
			bodies := make([][]byte, len(sr.Events))
			hist := make([]api.Event, len(sr.Events))
			for i, e := range sr.Events {
				e.Seq = int64(i + 1)
				raw, err := json.Marshal(e)
				if err != nil {
					return err
				}
				seqs[i], bodies[i], hist[i] = e.Seq, raw, e
			}
			if len(hist) > 0 {
				c.History = hist
			}
			body, err := json.Marshal(c)
			if err != nil {
				return err
			}
			b.Queue(`INSERT INTO cases (amt, id, status, body) VALUES ($1, $2, $3, $4)`, c.Amt, c.ID, string(c.Status), body)
			if len(seqs) > 0 {
				b.Queue(`INSERT INTO events (amt, case_id, seq, body) SELECT $1, $2, unnest($3::bigint[]), unnest($4::bytea[])`,
					c.Amt, c.ID, seqs, bodies)
			}
			if visible(c) {
				b.Queue(`INSERT INTO feeds (amt, last) VALUES ($1, 1) ON CONFLICT (amt) DO UPDATE SET last = feeds.last + 1`, c.Amt)
				b.Queue(`INSERT INTO changes (amt, seq, case_id, kind, at) SELECT $1, last, $2, 'upsert', $3 FROM feeds WHERE amt = $1`,
					c.Amt, c.ID, now.UTC())
			}
		}
		return pgSeedErr(tx.SendBatch(ctx, b).Close())
	})
}

// pgSeedErr names the two mistakes a seed can make in the words the bbolt store uses.
func pgSeedErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505" && (pe.ConstraintName == "cases_pkey" || pe.ConstraintName == "cases_id_key"):
			return fmt.Errorf("duplicate case id: %s", pe.Detail)
		case pe.Code == "23503" && pe.ConstraintName == "cases_amt_fkey":
			return fmt.Errorf("case of unknown amt: %s", pe.Detail)
		}
	}
	return err
}

func (p *pgStore) PruneTombstones(ctx context.Context, cutoff time.Time) (int, error) {
	var amts []string
	err := p.query(ctx, pgAllAmts, func(rows pgx.Rows) error {
		var err error
		amts, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}, `SELECT amt FROM feeds ORDER BY amt`)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, amt := range amts {
		err := p.begin(ctx, pgAmt(amt), pgx.TxOptions{}, func(tx pgx.Tx) error {
			// The feed row first, as every writer takes it before the change rows.
			if _, err := tx.Exec(ctx, `SELECT 1 FROM feeds WHERE amt = $1 FOR UPDATE`, amt); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `DELETE FROM changes WHERE amt = $1 AND kind = 'delete' AND at < $2 RETURNING seq, case_id`, amt, cutoff.UTC())
			if err != nil {
				return err
			}
			type gone struct {
				seq    int64
				caseID string
			}
			list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (gone, error) {
				var g gone
				err := r.Scan(&g.seq, &g.caseID)
				return g, err
			})
			if err != nil || len(list) == 0 {
				return err
			}
			var horizon int64
			for _, g := range list {
				horizon = max(horizon, g.seq)
				// The case has left its Amt for good: its fingerprints can answer nothing more.
				if _, err := tx.Exec(ctx, `DELETE FROM idem_fp WHERE amt = $1 AND case_id = $2
					AND NOT EXISTS (SELECT 1 FROM cases WHERE amt = $1 AND id = $2 AND status <> $3)`,
					amt, g.caseID, string(api.StatusForwarded)); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE feeds SET horizon = greatest(horizon, $2) WHERE amt = $1`, amt, horizon); err != nil {
				return err
			}
			total += len(list)
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// PruneIdempotency ages out the records of every Amt, oldest first.
func (p *pgStore) PruneIdempotency(ctx context.Context, now, cutoff time.Time, batch int) (pruned int, more bool, err error) {
	err = p.begin(ctx, pgAllAmts, pgx.TxOptions{}, func(tx pgx.Tx) error {
		pruned = 0
		rows, err := tx.Query(ctx, `SELECT amt, case_id, kind, action_id, hash FROM idem WHERE written < $1
			ORDER BY written LIMIT $2 FOR UPDATE SKIP LOCKED`, cutoff.UTC(), batch)
		if err != nil {
			return err
		}
		type due struct {
			amt, caseID, kind, actionID string
			hash                        []byte
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (due, error) {
			var d due
			err := r.Scan(&d.amt, &d.caseID, &d.kind, &d.actionID, &d.hash)
			return d, err
		})
		if err != nil {
			return err
		}
		more = len(list) == batch
		fates := map[string]caseFate{}
		for _, d := range list {
			f, ok := fates[d.amt+"\x00"+d.caseID]
			if !ok {
				if f, err = pgCaseFate(ctx, tx, d.amt, d.caseID); err != nil {
					return err
				}
				fates[d.amt+"\x00"+d.caseID] = f
			}
			if api.ActionKind(d.kind) == api.ActionDecision && f.proposal != "" && f.proposal == d.actionID {
				if _, err := tx.Exec(ctx, `UPDATE idem SET written = $5 WHERE amt = $1 AND case_id = $2 AND kind = $3 AND action_id = $4`,
					d.amt, d.caseID, d.kind, d.actionID, now.UTC()); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM idem WHERE amt = $1 AND case_id = $2 AND kind = $3 AND action_id = $4`,
				d.amt, d.caseID, d.kind, d.actionID); err != nil {
				return err
			}
			if f.here {
				fp := d.hash
				if len(fp) == 0 {
					fp = []byte{0}
				}
				if _, err := tx.Exec(ctx, `INSERT INTO idem_fp (amt, case_id, kind, action_id, hash) VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (amt, case_id, kind, action_id) DO UPDATE SET hash = excluded.hash`,
					d.amt, d.caseID, d.kind, d.actionID, fp); err != nil {
					return err
				}
			}
			pruned++
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return pruned, more, nil
}

// pgCaseFate reads what pruning needs to know of a case (see caseFate).
func pgCaseFate(ctx context.Context, tx pgx.Tx, amt, caseID string) (caseFate, error) {
	var f caseFate
	c, ok, err := pgCase(ctx, tx, amt, caseID, false)
	if err != nil || !ok {
		return f, err
	}
	inFeed := false
	if !visible(c) {
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM changes WHERE amt = $1 AND case_id = $2)`, amt, caseID).Scan(&inFeed); err != nil {
			return f, err
		}
	}
	f.here = visible(c) || inFeed
	if c.Status == api.StatusDecisionProposed && c.Decision != nil && c.Decision.State == api.DecisionProposed {
		f.proposal = c.Decision.ID
	}
	return f, nil
}

// IntakeSubmission stores a FIT-Connect submission's case exactly once (see the Store method):
// the submission's primary key makes a second instance storing the same submission at the same
// time fail and retry, and then answer "duplicate".
func (p *pgStore) IntakeSubmission(ctx context.Context, in IntakeCase, now time.Time) (IntakeResult, error) {
	if in.SubmissionID == "" || in.DestinationID == "" || in.FCCaseID == "" || in.Case.Amt == "" || in.Prefix == "" {
		return IntakeResult{}, errors.New("server: intake needs submission, destination, case, Amt and prefix")
	}
	amt := in.Case.Amt
	var res IntakeResult
	err := p.Update(ctx, amt, func(atx ActionTx) error {
		t := atx.(*pgTx)
		tx := t.tx
		err := tx.QueryRow(ctx, `SELECT case_id, reference FROM intake_submissions WHERE submission_id = $1`, in.SubmissionID).
			Scan(&res.CaseID, &res.Reference)
		if err == nil {
			res.Outcome = IntakeDuplicate
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM amts WHERE amt = $1)`, amt).Scan(&known); err != nil {
			return err
		}
		if !known {
			return fmt.Errorf("server: intake for unknown amt %q", amt)
		}
		b := &pgx.Batch{}
		for key, data := range in.Files {
			b.Queue(`INSERT INTO files (amt, sha, data) VALUES ($1, $2, $3) ON CONFLICT (amt, sha) DO NOTHING`, amt, key, data)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		var existing string
		err = tx.QueryRow(ctx, `SELECT case_id FROM intake_fc_cases WHERE destination_id = $1 AND fc_case_id = $2 AND amt = $3`,
			in.DestinationID, in.FCCaseID, amt).Scan(&existing)
		switch {
		case err == nil:
			before, ok, err := t.Case(existing)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("server: the case %s of FIT-Connect case %s is gone", existing, in.FCCaseID)
			}
			c, evs := followUpCase(before, in, now)
			if err := t.WriteCase(&before, &c, evs, now); err != nil {
				return err
			}
			res = IntakeResult{CaseID: c.ID, Reference: c.Reference, Outcome: IntakeAttached}
		case errors.Is(err, pgx.ErrNoRows):
			id := IntakeCaseID(in.SubmissionID)
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1)`, id).Scan(&exists); err != nil {
				return err
			}
			if exists {
				return fmt.Errorf("server: case %s exists", id)
			}
			ref, err := pgAllocateReference(ctx, tx, amt, in.Prefix, in.Year)
			if err != nil {
				return err
			}
			c, evs := newIntakeCase(in, ref, now)
			if err := t.WriteCase(nil, &c, evs, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO intake_fc_cases (destination_id, fc_case_id, amt, case_id) VALUES ($1, $2, $3, $4)`,
				in.DestinationID, in.FCCaseID, amt, c.ID); err != nil {
				return err
			}
			res = IntakeResult{CaseID: c.ID, Reference: ref, Outcome: IntakeCreated}
		default:
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO intake_submissions (submission_id, amt, case_id, reference, outcome, stored_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, in.SubmissionID, amt, res.CaseID, res.Reference, res.Outcome, now.UTC())
		return err
	})
	return res, err
}

// pgAllocateReference returns the next Aktenzeichen PREFIX-YEAR-NNNNNN of an Amt under the
// row lock of its counter; the first allocation starts after the highest number among the
// Amt's cases, as on bbolt (allocateReference).
func pgAllocateReference(ctx context.Context, tx pgx.Tx, amt, prefix string, year int) (string, error) {
	var n int64
	err := tx.QueryRow(ctx, `UPDATE intake_refs SET last = last + 1 WHERE amt = $1 AND prefix = $2 AND year = $3 RETURNING last`,
		amt, prefix, year).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		head := prefix + "-" + strconv.Itoa(year) + "-"
		rows, err := tx.Query(ctx, `SELECT body FROM cases WHERE amt = $1 AND position($2::bytea in body) > 0`,
			amt, []byte(`"reference":"`+head))
		if err != nil {
			return "", err
		}
		bodies, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return "", err
		}
		var top uint64
		for _, v := range bodies {
			var c struct{ Reference string }
			if json.Unmarshal(v, &c) != nil {
				continue
			}
			if num, err := strconv.ParseUint(strings.TrimPrefix(c.Reference, head), 10, 64); err == nil && num > top {
				top = num
			}
		}
		n = int64(top) + 1
		// Two first allocations at once: the loser's insert fails and Update runs it again.
		if _, err := tx.Exec(ctx, `INSERT INTO intake_refs (amt, prefix, year, last) VALUES ($1, $2, $3, $4)`, amt, prefix, year, n); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%d-%06d", prefix, year, n), nil
}

// IntakeRecord reports whether a submission was stored, and as which case.
// The submission's Amt is not known before its record is found: the lookup sees every Amt.
func (p *pgStore) IntakeRecord(ctx context.Context, submissionID string) (IntakeResult, bool, error) {
	var r IntakeResult
	err := p.queryRow(ctx, pgAllAmts, func(row pgx.Row) error { return row.Scan(&r.CaseID, &r.Reference, &r.Outcome) },
		`SELECT case_id, reference, outcome FROM intake_submissions WHERE submission_id = $1`, submissionID)
	if errors.Is(err, pgx.ErrNoRows) {
		return IntakeResult{}, false, nil
	}
	return r, err == nil, err
}
