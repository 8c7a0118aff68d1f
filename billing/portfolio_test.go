package billing_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
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

// portfolio saves n parent contracts for January 2024, contract i with a
// fee of i+1 and usage of i units at 1.00; every seventh is evergreen, so
// rating it without a `to` fails.
func portfolio(t *testing.T, n int) (*memory.Store, uuid.UUID, []uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	st, org := memory.New(), uuid.New()
	jan1 := date.New(2024, 1, 1)
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.NewFromInt(1)}}}
	objs := contract.Objects{Plans: []plan.TierPlan{p}}
	var ids []uuid.UUID
	var events []usage.Event
	for i := range n {
		fee := plan.FixedFee{ID: uuid.New(), Amount: decimal.NewFromInt(int64(i + 1))}
		pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID, Dates: contract.Dates{Start: jan1}}
		parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
			Dates: contract.Dates{Start: jan1, End: date.New(2024, 1, 31)}, ProductContracts: []uuid.UUID{pc.ID}, FixedFees: []uuid.UUID{fee.ID}}}
		if i%7 == 6 {
			parent.End = 0
		}
		objs.FixedFees = append(objs.FixedFees, fee)
		objs.ProductContracts = append(objs.ProductContracts, pc)
		objs.ParentContracts = append(objs.ParentContracts, parent)
		ids = append(ids, parent.ID)
		if i > 0 {
			events = append(events, usage.Event{ID: fmt.Sprint(i), ContractID: pc.ID, Date: jan1 + 9, Quantity: decimal.NewFromInt(int64(i))})
		}
	}
	_, err := st.Save(ctx, org, store.Batch{Objects: objs})
	require.NoError(t, err)
	_, err = st.Ingest(ctx, org, events)
	require.NoError(t, err)
	return st, org, ids
}

func TestPortfolio(t *testing.T) {
	st, org, ids := portfolio(t, 50)
	var got []billing.Result
	err := billing.Portfolio(context.Background(), st, org, billing.Run{Workers: 4}, func(r billing.Result) error {
		got = append(got, r)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, got, len(ids))
	for i, r := range got {
		assert.Equal(t, ids[i], r.Contract, "results come in the order the contracts were saved")
		if i%7 == 6 {
			require.ErrorIs(t, r.Err, pricekit.ErrInvalidInput, "an evergreen contract needs a to; the run goes on")
			continue
		}
		require.NoError(t, r.Err)
		require.Len(t, r.Statements, 1)
		assert.True(t, decimal.NewFromInt(int64(2*i+1)).Equal(r.Statements[0].Total), "contract %d: %s", i, r.Statements[0].Total)
	}

	// The same range for every contract, and a host's own list.
	var totals []string
	err = billing.Portfolio(context.Background(), st, org, billing.Run{To: date.New(2024, 1, 31), Contracts: []uuid.UUID{ids[6], ids[2], uuid.New()}},
		func(r billing.Result) error {
			if r.Err != nil {
				totals = append(totals, string(pricekit.First(r.Err).Code))
				return nil
			}
			totals = append(totals, r.Statements[0].Total.StringFixed(2))
			return nil
		})
	require.NoError(t, err)
	assert.Equal(t, []string{"13.00", "5.00", "not_found"}, totals)
}

func TestPortfolioStops(t *testing.T) {
	st, org, _ := portfolio(t, 40)
	t.Run("when the context is done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		err := billing.Portfolio(ctx, st, org, billing.Run{Workers: 3}, func(billing.Result) error {
			n++
			if n == 3 {
				cancel()
			}
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 3, n, "nothing is handed over after the cancellation")
	})
	t.Run("when the callback fails", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := billing.Portfolio(context.Background(), st, org, billing.Run{Workers: 3}, func(billing.Result) error {
			n++
			if n == 5 {
				return stop
			}
			return nil
		})
		require.ErrorIs(t, err, stop)
		assert.Equal(t, 5, n)
	})
}

// counting counts the trees being read at once.
type counting struct {
	*memory.Store
	now, peak atomic.Int64
}

func (c *counting) Tree(ctx context.Context, org, id uuid.UUID) (contract.Objects, error) {
	n := c.now.Add(1)
	defer c.now.Add(-1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return c.Store.Tree(ctx, org, id)
}

func TestPortfolioBoundsItsWorkers(t *testing.T) {
	st, org, ids := portfolio(t, 200)
	c := &counting{Store: st}
	n := 0
	err := billing.Portfolio(context.Background(), c, org, billing.Run{Workers: 3, To: date.New(2024, 1, 31)}, func(billing.Result) error {
		n++
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, len(ids), n)
	assert.LessOrEqual(t, c.peak.Load(), int64(3))
	assert.Positive(t, c.peak.Load())
}
