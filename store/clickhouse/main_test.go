package clickhouse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"
	// Contracts name IANA time zones; embed the database for hosts without one.
	_ "time/tzdata"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
)

// The tests run against the server named by PRICEKIT_CLICKHOUSE_DSN (CI
// starts one with .ci/setup-clickhouse.sh), in a database of their own
// that is dropped at the end; each test works in fresh organizations.
var (
	testDSN  = os.Getenv("PRICEKIT_CLICKHOUSE_DSN")
	testConn driver.Conn
)

func TestMain(m *testing.M) {
	if testDSN == "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "store/clickhouse: PRICEKIT_CLICKHOUSE_DSN is not set; CI must provide a server (.ci/setup-clickhouse.sh)")
			os.Exit(1)
		}
		fmt.Println("store/clickhouse: PRICEKIT_CLICKHOUSE_DSN is not set; skipping the ClickHouse tests")
		os.Exit(m.Run())
	}
	os.Exit(runWithDatabase(m))
}

func runWithDatabase(m *testing.M) int {
	conn, drop, err := databaseConn(context.Background(), "pricekit_test")
	if err != nil {
		fmt.Fprintln(os.Stderr, "store/clickhouse:", err)
		return 1
	}
	defer drop()
	if err := New(conn, memory.New()).Migrate(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "store/clickhouse:", err)
		return 1
	}
	testConn = conn
	return m.Run()
}

// databaseConn creates a fresh database and returns a connection to it,
// and a func that drops it and closes the connection.
func databaseConn(ctx context.Context, prefix string) (driver.Conn, func(), error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := prefix + "_" + hex.EncodeToString(b[:])
	opts, err := clickhouse.ParseDSN(testDSN)
	if err != nil {
		return nil, nil, err
	}
	admin, err := clickhouse.Open(opts)
	if err != nil {
		return nil, nil, err
	}
	if err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, nil, err
	}
	opts.Auth.Database = name
	opts.MaxOpenConns = 40
	conn, err := clickhouse.Open(opts)
	if err != nil {
		admin.Close()
		return nil, nil, err
	}
	drop := func() {
		conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name)
		admin.Close()
	}
	return conn, drop, nil
}

// newStore returns a Store on the test database over docs, or skips the
// test when no server is configured.
func newStore(t testing.TB, docs store.Documents) *Store {
	t.Helper()
	if testConn == nil {
		t.Skip("no PRICEKIT_CLICKHOUSE_DSN")
	}
	return New(testConn, docs)
}
