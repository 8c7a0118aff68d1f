package plan_test

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/usage"
)

// cardPlan charges 1.3% of each payment + 0.30, at least 0.50 and at most
// 10.00 a payment, the first payment of a period free.
func cardPlan() plan.TierPlan {
	return plan.TierPlan{Pricing: plan.Percentage, Rate: dec("1.3"), EventFee: dec("0.30"), FreeEvents: 1,
		EventMinimum: null("0.50"), EventMaximum: null("10.00")}
}

// charged prices quantities, in order, as a store does for a request
// carrying the plan's Charge.
func charged(t *testing.T, pr *plan.Pricer, quantities ...string) usage.Charges {
	t.Helper()
	c := pr.Charge()
	require.NotNil(t, c)
	qs := make([]decimal.Decimal, len(quantities))
	for i, q := range quantities {
		qs[i] = dec(q)
	}
	return usage.ChargeEach(*c, qs)
}

func TestCharge(t *testing.T) {
	c := pricer(t, cardPlan()).Charge()
	require.NotNil(t, c)
	assert.True(t, sameValue(usage.Charge{Rate: dec("1.3"), Fee: dec("0.30"), Minimum: null("0.50"), Maximum: null("10.00"), Free: 1}, *c), "%+v", c)
	require.NoError(t, c.Validate())
	c.Rate = dec("99")
	assert.Equal(t, "1.3", pricer(t, cardPlan()).Charge().Rate.String(), "a Charge is the caller's copy")
	assert.Nil(t, pricer(t, seedPlan()).Charge(), "a tier plan prices a quantity")
}

func TestChargeLine(t *testing.T) {
	card := pricer(t, cardPlan())
	// The payments 100 (free), 10, 0, 1000 and 20 cost
	//   10:   0.13 + 0.30 = 0.43, raised to 0.50 (+0.07)
	//   0:    0.00 + 0.30 = 0.30, raised to 0.50 (+0.20)
	//   1000: 13.00 + 0.30 = 13.30, lowered to 10.00 (−3.30)
	//   20:   0.26 + 0.30 = 0.56
	// 11.56 in all: 1.3% of 1030 = 13.39, + 4 × 0.30 = 1.20, + 0.27 − 3.30.
	payments := charged(t, card, "100", "10", "0", "1000", "20")
	require.True(t, payments.Equal(usage.Charges{Events: 4, Quantity: dec("1030"), Amount: dec("11.56"),
		Raised: 2, RaisedBy: dec("0.27"), Lowered: 1, LoweredBy: dec("3.30")}), "%+v", payments)
	const paymentsText = "first event free; 4 events: 1.3% of 1030.00 = 13.39 + 4 × 0.30 = 1.20; " +
		"2 raised to the event minimum (+0.27); 1 lowered to the event maximum (−3.30)"
	spec := usage.Charges{Events: 412, Quantity: dec("8210.00"), Amount: dec("233.43"), Raised: 12, RaisedBy: dec("3.10")}
	withPlan := func(change func(*plan.TierPlan)) *plan.Pricer { return pricer(t, with(cardPlan(), change)) }
	tests := []struct {
		name   string
		pr     *plan.Pricer
		c      usage.Charges
		period string
		places int32
		amount string
		text   string
	}{
		{"events priced one at a time", card, payments, "full", 2, "11.56", paymentsText},
		// 106.73 + 123.60 + 3.10 = 233.43: docs/pricing.md's example.
		{"the worked example", withPlan(func(p *plan.TierPlan) { p.FreeEvents = 0 }), spec, "full", 2, "233.43",
			"412 events: 1.3% of 8210.00 = 106.73 + 412 × 0.30 = 123.60; 12 raised to the event minimum (+3.10)"},
		{"raised to the plan minimum", withPlan(func(p *plan.TierPlan) { p.Minimum = null("15.00") }), payments, "full", 2, "15.00",
			paymentsText + "; raised to the plan minimum 15.00"},
		{"capped at the plan maximum", withPlan(func(p *plan.TierPlan) { p.Maximum = null("5.00") }), payments, "full", 2, "5.00",
			paymentsText + "; capped at the plan maximum 5.00"},
		// 15.00 × 15/31 = 7.258… → 7.26, below 11.56, which stands.
		{"a prorated minimum that does not apply", withPlan(func(p *plan.TierPlan) { p.Minimum = null("15.00") }), payments, "late", 2, "11.56",
			paymentsText},
		// 10.00 × 15/31 = 4.838… → 4.84.
		{"no events, raised to the prorated minimum", withPlan(func(p *plan.TierPlan) { p.Minimum = null("10.00"); p.FreeEvents = 0 }), usage.Charges{}, "late", 2, "4.84",
			"no events; raised to the plan minimum 10.00 × 15/31 days = 4.84"},
		{"every event free", withPlan(func(p *plan.TierPlan) { p.FreeEvents = 100 }), usage.Charges{}, "full", 2, "0.00",
			"first 100 events free; no paying events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			period := january
			if tt.period == "late" {
				period = lateJanuary
			}
			amount, x := tt.pr.ChargeLine(tt.c, period, tt.places)
			assert.Equal(t, tt.amount, amount.StringFixed(tt.places))
			assert.Equal(t, tt.text, x.String())
			assert.True(t, x.Quantity().Equal(tt.c.Quantity), "the line's quantity is the events' sum")
		})
	}
}

// TestChargeLineRoundsOnce: the line is the exact sum of the events'
// charges, rounded once; rounding each would lose what they add up to.
func TestChargeLineRoundsOnce(t *testing.T) {
	pr := pricer(t, plan.TierPlan{Pricing: plan.Percentage, Rate: dec("1.5")})
	// Three payments of 0.30 at 1.5% cost 0.0045 each, 0.00 rounded;
	// their sum 0.0135 is 0.01.
	c := charged(t, pr, "0.30", "0.30", "0.30")
	amount, x := pr.ChargeLine(c, january, 2)
	assert.Equal(t, "0.01", amount.StringFixed(2))
	assert.Equal(t, "3 events: 1.5% of 0.90 = 0.0135", x.String())
	amount, x = pr.ChargeLine(c, january, 3)
	assert.Equal(t, "0.014", amount.StringFixed(3), "BHD: 0.0135 → 0.014, half away from zero")
	assert.Equal(t, "3 events: 1.5% of 0.900 = 0.0135", x.String())
}

func TestChargeLineTexts(t *testing.T) {
	tests := []struct {
		name string
		plan plan.TierPlan
		c    usage.Charges
		text string
	}{
		{"a fee only", plan.TierPlan{Pricing: plan.Percentage, EventFee: dec("0.25")},
			usage.Charges{Events: 2, Quantity: dec("10"), Amount: dec("0.50")}, "2 events: 2 × 0.25 = 0.50"},
		{"nothing charged", plan.TierPlan{Pricing: plan.Percentage},
			usage.Charges{Events: 2, Quantity: dec("10"), Amount: dec("0")}, "2 events: 0% of 10.00 = 0.00"},
		{"one event", plan.TierPlan{Pricing: plan.Percentage, Rate: dec("2")},
			usage.Charges{Events: 1, Quantity: dec("50"), Amount: dec("1")}, "1 event: 2% of 50.00 = 1.00"},
		{"sub-cent digits are kept", plan.TierPlan{Pricing: plan.Percentage, Rate: dec("2.9")},
			usage.Charges{Events: 1, Quantity: dec("10.01"), Amount: dec("0.29029")}, "1 event: 2.9% of 10.01 = 0.29029"},
		{"lowered only", plan.TierPlan{Pricing: plan.Percentage, Rate: dec("10"), EventMaximum: null("1")},
			usage.Charges{Events: 3, Quantity: dec("100"), Amount: dec("3"), Lowered: 1, LoweredBy: dec("7")},
			"3 events: 10% of 100.00 = 10.00; 1 lowered to the event maximum (−7.00)"},
		{"no events", plan.TierPlan{Pricing: plan.Percentage, Rate: dec("1")}, usage.Charges{}, "no events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, x := pricer(t, tt.plan).ChargeLine(tt.c, january, 2)
			assert.Equal(t, tt.text, x.String())
		})
	}
}

// TestPercentagePlanPricesNoQuantity: a percentage plan's price comes from
// its events; asked to price a quantity, it prices none.
func TestPercentagePlanPricesNoQuantity(t *testing.T) {
	pr := pricer(t, with(cardPlan(), func(p *plan.TierPlan) { p.Minimum = null("10.00"); p.FreeEvents = 0 }))
	assert.True(t, pr.Amount(dec("1000")).IsZero())
	amount, x := pr.Explain(dec("1000"), 2)
	assert.True(t, amount.IsZero())
	assert.Equal(t, "no events", x.String())
	amount, x = pr.Line(dec("1000"), 2)
	assert.Equal(t, "10.00", amount.StringFixed(2), "a period without events, raised to the minimum")
	assert.Equal(t, "no events; raised to the plan minimum 10.00", x.String())
}

// TestChargeLineAgreesWithTheEvents is a property test: over random
// percentage plans and events, the line is the rounded exact sum of the
// events' charges (each as usage.Charge.Price says), clamped to the plan's
// prorated bounds, and its quantity is the paying events' sum.
func TestChargeLineAgreesWithTheEvents(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := range testrun.Cases(300, 3000) {
		p := plan.TierPlan{Pricing: plan.Percentage, Rate: randomDecimal(r, 10, 2), FreeEvents: int64(r.IntN(3))}
		if r.IntN(2) == 0 {
			p.EventFee = randomDecimal(r, 1, 2)
		}
		lo, hi := randomDecimal(r, 2, 2), randomDecimal(r, 20, 2)
		if lo.GreaterThan(hi) {
			lo, hi = hi, lo
		}
		if r.IntN(2) == 0 {
			p.EventMinimum = decimal.NewNullDecimal(lo)
		}
		if r.IntN(2) == 0 {
			p.EventMaximum = decimal.NewNullDecimal(hi)
		}
		randomBounds(r, &p)
		pr := pricer(t, p)
		qs := make([]decimal.Decimal, r.IntN(20))
		want, sum := decimal.Zero, decimal.Zero
		for k := range qs {
			qs[k] = randomDecimal(r, 1000, 2)
			if int64(k) >= p.FreeEvents {
				_, c := pr.Charge().Price(qs[k])
				want, sum = want.Add(c), sum.Add(qs[k])
			}
		}
		c := usage.ChargeEach(*pr.Charge(), qs)
		period, places := randomPeriod(r), int32(r.IntN(4))
		amount, x := pr.ChargeLine(c, period, places)
		want = want.Round(places)
		if p.Minimum.Valid {
			want = decimal.Max(want, period.Prorate(p.Minimum.Decimal, places))
		}
		if p.Maximum.Valid {
			want = decimal.Min(want, period.Prorate(p.Maximum.Decimal, places))
		}
		require.True(t, amount.Equal(want), "case %d %+v, %v: %s, want %s (%s)", i, p, qs, amount, want, x)
		require.True(t, x.Quantity().Equal(sum))
		require.Equal(t, plan.TextWithDecimals(x), x.String())
	}
}
