package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/postgres"
)

// A host opens its pool, migrates once at start-up, and then uses the store
// like any other. (It needs a server, so this example is compiled, not run;
// examples/postgres is the whole program.)
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("PRICEKIT_POSTGRES_DSN"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	st := postgres.New(pool)
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	org := uuid.New()
	fee := plan.FixedFee{DisplayName: "Platform", Amount: decimal.RequireFromString("99.00")}
	saved, err := st.Save(ctx, org, store.Batch{Objects: contract.Objects{FixedFees: []plan.FixedFee{fee}}})
	if err != nil {
		log.Fatal(err)
	}
	id := saved.FixedFees[0].ID

	// Replace it only if nobody else did meanwhile.
	fee.ID, fee.Amount = id, decimal.RequireFromString("120.00")
	_, err = st.Save(ctx, org, store.Batch{
		Objects:   contract.Objects{FixedFees: []plan.FixedFee{fee}},
		IfVersion: map[uuid.UUID]int64{id: 1},
	})
	fmt.Println(err) // nil, or an error matching store.ErrConflict
}
