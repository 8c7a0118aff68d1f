package billing_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

var (
	org       = uuid.MustParse("00000000-0000-4000-8000-0000000000aa")
	planID    = uuid.MustParse("00000000-0000-4000-8000-000000000001")
	feeID     = uuid.MustParse("00000000-0000-4000-8000-000000000002")
	productID = uuid.MustParse("00000000-0000-4000-8000-000000000003")
	pcID      = uuid.MustParse("00000000-0000-4000-8000-000000000004")
	parentID  = uuid.MustParse("00000000-0000-4000-8000-000000000005")
)

// tree is a monthly parent contract for 2024 with a fee of 100.00 and one
// product priced 0.10 per unit up to 100 and 0.20 above.
func tree() contract.Objects {
	return contract.Objects{
		Plans: []plan.TierPlan{{ID: planID, Pricing: plan.Graduated, Tiers: []plan.Tier{
			{Start: decimal.Zero, End: decimal.NewNullDecimal(decimal.NewFromInt(100)), UnitPrice: decimal.RequireFromString("0.10")},
			{Start: decimal.NewFromInt(100), UnitPrice: decimal.RequireFromString("0.20")},
		}}},
		FixedFees: []plan.FixedFee{{ID: feeID, Amount: decimal.NewFromInt(100)}},
		ProductContracts: []contract.ProductContract{{ID: pcID, ProductID: productID, PlanID: planID,
			Dates: contract.Dates{Start: date.New(2024, 1, 1), End: date.New(2024, 12, 31)}}},
		ParentContracts: []contract.ParentContract{{SubContract: contract.SubContract{ID: parentID,
			Dates:            contract.Dates{Start: date.New(2024, 1, 1), End: date.New(2024, 12, 31)},
			ProductContracts: []uuid.UUID{pcID}, FixedFees: []uuid.UUID{feeID}}}},
	}
}

func events() []usage.Event {
	return []usage.Event{
		{ID: "u1", ContractID: pcID, Date: date.New(2024, 1, 5), Quantity: decimal.NewFromInt(100)},
		{ID: "u2", ContractID: pcID, Date: date.New(2024, 1, 20), Quantity: decimal.NewFromInt(50)},
		{ID: "u3", ContractID: pcID, Date: date.New(2024, 2, 3), Quantity: decimal.NewFromInt(8)},
	}
}

func saved(t *testing.T) *memory.Store {
	t.Helper()
	st := memory.New()
	_, err := st.Save(context.Background(), org, store.Batch{Objects: tree()})
	require.NoError(t, err)
	return st
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestRateEqualsSimulate(t *testing.T) {
	ctx := context.Background()
	st := saved(t)
	_, err := st.Ingest(ctx, org, events())
	require.NoError(t, err)

	from, to := date.New(2024, 1, 1), date.New(2024, 3, 31)
	rated, err := billing.Rate(ctx, st, org, parentID, from, to)
	require.NoError(t, err)
	simulated, err := billing.Simulate(ctx, saved(t), org, parentID, events(), from, to)
	require.NoError(t, err)
	assert.Equal(t, marshal(t, simulated), marshal(t, rated))

	require.Len(t, rated, 3)
	// January: 100 × 0.10 + 50 × 0.20 = 20.00, plus the fee.
	assert.True(t, decimal.RequireFromString("120.00").Equal(rated[0].Total), "january total %s", rated[0].Total)
	assert.True(t, decimal.RequireFromString("100.80").Equal(rated[1].Total), "february total %s", rated[1].Total)
	assert.True(t, decimal.RequireFromString("100.00").Equal(rated[2].Total), "march total %s", rated[2].Total)
}

func TestRateDefaultsToContractDates(t *testing.T) {
	stmts, err := billing.Rate(context.Background(), saved(t), org, parentID, 0, 0)
	require.NoError(t, err)
	require.Len(t, stmts, 12)
	assert.Equal(t, date.New(2024, 12, 31), stmts[11].PeriodEnd)
}

func TestSimulateStoresNothing(t *testing.T) {
	ctx := context.Background()
	st := saved(t)
	before, err := st.List(ctx, org)
	require.NoError(t, err)

	simulated, err := billing.Simulate(ctx, st, org, parentID, events(), 0, date.New(2024, 1, 31))
	require.NoError(t, err)
	require.Len(t, simulated, 1)
	assert.True(t, decimal.NewFromInt(150).Equal(simulated[0].Lines[0].Quantity))

	stored, err := st.Usage(ctx, org, []uuid.UUID{pcID}, date.Date(math.MinInt32), date.Date(math.MaxInt32))
	require.NoError(t, err)
	assert.Empty(t, stored)
	after, err := st.List(ctx, org)
	require.NoError(t, err)
	assert.Equal(t, marshal(t, before), marshal(t, after))

	rated, err := billing.Rate(ctx, st, org, parentID, 0, date.New(2024, 1, 31))
	require.NoError(t, err)
	require.Len(t, rated, 1)
	assert.True(t, rated[0].Lines[0].Quantity.IsZero(), "stored usage is still none")

	// A simulated id may be ingested afterwards with another payload: the
	// simulation did not claim it.
	other := events()[:1]
	other[0].Quantity = decimal.NewFromInt(1)
	_, err = st.Ingest(ctx, org, other)
	require.NoError(t, err)
}

func TestSimulateRefusesBadUsage(t *testing.T) {
	ctx := context.Background()
	st := saved(t)
	_, err := st.Ingest(ctx, org, events()[:1])
	require.NoError(t, err)

	bad := []usage.Event{{ContractID: pcID, Date: date.New(2025, 1, 1), Quantity: decimal.NewFromInt(1)}}
	_, err = billing.Simulate(ctx, st, org, parentID, bad, 0, 0)
	require.ErrorIs(t, err, pricekit.ErrUsageOutOfContract)

	dup := events()[:2]
	dup[1].ID = dup[0].ID
	_, err = billing.Simulate(ctx, st, org, parentID, dup, 0, 0)
	require.ErrorIs(t, err, pricekit.ErrDuplicateUsage)
}

func TestNotFound(t *testing.T) {
	ctx := context.Background()
	st := saved(t)
	missing := uuid.MustParse("00000000-0000-4000-8000-0000000000ff")
	tests := map[string]struct{ org, id uuid.UUID }{
		"unknown id":         {org, missing},
		"a product contract": {org, pcID},
		"a plan":             {org, planID},
		"another org":        {missing, parentID},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := billing.Rate(ctx, st, tt.org, tt.id, 0, 0)
			require.ErrorIs(t, err, pricekit.ErrNotFound)
			_, err = billing.Simulate(ctx, st, tt.org, tt.id, events(), 0, 0)
			require.ErrorIs(t, err, pricekit.ErrNotFound)
		})
	}
}
