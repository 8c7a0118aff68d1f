package billing_test

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/benchratio"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// benchTiers is a graduated plan of 10 tiers: [0, 1000], (1000, 2000], …
// with unit prices falling from 0.100 by 0.005, and a flat 5 to enter the
// first.
func benchTiers() plan.TierPlan {
	p := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated}
	for i := range 10 {
		t := plan.Tier{Start: decimal.NewFromInt(int64(i) * 1000), UnitPrice: decimal.New(int64(100-i*5), -3)}
		if i < 9 {
			t.End = decimal.NewNullDecimal(decimal.NewFromInt(int64(i+1) * 1000))
		}
		if i == 0 {
			t.FlatFee = decimal.NewFromInt(5)
		}
		p.Tiers = append(p.Tiers, t)
	}
	return p
}

// book is a portfolio in a memory store: contracts parent contracts, each
// with a monthly fee of 49.00 and products product contracts on the
// 10-tier plan, each with events usage events over January 2024; and the
// same quantities as int64s with the dense index of their product
// contract, for the baseline.
type book struct {
	st        *memory.Store
	org       uuid.UUID
	quantity  []int64
	contract  []int32
	contracts int
	products  int
}

func newBook(tb testing.TB, contracts, products, events int) *book {
	tb.Helper()
	ctx := context.Background()
	jan1 := date.New(2024, 1, 1)
	bk := &book{st: memory.New(), org: uuid.New(), contracts: contracts, products: products}
	p := benchTiers()
	fee := plan.FixedFee{ID: uuid.New(), Amount: decimal.NewFromInt(49)}
	objs := contract.Objects{Plans: []plan.TierPlan{p}, FixedFees: []plan.FixedFee{fee}}
	var batch []usage.Event
	flush := func() {
		if _, err := bk.st.Ingest(ctx, bk.org, batch); err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
	var pcs []uuid.UUID
	for c := range contracts {
		parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
			Dates: contract.Dates{Start: jan1}, FixedFees: []uuid.UUID{fee.ID}}}
		for range products {
			pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID, Dates: contract.Dates{Start: jan1}}
			parent.ProductContracts = append(parent.ProductContracts, pc.ID)
			objs.ProductContracts = append(objs.ProductContracts, pc)
			pcs = append(pcs, pc.ID)
		}
		objs.ParentContracts = append(objs.ParentContracts, parent)
		if c%1000 == 999 || c == contracts-1 {
			if _, err := bk.st.Save(ctx, bk.org, store.Batch{Objects: objs}); err != nil {
				tb.Fatal(err)
			}
			objs = contract.Objects{}
		}
	}
	for i, pc := range pcs {
		for k := range events {
			q := int64(k%7+1) * 37
			batch = append(batch, usage.Event{ID: strconv.Itoa(i*events + k), ContractID: pc,
				Date: jan1 + date.Date(k%31), Quantity: decimal.NewFromInt(q)})
			bk.quantity = append(bk.quantity, q)
			bk.contract = append(bk.contract, int32(i))
			if len(batch) == 10000 {
				flush()
			}
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return bk
}

// run rates January for every contract with billing.Portfolio and
// returns the sum of the totals, so that nothing is optimized away.
func (bk *book) run(tb testing.TB) decimal.Decimal {
	var total decimal.Decimal
	n := 0
	err := billing.Portfolio(context.Background(), bk.st, bk.org, billing.Run{From: date.New(2024, 1, 1), To: date.New(2024, 1, 31)},
		func(r billing.Result) error {
			if r.Err != nil {
				return r.Err
			}
			n++
			total = total.Add(r.Statements[0].Total)
			return nil
		})
	if err != nil {
		tb.Fatal(err)
	}
	if n != bk.contracts {
		tb.Fatalf("rated %d contracts of %d", n, bk.contracts)
	}
	return total
}

// baseline sums the month's quantities per product contract in int64s,
// through the dense index: the least any rating does.
func (bk *book) baseline() int64 {
	sums := make([]int64, bk.contracts*bk.products)
	for i, q := range bk.quantity {
		sums[bk.contract[i]] += q
	}
	var all int64
	for _, s := range sums {
		all += s
	}
	return all
}

var sink atomic.Int64

// BenchmarkPortfolioRatio rates 10 000 parent contracts × 3 product
// contracts × 100 events for a month from a memory store, on every core,
// as a ratio to summing the same 3 M quantities in int64s, side by side
// in CPU time:
//
//	go test -run '^$' -bench PortfolioRatio -benchtime 9x ./billing/
func BenchmarkPortfolioRatio(b *testing.B) {
	bk := newBook(b, 10000, 3, 100)
	want := bk.run(b)
	benchratio.Measure(b, 1, func() {
		if got := bk.run(b); !got.Equal(want) {
			b.Fatalf("total %s, want %s", got, want)
		}
	}, func() { sink.Add(bk.baseline()) })
	b.ReportMetric(float64(bk.contracts)/medianWall(b, bk), "contracts/s")
}

// medianWall times three more runs on the wall clock.
func medianWall(b *testing.B, bk *book) float64 {
	var ts []float64
	for range 3 {
		start := time.Now()
		bk.run(b)
		ts = append(ts, time.Since(start).Seconds())
	}
	return benchratio.Median(ts)
}

// BenchmarkPortfolioHeap reports the heap a portfolio run needs beyond
// its inputs (the store's events and documents, measured as the live heap
// before the run): the peak of the heap the collector found live, and the
// peak of all heap objects, dead ones not yet collected included (which
// GOGC=100 lets grow to about twice the live heap).
//
//	go test -run '^$' -bench PortfolioHeap -benchtime 3x ./billing/
func BenchmarkPortfolioHeap(b *testing.B) {
	bk := newBook(b, 10000, 3, 100)
	runtime.GC()
	runtime.GC()
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(samples)
	inputs := float64(samples[0].Value.Uint64())
	var peakLive, peakAll atomic.Uint64
	done := make(chan struct{})
	go func() {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
			metrics.Read(s)
			peakLive.Store(max(peakLive.Load(), s[0].Value.Uint64()))
			peakAll.Store(max(peakAll.Load(), s[1].Value.Uint64()))
		}
	}()
	for b.Loop() {
		bk.run(b)
	}
	runtime.GC() // a last cycle, so the live peak counts the run's end
	time.Sleep(5 * time.Millisecond)
	close(done)
	b.ReportMetric(inputs/(1<<20), "inputs-MB")
	b.ReportMetric(float64(peakLive.Load())/inputs, "live-x-inputs")
	b.ReportMetric(float64(peakAll.Load())/inputs, "heap-x-inputs")
}

// BenchmarkPortfolioScaling rates portfolios of 1 000, 10 000 and 100 000
// parent contracts (3 product contracts × 10 events each) and states the
// exponent of the CPU time per run in the number of contracts (1 is
// linear):
//
//	go test -run '^$' -bench PortfolioScaling -benchtime 3x -timeout 30m ./billing/
func BenchmarkPortfolioScaling(b *testing.B) {
	sizes := []int{1000, 10000, 100000}
	cpu := make([]float64, len(sizes))
	for i, n := range sizes {
		bk := newBook(b, n, 3, 10)
		bk.run(b) // warm
		var ts []float64
		for range 5 {
			start := benchratio.CPU()
			bk.run(b)
			ts = append(ts, float64(benchratio.CPU()-start))
		}
		cpu[i] = benchratio.Median(ts)
		bk = nil
		runtime.GC()
	}
	for b.Loop() {
	}
	for i, n := range sizes {
		b.ReportMetric(cpu[i]/float64(n), fmt.Sprintf("cpu-ns/contract@%d", n))
	}
	last := len(sizes) - 1
	b.ReportMetric(math.Log(cpu[last]/cpu[0])/math.Log(float64(sizes[last])/float64(sizes[0])), "exponent")
}
