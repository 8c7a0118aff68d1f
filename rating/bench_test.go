package rating_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/usage"
)

// tenTiers is a graduated plan of 10 tiers: [0,1000], [1000,2000], … with
// prices falling from 0.10.
func tenTiers() plan.TierPlan {
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

func BenchmarkPrice10Tiers(b *testing.B) {
	pr, err := tenTiers().Pricer()
	if err != nil {
		b.Fatal(err)
	}
	q := decimal.NewFromInt(1234567)
	want, _ := pr.Explain(q, 2)
	if got := pr.Amount(q); !got.Equal(want) {
		b.Fatalf("fast path %s, decimal path %s", got, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		pr.Amount(q)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/price")
}

// portfolioContract builds one parent contract with products product
// contracts on graduated plans, a monthly fee and a discount, and events
// usage events per product spread over January 2024.
func portfolioContract(products, events int, p plan.TierPlan) rating.Input {
	start := date.New(2024, time.January, 1)
	fee := plan.FixedFee{ID: uuid.New(), Amount: decimal.NewFromInt(49)}
	parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
		Dates: contract.Dates{Start: start}, FixedFees: []uuid.UUID{fee.ID}}}
	in := rating.Input{Contract: parent.ID, From: start, To: start + 30}
	in.Objects.Plans = []plan.TierPlan{p}
	in.Objects.FixedFees = []plan.FixedFee{fee}
	for i := range products {
		pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: p.ID,
			Dates: contract.Dates{Start: start}}
		parent.ProductContracts = append(parent.ProductContracts, pc.ID)
		in.Objects.ProductContracts = append(in.Objects.ProductContracts, pc)
		for k := range events {
			in.Usage = append(in.Usage, usage.Event{ID: fmt.Sprintf("%d-%d", i, k), ContractID: pc.ID,
				Date: start + date.Date(k%31), Quantity: decimal.NewFromInt(int64(k%7 + 1))})
		}
	}
	in.Objects.ParentContracts = []contract.ParentContract{parent}
	return in
}

func BenchmarkContractMonth1000Events(b *testing.B) {
	in := portfolioContract(1, 1000, tenTiers())
	if _, err := rating.Rate(in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rating.Rate(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPortfolio10000 rates 10 000 parent contracts (3 product
// contracts of 100 events each) for one month, on every core.
func BenchmarkPortfolio10000(b *testing.B) {
	const contracts = 10000
	p := tenTiers()
	inputs := make([]rating.Input, contracts)
	for i := range inputs {
		inputs[i] = portfolioContract(3, 100, p)
	}
	workers := runtime.GOMAXPROCS(0)
	b.ReportAllocs()
	for b.Loop() {
		var wg sync.WaitGroup
		next := make(chan int, workers*4)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if _, err := rating.Rate(inputs[i]); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for i := range inputs {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	b.ReportMetric(float64(b.N)*contracts/b.Elapsed().Seconds(), "contracts/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/portfolio")
}

// BenchmarkLine prices the quantity of a usage line as rating does
// (plan.Pricer.Line: the rounded amount and its explanation), through 10
// graduated tiers and through a unit price, and then writes the
// explanation as a statement's output would.
func BenchmarkLine(b *testing.B) {
	unit := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated,
		Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.RequireFromString("0.0125")}}}
	for _, c := range []struct {
		name string
		p    plan.TierPlan
		q    decimal.Decimal
	}{
		{"10-tiers", tenTiers(), decimal.NewFromInt(1234567)},
		{"unit", unit, decimal.RequireFromString("12345.678")},
	} {
		pr, err := c.p.Pricer()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pr.Line(c.q, 2)
			}
		})
		b.Run(c.name+"/text", func(b *testing.B) {
			_, x := pr.Line(c.q, 2)
			buf := x.AppendText(nil)
			b.ReportAllocs()
			for b.Loop() {
				buf = x.AppendText(buf[:0])
			}
		})
	}
}
