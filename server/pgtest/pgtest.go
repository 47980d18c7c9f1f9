// Package pgtest gives tests a real PostgreSQL: one fresh database per test run (random name,
// dropped at the end) and one fresh schema per test server inside it. The server is found at
// AMT_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres, trust auth on
// loopback). When it cannot be reached the PostgreSQL tests are skipped with the reason, unless
// CI (or AMT_REQUIRE_POSTGRES) is set: then they fail, so CI never passes without them.
//
// The test servers never run as a superuser, whom row-level security does not bind: when the
// admin connection is a superuser, the test database belongs to a role of its own (NOLOGIN,
// no superuser, no BYPASSRLS, dropped with the database) that the servers' URLs switch to, so
// the tables they create are theirs and bound by FORCE ROW LEVEL SECURITY, as in production.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultAdminURL is the PostgreSQL server the tests use unless AMT_TEST_POSTGRES names another.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL returns the URL of the maintenance database the test databases are created from.
func AdminURL() string {
	if u := os.Getenv("AMT_TEST_POSTGRES"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// Required reports whether the PostgreSQL tests must run (CI or AMT_REQUIRE_POSTGRES is set, as
// .ci/run does): unreachable is then a failure, not a skip.
func Required() bool { return os.Getenv("CI") != "" || os.Getenv("AMT_REQUIRE_POSTGRES") != "" }

// DB is a test database.
type DB struct {
	URL     string // the database, for servers (without a schema: public)
	name    string
	admin   string
	adminDB string // the database as the admin
	role    string // the servers' role, owner of the database; "" when the admin is no superuser
	schemas atomic.Int64
}

// Create makes a fresh database with a random name. It fails when PostgreSQL is not reachable
// within a few seconds; the error says where it looked.
func Create(ctx context.Context) (*DB, error) {
	admin := AdminURL()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL not reachable at %s (set AMT_TEST_POSTGRES, or start it): %w", redact(admin), err)
	}
	defer conn.Close(context.Background())
	var b [6]byte
	rand.Read(b[:])
	name := "amt_test_" + hex.EncodeToString(b[:])
	var super bool
	if err := conn.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		return nil, fmt.Errorf("test database: %w", err)
	}
	role := ""
	create := "CREATE DATABASE " + name
	if super {
		role = name + "_app"
		if _, err := conn.Exec(ctx, "CREATE ROLE "+role+" NOLOGIN NOSUPERUSER NOBYPASSRLS"); err != nil {
			return nil, fmt.Errorf("create test role: %w", err)
		}
		create += " OWNER " + role
	}
	if _, err := conn.Exec(ctx, create); err != nil {
		if role != "" {
			conn.Exec(ctx, "DROP ROLE "+role)
		}
		return nil, fmt.Errorf("create test database: %w", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	adminDB := u.String()
	if role != "" {
		// The session switches to the role at once (a startup parameter, like SET ROLE).
		q := u.Query()
		q.Set("role", role)
		u.RawQuery = q.Encode()
	}
	return &DB{URL: u.String(), name: name, admin: admin, adminDB: adminDB, role: role}, nil
}

// Drop removes the database, closing what still uses it.
func (d *DB) Drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, d.admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+d.name+" WITH (FORCE)"); err != nil {
		return err
	}
	if d.role != "" {
		_, err = conn.Exec(ctx, "DROP ROLE IF EXISTS "+d.role)
	}
	return err
}

// Role is the role the test servers run as ("" when it is the admin's, which is then no
// superuser).
func (d *DB) Role() string { return d.role }

// AdminURL is the test database as the admin (a superuser where available, bound by no
// row-level security), for tests that look behind the server.
func (d *DB) AdminURL() string { return d.adminDB }

// Schema creates a fresh schema in the database and returns a URL whose connections use it
// (search_path), so every test server starts on an empty store.
func (d *DB) Schema(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("s%d", d.schemas.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(context.Background())
	// On d.URL the session is the servers' role (or the admin, who then is no superuser): the
	// schema is theirs.
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return WithSchema(d.URL, name)
}

// WithSchema returns the database URL u with its connections' search_path set to schema.
func WithSchema(u, schema string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	q := p.Query()
	q.Set("search_path", schema)
	// Test data need not survive a crash of the machine: commits do not wait for the disk.
	q.Set("synchronous_commit", "off")
	p.RawQuery = q.Encode()
	return p.String()
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(invalid URL)"
	}
	return p.Redacted()
}

// Run runs the package's tests with m: once as they are, then, if PostgreSQL is reachable, once
// more after calling usePG with a fresh test database (dropped afterwards). Without PostgreSQL it
// prints why the second run was skipped, or fails under CI.
func Run(m *testing.M, usePG func(db *DB)) int {
	code := m.Run()
	db, err := Create(context.Background())
	if err != nil {
		if Required() {
			fmt.Fprintf(os.Stderr, "FAIL: PostgreSQL tests cannot run and CI is set: %v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "SKIP: PostgreSQL tests skipped: %v\n", err)
		return code
	}
	fmt.Fprintf(os.Stderr, "== the same tests on PostgreSQL (database %s)\n", db.name)
	usePG(db)
	code2 := m.Run()
	if err := db.Drop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: drop %s: %v\n", db.name, err)
	}
	return max(code, code2)
}

// Need returns a fresh test database for one test, dropped when it ends; it skips the test when
// PostgreSQL is unreachable (fails under CI).
func Need(t testing.TB) *DB {
	t.Helper()
	db, err := Create(context.Background())
	if err != nil {
		if Required() {
			t.Fatalf("PostgreSQL required (CI is set): %v", err)
		}
		t.Skipf("PostgreSQL tests skipped: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Drop(); err != nil {
			t.Errorf("pgtest: drop: %v", err)
		}
	})
	return db
}
