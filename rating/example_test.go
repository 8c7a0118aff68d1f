package rating_test

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// A parent contract with a product on graduated tiers, a monthly fee and a
// 10 % discount, rated for January.
func ExampleRate() {
	d := decimal.RequireFromString
	jan1 := date.New(2024, 1, 1)
	calls := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{
		{Start: d("0"), End: decimal.NewNullDecimal(d("100")), UnitPrice: d("0.10")},
		{Start: d("100"), UnitPrice: d("0.20")},
	}}
	api := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: calls.ID,
		Dates: contract.Dates{Start: jan1}}
	fee := plan.FixedFee{ID: uuid.New(), Amount: d("100")}
	off := modifier.Discount{ID: uuid.New(), Percentage: decimal.NewNullDecimal(d("10"))}
	parent := contract.ParentContract{Currency: "USD", SubContract: contract.SubContract{ID: uuid.New(),
		Dates: contract.Dates{Start: jan1}, ProductContracts: []uuid.UUID{api.ID},
		FixedFees: []uuid.UUID{fee.ID}, Discounts: []uuid.UUID{off.ID}}}

	stmts, err := rating.Rate(rating.Input{
		Objects: contract.Objects{Plans: []plan.TierPlan{calls}, ProductContracts: []contract.ProductContract{api},
			FixedFees: []plan.FixedFee{fee}, Discounts: []modifier.Discount{off},
			ParentContracts: []contract.ParentContract{parent}},
		Contract: parent.ID,
		Usage: []usage.Event{
			{ID: "e1", ContractID: api.ID, Date: jan1 + 4, Quantity: d("120")},
			{ID: "e2", ContractID: api.ID, Date: jan1 + 9, Quantity: d("30")},
		},
		From: jan1, To: date.New(2024, 1, 31),
	})
	if err != nil {
		panic(err)
	}
	s := stmts[0]
	fmt.Println(s.PeriodStart, "–", s.PeriodEnd, s.Currency)
	for _, l := range s.Lines {
		fmt.Printf("%-9s %7s  %s\n", l.Kind, l.Amount.StringFixed(2), l.Calculation)
	}
	fmt.Println("total", s.Total.StringFixed(2))
	// Output:
	// 2024-01-01 – 2024-01-31 USD
	// usage       20.00  100 × 0.10 = 10.00; 50 × 0.20 = 10.00
	// fixed_fee  100.00  100.00 per period
	// discount   -12.00  10% of 120.00 = 12.00
	// total 108.00
}

// A sub contract billed quarterly in advance under a monthly parent: its
// fee lands in January, and its own discount lands with it (docs/modifiers.md,
// slices), so February and March bill nothing.
func ExampleRate_descendantWithItsOwnFrequency() {
	d := decimal.RequireFromString
	jan1 := date.New(2024, 1, 1)
	quarterly := schedule.BillingFrequency{ID: uuid.New(), Type: schedule.Anniversary, Interval: 1,
		Unit: schedule.Quarter, Anchor: schedule.AnchorStart}
	fee := plan.FixedFee{ID: uuid.New(), Amount: d("300")}
	half := modifier.Discount{ID: uuid.New(), Percentage: decimal.NewNullDecimal(d("50"))}
	team := contract.SubContract{ID: uuid.New(), BillingFrequency: quarterly.ID, Dates: contract.Dates{Start: jan1},
		FixedFees: []uuid.UUID{fee.ID}, Discounts: []uuid.UUID{half.ID}}
	parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
		Dates: contract.Dates{Start: jan1}, SubContracts: []uuid.UUID{team.ID}}}

	stmts, err := rating.Rate(rating.Input{
		Objects: contract.Objects{BillingFrequencies: []schedule.BillingFrequency{quarterly},
			FixedFees: []plan.FixedFee{fee}, Discounts: []modifier.Discount{half},
			SubContracts: []contract.SubContract{team}, ParentContracts: []contract.ParentContract{parent}},
		Contract: parent.ID, From: jan1, To: date.New(2024, 3, 31),
	})
	if err != nil {
		panic(err)
	}
	for _, s := range stmts {
		fmt.Println(s.PeriodStart, "total", s.Total.StringFixed(2))
		for _, l := range s.Lines {
			fmt.Printf("  %-9s %s – %s %7s\n", l.Kind, l.PeriodStart, l.PeriodEnd, l.Amount.StringFixed(2))
		}
	}
	// Output:
	// 2024-01-01 total 150.00
	//   fixed_fee 2024-01-01 – 2024-03-31  300.00
	//   discount  2024-01-01 – 2024-03-31 -150.00
	// 2024-02-01 total 0.00
	// 2024-03-01 total 0.00
}

// A spend cap, a commitment over the quarter and credit included every
// month, half of what is left rolling over.
func ExampleRate_capsCommitmentsAndRecurringCredits() {
	d := decimal.RequireFromString
	jan1 := date.New(2024, 1, 1)
	unit := plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: d("0"), UnitPrice: d("1")}}}
	api := contract.ProductContract{ID: uuid.New(), ProductID: uuid.New(), PlanID: unit.ID,
		Dates: contract.Dates{Start: jan1}}
	cap := modifier.Maximum{ID: uuid.New(), Amount: d("150")}
	quarter := modifier.Minimum{ID: uuid.New(), Amount: d("300"), Period: schedule.Every{N: 3, Unit: schedule.Month}}
	included := modifier.Credit{ID: uuid.New(), Amount: d("20"), Priority: modifier.DefaultPriority,
		Recurrence: schedule.Every{N: 1, Unit: schedule.Month}, Rollover: d("0.5")}
	parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(),
		Dates: contract.Dates{Start: jan1, End: date.New(2024, 3, 31)}, ProductContracts: []uuid.UUID{api.ID},
		Minimums: []uuid.UUID{quarter.ID}, Maximums: []uuid.UUID{cap.ID}, Credits: []uuid.UUID{included.ID}}}
	stmts, err := rating.Rate(rating.Input{
		Objects: contract.Objects{Plans: []plan.TierPlan{unit}, ProductContracts: []contract.ProductContract{api},
			Minimums: []modifier.Minimum{quarter}, Maximums: []modifier.Maximum{cap}, Credits: []modifier.Credit{included},
			ParentContracts: []contract.ParentContract{parent}},
		Contract: parent.ID,
		Usage: []usage.Event{
			{ContractID: api.ID, Date: jan1 + 4, Quantity: d("10")},
			{ContractID: api.ID, Date: jan1 + 40, Quantity: d("200")},
			{ContractID: api.ID, Date: jan1 + 70, Quantity: d("40")},
		},
	})
	if err != nil {
		panic(err)
	}
	for _, s := range stmts {
		fmt.Println(s.PeriodStart, "total", s.Total.StringFixed(2))
		for _, l := range s.Lines[1:] {
			fmt.Println("  ", l.Kind, l.Amount.StringFixed(2), "|", l.Calculation)
		}
	}
	// Output:
	// 2024-01-01 total 0.00
	//    credit -10.00 | credit balance 20.00 pays 10.00, leaves 10.00
	// 2024-02-01 total 125.00
	//    maximum -50.00 | maximum 150.00: 200.00 − 150.00 = 50.00
	//    credit -25.00 | credit balance 25.00 pays 25.00, leaves 0.00
	// 2024-03-01 total 70.00
	//    minimum 50.00 | commitment 300.00 for 2024-01-01 – 2024-03-31 − 250.00 billed = 50.00
	//    credit -20.00 | credit balance 20.00 pays 20.00, leaves 0.00
}
