package billing_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// reads is a memory store that counts what is read of it: the periods
// asked for through the aggregation seam, and any read of events.
type reads struct {
	*memory.Store
	requests, periods int
	first, last       date.Date // the earliest and latest bound asked for
	eventReads        int
}

func (c *reads) Aggregate(ctx context.Context, org uuid.UUID, reqs []usage.Request) ([][]usage.Aggregates, error) {
	for _, r := range reqs {
		c.requests++
		c.periods += r.Periods()
		if c.first == 0 || r.Bounds[0] < c.first {
			c.first = r.Bounds[0]
		}
		c.last = max(c.last, r.Bounds[len(r.Bounds)-1])
	}
	return c.Store.Aggregate(ctx, org, reqs)
}

func (c *reads) Usage(ctx context.Context, org uuid.UUID, pcs []uuid.UUID, from, to date.Date) ([]usage.Event, error) {
	c.eventReads++
	return c.Store.Usage(ctx, org, pcs, from, to)
}

func (c *reads) UsageSince(ctx context.Context, org uuid.UUID, pcs []uuid.UUID, from, to date.Date, since int64) ([]usage.Stored, error) {
	c.eventReads++
	return c.Store.UsageSince(ctx, org, pcs, from, to, since)
}

// TestRatingAMonthReadsOnlyItsAggregates: with a year of usage stored,
// rating December asks the store for December's aggregate and nothing
// else: no event, no other month.
func TestRatingAMonthReadsOnlyItsAggregates(t *testing.T) {
	ctx := context.Background()
	st := &reads{Store: saved(t)}
	var evs []usage.Event
	for d := date.New(2024, 1, 1); d <= date.New(2024, 12, 31); d++ {
		for i := range 10 {
			evs = append(evs, usage.Event{ID: fmt.Sprint(d, "/", i), ContractID: pcID, Date: d, Quantity: decimal.NewFromInt(1)})
		}
	}
	_, err := st.Ingest(ctx, org, evs)
	require.NoError(t, err)

	got, err := billing.Rate(ctx, st, org, parentID, date.New(2024, 12, 1), date.New(2024, 12, 31))
	require.NoError(t, err)
	require.Len(t, got, 1)
	// 310 units: 100 at 0.10 and 210 at 0.20, and the fee.
	assert.Equal(t, "152.00", got[0].Total.StringFixed(2))

	assert.Zero(t, st.eventReads, "rating reads no event")
	assert.Equal(t, 1, st.requests, "one request for the one product contract")
	assert.Equal(t, 1, st.periods, "one period: December")
	assert.Equal(t, date.New(2024, 12, 1), st.first)
	assert.Equal(t, date.New(2025, 1, 1), st.last)
}
