// Command postgres shows pricekit's PostgreSQL store end to end: it
// migrates the schema, saves a small contract tree, ingests usage (twice,
// to show idempotency), reads the usage back and sums the month in the
// database.
//
//	PRICEKIT_POSTGRES_DSN='postgres://user:pass@localhost:5432/billing' go run ./examples/postgres
//
// Each run works in a new organization, so it can be run again and again.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"
	// Contracts name IANA time zones; embed the database for hosts without one.
	_ "time/tzdata"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/postgres"
	"github.com/pricekit/pricekit/usage"
)

const tree = `{
  "tiers": [{"id": "0192b3c4-0000-7000-8000-000000000001", "display_name": "API calls",
             "tiers": [[0, 1000, "0.002"], [1000, null, "0.001"]], "pricing_type": "graduated"}],
  "product_contracts": [{"id": "0192b3c4-0000-7000-8000-000000000002", "display_name": "API",
                         "product_id": "0192b3c4-0000-7000-8000-0000000000aa",
                         "tiers": "0192b3c4-0000-7000-8000-000000000001", "start_date": "2024-01-01"}],
  "parent_contracts": [{"id": "0192b3c4-0000-7000-8000-000000000003", "display_name": "Acme",
                        "customer_id": "0192b3c4-0000-7000-8000-0000000000cc", "timezone": "America/New_York",
                        "start_date": "2024-01-01",
                        "product_contracts": ["0192b3c4-0000-7000-8000-000000000002"]}]
}`

const events = `[
  {"id": "req-1", "contract_id": "0192b3c4-0000-7000-8000-000000000002", "date": "2024-03-01", "quantity": 700},
  {"id": "req-2", "contract_id": "0192b3c4-0000-7000-8000-000000000002", "timestamp": "2024-04-01T03:00:00Z", "quantity": "650.5"}
]`

func main() {
	dsn := os.Getenv("PRICEKIT_POSTGRES_DSN")
	if dsn == "" {
		fmt.Fprintln(os.Stderr, `This example needs a PostgreSQL database. Set PRICEKIT_POSTGRES_DSN to a connection
string, such as postgres://user:pass@localhost:5432/billing or
"host=/tmp port=5432 dbname=billing", and run it again. It creates the
pricekit_* tables there if they are missing.`)
		os.Exit(1)
	}
	if err := run(dsn); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()

	st := postgres.New(pool)
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	org := uuid.New()

	var objs contract.Objects
	if err := json.Unmarshal([]byte(tree), &objs); err != nil {
		return err
	}
	saved, err := st.Save(ctx, org, store.Batch{Objects: objs})
	if err != nil {
		return err
	}
	fmt.Printf("saved %d documents for organization %s\n", saved.Len(), org)

	var batch []usage.Event
	if err := json.Unmarshal([]byte(events), &batch); err != nil {
		return err
	}
	for range 2 {
		got, err := st.Ingest(ctx, org, batch)
		if err != nil {
			return err
		}
		fmt.Printf("ingested: %d added, %d replayed\n", got.Added, got.Replayed)
	}

	pc := saved.ProductContracts[0].ID
	march := schedule.Period{Start: date.New(2024, 3, 1), End: date.New(2024, 4, 1)}
	stored, err := st.Usage(ctx, org, []uuid.UUID{pc}, march.Start, march.Last())
	if err != nil {
		return err
	}
	for _, e := range stored {
		out, _ := json.Marshal(e)
		fmt.Printf("march usage: %s\n", out)
	}
	// 03:00 UTC on 1 April is still 31 March in New York: the event is
	// March usage.
	aggs, err := st.Aggregate(ctx, org, []usage.Request{{Contract: pc, Bounds: []date.Date{march.Start, march.End}}})
	if err != nil {
		return err
	}
	fmt.Printf("march: %d events, total quantity %s (aggregated in the database)\n", aggs[0][0].Count, aggs[0][0].Sum)
	return nil
}
