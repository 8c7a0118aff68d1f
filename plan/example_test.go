package plan_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/plan"
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
