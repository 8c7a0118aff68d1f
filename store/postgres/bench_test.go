package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// BenchmarkSaveTree saves the 11-document tree fixture (a replacement after
// the first round): one transaction with its checks.
func BenchmarkSaveTree(b *testing.B) {
	s, org := newStore(b)
	ctx := context.Background()
	batch := batchOf(objects(b, treeJSON))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Save(ctx, org, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch.Len()), "docs/op")
}

// BenchmarkGetParent reads one parent contract.
func BenchmarkGetParent(b *testing.B) {
	s, org := newStore(b)
	saveTree(b, s, org)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(ctx, org, contract.KindParentContract, idParent); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolveTree reads a whole tree with store.Resolve (one Get per
// level and kind).
func BenchmarkResolveTree(b *testing.B) {
	s, org := newStore(b)
	saveTree(b, s, org)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := store.Resolve(ctx, s, org, idParent); err != nil {
			b.Fatal(err)
		}
	}
}

func thousandEvents(prefix string) []usage.Event {
	events := make([]usage.Event, 1000)
	for i := range events {
		events[i] = usage.Event{ID: fmt.Sprintf("%s-%04d", prefix, i), ContractID: idPC1,
			Date: date.MustParseISO("2024-03-01") + date.Date(i%31), Quantity: decimal.New(int64(i), -2)}
	}
	return events
}

// BenchmarkIngest1000 ingests a batch of 1000 new events.
func BenchmarkIngest1000(b *testing.B) {
	s, org := newStore(b)
	saveTree(b, s, org)
	ctx := context.Background()
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		if _, err := s.Ingest(ctx, org, thousandEvents(fmt.Sprint(n))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*1000), "ns/event")
}

// BenchmarkIngest1000Replay ingests the same 1000 events again: every one
// is a replay.
func BenchmarkIngest1000Replay(b *testing.B) {
	s, org := newStore(b)
	saveTree(b, s, org)
	ctx := context.Background()
	events := thousandEvents("r")
	_, err := s.Ingest(ctx, org, events)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Ingest(ctx, org, events); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUsageMonth reads a month of 1000 events back.
func BenchmarkUsageMonth(b *testing.B) {
	s, org := newStore(b)
	saveTree(b, s, org)
	ctx := context.Background()
	_, err := s.Ingest(ctx, org, thousandEvents("m"))
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Usage(ctx, org, []uuid.UUID{idPC1}, date.MustParseISO("2024-03-01"), date.MustParseISO("2024-03-31")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAggregateMonth sums a month of 1000 events in the database.
func BenchmarkAggregateMonth(b *testing.B) {
	s, org := newStore(b)
	saveTree(b, s, org)
	ctx := context.Background()
	_, err := s.Ingest(ctx, org, thousandEvents("a"))
	require.NoError(b, err)
	month := []usage.Request{{Contract: idPC1, Bounds: []date.Date{date.MustParseISO("2024-03-01"), date.MustParseISO("2024-04-01")}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Aggregate(ctx, org, month); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngestContracts ingests batches of 10 000 new events spread over
// 10, 100, 1 000 and 10 000 product contracts of one parent contract: the
// cost of a batch must grow with its size and the contracts it touches,
// not with their square (the time zone lookup once was quadratic).
func BenchmarkIngestContracts(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s, org := newStore(b)
			ctx := context.Background()
			jan1 := date.MustParseISO("2024-01-01")
			p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.NewFromInt(1)}}}
			objs := contract.Objects{Plans: []plan.TierPlan{p}}
			parent := contract.ParentContract{TimeZone: "Europe/Berlin", SubContract: contract.SubContract{ID: uuid.New(), Dates: contract.Dates{Start: jan1}}}
			pcs := make([]uuid.UUID, n)
			for i := range pcs {
				pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID, Dates: contract.Dates{Start: jan1}}
				objs.ProductContracts = append(objs.ProductContracts, pc)
				pcs[i] = pc.ID
			}
			parent.ProductContracts = pcs
			objs.ParentContracts = []contract.ParentContract{parent}
			_, err := s.Save(ctx, org, store.Batch{Objects: objs})
			require.NoError(b, err)
			batch := make([]usage.Event, 10000)
			round := 0
			b.ReportAllocs()
			for b.Loop() {
				round++
				for i := range batch {
					batch[i] = usage.Event{ID: fmt.Sprintf("%d-%d", round, i), ContractID: pcs[i%n],
						Timestamp: time.Date(2024, 3, 1+i%28, i%24, 0, 0, 0, time.UTC), Quantity: decimal.NewFromInt(int64(i % 97))}
				}
				if _, err := s.Ingest(ctx, org, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(round*len(batch)), "ns/event")
		})
	}
}
