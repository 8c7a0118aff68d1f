package clickhouse

import (
	"testing"

	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/store/postgres"
	"github.com/pricekit/pricekit/store/storetest"
)

// TestConformance runs the suite every store passes against usage in
// ClickHouse composed with documents in memory.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return newStore(t, memory.New()) })
}

// TestConformanceOverPostgres runs it with documents in PostgreSQL (the
// server of PRICEKIT_POSTGRES_DSN, in a schema of its own): the shape a
// host that outgrows one PostgreSQL has.
func TestConformanceOverPostgres(t *testing.T) {
	docs := postgresDocs(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newStore(t, docs) })
}

// postgresDocs returns a PostgreSQL store in a fresh schema, dropped at
// the end of the test; it skips without the servers, and fails in CI.
func postgresDocs(t *testing.T) *postgres.Store {
	t.Helper()
	if testConn == nil {
		t.Skip("no PRICEKIT_CLICKHOUSE_DSN")
	}
	docs, _ := postgresStore(t, 20)
	return docs
}
