package clickhouse

import (
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// TestColumnLimits checks that what the columns cannot hold exactly is
// refused with its field, the whole batch with it, and nothing stored.
func TestColumnLimits(t *testing.T) {
	f := newFixture(t)
	// A product contract running from 1960 to 2200.
	wide := uuid.New()
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.RequireFromString("1")}}}
	_, err := f.docs.Save(t.Context(), f.org, store.Batch{Objects: contract.Objects{
		Plans: []plan.TierPlan{p},
		ProductContracts: []contract.ProductContract{{ID: wide, ProductID: uuid.New(), PlanID: p.ID,
			Dates: contract.Dates{Start: day("1960-01-01"), End: day("2200-12-31")}}},
	}})
	require.NoError(t, err)
	s := newStore(t, f.docs)
	good := f.event("fine", "2024-02-01", "1")
	for _, c := range []struct {
		name, field string
		e           usage.Event
	}{
		{"day before 1970", "usage[1].date", usage.Event{ID: "old", ContractID: wide, Date: day("1969-12-31"), Quantity: decimal.NewFromInt(1)}},
		{"day after 2105", "usage[1].date", usage.Event{ID: "late", ContractID: wide, Date: day("2106-01-01"), Quantity: decimal.NewFromInt(1)}},
		{"13 places", "usage[1].quantity", f.event("fine-places", "2024-02-01", "0.0000000000001")},
		{"27 digits", "usage[1].quantity", f.event("big", "2024-02-01", "100000000000000000000000000")},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Ingest(t.Context(), f.org, []usage.Event{good, c.e})
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			var fields []string
			for _, e := range pricekit.All(err) {
				fields = append(fields, e.Field)
			}
			assert.Equal(t, []string{c.field}, fields)
			got, err := s.Usage(t.Context(), f.org, []uuid.UUID{f.product, wide}, day("0001-01-02"), day("9999-12-31"))
			require.NoError(t, err)
			assert.Empty(t, got, "nothing stored")
		})
	}
	// The edges are kept, and trailing zeros beyond 12 places are no
	// places at all.
	edges := []usage.Event{
		{ID: "first", ContractID: wide, Date: day("1970-01-01"), Quantity: decimal.RequireFromString("99999999999999999999999999.999999999999")},
		{ID: "last", ContractID: wide, Date: day("2105-12-31"), Quantity: decimal.RequireFromString("1.5000000000000000")},
	}
	_, err = s.Ingest(t.Context(), f.org, edges)
	require.NoError(t, err)
	got, err := s.Usage(t.Context(), f.org, []uuid.UUID{wide}, day("0001-01-02"), day("9999-12-31"))
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.True(t, edges[0].SamePayload(got[0]), "%v", got[0])
	assert.True(t, edges[1].SamePayload(got[1]), "%v", got[1])
	// Bounds beyond the Date range read as open ends.
	agg, err := s.Aggregate(t.Context(), f.org, []usage.Request{{Contract: wide,
		Bounds: []date.Date{day("1960-01-01"), day("2000-01-01"), day("2200-01-01")}}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), agg[0][0].Count)
	assert.Equal(t, int64(1), agg[0][1].Count)
}

// TestMigrateTwice checks that Migrate is idempotent.
func TestMigrateTwice(t *testing.T) {
	s := newStore(t, nil)
	require.NoError(t, s.Migrate(t.Context()))
	require.NoError(t, s.Migrate(t.Context()))
	var n uint64
	require.NoError(t, testConn.QueryRow(t.Context(), `SELECT count() FROM pricekit_schema_migrations`).Scan(&n))
	assert.Equal(t, uint64(1), n)
}

// TestSumsBeyondDecimal128 sums quantities whose total passes what a
// Decimal(38, 12) holds (a sum of them would wrap around), exactly.
func TestSumsBeyondDecimal128(t *testing.T) {
	f := newFixture(t)
	s := newStore(t, f.docs)
	_, err := s.Ingest(t.Context(), f.org, []usage.Event{
		f.event("a", "2024-03-01", "90000000000000000000000000.5"),
		f.event("b", "2024-03-02", "90000000000000000000000000.75"),
	})
	require.NoError(t, err)
	agg, err := s.Aggregate(t.Context(), f.org, []usage.Request{
		{Contract: f.product, Bounds: []date.Date{day("2024-03-01"), day("2024-04-01")}},
		{Contract: f.product, Bounds: []date.Date{day("2024-03-01"), day("2024-04-01")},
			Charge: &usage.Charge{Rate: decimal.NewFromInt(1), Fee: decimal.RequireFromString("0.25"),
				Maximum: decimal.NewNullDecimal(decimal.RequireFromString("900000000000000000000000"))}},
	})
	require.NoError(t, err)
	assert.Equal(t, "180000000000000000000000001.25", agg[0][0].Sum.String())
	ch := agg[1][0].Charges
	require.NotNil(t, ch)
	assert.Equal(t, "180000000000000000000000001.25", ch.Quantity.String())
	// 1% of each, plus 0.25, is 900000000000000000000000.255 and
	// ….2575, above the cap: both lowered to it, by 0.5125 in all.
	assert.Equal(t, int64(2), ch.Lowered)
	assert.Equal(t, "1800000000000000000000000", ch.Amount.String())
	assert.Equal(t, "0.5125", ch.LoweredBy.String())
}

// TestChargesBeyondDecimal128 prices percentage charges whose figures
// ClickHouse's decimals cannot hold, a rate of many places and an event
// whose charge overflows, as the memory store does.
func TestChargesBeyondDecimal128(t *testing.T) {
	f := newFixture(t)
	s := newStore(t, f.docs)
	events := []usage.Event{
		f.event("a", "2024-03-01", "90000000000000000000000000.5"),
		f.event("b", "2024-03-02", "3.25"),
		f.event("c", "2024-03-03", "7"),
	}
	_, err := s.Ingest(t.Context(), f.org, events)
	require.NoError(t, err)
	_, err = f.docs.Ingest(t.Context(), f.org, events)
	require.NoError(t, err)
	for _, c := range []usage.Charge{
		{Rate: decimal.RequireFromString("0.0000000000000000000000001"), Fee: decimal.RequireFromString("0.25")},
		{Rate: decimal.RequireFromString("2.5"), Fee: decimal.RequireFromString("0.0000000000000000000000000003"), Free: 1},
		{Rate: decimal.RequireFromString("99.5"), Minimum: decimal.NewNullDecimal(decimal.RequireFromString("1.5"))},
	} {
		req := []usage.Request{{Contract: f.product, Bounds: []date.Date{day("2024-03-01"), day("2024-04-01")}, Charge: &c}}
		got, err := s.Aggregate(t.Context(), f.org, req)
		require.NoError(t, err, "%+v", c)
		want, err := f.docs.Aggregate(t.Context(), f.org, req)
		require.NoError(t, err)
		require.NotNil(t, got[0][0].Charges)
		assert.True(t, want[0][0].Charges.Equal(*got[0][0].Charges), "%+v: want %+v, got %+v", c, *want[0][0].Charges, *got[0][0].Charges)
	}
}
