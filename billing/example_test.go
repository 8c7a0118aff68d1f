package billing_test

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// Save a contract tree, ingest usage and rate January from the store.
func ExampleRate() {
	ctx := context.Background()
	st := memory.New()
	org := uuid.New()
	jan1 := date.New(2024, 1, 1)
	perGB := plan.TierPlan{ID: uuid.New(), Pricing: plan.Volume, Tiers: []plan.Tier{
		{Start: decimal.Zero, End: decimal.NewNullDecimal(decimal.NewFromInt(100)), UnitPrice: decimal.RequireFromString("0.50")},
		{Start: decimal.NewFromInt(100), UnitPrice: decimal.RequireFromString("0.25")},
	}}
	storage := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: perGB.ID,
		Dates: contract.Dates{Start: jan1}}
	parent := contract.ParentContract{CustomerID: uuid.New(), Currency: "EUR", SubContract: contract.SubContract{
		ID: uuid.New(), Dates: contract.Dates{Start: jan1}, ProductContracts: []uuid.UUID{storage.ID}}}
	if _, err := st.Save(ctx, org, store.Batch{Objects: contract.Objects{Plans: []plan.TierPlan{perGB},
		ProductContracts: []contract.ProductContract{storage}, ParentContracts: []contract.ParentContract{parent}}}); err != nil {
		panic(err)
	}
	if _, err := st.Ingest(ctx, org, []usage.Event{
		{ID: "gb-1", ContractID: storage.ID, Date: jan1 + 2, Quantity: decimal.NewFromInt(80)},
		{ID: "gb-2", ContractID: storage.ID, Date: jan1 + 20, Quantity: decimal.NewFromInt(70)},
	}); err != nil {
		panic(err)
	}

	stmts, err := billing.Rate(ctx, st, org, parent.ID, jan1, date.New(2024, 1, 31))
	if err != nil {
		panic(err)
	}
	for _, l := range stmts[0].Lines {
		fmt.Println(l.Kind, l.Quantity, l.Amount.StringFixed(2), "|", l.Calculation)
	}
	fmt.Println("total", stmts[0].Total.StringFixed(2), stmts[0].Currency)
	// Output:
	// usage 150 37.50 | 150 × 0.25 = 37.50
	// total 37.50 EUR
}

// Simulate prices usage that is not stored: what would this month cost?
func ExampleSimulate() {
	ctx := context.Background()
	st := memory.New()
	org := uuid.New()
	jan1 := date.New(2024, 1, 1)
	seats := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Aggregation: plan.Max,
		Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.NewFromInt(12)}}}
	pc := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: seats.ID,
		Dates: contract.Dates{Start: jan1}}
	parent := contract.ParentContract{CustomerID: uuid.New(), SubContract: contract.SubContract{
		ID: uuid.New(), Dates: contract.Dates{Start: jan1}, ProductContracts: []uuid.UUID{pc.ID}}}
	if _, err := st.Save(ctx, org, store.Batch{Objects: contract.Objects{Plans: []plan.TierPlan{seats},
		ProductContracts: []contract.ProductContract{pc}, ParentContracts: []contract.ParentContract{parent}}}); err != nil {
		panic(err)
	}

	what := []usage.Event{
		{ContractID: pc.ID, Date: jan1, Quantity: decimal.NewFromInt(8)},
		{ContractID: pc.ID, Date: jan1 + 14, Quantity: decimal.NewFromInt(11)},
	}
	stmts, err := billing.Simulate(ctx, st, org, parent.ID, what, jan1, date.New(2024, 1, 31))
	if err != nil {
		panic(err)
	}
	fmt.Println("peak seats", stmts[0].Lines[0].Quantity, "cost", stmts[0].Total.StringFixed(2))
	stored, _ := billing.Rate(ctx, st, org, parent.ID, jan1, date.New(2024, 1, 31))
	fmt.Println("stored usage still bills", stored[0].Total.StringFixed(2))
	// Output:
	// peak seats 11 cost 132.00
	// stored usage still bills 0.00
}

// Issue January, then bill an event that arrives late for it: January
// stays as issued, and February carries the difference.
func ExampleIssue() {
	ctx := context.Background()
	st := memory.New()
	org := uuid.New()
	jan1, feb1 := date.New(2024, 1, 1), date.New(2024, 2, 1)
	calls := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated,
		Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.RequireFromString("0.10")}}}
	api := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: calls.ID,
		Dates: contract.Dates{Start: jan1}}
	parent := contract.ParentContract{CustomerID: uuid.New(), SubContract: contract.SubContract{
		ID: uuid.New(), Dates: contract.Dates{Start: jan1}, ProductContracts: []uuid.UUID{api.ID}}}
	if _, err := st.Save(ctx, org, store.Batch{Objects: contract.Objects{Plans: []plan.TierPlan{calls},
		ProductContracts: []contract.ProductContract{api}, ParentContracts: []contract.ParentContract{parent}}}); err != nil {
		panic(err)
	}
	ingest := func(id string, day date.Date, q int64) {
		if _, err := st.Ingest(ctx, org, []usage.Event{{ID: id, ContractID: api.ID, Date: day,
			Quantity: decimal.NewFromInt(q)}}); err != nil {
			panic(err)
		}
	}
	ingest("c1", jan1+9, 120)

	shown, err := billing.Rate(ctx, st, org, parent.ID, jan1, jan1)
	if err != nil {
		panic(err)
	}
	jan, err := billing.Issue(ctx, st, org, parent.ID, jan1, &shown[0])
	if err != nil {
		panic(err)
	}
	fmt.Println("issued", jan.Number, jan.PeriodStart, jan.Total.StringFixed(2))

	ingest("c2", jan1+19, 30) // late for January
	ingest("c3", feb1+4, 10)
	stmts, err := billing.Rate(ctx, st, org, parent.ID, jan1, feb1)
	if err != nil {
		panic(err)
	}
	fmt.Println("January", stmts[0].Total.StringFixed(2), "issued:", stmts[0].Issued)
	for _, l := range stmts[1].Lines {
		fmt.Println(l.Kind, l.Amount.StringFixed(2), "|", l.Calculation)
	}
	fmt.Println("February", stmts[1].Total.StringFixed(2))
	// Output:
	// issued 1 2024-01-01 12.00
	// January 12.00 issued: true
	// usage 1.00 | 10 × 0.10 = 1.00
	// adjustment 3.00 | late usage: quantity 120 → 150; 12.00 → 15.00
	// February 4.00
}
