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
