package memory_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/benchratio"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// BenchmarkPercentageRatio asks the memory store, through the aggregation
// seam (Store.Aggregate), for the charges of 1 M events of one product
// contract in January 2024 priced one at a time by a percentage plan
// (1.3 % of the quantity plus 0.30 an event, each event between 0.50 and
// 10.00, the first 100 free), as a ratio to the same request for the sum
// alone (no Charge, usage.WantSum), side by side in CPU time, five calls
// of each a round. It reports the wall-clock rate of each side as
// "events/s" (charges) and "sum-events/s".
//
// The events come in time order, as a meter sends them, 32 258 or so a
// day, with quantities 0.00–999.99 from an integer sequence: about 1.5 %
// of the paying ones are raised to the event minimum and a quarter lowered
// to the event maximum. Every answer is checked against usage.ChargeEach,
// the decimal reference, computed once over the same quantities before the
// timer, and against their exact sum.
//
//	go test -run '^$' -bench PercentageRatio -benchtime 9x ./store/memory/
func BenchmarkPercentageRatio(b *testing.B) {
	ctx := context.Background()
	org := uuid.New()
	jan1, feb1 := uday("2024-01-01"), uday("2024-02-01")
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Percentage, Rate: udec("1.3"), EventFee: udec("0.30"),
		EventMinimum: decimal.NewNullDecimal(udec("0.50")), EventMaximum: decimal.NewNullDecimal(udec("10.00")), FreeEvents: 100}
	pr, err := p.Pricer()
	if err != nil {
		b.Fatal(err)
	}
	charge := pr.Charge()
	pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID, Dates: contract.Dates{Start: jan1}}
	parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(), Dates: contract.Dates{Start: jan1},
		ProductContracts: []uuid.UUID{pc.ID}}}
	s := memory.New()
	objs := contract.Objects{Plans: []plan.TierPlan{p}, ParentContracts: []contract.ParentContract{parent},
		ProductContracts: []contract.ProductContract{pc}}
	if _, err := s.Save(ctx, org, store.Batch{Objects: objs}); err != nil {
		b.Fatal(err)
	}

	const n = 1_000_000
	days := int(feb1 - jan1)
	quantities := make([]decimal.Decimal, n) // in ingest order, which is by day
	sum := decimal.Zero
	batch := make([]usage.Event, 0, 1000)
	for i := range n {
		q := decimal.New(int64((i*7919+13)%100_000), -2)
		quantities[i], sum = q, sum.Add(q)
		batch = append(batch, usage.Event{ID: "evt_" + strconv.Itoa(i), ContractID: pc.ID,
			Date: jan1 + date.Date(i*days/n), Quantity: q})
		if len(batch) == cap(batch) {
			if _, err := s.Ingest(ctx, org, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	want := usage.ChargeEach(*charge, quantities)
	if want.Events != n-charge.Free || want.Raised == 0 || want.Lowered == 0 || !want.Amount.IsPositive() {
		b.Fatalf("reference %+v: want every bound exercised", want)
	}

	bounds := []date.Date{jan1, feb1}
	priced := []usage.Request{{Contract: pc.ID, Bounds: bounds, Want: usage.WantSum, Charge: charge}}
	summed := []usage.Request{{Contract: pc.ID, Bounds: bounds, Want: usage.WantSum}}
	var pricedWall, summedWall []float64
	b.ReportAllocs() // per round: five calls of each side
	benchratio.Measure(b, 5, func() {
		start := time.Now()
		got, err := s.Aggregate(ctx, org, priced)
		pricedWall = append(pricedWall, time.Since(start).Seconds())
		if err != nil {
			b.Fatal(err)
		}
		if c := got[0][0].Charges; c == nil || !c.Equal(want) {
			b.Fatalf("charges %+v, want %+v", c, want)
		}
	}, func() {
		start := time.Now()
		got, err := s.Aggregate(ctx, org, summed)
		summedWall = append(summedWall, time.Since(start).Seconds())
		if err != nil {
			b.Fatal(err)
		}
		if a := got[0][0]; !a.Sum.Equal(sum) || a.Charges != nil {
			b.Fatalf("aggregates %+v, want the sum %s and no charges", a, sum)
		}
	})
	b.ReportMetric(n/benchratio.Median(pricedWall), "events/s")
	b.ReportMetric(n/benchratio.Median(summedWall), "sum-events/s")
}
