package plan_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/dectest"

	"github.com/pricekit/pricekit/plan"
)

func dec(s string) decimal.Decimal { return dectest.Dec(s) }

// sameValue compares documents, decimals by value.
func sameValue(a, b any) bool { return dectest.Same(a, b) }

func TestSameValue(t *testing.T) {
	a := plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "1.0", "0")}, Pricing: plan.Graduated}
	b := plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "1.00", "0.000")}, Pricing: plan.Graduated}
	c := plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "1.01", "0")}, Pricing: plan.Graduated}
	d := plan.TierPlan{Tiers: []plan.Tier{tier("0", "5", "1.0", "0")}, Pricing: plan.Graduated}
	if !sameValue(a, b) || sameValue(a, c) || sameValue(a, d) || sameValue(a, plan.TierPlan{Pricing: plan.Graduated}) {
		t.Fatal("sameValue is wrong")
	}
}

// tier builds a tier from text; an empty end is unbounded.
func tier(start, end, unit, flat string) plan.Tier {
	t := plan.Tier{Start: dec(start), UnitPrice: dec(unit), FlatFee: dec(flat)}
	if end != "" {
		t.End = decimal.NewNullDecimal(dec(end))
	}
	return t
}
