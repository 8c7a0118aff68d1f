// Command quickstart builds a small contract tree in the in-memory store — a
// parent contract with a product contract on graduated tiers, a monthly
// platform fee and a 10 % discount — ingests a month of usage and prints
// the statement.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

func main() {
	ctx := context.Background()
	st := memory.New()
	org := uuid.MustParse("0a000000-0000-4000-8000-000000000001")
	jan1 := date.New(2024, time.January, 1)

	apiCalls := plan.TierPlan{
		ID: uuid.New(), DisplayName: "API calls", Pricing: plan.Graduated,
		Tiers: []plan.Tier{
			{Start: d("0"), End: decimal.NewNullDecimal(d("1000")), UnitPrice: d("0"), FlatFee: d("0")},
			{Start: d("1000"), End: decimal.NewNullDecimal(d("10000")), UnitPrice: d("0.02")},
			{Start: d("10000"), UnitPrice: d("0.01")},
		},
	}
	platform := plan.FixedFee{ID: uuid.New(), DisplayName: "Platform", Amount: d("49")}
	tenOff := modifier.Discount{ID: uuid.New(), DisplayName: "Launch 10%", Percentage: decimal.NewNullDecimal(d("10"))}
	api := contract.ProductContract{ID: uuid.New(), DisplayName: "API", ProductID: uuid.New(),
		PlanID: apiCalls.ID, Dates: contract.Dates{Start: jan1}}
	parent := contract.ParentContract{
		SubContract: contract.SubContract{ID: uuid.New(), DisplayName: "Acme Corp", Dates: contract.Dates{Start: jan1},
			ProductContracts: []uuid.UUID{api.ID}, FixedFees: []uuid.UUID{platform.ID}, Discounts: []uuid.UUID{tenOff.ID}},
		CustomerID: uuid.New(), Currency: "USD",
	}
	_, err := st.Save(ctx, org, store.Batch{Objects: contract.Objects{
		Plans: []plan.TierPlan{apiCalls}, FixedFees: []plan.FixedFee{platform}, Discounts: []modifier.Discount{tenOff},
		ProductContracts: []contract.ProductContract{api}, ParentContracts: []contract.ParentContract{parent},
	}})
	check(err)

	var events []usage.Event
	for day := range 31 {
		events = append(events, usage.Event{ID: fmt.Sprintf("req-%02d", day+1), ContractID: api.ID,
			Date: jan1 + date.Date(day), Quantity: d("500")})
	}
	_, err = st.Ingest(ctx, org, events)
	check(err)

	statements, err := billing.Rate(ctx, st, org, parent.ID, jan1, jan1+30)
	check(err)
	for _, s := range statements {
		print(s)
	}
}

func print(s rating.Statement) {
	fmt.Printf("Statement %s – %s (%s)\n\n", s.PeriodStart, s.PeriodEnd, s.Currency)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "%s\t%8s\t%10s\t%s\n", "kind", "quantity", "amount", "calculation")
	for _, l := range s.Lines {
		q := ""
		if l.Kind == rating.KindUsage {
			q = l.Quantity.String()
		}
		fmt.Fprintf(w, "%s\t%8s\t%10s\t%s\n", l.Kind, q, l.Amount.StringFixed(2), l.Calculation)
	}
	fmt.Fprintln(w)
	for _, t := range []struct {
		name string
		v    decimal.Decimal
	}{{"subtotal", s.Subtotal}, {"discounts", s.Discounts}, {"total", s.Total}} {
		fmt.Fprintf(w, "%s\t%8s\t%10s\t\n", t.name, "", t.v.StringFixed(2))
	}
	check(w.Flush())
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
