package plan_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// The seed's tier plan, priced and explained for 150 units.
func ExamplePricer_Explain() {
	var p plan.TierPlan
	err := json.Unmarshal([]byte(`{"display_name": "Test Tier", "tiers": [[0, 100, 0.1], [101, null, 0.2]], "pricing_type": 1}`), &p)
	if err != nil {
		fmt.Println(err)
		return
	}
	pr, err := p.Pricer()
	if err != nil {
		fmt.Println(err)
		return
	}
	amount, calc := pr.Explain(decimal.NewFromInt(150), 2)
	fmt.Println(amount.StringFixed(2))
	fmt.Println(calc)
	// Output:
	// 20.00
	// 100 × 0.10 = 10.00; 50 × 0.20 = 10.00
}

// The volume example of docs/pricing.md: the whole quantity at the tier where it ends,
// plus that tier's flat fee.
func ExamplePricer_Amount() {
	p := plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{
		{Start: decimal.Zero, End: decimal.NewNullDecimal(decimal.NewFromInt(100)), UnitPrice: decimal.RequireFromString("2.00"), FlatFee: decimal.RequireFromString("10.00")},
		{Start: decimal.NewFromInt(101), End: decimal.NewNullDecimal(decimal.NewFromInt(200)), UnitPrice: decimal.RequireFromString("1.00")},
		{Start: decimal.NewFromInt(201), UnitPrice: decimal.RequireFromString("0.50"), FlatFee: decimal.RequireFromString("50.00")},
	}}
	pr, err := p.Pricer()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range []string{"0", "100", "100.5", "300"} {
		fmt.Println(q, "→", pr.Amount(decimal.RequireFromString(q)).StringFixed(2))
	}
	// Output:
	// 0 → 10.00
	// 100 → 210.00
	// 100.5 → 100.50
	// 300 → 200.00
}

// A tier list with a gap is refused with invalid_tiers and the path of the
// offending bound.
func ExampleValidateTiers() {
	err := plan.ValidateTiers([]plan.Tier{
		{Start: decimal.Zero, End: decimal.NewNullDecimal(decimal.NewFromInt(100)), UnitPrice: decimal.RequireFromString("0.1")},
		{Start: decimal.NewFromInt(102), UnitPrice: decimal.RequireFromString("0.2")},
	})
	fmt.Println(errors.Is(err, pricekit.ErrInvalidTiers))
	fmt.Println(err)
	// Output:
	// true
	// plan: tiers[1].start: gap after 100 (want 100 or 101)
}

func ExampleQuantityRounding_Apply() {
	up := plan.QuantityRounding{Increment: decimal.NewFromInt(1), Mode: plan.RoundUp}
	fmt.Println(up.Apply(decimal.RequireFromString("2.1")))
	// Output:
	// 3
}

// A plan with 100 free units a month, at least 10.00 and at most 25.00 a
// month: 150 units are 50 priced, raised to the minimum; 400 units are
// capped; and in a month the contract starts on the 17th (15 of 31 days)
// the bounds are prorated like a fixed fee, 25.00 × 15/31 = 12.10.
func ExamplePricer_LineIn() {
	var p plan.TierPlan
	err := json.Unmarshal([]byte(`{"display_name": "API calls", "pricing_type": "graduated", "tiers": [[0, null, "0.10"]],
		"free_quantity": 100, "minimum": "10.00", "maximum": "25.00"}`), &p)
	if err != nil {
		fmt.Println(err)
		return
	}
	pr, err := p.Pricer()
	if err != nil {
		fmt.Println(err)
		return
	}
	jan := date.New(2024, time.January, 1)
	month := schedule.Period{Start: jan, End: jan + 31, FullStart: jan, FullEnd: jan + 31}
	late := schedule.Period{Start: jan + 16, End: jan + 31, FullStart: jan, FullEnd: jan + 31}
	for _, line := range []struct {
		q      int64
		period schedule.Period
	}{{150, month}, {200, month}, {400, month}, {400, late}} {
		amount, x := pr.LineIn(decimal.NewFromInt(line.q), line.period, 2)
		fmt.Println(amount.StringFixed(2), "|", x)
	}
	// Output:
	// 10.00 | first 100 free; 50 × 0.10 = 5.00; raised to the plan minimum 10.00
	// 10.00 | first 100 free; 100 × 0.10 = 10.00
	// 25.00 | first 100 free; 300 × 0.10 = 30.00; capped at the plan maximum 25.00
	// 12.10 | first 100 free; 300 × 0.10 = 30.00; capped at the plan maximum 25.00 × 15/31 days = 12.10
}

// A percentage plan for card payments: 1.3% of each payment + 0.30, at
// least 0.50 a payment. The store prices each event by the plan's Charge
// (here usage.ChargeEach does it in memory): 120.00 costs 1.56 + 0.30 =
// 1.86; 5.00 costs 0.065 + 0.30 = 0.365, raised to 0.50; 80.50 costs
// 1.0465 + 0.30 = 1.3465; 10.00 costs 0.13 + 0.30 = 0.43, raised to 0.50.
// The line is their exact sum, 4.2065, rounded once.
func ExamplePricer_ChargeLine() {
	var p plan.TierPlan
	err := json.Unmarshal([]byte(`{"display_name": "Card payments", "pricing_type": "percentage",
		"rate": "1.3", "event_fee": "0.30", "event_minimum": "0.50"}`), &p)
	if err != nil {
		fmt.Println(err)
		return
	}
	pr, err := p.Pricer()
	if err != nil {
		fmt.Println(err)
		return
	}
	var payments []decimal.Decimal
	for _, s := range []string{"120.00", "5.00", "80.50", "10.00"} {
		payments = append(payments, decimal.RequireFromString(s))
	}
	charges := usage.ChargeEach(*pr.Charge(), payments)
	amount, x := pr.ChargeLine(charges, schedule.Period{}, 2)
	fmt.Println(amount.StringFixed(2))
	fmt.Println(x)
	fmt.Println("quantity", x.Quantity().StringFixed(2))
	// Output:
	// 4.21
	// 4 events: 1.3% of 215.50 = 2.8015 + 4 × 0.30 = 1.20; 2 raised to the event minimum (+0.205)
	// quantity 215.50
}
