package storetest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"testing"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

func aggregateTests() []test {
	return []test{
		{"AllAggregates", testAggregateAll},
		{"NoUsage", testAggregateNoUsage},
		{"TimeZoneDay", testAggregateTimeZone},
		{"ProductNamedOrNot", testAggregateProductNamedOrNot},
		{"Wanted", testAggregateWanted},
		{"Charges", testAggregateCharges},
		{"BadRequest", testAggregateBadRequest},
		{"Tenancy", testAggregateTenancy},
	}
}

// want is the plain Go reading of a period's aggregates over events in
// ingest order, each on its day.
func want(events []usage.Event, days []date.Date, start, end date.Date) usage.Aggregates {
	var a usage.Aggregates
	latestDay := date.Date(0)
	for i, e := range events {
		d := days[i]
		if d < start || d >= end {
			continue
		}
		if a.Count == 0 || e.Quantity.GreaterThan(a.Max) {
			a.Max = e.Quantity
		}
		if a.Count == 0 || d >= latestDay {
			a.Latest, latestDay = e.Quantity, d
		}
		a.Count++
		a.Sum = a.Sum.Add(e.Quantity)
	}
	return a
}

func sameAggregates(t *testing.T, want, got usage.Aggregates, msgAndArgs ...any) {
	t.Helper()
	ok := want.Count == got.Count && want.Sum.Equal(got.Sum) && want.Max.Equal(got.Max) && want.Latest.Equal(got.Latest)
	assert.Truef(t, ok, "want %+v, got %+v (%v)", want, got, fmt.Sprint(msgAndArgs...))
}

func testAggregateAll(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	// 300 events over Jan–Mar 2024 in batches, days out of order and
	// several on a day, so latest must break ties by ingest order; some
	// quantities too large for 64 bits.
	var all []usage.Event
	var days []date.Date
	for b := range 6 {
		var batch []usage.Event
		for i := range 50 {
			d := day("2024-01-01") + date.Date(rng.IntN(91))
			q := decimal.New(rng.Int64N(100000), -int32(rng.IntN(4)))
			if i == 7 {
				q = dec("123456789012345678901234.5678")
			}
			batch = append(batch, usage.Event{ID: fmt.Sprintf("e%d-%d", b, i), ContractID: tr.product.ID, Date: d, Quantity: q})
			days = append(days, d)
		}
		_, err := s.Ingest(t.Context(), org, batch)
		require.NoError(t, err)
		all = append(all, batch...)
	}
	bounds := []date.Date{day("2024-01-01"), day("2024-01-10"), day("2024-01-11"), day("2024-02-01"),
		day("2024-03-01"), day("2024-04-01"), day("2024-07-01")}
	got, err := s.Aggregate(t.Context(), org, []usage.Request{{Contract: tr.product.ID, Bounds: bounds}})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Len(t, got[0], len(bounds)-1)
	for k := range len(bounds) - 1 {
		sameAggregates(t, want(all, days, bounds[k], bounds[k+1]), got[0][k], "period ", k)
	}
	assert.Zero(t, got[0][5].Count, "April to June has no usage")
}

// testAggregateWanted: a request that wants one aggregate gets it right,
// with the count, whatever it leaves zero.
func testAggregateWanted(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	_, err := s.Ingest(t.Context(), org, []usage.Event{event("a", tr.product.ID, "2024-02-03", "4"),
		event("b", tr.product.ID, "2024-02-09", "9"), event("c", tr.product.ID, "2024-02-05", "2.5")})
	require.NoError(t, err)
	bounds := []date.Date{day("2024-02-01"), day("2024-03-01")}
	got, err := s.Aggregate(t.Context(), org, []usage.Request{
		{Contract: tr.product.ID, Bounds: bounds, Want: usage.WantSum},
		{Contract: tr.product.ID, Bounds: bounds, Want: usage.WantMax},
		{Contract: tr.product.ID, Bounds: bounds, Want: usage.WantLatest},
		{Contract: tr.product.ID, Bounds: bounds, Want: usage.WantCount},
		{Contract: tr.product.ID, Bounds: bounds, Want: usage.WantSum | usage.WantLatest},
	})
	require.NoError(t, err)
	for i := range got {
		assert.Equal(t, int64(3), got[i][0].Count, "request %d", i)
	}
	assert.Equal(t, "15.5", got[0][0].Sum.String())
	assert.Equal(t, "9", got[1][0].Max.String())
	assert.Equal(t, "9", got[2][0].Latest.String(), "9 is on the latest day, though not the last ingested")
	assert.Equal(t, "15.5", got[4][0].Sum.String())
	assert.Equal(t, "9", got[4][0].Latest.String())
}

// testAggregateCharges: percentage pricing's per-event charges, against
// the decimal reading over the events ordered by day, then as ingested.
func testAggregateCharges(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	rng := rand.New(rand.NewPCG(3, 4))
	type ev struct {
		day date.Date
		q   decimal.Decimal
	}
	var all []ev
	for b := range 4 {
		var batch []usage.Event
		for i := range 60 {
			d := day("2024-01-01") + date.Date(rng.IntN(60))
			q := decimal.New(rng.Int64N(100000), -int32(rng.IntN(5)))
			if i == 11 {
				q = dec("123456789012345678901234.5678")
			}
			batch = append(batch, usage.Event{ID: fmt.Sprintf("c%d-%d", b, i), ContractID: tr.product.ID, Date: d, Quantity: q})
			all = append(all, ev{d, q})
		}
		_, err := s.Ingest(t.Context(), org, batch)
		require.NoError(t, err)
	}
	bounds := []date.Date{day("2024-01-01"), day("2024-01-15"), day("2024-02-01"), day("2024-03-01"), day("2024-04-01")}
	charges := []usage.Charge{
		{Rate: dec("1.3"), Fee: dec("0.30"), Minimum: decimal.NewNullDecimal(dec("0.50")), Maximum: decimal.NewNullDecimal(dec("25")), Free: 5},
		{Rate: dec("2.9")},
		{Rate: dec("0"), Fee: dec("0.25"), Free: 1000},
		// A rate with more places than integers can carry at the
		// quantities' scale: priced in decimals.
		{Rate: dec("0.0000000000123"), Fee: dec("1"), Maximum: decimal.NewNullDecimal(dec("1.0000001"))},
	}
	var reqs []usage.Request
	for i := range charges {
		reqs = append(reqs, usage.Request{Contract: tr.product.ID, Bounds: bounds, Charge: &charges[i]})
	}
	got, err := s.Aggregate(t.Context(), org, reqs)
	require.NoError(t, err)
	require.Len(t, got, len(charges))
	for i, c := range charges {
		require.Len(t, got[i], len(bounds)-1)
		for k := range len(bounds) - 1 {
			var qs []decimal.Decimal
			for d := bounds[k]; d < bounds[k+1]; d++ { // by day, then as ingested
				for _, e := range all {
					if e.day == d {
						qs = append(qs, e.q)
					}
				}
			}
			w := usage.ChargeEach(c, qs)
			require.NotNil(t, got[i][k].Charges, "charge %d, period %d", i, k)
			g := *got[i][k].Charges
			assert.Truef(t, w.Equal(g), "charge %d, period %d: want %+v, got %+v", i, k, w, g)
			assert.Equal(t, int64(len(qs)), got[i][k].Count, "charge %d, period %d: the aggregates still count every event", i, k)
			identity := g.Quantity.Mul(c.Rate.Shift(-2)).Add(c.Fee.Mul(decimal.NewFromInt(g.Events))).Add(g.RaisedBy).Sub(g.LoweredBy)
			assert.Truef(t, identity.Equal(g.Amount), "charge %d, period %d: amount %s is not %s", i, k, g.Amount, identity)
		}
	}
	c0 := got[0][0].Charges
	assert.Positive(t, c0.Raised, "some small events are raised to the minimum")
	assert.Positive(t, c0.Lowered, "some large events are lowered to the maximum")
	assert.Zero(t, got[0][3].Charges.Events, "March has no usage")
	assert.Zero(t, got[2][1].Charges.Events, "1000 free events cover the period")

	plain, err := s.Aggregate(t.Context(), org, []usage.Request{{Contract: tr.product.ID, Bounds: bounds}})
	require.NoError(t, err)
	assert.Nil(t, plain[0][0].Charges, "a request without a charge gets no charges")
}

func testAggregateNoUsage(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	_, err := s.Ingest(t.Context(), org, []usage.Event{event("u1", tr.product.ID, "2024-02-01", "5")})
	require.NoError(t, err)
	got, err := s.Aggregate(t.Context(), org, []usage.Request{
		{Contract: tr.product.ID, Bounds: []date.Date{day("2024-03-01"), day("2024-04-01")}},
		{Contract: uuid.New(), Bounds: []date.Date{day("2024-01-01"), day("2024-02-01"), day("2024-03-01")}},
	})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Len(t, got[1], 2)
	for _, a := range append(got[0], got[1]...) {
		sameAggregates(t, usage.Aggregates{}, a)
	}
	none, err := s.Aggregate(t.Context(), org, nil)
	require.NoError(t, err)
	assert.Empty(t, none)
}

// testAggregateTimeZone: an event's day is the one it had in its parent
// contract's time zone when it was ingested.
func testAggregateTimeZone(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s) // the parent contract is in Europe/Berlin
	late := usage.Event{ID: "ts", ContractID: tr.product.ID, Timestamp: time.Date(2024, 1, 31, 23, 30, 0, 0, time.UTC),
		Quantity: dec("7")}
	_, err := s.Ingest(t.Context(), org, []usage.Event{late})
	require.NoError(t, err)
	got, err := s.Aggregate(t.Context(), org, []usage.Request{{Contract: tr.product.ID,
		Bounds: []date.Date{day("2024-01-01"), day("2024-02-01"), day("2024-03-01")}}})
	require.NoError(t, err)
	assert.Zero(t, got[0][0].Count, "23:30 UTC on 31 January is 1 February in Berlin")
	sameAggregates(t, usage.Aggregates{Count: 1, Sum: dec("7"), Max: dec("7"), Latest: dec("7")}, got[0][1])
}

// testAggregateProductNamedOrNot: events that name the contract's product
// and events that leave it out are one contract's usage, the latest taken
// by ingest order across both.
func testAggregateProductNamedOrNot(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	named := event("a", tr.product.ID, "2024-02-03", "4")
	named.ProductID = tr.product.ProductID
	_, err := s.Ingest(t.Context(), org, []usage.Event{event("b", tr.product.ID, "2024-02-03", "9"), named})
	require.NoError(t, err)
	got, err := s.Aggregate(t.Context(), org, []usage.Request{{Contract: tr.product.ID,
		Bounds: []date.Date{day("2024-02-01"), day("2024-03-01")}}})
	require.NoError(t, err)
	sameAggregates(t, usage.Aggregates{Count: 2, Sum: dec("13"), Max: dec("9"), Latest: dec("4")}, got[0][0])
}

func testAggregateBadRequest(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	for name, tt := range map[string]struct {
		req   usage.Request
		field string
	}{
		"no contract":         {usage.Request{Bounds: []date.Date{day("2024-01-01"), day("2024-02-01")}}, "requests[1].contract"},
		"one bound":           {usage.Request{Contract: tr.product.ID, Bounds: []date.Date{day("2024-01-01")}}, "requests[1].bounds"},
		"bounds not in order": {usage.Request{Contract: tr.product.ID, Bounds: []date.Date{day("2024-02-01"), day("2024-01-01")}}, "requests[1].bounds[1]"},
		"negative rate": {usage.Request{Contract: tr.product.ID, Bounds: []date.Date{day("2024-01-01"), day("2024-02-01")},
			Charge: &usage.Charge{Rate: dec("-1")}}, "requests[1].charge.rate"},
		"minimum above maximum": {usage.Request{Contract: tr.product.ID, Bounds: []date.Date{day("2024-01-01"), day("2024-02-01")},
			Charge: &usage.Charge{Rate: dec("1"), Minimum: decimal.NewNullDecimal(dec("2")), Maximum: decimal.NewNullDecimal(dec("1"))}},
			"requests[1].charge.minimum"},
		"unknown aggregate": {usage.Request{Contract: tr.product.ID, Bounds: []date.Date{day("2024-01-01"), day("2024-02-01")},
			Want: 1 << 6}, "requests[1].want"},
		"negative free events": {usage.Request{Contract: tr.product.ID, Bounds: []date.Date{day("2024-01-01"), day("2024-02-01")},
			Charge: &usage.Charge{Rate: dec("1"), Free: -1}}, "requests[1].charge.free"},
	} {
		t.Run(name, func(t *testing.T) {
			good := usage.Request{Contract: tr.product.ID, Bounds: []date.Date{day("2024-01-01"), day("2024-02-01")}}
			_, err := s.Aggregate(t.Context(), org, []usage.Request{good, tt.req})
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Equal(t, []string{tt.field}, fields(err))
		})
	}
}

// testAggregateTenancy: one organization never counts another's usage.
func testAggregateTenancy(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	_, err := s.Ingest(t.Context(), org, []usage.Event{event("u1", tr.product.ID, "2024-02-01", "5")})
	require.NoError(t, err)
	got, err := s.Aggregate(t.Context(), uuid.New(), []usage.Request{{Contract: tr.product.ID,
		Bounds: []date.Date{day("2024-01-01"), day("2025-01-01")}}})
	require.NoError(t, err)
	sameAggregates(t, usage.Aggregates{}, got[0][0])
}
