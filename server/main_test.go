package server_test

import (
	"os"
	"testing"

	"github.com/amt-mv/amt/server/pgtest"
	"github.com/amt-mv/amt/server/servertest"
)

// TestMain runs every test of the package twice: on bbolt, then, with every test server on a
// fresh PostgreSQL schema, on PostgreSQL (skipped with the reason when PostgreSQL is not
// reachable; under CI that fails instead).
func TestMain(m *testing.M) {
	os.Exit(pgtest.Run(m, func(db *pgtest.DB) {
		testDB = db
		servertest.UsePostgres(db.Schema)
	}))
}

// testDB is the test run's PostgreSQL database during the PostgreSQL pass, nil before.
var testDB *pgtest.DB

// pgOnly skips a PostgreSQL-only test in the bbolt pass; it runs in the PostgreSQL pass (which
// pgtest.Run skips as a whole, with the reason, when PostgreSQL is unreachable, or fails under
// CI).
func pgOnly(t *testing.T) *pgtest.DB {
	t.Helper()
	if testDB == nil {
		t.Skip("PostgreSQL only: runs in the PostgreSQL pass")
	}
	return testDB
}
