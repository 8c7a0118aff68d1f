package memory_test

import (
	"context"
	"hash/maphash"
	"math/rand/v2"
	"strconv"
	"testing"

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

// ingestFixture is 1 000 parent contracts of 10 product contracts each
// (UTC and New York) and 1 M events for them, as a meter sends them:
// interleaved, with ids.
func ingestFixture() (contract.Objects, []usage.Event) {
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Volume, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: udec("0.01")}}}
	objs := contract.Objects{Plans: []plan.TierPlan{p}}
	var pcs []uuid.UUID
	for c := range 1000 {
		parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
			Dates: contract.Dates{Start: uday("2024-01-01")}}, CustomerID: uuid.New()}
		if c%2 == 1 {
			parent.TimeZone = "America/New_York"
		}
		for range 10 {
			pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID,
				Dates: contract.Dates{Start: uday("2024-01-01")}}
			objs.ProductContracts = append(objs.ProductContracts, pc)
			parent.ProductContracts = append(parent.ProductContracts, pc.ID)
			pcs = append(pcs, pc.ID)
		}
		objs.ParentContracts = append(objs.ParentContracts, parent)
	}
	r := rand.New(rand.NewPCG(3, 3))
	events := make([]usage.Event, 1_000_000)
	for i := range events {
		events[i] = usage.Event{ID: "evt_" + strconv.Itoa(1_000_000+i), ContractID: pcs[r.IntN(len(pcs))],
			Date: uday("2024-01-01") + date.Date(r.IntN(91)), Quantity: decimal.New(r.Int64N(100_000), -int32(r.IntN(4)))}
	}
	return objs, events
}

// BenchmarkIngest ingests the fixture's 1 M validated events, in batches
// of 1 000, into a memory store holding its contracts.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	org := uuid.New()
	objs, events := ingestFixture()
	b.ReportAllocs()
	for b.Loop() {
		s := memory.New()
		if _, err := s.Save(ctx, org, store.Batch{Objects: objs}); err != nil {
			b.Fatal(err)
		}
		for k := 0; k < len(events); k += 1000 {
			if _, err := s.Ingest(ctx, org, events[k:k+1000]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func uday(s string) date.Date       { return date.MustParseISO(s) }
func udec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// BenchmarkIngestRatio is BenchmarkIngest as a ratio to hashing the same
// ids (the least any idempotent ingestion does), side by side:
//
//	go test -run '^$' -bench IngestRatio -benchtime 10x ./store/memory/
func BenchmarkIngestRatio(b *testing.B) {
	ctx := context.Background()
	org := uuid.New()
	objs, events := ingestFixture()
	var s *memory.Store
	seed := maphash.MakeSeed()
	var sink uint64
	benchratio.MeasureWith(b, 1, func() {
		s = memory.New()
		if _, err := s.Save(ctx, org, store.Batch{Objects: objs}); err != nil {
			b.Fatal(err)
		}
	}, func() {
		for k := 0; k < len(events); k += 1000 {
			if _, err := s.Ingest(ctx, org, events[k:k+1000]); err != nil {
				b.Fatal(err)
			}
		}
	}, func() {
		for i := range events {
			sink += maphash.String(seed, events[i].ID)
		}
	})
	_ = sink
}

// BenchmarkAggregateSeamRatio asks the memory store, through the
// aggregation seam (Store.Aggregate), for every aggregate ("all"; "sum":
// the sum alone, as a plan aggregating by sum asks) of 100 000
// product contracts over the three months of a quarter, 1 M events in
// all, as a ratio to a dense int64 array pass over the same events (each
// quantity added to its cell, the cell found from its contract's index
// and its month), side by side in CPU time. The answer is 300 000
// usage.Aggregates of three decimals each; their making is most of the
// difference from the log's own pass (BenchmarkAggregateRatio in
// internal/usagelog).
//
//	go test -run '^$' -bench AggregateSeamRatio -benchtime 15x ./store/memory/
func BenchmarkAggregateSeamRatio(b *testing.B) {
	ctx := context.Background()
	org := uuid.New()
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Volume, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: udec("0.01")}}}
	objs := contract.Objects{Plans: []plan.TierPlan{p}}
	var pcs []uuid.UUID
	for range 10_000 {
		parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(), Dates: contract.Dates{Start: uday("2024-01-01")}}}
		for range 10 {
			pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID, Dates: contract.Dates{Start: uday("2024-01-01")}}
			objs.ProductContracts = append(objs.ProductContracts, pc)
			parent.ProductContracts = append(parent.ProductContracts, pc.ID)
			pcs = append(pcs, pc.ID)
		}
		objs.ParentContracts = append(objs.ParentContracts, parent)
	}
	s := memory.New()
	if _, err := s.Save(ctx, org, store.Batch{Objects: objs}); err != nil {
		b.Fatal(err)
	}
	months := []date.Date{uday("2024-01-01"), uday("2024-02-01"), uday("2024-03-01"), uday("2024-04-01")}
	r := rand.New(rand.NewPCG(5, 5))
	const n = 1_000_000
	contractOf, monthOf, qty := make([]int32, n), make([]uint8, n), make([]int64, n)
	batch := make([]usage.Event, 0, 1000)
	for i := range n {
		c, d := r.IntN(len(pcs)), uday("2024-01-01")+date.Date(r.IntN(91))
		q := r.Int64N(100_000)
		batch = append(batch, usage.Event{ID: "evt_" + strconv.Itoa(i), ContractID: pcs[c], Date: d, Quantity: decimal.New(q, -3)})
		contractOf[i], qty[i] = int32(c), q
		for k := range 3 {
			if d >= months[k] && d < months[k+1] {
				monthOf[i] = uint8(k)
			}
		}
		if len(batch) == cap(batch) {
			if _, err := s.Ingest(ctx, org, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	cells := make([]int64, 3*len(pcs))
	var total int64
	for _, w := range []struct {
		name string
		want usage.Want
	}{{"all", usage.WantAll}, {"sum", usage.WantSum}} {
		reqs := make([]usage.Request, len(pcs))
		for i, pc := range pcs {
			reqs[i] = usage.Request{Contract: pc, Bounds: months, Want: w.want}
		}
		b.Run(w.name, func(b *testing.B) {
			benchratio.Measure(b, 1, func() {
				got, err := s.Aggregate(ctx, org, reqs)
				if err != nil || len(got) != len(reqs) {
					b.Fatal(err)
				}
			}, func() {
				clear(cells)
				for i, c := range contractOf {
					cells[int(c)*3+int(monthOf[i])] += qty[i]
				}
				total += cells[0]
			})
		})
	}
	_ = total
}
