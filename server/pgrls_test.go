package server_test

// Row-level security, the second wall between Ämter on PostgreSQL (migration 00005): a query
// that does not say its Amt sees nothing, one of another Amt sees nothing of this one, and no
// row of another Amt can be written — also for the role amt-server runs as, which owns the
// tables (FORCE ROW LEVEL SECURITY).

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/servertest"
)

func TestPostgresRowLevelSecurity(t *testing.T) {
	pgOnly(t)
	env := servertest.Start(t, servertest.WithCases(30))
	amtA, amtB := env.Data.Amts[0].ID, env.Data.Amts[1].ID
	// An action, so that idempotency records exist too.
	var caseA string
	for _, c := range feedFrom(t, env.URL, env.Token(env.ClerksOf(amtA)[0].ID)) {
		if c.Kind == api.ChangeUpsert && c.Case.Status.Open() {
			caseA = c.CaseID
			break
		}
	}
	if caseA == "" {
		t.Fatalf("no open case in %s", amtA)
	}
	newClient(t, env, env.ClerksOf(amtA)[0].ID).mustAct(api.ActionNote, caseA, "rls-1", "", api.NoteRequest{Text: "Notiz"}, 0)

	ctx := context.Background()
	// The connection amt-server itself uses: its role, owner of the tables.
	conn, err := pgx.Connect(ctx, env.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var role string
	var super, bypass bool
	if err := conn.QueryRow(ctx, `SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).
		Scan(&role, &super, &bypass); err != nil {
		t.Fatal(err)
	}
	if super || bypass {
		t.Fatalf("the test server runs as %s (superuser %v, bypassrls %v): row-level security would not bind it", role, super, bypass)
	}

	// Every table that holds an Amt's rows has the wall, forced on its owner.
	rows, err := conn.Query(ctx, `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner)
		FROM pg_class c JOIN information_schema.columns col ON col.table_name = c.relname AND col.table_schema = current_schema()
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND col.column_name = 'amt' ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct {
		name        string
		rls, forced bool
		owner       string
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*table, error) {
		tb := &table{}
		err := r.Scan(&tb.name, &tb.rls, &tb.forced, &tb.owner)
		return tb, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 15 {
		t.Fatalf("only %d tables with an amt column", len(tables))
	}
	for _, tb := range tables {
		if !tb.rls || !tb.forced || tb.owner != role {
			t.Errorf("table %s: row security %v, forced %v, owner %s (want true, true, %s)", tb.name, tb.rls, tb.forced, tb.owner, role)
		}
	}

	// count runs one query per table in a transaction that first runs set (nil: says nothing).
	count := func(set func(tx pgx.Tx) error, query string, args ...any) map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if set != nil {
				if err := set(tx); err != nil {
					return err
				}
			}
			for _, tb := range tables {
				var n int64
				if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{tb.name}.Sanitize()+query, args...).Scan(&n); err != nil {
					return err
				}
				out[tb.name] = n
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	setAmt := func(amt string) func(pgx.Tx) error {
		return func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT set_config('amt.amt', $1, true)`, amt)
			return err
		}
	}
	setAll := func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT set_config('amt.scope', 'all', true)`)
		return err
	}

	all := count(setAll, "")
	ofA := count(setAll, ` WHERE amt = $1`, amtA)
	nothing := count(nil, "")
	asA := count(setAmt(amtA), "")
	asAOthers := count(setAmt(amtA), ` WHERE amt <> $1`, amtA)
	asBofA := count(setAmt(amtB), ` WHERE amt = $1`, amtA)
	for _, tb := range tables {
		if nothing[tb.name] != 0 {
			t.Errorf("%s: %d rows seen without saying the Amt (of %d)", tb.name, nothing[tb.name], all[tb.name])
		}
		if asA[tb.name] != ofA[tb.name] || asAOthers[tb.name] != 0 {
			t.Errorf("%s as %s: %d rows, %d of other Ämter (want %d, 0)", tb.name, amtA, asA[tb.name], asAOthers[tb.name], ofA[tb.name])
		}
		if asBofA[tb.name] != 0 {
			t.Errorf("%s as %s: %d rows of %s", tb.name, amtB, asBofA[tb.name], amtA)
		}
	}
	// The walls above were tested on data: Amt A has rows where a clerk's work leaves them.
	for _, name := range []string{"amts", "clerks", "tokens", "cases", "events", "feeds", "changes", "idem"} {
		if ofA[name] == 0 || all[name] <= ofA[name] && name != "idem" {
			t.Errorf("%s: %d rows of %s, %d in all: the test proves nothing on it", name, ofA[name], amtA, all[name])
		}
	}

	// Writing across the wall: a row of Amt B inserted as Amt A is refused; an update or delete
	// of B's rows as A touches nothing.
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := setAmt(amtA)(tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO files (amt, sha, data) VALUES ($1, 'x', '\x00')`, amtB)
		return err
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Errorf("insert of another Amt's row: %v (want a row-level security violation, 42501)", err)
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := setAmt(amtA)(tx); err != nil {
			return err
		}
		for _, q := range []string{`UPDATE cases SET status = 'x' WHERE amt = $1`, `DELETE FROM events WHERE amt = $1`} {
			tag, err := tx.Exec(ctx, q, amtB)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 0 {
				t.Errorf("%s as %s: %d rows of %s touched", q, amtA, tag.RowsAffected(), amtB)
			}
		}
		return errors.New("roll back")
	})
	if err == nil || err.Error() != "roll back" {
		t.Fatal(err)
	}
}

// TestPostgresWarnsOnBypassingRole: amt-server started as a superuser (whom row-level security
// does not bind) warns at start; started as the test role (no superuser, no BYPASSRLS) it does
// not.
func TestPostgresWarnsOnBypassingRole(t *testing.T) {
	db := pgOnly(t)
	if db.Role() == "" {
		t.Skip("the test database's admin is no superuser: there is no bypassing role to start as")
	}
	start := func(dbURL string) string {
		t.Helper()
		var logs bytes.Buffer
		srv, err := server.New(server.Config{Database: dbURL, PruneInterval: -1, DeliveryInterval: -1,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		srv.Close()
		return logs.String()
	}
	asRole := db.Schema(t)
	if out := start(asRole); strings.Contains(out, "BYPASSRLS") {
		t.Fatalf("warned for the test role: %s", out)
	}
	u, err := url.Parse(asRole)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("role") // the session stays the admin's: a superuser
	u.RawQuery = q.Encode()
	if out := start(u.String()); !strings.Contains(out, "BYPASSRLS") || !strings.Contains(out, "level=WARN") {
		t.Fatalf("no warning for a superuser: %s", out)
	}
}
