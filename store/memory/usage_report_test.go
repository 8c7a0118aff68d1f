package memory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

func uday(s string) date.Date       { return date.MustParseISO(s) }
func udec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// usageFixture is a customer with one parent contract in New York holding
// one product contract for 2024, priced graduated: 2.00 base fee, 1.00 a
// unit up to 10, then 0.50.
type usageFixture struct {
	s        *memory.Store
	org      uuid.UUID
	customer uuid.UUID
	parent   uuid.UUID
	sub      uuid.UUID
	product  contract.ProductContract
}

func newUsageFixture(t testing.TB) usageFixture {
	f := usageFixture{s: memory.New(), org: uuid.New(), customer: uuid.New(), parent: uuid.New(), sub: uuid.New()}
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{
		{Start: udec("0"), End: decimal.NewNullDecimal(udec("10")), UnitPrice: udec("1.00"), FlatFee: udec("2.00")},
		{Start: udec("10"), UnitPrice: udec("0.50")},
	}}
	f.product = contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID,
		Dates: contract.Dates{Start: uday("2024-01-01"), End: uday("2024-12-31")}}
	_, err := f.s.Save(context.Background(), f.org, store.Batch{Objects: contract.Objects{
		Plans:            []plan.TierPlan{p},
		ProductContracts: []contract.ProductContract{f.product},
		SubContracts: []contract.SubContract{{ID: f.sub, Dates: contract.Dates{Start: uday("2024-01-01")},
			ProductContracts: []uuid.UUID{f.product.ID}}},
		ParentContracts: []contract.ParentContract{{SubContract: contract.SubContract{ID: f.parent,
			Dates: contract.Dates{Start: uday("2024-01-01")}, SubContracts: []uuid.UUID{f.sub}},
			CustomerID: f.customer, TimeZone: "America/New_York"}},
	}})
	require.NoError(t, err)
	return f
}

func (f usageFixture) event(id, d, q string) usage.Event {
	return usage.Event{ID: id, ContractID: f.product.ID, Date: uday(d), Quantity: udec(q)}
}

func (f usageFixture) ingest(t *testing.T, events ...usage.Event) store.Ingested {
	t.Helper()
	got, err := f.s.Ingest(t.Context(), f.org, events)
	require.NoError(t, err)
	return got
}

func TestIngestSameIDConcurrently(t *testing.T) {
	f := newUsageFixture(t)
	const workers = 64
	var wg sync.WaitGroup
	added := make([]store.Ingested, workers)
	for w := range workers {
		wg.Go(func() {
			got, err := f.s.Ingest(context.Background(), f.org, []usage.Event{f.event("same", "2024-02-01", "5")})
			assert.NoError(t, err)
			added[w] = got
		})
	}
	wg.Wait()
	var sum store.Ingested
	for _, a := range added {
		sum.Added += a.Added
		sum.Replayed += a.Replayed
	}
	assert.Equal(t, store.Ingested{Added: 1, Replayed: workers - 1}, sum)
	events, err := f.s.Usage(t.Context(), f.org, []uuid.UUID{f.product.ID}, uday("2024-01-01"), uday("2024-12-31"))
	require.NoError(t, err)
	assert.Len(t, events, 1)
}

func TestIngestConflictingPayloadsConcurrently(t *testing.T) {
	f := newUsageFixture(t)
	const workers = 32
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			_, errs[w] = f.s.Ingest(context.Background(), f.org, []usage.Event{f.event("x", "2024-02-01", fmt.Sprint(w+1))})
		})
	}
	wg.Wait()
	winners := 0
	for _, err := range errs {
		if err == nil {
			winners++
			continue
		}
		require.ErrorIs(t, err, pricekit.ErrDuplicateUsage)
	}
	assert.Equal(t, 1, winners, "exactly one payload is stored")
}

func TestIngestTimestampInParentZone(t *testing.T) {
	f := newUsageFixture(t)
	// 04:30 UTC is 23:30 the day before in New York in winter (EST) and
	// 00:30 the same day in summer (EDT).
	f.ingest(t,
		usage.Event{ID: "w", ContractID: f.product.ID, Timestamp: time.Date(2024, 3, 10, 4, 30, 0, 0, time.UTC), Quantity: udec("1")},
		usage.Event{ID: "s", ContractID: f.product.ID, Timestamp: time.Date(2024, 3, 11, 4, 30, 0, 0, time.UTC), Quantity: udec("1")})
	for _, d := range []string{"2024-03-09", "2024-03-11"} {
		got, err := f.s.Usage(t.Context(), f.org, []uuid.UUID{f.product.ID}, uday(d), uday(d))
		require.NoError(t, err)
		assert.Len(t, got, 1, d)
	}
	// New Year in UTC is still 2023 in New York: before the contract.
	_, err := f.s.Ingest(t.Context(), f.org, []usage.Event{{ID: "ny", ContractID: f.product.ID,
		Timestamp: time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC), Quantity: udec("1")}})
	require.ErrorIs(t, err, pricekit.ErrUsageOutOfContract)
}

func assertDec(t *testing.T, want string, got decimal.Decimal, msg string) {
	t.Helper()
	assert.True(t, udec(want).Equal(got), "%s: got %s, want %s", msg, got, want)
}

func TestUsageReport(t *testing.T) {
	f := newUsageFixture(t)
	f.ingest(t, f.event("u1", "2024-01-01", "4"), f.event("u2", "2024-01-02", "10"), f.event("u3", "2024-02-03", "3"))
	require.NoError(t, f.s.MarkBilled(t.Context(), f.org, f.parent, uday("2024-01-31")))
	f.ingest(t, f.event("u4", "2024-01-15", "2"), f.event("u5", "2024-02-05", "1"))
	through, err := f.s.BilledThrough(t.Context(), f.org, f.parent)
	require.NoError(t, err)
	assert.Equal(t, uday("2024-01-31"), through)

	t.Run("by month", func(t *testing.T) {
		for _, q := range []store.UsageQuery{
			{CustomerID: f.customer, From: uday("2024-01-01"), To: uday("2024-02-29"), By: store.ByMonth},
			{ContractID: f.parent, From: uday("2024-01-01"), To: uday("2024-02-29"), By: store.ByMonth},
			{ContractID: f.product.ID, From: uday("2024-01-01"), To: uday("2024-02-29"), By: store.ByMonth},
		} {
			r, err := f.s.UsageReport(t.Context(), f.org, q)
			require.NoError(t, err)
			require.Len(t, r.Rows, 2)
			jan, feb := r.Rows[0], r.Rows[1]
			assert.Equal(t, [2]date.Date{uday("2024-01-01"), uday("2024-01-31")}, [2]date.Date{jan.Start, jan.End})
			assert.Equal(t, int64(3), jan.Events)
			assertDec(t, "16", jan.Quantity, "jan quantity")
			assertDec(t, "15.00", jan.Amount, "jan: 2.00 + 10 × 1.00 + 6 × 0.50")
			assert.Equal(t, int64(2), jan.Billed.Events)
			assertDec(t, "14", jan.Billed.Quantity, "jan billed")
			assert.Equal(t, int64(1), jan.Late.Events)
			assertDec(t, "2", jan.Late.Quantity, "jan late")
			assert.Equal(t, int64(0), jan.Pending.Events)

			assertDec(t, "4", feb.Quantity, "feb quantity")
			assertDec(t, "6.00", feb.Amount, "feb: 2.00 + 4 × 1.00")
			assert.Equal(t, int64(2), feb.Pending.Events)
			assert.Equal(t, int64(0), feb.Billed.Events+feb.Late.Events)

			require.Len(t, r.Late, 1)
			assert.Equal(t, "u4", r.Late[0].Event.ID)
			assert.Equal(t, uday("2024-01-15"), r.Late[0].Day)
			assert.Equal(t, uday("2024-01-31"), r.Late[0].BilledThrough)
		}
	})
	t.Run("by day adds up to the month", func(t *testing.T) {
		r, err := f.s.UsageReport(t.Context(), f.org, store.UsageQuery{CustomerID: f.customer,
			From: uday("2024-01-01"), To: uday("2024-01-31"), By: store.ByDay})
		require.NoError(t, err)
		require.Len(t, r.Rows, 3)
		want := []struct{ day, qty, amount string }{
			{"2024-01-01", "4", "6.00"},  // base fee 2.00 + 4 × 1.00
			{"2024-01-02", "10", "8.00"}, // cumulative 14 costs 14.00
			{"2024-01-15", "2", "1.00"},  // cumulative 16 costs 15.00
		}
		sum := decimal.Zero
		for i, w := range want {
			row := r.Rows[i]
			assert.Equal(t, uday(w.day), row.Start)
			assert.Equal(t, row.Start, row.End)
			assertDec(t, w.qty, row.Quantity, w.day)
			assertDec(t, w.amount, row.Amount, w.day)
			sum = sum.Add(row.Amount)
		}
		assertDec(t, "15.00", sum, "the days add up to the month")
		assert.Equal(t, int64(1), r.Rows[2].Late.Events, "u4 arrived after January was billed")
	})
	t.Run("from mid month", func(t *testing.T) {
		r, err := f.s.UsageReport(t.Context(), f.org, store.UsageQuery{ContractID: f.parent,
			From: uday("2024-01-02"), To: uday("2024-01-10"), By: store.ByDay})
		require.NoError(t, err)
		require.Len(t, r.Rows, 1)
		assertDec(t, "8.00", r.Rows[0].Amount, "the share of 2 January, as in the full month")
		assert.Empty(t, r.Late, "u4 is outside the days asked")
	})
}

func TestMarkBilledRefusals(t *testing.T) {
	f := newUsageFixture(t)
	require.NoError(t, f.s.MarkBilled(t.Context(), f.org, f.parent, uday("2024-02-29")))
	require.NoError(t, f.s.MarkBilled(t.Context(), f.org, f.parent, uday("2024-02-29")), "the same day again is a no-op")
	tests := []struct {
		name    string
		org, id uuid.UUID
		through date.Date
		code    pricekit.Code
	}{
		{"unknown contract", f.org, uuid.New(), uday("2024-03-31"), pricekit.ErrNotFound},
		{"a sub contract", f.org, f.sub, uday("2024-03-31"), pricekit.ErrNotFound},
		{"another organization", uuid.New(), f.parent, uday("2024-03-31"), pricekit.ErrNotFound},
		{"going back", f.org, f.parent, uday("2024-01-31"), pricekit.ErrInvalidInput},
		{"no day", f.org, f.parent, 0, pricekit.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.s.MarkBilled(t.Context(), tt.org, tt.id, tt.through)
			require.ErrorIs(t, err, tt.code)
			got, err := f.s.BilledThrough(t.Context(), f.org, f.parent)
			require.NoError(t, err)
			assert.Equal(t, uday("2024-02-29"), got, "a refusal changes nothing")
		})
	}
	_, err := f.s.BilledThrough(t.Context(), f.org, uuid.New())
	require.ErrorIs(t, err, pricekit.ErrNotFound)
}

func TestUsageReportRefusals(t *testing.T) {
	f := newUsageFixture(t)
	from, to := uday("2024-01-01"), uday("2024-01-31")
	tests := []struct {
		name string
		q    store.UsageQuery
		code pricekit.Code
	}{
		{"neither customer nor contract", store.UsageQuery{From: from, To: to, By: store.ByDay}, pricekit.ErrInvalidInput},
		{"both customer and contract", store.UsageQuery{CustomerID: f.customer, ContractID: f.parent, From: from, To: to, By: store.ByDay}, pricekit.ErrInvalidInput},
		{"no from", store.UsageQuery{CustomerID: f.customer, To: to, By: store.ByDay}, pricekit.ErrInvalidInput},
		{"to before from", store.UsageQuery{CustomerID: f.customer, From: to, To: from, By: store.ByDay}, pricekit.ErrInvalidInput},
		{"no granularity", store.UsageQuery{CustomerID: f.customer, From: from, To: to}, pricekit.ErrInvalidInput},
		{"unknown contract", store.UsageQuery{ContractID: uuid.New(), From: from, To: to, By: store.ByDay}, pricekit.ErrNotFound},
		{"a sub contract", store.UsageQuery{ContractID: f.sub, From: from, To: to, By: store.ByDay}, pricekit.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.UsageReport(t.Context(), f.org, tt.q)
			require.ErrorIs(t, err, tt.code)
		})
	}
}
