package storetest

import (
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
	"github.com/pricekit/pricekit/usage"
)

// Usage reports and billing marks are built in package billing on what
// every store provides, so they must come out the same on every back end.
func reportTests() []test {
	return []test{
		{"by month", testReportByMonth},
		{"by day adds up to the month", testReportByDay},
		{"from mid month", testReportMidMonth},
		{"marks", testMarks},
		{"mark refusals", testMarkRefusals},
		{"late usage and windows", testLateUsage},
		{"query refusals", testReportRefusals},
	}
}

// reportFixture is a customer with one parent contract in New York holding
// one product contract for 2024 in a sub contract, priced graduated: 2.00
// base fee, 1.00 a unit up to 10, then 0.50. Events u1–u3 are billed
// through 31 January; u4 (15 January) and u5 (5 February) arrive later.
type reportFixture struct {
	org, customer, parent, sub uuid.UUID
	product                    contract.ProductContract
}

func newReportFixture(t *testing.T, s store.Store) reportFixture {
	t.Helper()
	f := reportFixture{org: uuid.New(), customer: uuid.New(), parent: uuid.New(), sub: uuid.New()}
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{
		{Start: dec("0"), End: decimal.NewNullDecimal(dec("10")), UnitPrice: dec("1.00"), FlatFee: dec("2.00")},
		{Start: dec("10"), UnitPrice: dec("0.50")},
	}}
	f.product = contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID,
		Dates: contract.Dates{Start: day("2024-01-01"), End: day("2024-12-31")}}
	save(t, s, f.org, contract.Objects{
		Plans:            []plan.TierPlan{p},
		ProductContracts: []contract.ProductContract{f.product},
		SubContracts: []contract.SubContract{{ID: f.sub, Dates: contract.Dates{Start: day("2024-01-01")},
			ProductContracts: []uuid.UUID{f.product.ID}}},
		ParentContracts: []contract.ParentContract{{SubContract: contract.SubContract{ID: f.parent,
			Dates: contract.Dates{Start: day("2024-01-01")}, SubContracts: []uuid.UUID{f.sub}},
			CustomerID: f.customer, TimeZone: "America/New_York"}},
	})
	ev := func(id, d, q string) usage.Event { return event(id, f.product.ID, d, q) }
	_, err := s.Ingest(t.Context(), f.org, []usage.Event{ev("u1", "2024-01-01", "4"), ev("u2", "2024-01-02", "10"), ev("u3", "2024-02-03", "3")})
	require.NoError(t, err)
	require.NoError(t, billing.MarkBilled(t.Context(), s, f.org, f.parent, day("2024-01-31")))
	_, err = s.Ingest(t.Context(), f.org, []usage.Event{ev("u4", "2024-01-15", "2"), ev("u5", "2024-02-05", "1")})
	require.NoError(t, err)
	return f
}

func testReportByMonth(t *testing.T, s store.Store) {
	f := newReportFixture(t, s)
	for _, q := range []billing.UsageQuery{
		{CustomerID: f.customer, From: day("2024-01-01"), To: day("2024-02-29"), By: billing.ByMonth},
		{ContractID: f.parent, From: day("2024-01-01"), To: day("2024-02-29"), By: billing.ByMonth},
		{ContractID: f.product.ID, From: day("2024-01-01"), To: day("2024-02-29"), By: billing.ByMonth},
	} {
		r, err := billing.Report(t.Context(), s, f.org, q)
		require.NoError(t, err)
		require.Len(t, r.Rows, 2)
		jan, feb := r.Rows[0], r.Rows[1]
		assert.Equal(t, [2]date.Date{day("2024-01-01"), day("2024-01-31")}, [2]date.Date{jan.Start, jan.End})
		assert.Equal(t, int64(3), jan.Events)
		sameDec(t, "16", jan.Quantity, "jan quantity")
		sameDec(t, "15.00", jan.Amount, "jan: 2.00 + 10 × 1.00 + 6 × 0.50")
		assert.Equal(t, int64(2), jan.Billed.Events)
		sameDec(t, "14", jan.Billed.Quantity, "jan billed")
		assert.Equal(t, int64(1), jan.Late.Events)
		sameDec(t, "2", jan.Late.Quantity, "jan late")
		assert.Zero(t, jan.Pending.Events)

		sameDec(t, "4", feb.Quantity, "feb quantity")
		sameDec(t, "6.00", feb.Amount, "feb: 2.00 + 4 × 1.00")
		assert.Equal(t, int64(2), feb.Pending.Events)
		assert.Zero(t, feb.Billed.Events+feb.Late.Events)

		require.Len(t, r.Late, 1)
		assert.Equal(t, "u4", r.Late[0].Event.ID)
		assert.Equal(t, day("2024-01-15"), r.Late[0].Day)
		assert.Equal(t, day("2024-01-31"), r.Late[0].BilledThrough)
	}
}

func testReportByDay(t *testing.T, s store.Store) {
	f := newReportFixture(t, s)
	r, err := billing.Report(t.Context(), s, f.org, billing.UsageQuery{CustomerID: f.customer,
		From: day("2024-01-01"), To: day("2024-01-31"), By: billing.ByDay})
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
		assert.Equal(t, day(w.day), row.Start)
		assert.Equal(t, row.Start, row.End)
		sameDec(t, w.qty, row.Quantity, w.day)
		sameDec(t, w.amount, row.Amount, w.day)
		sum = sum.Add(row.Amount)
	}
	sameDec(t, "15.00", sum, "the days add up to the month")
	assert.Equal(t, int64(1), r.Rows[2].Late.Events, "u4 arrived after January was billed")
}

func testReportMidMonth(t *testing.T, s store.Store) {
	f := newReportFixture(t, s)
	r, err := billing.Report(t.Context(), s, f.org, billing.UsageQuery{ContractID: f.parent,
		From: day("2024-01-02"), To: day("2024-01-10"), By: billing.ByDay})
	require.NoError(t, err)
	require.Len(t, r.Rows, 1)
	sameDec(t, "8.00", r.Rows[0].Amount, "the share of 2 January, as in the full month")
	assert.Empty(t, r.Late, "u4 is outside the days asked")
}

func testMarks(t *testing.T, s store.Store) {
	f := newReportFixture(t, s)
	through, err := billing.BilledThrough(t.Context(), s, f.org, f.parent)
	require.NoError(t, err)
	assert.Equal(t, day("2024-01-31"), through)
	require.NoError(t, billing.MarkBilled(t.Context(), s, f.org, f.parent, day("2024-01-31")), "the same day again is a no-op")
	require.NoError(t, billing.MarkBilled(t.Context(), s, f.org, f.parent, day("2024-02-29")))
	marks, err := s.Marks(t.Context(), f.org, f.parent)
	require.NoError(t, err)
	require.Len(t, marks, 2)
	assert.Equal(t, day("2024-01-31"), marks[0].Through)
	assert.Equal(t, day("2024-02-29"), marks[1].Through)
	assert.Less(t, marks[0].Position, marks[1].Position, "two events came in between")
	r, err := billing.Report(t.Context(), s, f.org, billing.UsageQuery{CustomerID: f.customer,
		From: day("2024-01-01"), To: day("2024-02-29"), By: billing.ByMonth})
	require.NoError(t, err)
	feb := r.Rows[1]
	assert.Equal(t, int64(2), feb.Billed.Events, "both February events were in when February was billed")
	none, err := s.Marks(t.Context(), f.org, uuid.New())
	require.NoError(t, err)
	assert.Empty(t, none)
}

func testMarkRefusals(t *testing.T, s store.Store) {
	f := newReportFixture(t, s)
	for name, tt := range map[string]struct {
		org, id uuid.UUID
		through date.Date
		code    pricekit.Code
	}{
		"unknown contract":     {f.org, uuid.New(), day("2024-03-31"), pricekit.ErrNotFound},
		"a sub contract":       {f.org, f.sub, day("2024-03-31"), pricekit.ErrNotFound},
		"another organization": {uuid.New(), f.parent, day("2024-03-31"), pricekit.ErrNotFound},
		"going back":           {f.org, f.parent, day("2024-01-30"), pricekit.ErrInvalidInput},
		"no day":               {f.org, f.parent, 0, pricekit.ErrInvalidInput},
	} {
		t.Run(name, func(t *testing.T) {
			err := billing.MarkBilled(t.Context(), s, tt.org, tt.id, tt.through)
			require.ErrorIs(t, err, tt.code)
			got, err := billing.BilledThrough(t.Context(), s, f.org, f.parent)
			require.NoError(t, err)
			assert.Equal(t, day("2024-01-31"), got, "a refusal changes nothing")
		})
	}
	_, err := billing.BilledThrough(t.Context(), s, f.org, uuid.New())
	require.ErrorIs(t, err, pricekit.ErrNotFound)
}

// testLateUsage checks the store primitives behind reports: aggregates
// within a window of ingest positions, and the events since a position.
func testLateUsage(t *testing.T, s store.Store) {
	f := newReportFixture(t, s)
	marks, err := s.Marks(t.Context(), f.org, f.parent)
	require.NoError(t, err)
	require.Len(t, marks, 1)
	pos := marks[0].Position
	jan := []date.Date{day("2024-01-01"), day("2024-02-01")}
	got, err := s.Aggregate(t.Context(), f.org, []usage.Request{
		{Contract: f.product.ID, Bounds: jan},
		{Contract: f.product.ID, Bounds: jan, Ingested: usage.Window{Before: pos}},
		{Contract: f.product.ID, Bounds: jan, Ingested: usage.Window{From: pos}},
	})
	require.NoError(t, err)
	sameAggregates(t, usage.Aggregates{Count: 3, Sum: dec("16"), Max: dec("10"), Latest: dec("2")}, got[0][0], "all")
	sameAggregates(t, usage.Aggregates{Count: 2, Sum: dec("14"), Max: dec("10"), Latest: dec("10")}, got[1][0], "before the mark")
	sameAggregates(t, usage.Aggregates{Count: 1, Sum: dec("2"), Max: dec("2"), Latest: dec("2")}, got[2][0], "after it")

	since, err := s.UsageSince(t.Context(), f.org, []uuid.UUID{f.product.ID}, day("2024-01-01"), day("2024-12-31"), pos)
	require.NoError(t, err)
	require.Len(t, since, 2)
	assert.Equal(t, "u4", since[0].Event.ID)
	assert.Equal(t, day("2024-01-15"), since[0].Day)
	assert.Equal(t, "u5", since[1].Event.ID)
	assert.Less(t, since[0].Position, since[1].Position)
	assert.GreaterOrEqual(t, since[0].Position, pos)
	janOnly, err := s.UsageSince(t.Context(), f.org, []uuid.UUID{f.product.ID}, day("2024-01-01"), day("2024-01-31"), pos)
	require.NoError(t, err)
	require.Len(t, janOnly, 1)

	_, err = s.Aggregate(t.Context(), f.org, []usage.Request{{Contract: f.product.ID, Bounds: jan, Ingested: usage.Window{From: 5, Before: 2}}})
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
}

func testReportRefusals(t *testing.T, s store.Store) {
	f := newReportFixture(t, s)
	from, to := day("2024-01-01"), day("2024-01-31")
	for name, tt := range map[string]struct {
		q    billing.UsageQuery
		code pricekit.Code
	}{
		"neither customer nor contract": {billing.UsageQuery{From: from, To: to, By: billing.ByDay}, pricekit.ErrInvalidInput},
		"both customer and contract":    {billing.UsageQuery{CustomerID: f.customer, ContractID: f.parent, From: from, To: to, By: billing.ByDay}, pricekit.ErrInvalidInput},
		"no from":                       {billing.UsageQuery{CustomerID: f.customer, To: to, By: billing.ByDay}, pricekit.ErrInvalidInput},
		"to before from":                {billing.UsageQuery{CustomerID: f.customer, From: to, To: from, By: billing.ByDay}, pricekit.ErrInvalidInput},
		"no granularity":                {billing.UsageQuery{CustomerID: f.customer, From: from, To: to}, pricekit.ErrInvalidInput},
		"unknown contract":              {billing.UsageQuery{ContractID: uuid.New(), From: from, To: to, By: billing.ByDay}, pricekit.ErrNotFound},
		"a sub contract":                {billing.UsageQuery{ContractID: f.sub, From: from, To: to, By: billing.ByDay}, pricekit.ErrNotFound},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := billing.Report(t.Context(), s, f.org, tt.q)
			require.ErrorIs(t, err, tt.code)
		})
	}
}

func sameDec(t *testing.T, want string, got decimal.Decimal, msg string) {
	t.Helper()
	assert.True(t, dec(want).Equal(got), "%s: got %s, want %s", msg, got, want)
}
