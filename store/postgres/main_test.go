package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
	// Contracts name IANA time zones; embed the database for hosts without one.
	_ "time/tzdata"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
)

// The tests run against the server named by PRICEKIT_POSTGRES_DSN (CI
// starts one with .ci/setup-postgres.sh), in a schema of their own that is
// dropped at the end; each test works in a fresh organization.
var (
	testDSN  = os.Getenv("PRICEKIT_POSTGRES_DSN")
	testPool *pgxpool.Pool
)

func TestMain(m *testing.M) {
	if testDSN == "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "store/postgres: PRICEKIT_POSTGRES_DSN is not set; CI must provide a server (.ci/setup-postgres.sh)")
			os.Exit(1)
		}
		fmt.Println("store/postgres: PRICEKIT_POSTGRES_DSN is not set; skipping the PostgreSQL tests")
		os.Exit(m.Run())
	}
	os.Exit(runWithSchema(m))
}

func runWithSchema(m *testing.M) int {
	ctx := context.Background()
	pool, drop, err := schemaPool(ctx, "pricekit_test")
	if err != nil {
		fmt.Fprintln(os.Stderr, "store/postgres:", err)
		return 1
	}
	defer drop()
	if err := New(pool).Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "store/postgres:", err)
		return 1
	}
	testPool = pool
	return m.Run()
}

// schemaPool creates a fresh schema and returns a pool whose search_path is
// that schema, and a func that closes the pool and drops the schema.
func schemaPool(ctx context.Context, prefix string) (*pgxpool.Pool, func(), error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := prefix + "_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, testDSN)
	if err != nil {
		return nil, nil, err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, nil, err
	}
	cfg, err := pgxpool.ParseConfig(testDSN)
	if err != nil {
		return nil, nil, err
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 40
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	drop := func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, testDSN); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			_ = c.Close(ctx)
		}
	}
	return pool, drop, nil
}

// newStore returns a store on the test schema and a fresh organization, or
// skips the test when no server is configured.
func newStore(t testing.TB, opts ...Option) (*Store, uuid.UUID) {
	t.Helper()
	if testPool == nil {
		t.Skip("no PRICEKIT_POSTGRES_DSN")
	}
	return New(testPool, opts...), uuid.New()
}

// objects reads a bundle of documents from JSON.
func objects(t testing.TB, src string) contract.Objects {
	t.Helper()
	var o contract.Objects
	require.NoError(t, json.Unmarshal([]byte(src), &o))
	return o
}

// asJSON writes v as JSON text, for comparisons that decimals and defaults
// would otherwise spoil.
func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// Fixed ids of the tree fixture.
var (
	idCustomer = uuid.MustParse("00000000-c000-4000-8000-000000000001")
	idPlan     = uuid.MustParse("00000000-a000-4000-8000-000000000001")
	idFee      = uuid.MustParse("00000000-f000-4000-8000-000000000001")
	idDiscount = uuid.MustParse("00000000-d000-4000-8000-000000000001")
	idMinimum  = uuid.MustParse("00000000-e000-4000-8000-000000000001")
	idCredit   = uuid.MustParse("00000000-c100-4000-8000-000000000001")
	idFreq     = uuid.MustParse("00000000-bf00-4000-8000-000000000001")
	idPC1      = uuid.MustParse("00000000-cb00-4000-8000-000000000001")
	idPC2      = uuid.MustParse("00000000-cb00-4000-8000-000000000002")
	idSub      = uuid.MustParse("00000000-cc00-4000-8000-000000000001")
	idParent   = uuid.MustParse("00000000-ca00-4000-8000-000000000001")
	idProduct1 = uuid.MustParse("00000000-b000-4000-8000-000000000001")
	idProduct2 = uuid.MustParse("00000000-b000-4000-8000-000000000002")
)

// treeJSON is a parent contract (Europe/Berlin) over a sub contract with
// two product contracts, a fee and every modifier: 11 documents.
const treeJSON = `{
  "customers": [{"id": "00000000-c000-4000-8000-000000000001", "customer_name": "Acme", "customer_email": "billing@acme.test"}],
  "tiers": [{"id": "00000000-a000-4000-8000-000000000001", "display_name": "API calls",
             "tiers": [[0, 100, "0.10"], [100, null, "0.05", "2.50"]], "pricing_type": "graduated", "aggregation": "sum"}],
  "fixed_fees": [{"id": "00000000-f000-4000-8000-000000000001", "display_name": "Platform", "amount": "99.90", "period": null}],
  "discounts": [{"id": "00000000-d000-4000-8000-000000000001", "display_name": "Launch", "percentage": "12.5"}],
  "minimums": [{"id": "00000000-e000-4000-8000-000000000001", "display_name": "Commit", "amount": "150"}],
  "credits": [{"id": "00000000-c100-4000-8000-000000000001", "display_name": "Prepaid", "amount": "500", "expiry": "1Y", "priority": 10}],
  "billing_frequencies": [{"id": "00000000-bf00-4000-8000-000000000001", "display_name": "Calendar monthly",
                           "type": 2, "interval": 1, "frequency": "M", "anchor": "S", "eq": false}],
  "product_contracts": [
    {"id": "00000000-cb00-4000-8000-000000000001", "display_name": "Calls", "product_id": "00000000-b000-4000-8000-000000000001",
     "tiers": "00000000-a000-4000-8000-000000000001", "start_date": "2024-01-01", "end_date": "2024-12-31"},
    {"id": "00000000-cb00-4000-8000-000000000002", "display_name": "Storage", "product_id": "00000000-b000-4000-8000-000000000002",
     "tiers": "00000000-a000-4000-8000-000000000001", "start_date": "2024-01-01", "end_date": null}],
  "sub_contracts": [{"id": "00000000-cc00-4000-8000-000000000001", "display_name": "Team", "start_date": "2024-01-01",
                     "product_contracts": ["00000000-cb00-4000-8000-000000000001", "00000000-cb00-4000-8000-000000000002"],
                     "discounts": ["00000000-d000-4000-8000-000000000001"]}],
  "parent_contracts": [{"id": "00000000-ca00-4000-8000-000000000001", "display_name": "Acme 2024",
                        "customer_id": "00000000-c000-4000-8000-000000000001", "currency": "EUR", "timezone": "Europe/Berlin",
                        "start_date": "2024-01-01", "billing_frequency": "00000000-bf00-4000-8000-000000000001",
                        "sub_contracts": ["00000000-cc00-4000-8000-000000000001"], "fixed_fees": ["00000000-f000-4000-8000-000000000001"],
                        "minimums": ["00000000-e000-4000-8000-000000000001"], "credits": ["00000000-c100-4000-8000-000000000001"]}]
}`

// saveTree saves the tree fixture in org and returns it as stored.
func saveTree(t testing.TB, s *Store, org uuid.UUID) contract.Objects {
	t.Helper()
	got, err := s.Save(context.Background(), org, batchOf(objects(t, treeJSON)))
	require.NoError(t, err)
	return got
}

func batchOf(o contract.Objects) store.Batch { return store.Batch{Objects: o} }

// count returns the number of documents stored in org.
func count(t testing.TB, s *Store, org uuid.UUID) int {
	t.Helper()
	all, err := s.List(context.Background(), org)
	require.NoError(t, err)
	return all.Len()
}
