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
		servertest.UsePostgres(db.Schema)
	}))
}
