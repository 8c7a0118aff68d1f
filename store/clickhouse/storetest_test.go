package clickhouse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

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
// the end of the test; it skips without a server, and fails in CI.
func postgresDocs(t *testing.T) *postgres.Store {
	t.Helper()
	dsn := os.Getenv("PRICEKIT_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PRICEKIT_POSTGRES_DSN is not set; CI must provide a server (.ci/setup-postgres.sh)")
		}
		t.Skip("no PRICEKIT_POSTGRES_DSN")
	}
	if testConn == nil {
		t.Skip("no PRICEKIT_CLICKHOUSE_DSN")
	}
	ctx := t.Context()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "pricekit_ch_test_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		pool.Close()
		ctx := context.Background() // t.Context is done by now
		if c, err := pgx.Connect(ctx, dsn); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			_ = c.Close(ctx)
		}
	})
	docs := postgres.New(pool)
	require.NoError(t, docs.Migrate(ctx))
	return docs
}
