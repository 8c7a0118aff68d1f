package plan_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
)

// days is the part [start+from, start+to) of the full period [start,
// start+full), start given as "2024-01-01".
func days(start string, from, to, full int) schedule.Period {
	d, err := date.ParseISO(start)
	if err != nil {
		panic(err)
	}
	return schedule.Period{Start: d + date.Date(from), End: d + date.Date(to), FullStart: d, FullEnd: d + date.Date(full)}
}

var (
	january     = days("2024-01-01", 0, 31, 31)  // full
	lateJanuary = days("2024-01-01", 16, 31, 31) // 17–31 January: 15 of 31 days
	lateApril   = days("2024-04-01", 5, 30, 30)  // 6–30 April: 25 of 30 days
)

func null(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }

// seedPlan is the seed's graduated plan: 0.10 up to 100, then 0.20.
func seedPlan() plan.TierPlan {
	return plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "100", "0.10", "0"), tier("101", "", "0.20", "0")}}
}

// unitPlan charges 0.10 a unit.
func unitPlan() plan.TierPlan {
	return plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "", "0.10", "0")}}
}

func with(p plan.TierPlan, change func(*plan.TierPlan)) plan.TierPlan {
	change(&p)
	return p
}

// lineCase is a usage line priced through a plan, with its amount and
// calculation worked out by hand.
type lineCase struct {
	name   string
	plan   plan.TierPlan
	q      string
	period schedule.Period
	places int32
	amount string
	text   string
}

func checkLines(t *testing.T, tests []lineCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr := pricer(t, tt.plan)
			amount, x := pr.LineIn(dec(tt.q), tt.period, tt.places)
			assert.Equal(t, tt.amount, amount.StringFixed(tt.places))
			assert.Equal(t, tt.text, x.String())
			assert.Equal(t, tt.text, plan.TextWithDecimals(x), "the decimal path writes alike")
			assert.True(t, x.Quantity().Equal(dec(tt.q)), "the line's quantity stays %s, got %s", tt.q, x.Quantity())
		})
	}
}

func TestFreeQuantity(t *testing.T) {
	free := func(p plan.TierPlan, f string) plan.TierPlan {
		return with(p, func(p *plan.TierPlan) { p.FreeQuantity = dec(f) })
	}
	pkg := plan.TierPlan{Pricing: plan.Package, PackageSize: dec("10"), Tiers: []plan.Tier{tier("0", "", "5.00", "0")}}
	checkLines(t, []lineCase{
		// 150 − 100 = 50 priced from the first tier: 50 × 0.10.
		{"the first units are free", free(seedPlan(), "100"), "150", january, 2, "5.00", "first 100 free; 50 × 0.10 = 5.00"},
		// 250 − 100 = 150: 100 × 0.10 + 50 × 0.20 = 20.00 (the tiers start after the free units).
		{"the tiers price what is left", free(seedPlan(), "100"), "250", january, 2, "20.00", "first 100 free; 100 × 0.10 = 10.00; 50 × 0.20 = 10.00"},
		{"all free", free(seedPlan(), "100"), "80", january, 2, "0.00", "80 of 100 free; 0 × 0.10 = 0.00"},
		{"exactly the free quantity", free(seedPlan(), "100"), "100", january, 2, "0.00", "100 of 100 free; 0 × 0.10 = 0.00"},
		{"no usage", free(seedPlan(), "100"), "0", january, 2, "0.00", "0 of 100 free; 0 × 0.10 = 0.00"},
		// 12 − 5 = 7: 7 × 10.00 + the base fee 2.00.
		{"with a base fee", free(seedGraduated(), "5"), "12", january, 2, "72.00", "first 5 free; 7 × 10.00 = 70.00 + flat 2.00"},
		// Nothing left to price, but the first tier's flat fee is a base fee.
		{"the base fee stays", free(seedGraduated(), "5"), "3", january, 2, "2.00", "3 of 5 free; 0 × 10.00 = 0.00 + flat 2.00"},
		// 31 − 25 = 6: ceil(6 / 10) = 1 package at 5.00.
		{"package", free(pkg, "25"), "31", january, 2, "5.00", "first 25 free; ceil(6 / 10) = 1 packages × 5.00 = 5.00"},
		// 10.75 − 0.25 = 10.5 units at 0.10 = 1.05.
		{"fractional", free(unitPlan(), "0.25"), "10.75", january, 2, "1.05", "first 0.25 free; 10.5 × 0.10 = 1.05"},
		{"a partial period does not prorate it", free(unitPlan(), "100"), "150", lateJanuary, 2, "5.00", "first 100 free; 50 × 0.10 = 5.00"},
		// Beyond int64: the decimal path. 10^20 + 5 − 10^20 = 5 units.
		{"big quantities", free(unitPlan(), "100000000000000000000"), "100000000000000000005", january, 2, "0.50",
			"first 100000000000000000000 free; 5 × 0.10 = 0.50"},
	})
	t.Run("Amount deducts it", func(t *testing.T) {
		pr := pricer(t, free(seedPlan(), "100"))
		assertPrice(t, pr, "250", "20")
		assertPrice(t, pr, "50", "0")
	})
}

// TestFreeQuantityInVolumePlans: the tiers price q − F, so in a volume
// plan the free units can bring the quantity down into a dearer tier, as
// a smaller quantity can cost more in volume pricing (100 costs 210.00,
// 100.5 costs 100.50). This is the rule as written (docs/pricing.md).
func TestFreeQuantityInVolumePlans(t *testing.T) {
	plain, free := pricer(t, seedVolume()), pricer(t, with(seedVolume(), func(p *plan.TierPlan) { p.FreeQuantity = dec("50") }))
	a, _ := plain.Line(dec("150"), 2)
	b, x := free.Line(dec("150"), 2)
	assert.Equal(t, "150.00", a.StringFixed(2)) // 150 × 1.00
	assert.Equal(t, "210.00", b.StringFixed(2)) // 100 × 2.00 + 10.00
	assert.Equal(t, "first 50 free; 100 × 2.00 = 200.00 + flat 10.00", x.String())
}

func TestPlanBounds(t *testing.T) {
	bounded := func(p plan.TierPlan, lo, hi string) plan.TierPlan {
		return with(p, func(p *plan.TierPlan) {
			if lo != "" {
				p.Minimum = null(lo)
			}
			if hi != "" {
				p.Maximum = null(hi)
			}
		})
	}
	b := bounded(unitPlan(), "10.00", "25.00")
	yen := plan.TierPlan{Pricing: plan.Graduated, Minimum: null("1000"), Tiers: []plan.Tier{tier("0", "", "5", "0")}}
	checkLines(t, []lineCase{
		{"raised to the minimum", b, "50", january, 2, "10.00", "50 × 0.10 = 5.00; raised to the plan minimum 10.00"},
		{"between the bounds", b, "150", january, 2, "15.00", "150 × 0.10 = 15.00"},
		{"at the minimum", b, "100", january, 2, "10.00", "100 × 0.10 = 10.00"},
		{"at the maximum", b, "250", january, 2, "25.00", "250 × 0.10 = 25.00"},
		{"capped at the maximum", b, "300", january, 2, "25.00", "300 × 0.10 = 30.00; capped at the plan maximum 25.00"},
		{"no usage is raised", b, "0", january, 2, "10.00", "0 × 0.10 = 0.00; raised to the plan minimum 10.00"},
		// 10.00 × 15/31 = 4.8387… → 4.84.
		{"a prorated minimum", b, "30", lateJanuary, 2, "4.84", "30 × 0.10 = 3.00; raised to the plan minimum 10.00 × 15/31 days = 4.84"},
		// 25.00 × 15/31 = 12.0967… → 12.10.
		{"a prorated maximum", b, "200", lateJanuary, 2, "12.10", "200 × 0.10 = 20.00; capped at the plan maximum 25.00 × 15/31 days = 12.10"},
		{"within the prorated bounds", b, "100", lateJanuary, 2, "10.00", "100 × 0.10 = 10.00"},
		// 10.05 × 25/30 = 8.375 exactly, half away from zero → 8.38, as
		// a fixed fee prorates (a factor rounded to 16 places would give
		// 8.37499… → 8.37).
		{"prorated exactly, then rounded", bounded(unitPlan(), "10.05", ""), "0", lateApril, 2, "8.38",
			"0 × 0.10 = 0.00; raised to the plan minimum 10.05 × 25/30 days = 8.38"},
		{"a minimum with more places than the currency", bounded(unitPlan(), "10.005", ""), "0", january, 2, "10.01",
			"0 × 0.10 = 0.00; raised to the plan minimum 10.005 = 10.01"},
		// 100.1 × 0.0999 = 9.99999, shown as 10.00: the minimum 10.00 adds nothing.
		{"the rounded amount meets the minimum", bounded(plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "", "0.0999", "0")}}, "10.00", ""),
			"100.1", january, 2, "10.00", "100.1 × 0.0999 = 9.99999"},
		{"a minimum alone", bounded(unitPlan(), "10.00", ""), "1000", january, 2, "100.00", "1000 × 0.10 = 100.00"},
		{"a maximum alone", bounded(unitPlan(), "", "25.00"), "1", january, 2, "0.10", "1 × 0.10 = 0.10"},
		{"a maximum of 0", bounded(seedGraduated(), "", "0"), "12", january, 2, "0.00",
			"10 × 10.00 = 100.00 + flat 2.00; 2 × 5.00 = 10.00 + flat 3.00; capped at the plan maximum 0.00"},
		{"minimum equal to maximum", bounded(unitPlan(), "20", "20"), "7", january, 2, "20.00", "7 × 0.10 = 0.70; raised to the plan minimum 20.00"},
		{"JPY", yen, "100", january, 0, "1000", "100 × 5 = 500; raised to the plan minimum 1000"},
		// 150 − 100 = 50 at 0.10 = 5.00, raised to 10.00.
		{"free quantity, then the minimum", with(b, func(p *plan.TierPlan) { p.FreeQuantity = dec("100") }), "150", january, 2, "10.00",
			"first 100 free; 50 × 0.10 = 5.00; raised to the plan minimum 10.00"},
		{"the tiers' fallback path", bounded(unitPlan(), "", "25.00"), "123456789012345678901234567890", january, 2, "25.00",
			"123456789012345678901234567890 × 0.10 = 12345678901234567890123456789.00; capped at the plan maximum 25.00"},
	})
	t.Run("Amount and Explain are the tiers' price", func(t *testing.T) {
		pr := pricer(t, b)
		assertPrice(t, pr, "50", "5")
		_, x := pr.Explain(dec("50"), 2)
		assert.Equal(t, "50 × 0.10 = 5.00", x.String())
	})
	t.Run("Line is LineIn of a full period", func(t *testing.T) {
		pr := pricer(t, b)
		for _, q := range []string{"0", "50", "150", "300"} {
			a, x := pr.Line(dec(q), 2)
			c, y := pr.LineIn(dec(q), january, 2)
			assert.True(t, a.Equal(c), q)
			assert.Equal(t, y.String(), x.String())
		}
	})
}

// randomPeriod is a part of a full period of 28 to 31 days, often all
// of it.
func randomPeriod(r *rand.Rand) schedule.Period {
	full := 28 + r.IntN(4)
	start := date.New(2024, time.January, 1) + date.Date(r.IntN(3000))
	if r.IntN(3) == 0 {
		return schedule.Period{Start: start, End: start + date.Date(full), FullStart: start, FullEnd: start + date.Date(full)}
	}
	from := r.IntN(full)
	to := from + 1 + r.IntN(full-from)
	return schedule.Period{Start: start + date.Date(from), End: start + date.Date(to), FullStart: start, FullEnd: start + date.Date(full)}
}

// randomBounds gives p a minimum and a maximum (minimum ≤ maximum), either
// or neither.
func randomBounds(r *rand.Rand, p *plan.TierPlan) {
	lo, hi := randomDecimal(r, 500, 3), randomDecimal(r, 500, 3)
	if lo.GreaterThan(hi) {
		lo, hi = hi, lo
	}
	switch r.IntN(4) {
	case 0:
		p.Minimum, p.Maximum = decimal.NewNullDecimal(lo), decimal.NewNullDecimal(hi)
	case 1:
		p.Minimum = decimal.NewNullDecimal(lo)
	case 2:
		p.Maximum = decimal.NewNullDecimal(hi)
	}
}

// TestFreeQuantityNeverRaisesALine is a property test: over random
// graduated and package plans (whose price never falls as the quantity
// grows), bounds and periods, a free quantity never makes a line cost
// more than it would without it, and the line is the plan without the
// free quantity priced at q − F.
func TestFreeQuantityNeverRaisesALine(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range testrun.Cases(500, 5000) {
		p := randomPlan(r)
		if p.Pricing == plan.Volume {
			p.Pricing = plan.Graduated
		}
		randomBounds(r, &p)
		paid := pricer(t, p)
		p.FreeQuantity = randomDecimal(r, 2000, int32(r.IntN(3)))
		free := pricer(t, p)
		for range 10 {
			q, period, places := randomQuantity(r), randomPeriod(r), int32(r.IntN(4))
			without, _ := paid.LineIn(q, period, places)
			with, x := free.LineIn(q, period, places)
			if with.GreaterThan(without) {
				t.Fatalf("plan %d %s, free %s, q %s: %s with the free quantity, %s without (%s)", i, describe(p), p.FreeQuantity, q, with, without, x)
			}
			rest := decimal.Max(decimal.Zero, q.Sub(p.FreeQuantity))
			shifted, _ := paid.LineIn(rest, period, places)
			require.True(t, with.Equal(shifted), "plan %d, q %s: %s, %s priced without free quantity: %s", i, q, with, rest, shifted)
			require.Equal(t, plan.TextWithDecimals(x), x.String())
		}
	}
}

// TestBoundedLineIsWithinBounds is a property test: over random plans,
// bounds, periods and minor units, a line is the tiers' rounded price
// clamped to the bounds, each prorated like a fixed fee, so it always
// lies within them.
func TestBoundedLineIsWithinBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range testrun.Cases(500, 5000) {
		p := randomPlan(r)
		randomBounds(r, &p)
		if r.IntN(3) == 0 {
			p.FreeQuantity = randomDecimal(r, 100, 1)
		}
		pr := pricer(t, p)
		for range 10 {
			q, period, places := randomQuantity(r), randomPeriod(r), int32(r.IntN(4))
			amount, x := pr.LineIn(q, period, places)
			want := pr.Amount(q).Round(places)
			if p.Minimum.Valid {
				lo := period.Prorate(p.Minimum.Decimal, places)
				require.False(t, amount.LessThan(lo), "plan %d, q %s: %s below the minimum %s (%s)", i, q, amount, lo, x)
				want = decimal.Max(want, lo)
			}
			if p.Maximum.Valid {
				hi := period.Prorate(p.Maximum.Decimal, places)
				require.False(t, amount.GreaterThan(hi), "plan %d, q %s: %s above the maximum %s (%s)", i, q, amount, hi, x)
				want = decimal.Min(want, hi)
			}
			require.True(t, amount.Equal(want), "plan %d %s, q %s in %v, %d places: %s, want %s (%s)", i, describe(p), q, period, places, amount, want, x)
			require.True(t, amount.Equal(amount.Round(places)), "rounded to the minor unit")
			require.Equal(t, plan.TextWithDecimals(x), x.String())
		}
	}
}
