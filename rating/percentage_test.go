package rating_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/usage"
)

func TestPercentagePricing(t *testing.T) {
	// 1.3 % of each payment plus 0.30, at least 0.50 and at most 5.00; the
	// first event of a period is free.
	var b bundle
	p := b.plan(plan.TierPlan{Pricing: plan.Percentage, Rate: dec("1.3"), EventFee: dec("0.30"),
		EventMinimum: decimal.NewNullDecimal(dec("0.50")), EventMaximum: decimal.NewNullDecimal(dec("5.00")), FreeEvents: 1})
	pc := b.product(p, "2024-01-01", "", [16]byte{})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-02-29"),
		ProductContracts: ids(pc.ID)}})
	events := []usage.Event{
		on(pc, "2024-01-02", "1000"), // free
		on(pc, "2024-01-03", "10"),   // 0.13 + 0.30 = 0.43 → 0.50
		on(pc, "2024-01-04", "100"),  // 1.30 + 0.30 = 1.60
		on(pc, "2024-01-05", "1000"), // 13.00 + 0.30 = 13.30 → 5.00
	}
	got := b.rate(t, id, "", "", events...)
	require.Len(t, got, 2)
	l := got[0].Lines[0]
	assertDec(t, "7.10", l.Amount)
	assertDec(t, "2110", l.Quantity, "every event's quantity, the free one's too")
	assert.Contains(t, l.Calculation.String(), "first event free")
	assert.Contains(t, l.Calculation.String(), "raised to the event minimum")
	assert.Contains(t, l.Calculation.String(), "lowered to the event maximum")
	assertDec(t, "0", got[1].Lines[0].Amount, "February has no events")
}

func TestPercentageAndTiersByVersion(t *testing.T) {
	// A plan priced by tiers until March, by percentage from then: each
	// period is priced by its version, in one rating.
	var b bundle
	p := b.perUnit("0.10")
	b.Plans = append(b.Plans, plan.TierPlan{ID: p, Pricing: plan.Percentage, Rate: dec("2"), EffectiveFrom: day("2024-02-01")})
	pc := b.product(p, "2024-01-01", "", [16]byte{})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-02-29"),
		ProductContracts: ids(pc.ID)}})
	got := b.rate(t, id, "", "", on(pc, "2024-01-10", "100"), on(pc, "2024-02-10", "100"), on(pc, "2024-02-11", "50"))
	assertDec(t, "10", got[0].Total, "100 × 0.10")
	assertDec(t, "3", got[1].Total, "2 % of 150")
	assert.Equal(t, day("2024-02-01"), got[1].Lines[0].EffectiveFrom)
}

func TestPlanBoundsAndFreeQuantityOnALine(t *testing.T) {
	// 100 free units, at least 20.00 and at most 50.00 a month, prorated:
	// the contract starts on 16 January (16 of 31 days).
	var b bundle
	p := b.plan(plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "1", "")}, FreeQuantity: dec("100"),
		Minimum: decimal.NewNullDecimal(dec("20")), Maximum: decimal.NewNullDecimal(dec("50"))})
	pc := b.product(p, "2024-01-16", "", [16]byte{})
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-03-31"),
		ProductContracts: ids(pc.ID)}})
	got := b.rate(t, id, "", "", on(pc, "2024-01-20", "110"), on(pc, "2024-02-10", "130"), on(pc, "2024-03-10", "500"))
	require.Len(t, got, 3)
	assertDec(t, "10.32", got[0].Total, "10.00 raised to 20.00 × 16/31")
	assertDec(t, "110", got[0].Lines[0].Quantity, "the line's quantity stays the period's")
	assertDec(t, "30", got[1].Total, "130 − 100 free")
	assertDec(t, "50", got[2].Total, "400.00 capped at 50.00")
	assert.Contains(t, got[2].Lines[0].Calculation.String(), "capped at the plan maximum")
}
