package plan_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/usage"
)

// seedGraduated and seedVolume are the worked examples of docs/pricing.md.
func seedGraduated() plan.TierPlan {
	return plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{
		tier("0", "10", "10.00", "2.00"), tier("11", "20", "5.00", "3.00"), tier("21", "", "5.00", "3.00"),
	}}
}

func seedVolume() plan.TierPlan {
	return plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{
		tier("0", "100", "2.00", "10.00"), tier("101", "200", "1.00", "0"), tier("201", "", "0.50", "50.00"),
	}}
}

func pricer(t testing.TB, p plan.TierPlan) *plan.Pricer {
	t.Helper()
	pr, err := p.Pricer()
	require.NoError(t, err)
	return pr
}

// assertPrice checks that Amount and Explain both give want.
func assertPrice(t *testing.T, pr *plan.Pricer, q, want string) {
	t.Helper()
	got := pr.Amount(dec(q))
	assert.True(t, got.Equal(dec(want)), "Amount(%s) = %s, want %s", q, got, want)
	explained, calc := pr.Explain(dec(q), 2)
	assert.True(t, explained.Equal(dec(want)), "Explain(%s) = %s (%s), want %s", q, explained, calc, want)
	assert.NotEmpty(t, calc.String())
}

func TestWorkedExamples(t *testing.T) {
	tests := []struct {
		name    string
		plan    plan.TierPlan
		q, want string
	}{
		{"graduated 0 is the base fee", seedGraduated(), "0", "2.00"},
		{"graduated 1", seedGraduated(), "1", "12.00"},
		{"graduated 10 fills the first tier", seedGraduated(), "10", "102.00"},
		{"graduated 11 enters the second tier", seedGraduated(), "11", "110.00"},
		{"graduated 12", seedGraduated(), "12", "115.00"},
		{"graduated 20", seedGraduated(), "20", "155.00"},
		{"graduated 21 enters the third tier", seedGraduated(), "21", "163.00"},
		{"graduated 10.5 is half a unit into the second tier", seedGraduated(), "10.5", "107.50"},
		{"volume 0 ends in the first tier", seedVolume(), "0", "10.00"},
		{"volume 100", seedVolume(), "100", "210.00"},
		{"volume 100.5 ends in the second tier", seedVolume(), "100.5", "100.50"},
		{"volume 200", seedVolume(), "200", "200.00"},
		{"volume 300", seedVolume(), "300", "200.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertPrice(t, pricer(t, tt.plan), tt.q, tt.want)
		})
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		name string
		plan plan.TierPlan
		q    string
		want string
	}{
		{"graduated across tiers", seedGraduated(), "12", "10 × 10.00 = 100.00 + flat 2.00; 2 × 5.00 = 10.00 + flat 3.00"},
		{"graduated base fee only", seedGraduated(), "0", "0 × 10.00 = 0.00 + flat 2.00"},
		{"volume", seedVolume(), "300", "300 × 0.50 = 150.00 + flat 50.00"},
		{"seed plan", plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "100", "0.1", "0"), tier("101", "", "0.2", "0")}},
			"150", "100 × 0.10 = 10.00; 50 × 0.20 = 10.00"},
		{"sub-cent prices keep their digits", plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "", "0.125", "0")}},
			"3", "3 × 0.125 = 0.375"},
		{"flat fee without a unit price", plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{tier("0", "", "0", "9.99")}},
			"7", "7 at flat 9.99"},
		{"package", plan.TierPlan{Pricing: plan.Package, PackageSize: dec("5"), Tiers: []plan.Tier{tier("0", "", "10.00", "1.00")}},
			"6", "ceil(6 / 5) = 2 packages × 10.00 = 20.00 + flat 1.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, calc := pricer(t, tt.plan).Explain(dec(tt.q), 2)
			assert.Equal(t, tt.want, calc.String())
		})
	}
}

func TestPackage(t *testing.T) {
	pr := pricer(t, plan.TierPlan{Pricing: plan.Package, PackageSize: dec("5"), Tiers: []plan.Tier{tier("0", "", "10.00", "0")}})
	tests := []struct{ q, want string }{
		{"0", "0"}, {"1", "10"}, {"5", "10"}, {"5.0001", "20"}, {"6", "20"}, {"10", "20"}, {"11", "30"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) { assertPrice(t, pr, tt.q, tt.want) })
	}
	t.Run("fractional package size", func(t *testing.T) {
		pr := pricer(t, plan.TierPlan{Pricing: plan.Package, PackageSize: dec("0.5"), Tiers: []plan.Tier{tier("0", "", "3", "1")}})
		assertPrice(t, pr, "1.2", "10") // 3 packages × 3 + 1
	})
}

func TestNotationsMeanTheSame(t *testing.T) {
	sameEnd := pricer(t, plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "100", "0.10", "1"), tier("100", "", "0.20", "2")}})
	plusOne := pricer(t, plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "100", "0.10", "1"), tier("101", "", "0.20", "2")}})
	volSame := pricer(t, plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{tier("0", "100", "0.10", "1"), tier("100", "", "0.20", "2")}})
	volPlus := pricer(t, plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{tier("0", "100", "0.10", "1"), tier("101", "", "0.20", "2")}})
	for _, q := range []string{"0", "1", "99.5", "100", "100.5", "101", "150", "1000000"} {
		t.Run(q, func(t *testing.T) {
			a, b := sameEnd.Amount(dec(q)), plusOne.Amount(dec(q))
			assert.True(t, a.Equal(b), "graduated: %s vs %s", a, b)
			a, b = volSame.Amount(dec(q)), volPlus.Amount(dec(q))
			assert.True(t, a.Equal(b), "volume: %s vs %s", a, b)
		})
	}
	// 100.5 lies beyond the first tier's end in both notations.
	assert.True(t, plusOne.Amount(dec("100.5")).Equal(dec("13.10")))
}

func TestQuantityRounding(t *testing.T) {
	tests := []struct {
		name      string
		increment string
		mode      plan.RoundingMode
		q, want   string
	}{
		{"up to whole units", "1", plan.RoundUp, "1.2", "2"},
		{"up keeps a multiple", "1", plan.RoundUp, "3", "3"},
		{"up from zero", "1", plan.RoundUp, "0", "0"},
		{"up to tens", "10", plan.RoundUp, "101", "110"},
		{"down to whole units", "1", plan.RoundDown, "1.9", "1"},
		{"down to halves", "0.5", plan.RoundDown, "1.7", "1.5"},
		{"half up below half", "1", plan.RoundHalfUp, "2.49", "2"},
		{"half up at half", "1", plan.RoundHalfUp, "2.5", "3"},
		{"half up above half", "1", plan.RoundHalfUp, "2.51", "3"},
		{"half up to quarters", "0.25", plan.RoundHalfUp, "1.125", "1.25"},
		{"up with tiny remainder", "1", plan.RoundUp, "7.000000000000000001", "8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := plan.QuantityRounding{Increment: dec(tt.increment), Mode: tt.mode}
			got := r.Apply(dec(tt.q))
			assert.True(t, got.Equal(dec(tt.want)), "got %s, want %s", got, tt.want)
		})
	}
	t.Run("zero rounds nothing", func(t *testing.T) {
		assert.True(t, plan.QuantityRounding{}.Apply(dec("1.234")).Equal(dec("1.234")))
	})
}

func TestBigQuantitiesPriceExactly(t *testing.T) {
	seed := plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "100", "0.1", "0"), tier("101", "", "0.2", "0")}}
	vol := plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{tier("0", "100", "0.1", "0"), tier("101", "", "0.2", "0")}}
	tests := []struct {
		name string
		plan plan.TierPlan
		q    string
		want string
	}{
		{"30 digits and 18 decimals", seed, "123456789012345678901234567890.123456789012345678",
			"24691357802469135780246913568.0246913578024691356"},
		{"just past int64", seed, "9223372036854775808", "1844674407370955151.6"},
		{"18 decimals", seed, "100.000000000000000001", "10.0000000000000000002"},
		{"volume, 30 digits", vol, "123456789012345678901234567890", "24691357802469135780246913578"},
		{"prices that overflow the fast path", plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "", "0.000000001", "0")}},
			"9999999999999", "9999.999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertPrice(t, pricer(t, tt.plan), tt.q, tt.want)
		})
	}
}

// reference prices q through p the way docs/pricing.md says, tier by tier, in
// decimals: an independent check of the Pricer's fast path.
func reference(p plan.TierPlan, q decimal.Decimal) decimal.Decimal {
	bound := func(i int) decimal.Decimal { // the end of tier i, as a cumulative quantity
		return p.Tiers[i].End.Decimal
	}
	switch p.Pricing {
	case plan.Volume:
		i := 0
		for i < len(p.Tiers)-1 && q.GreaterThan(bound(i)) {
			i++
		}
		return q.Mul(p.Tiers[i].UnitPrice).Add(p.Tiers[i].FlatFee)
	case plan.Package:
		n := q.DivRound(p.PackageSize, 40).Ceil()
		return n.Mul(p.Tiers[0].UnitPrice).Add(p.Tiers[0].FlatFee)
	}
	total := p.Tiers[0].FlatFee
	lo := decimal.Zero
	for i, t := range p.Tiers {
		if i > 0 {
			lo = bound(i - 1)
			if !q.GreaterThan(lo) {
				break
			}
			total = total.Add(t.FlatFee)
		}
		hi := q
		if t.End.Valid && bound(i).LessThan(q) {
			hi = bound(i)
		}
		total = total.Add(hi.Sub(lo).Mul(t.UnitPrice))
	}
	return total
}

func randomDecimal(r *rand.Rand, maxInt int64, maxScale int32) decimal.Decimal {
	scale := r.Int32N(maxScale + 1)
	v := r.Int64N(maxInt + 1)
	frac := int64(0)
	if scale > 0 {
		frac = r.Int64N(decimal.New(1, scale).IntPart())
	}
	return decimal.NewFromInt(v).Add(decimal.New(frac, -scale))
}

// randomPlan builds a valid plan with 1–5 tiers of varied scales, in either
// bound notation.
func randomPlan(r *rand.Rand) plan.TierPlan {
	p := plan.TierPlan{Pricing: plan.PricingType(1 + r.IntN(3))}
	if p.Pricing == plan.Package {
		p.PackageSize = randomDecimal(r, 20, 2).Add(dec("0.01"))
	}
	n := 1 + r.IntN(5)
	start := decimal.Zero
	for i := range n {
		t := plan.Tier{Start: start, UnitPrice: randomDecimal(r, 50, int32(r.IntN(7))), FlatFee: decimal.Zero}
		if r.IntN(2) == 0 {
			t.FlatFee = randomDecimal(r, 100, 2)
		}
		if i < n-1 {
			end := start.Add(randomDecimal(r, 1000, int32(r.IntN(4)))).Add(dec("1"))
			if !start.IsZero() && r.IntN(2) == 0 && start.IsInteger() {
				end = end.Add(dec("1"))
			}
			t.End = decimal.NewNullDecimal(end)
			start = end
			if end.IsInteger() && r.IntN(2) == 0 {
				start = end.Add(dec("1")) // whole-unit notation
			}
		}
		p.Tiers = append(p.Tiers, t)
	}
	return p
}

func randomQuantity(r *rand.Rand) decimal.Decimal {
	switch r.IntN(4) {
	case 0:
		return randomDecimal(r, 100, 0)
	case 1:
		return randomDecimal(r, 10000, int32(r.IntN(10)))
	case 2:
		return randomDecimal(r, 1<<62, int32(r.IntN(19))) // often too big for the fast path
	}
	return randomDecimal(r, 5000, 3)
}

// TestAmountAgreesWithExplain is a property test: over random plans and
// quantities, the fast Amount, the decimal Explain and an independent
// reference give the same exact price.
func TestAmountAgreesWithExplain(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range testrun.Cases(500, 5000) {
		p := randomPlan(r)
		pr, err := p.Pricer()
		require.NoError(t, err, "plan %d: %+v", i, p)
		for range 10 {
			q := randomQuantity(r)
			amount := pr.Amount(q)
			explained, calc := pr.Explain(q, 2)
			want := reference(p, q)
			if !amount.Equal(explained) || !amount.Equal(want) {
				t.Fatalf("plan %d %s %s, q %s: Amount %s, Explain %s (%s), reference %s",
					i, p.Pricing, describe(p), q, amount, explained, calc, want)
			}
			checkLine(t, pr, q)
		}
	}
}

// checkLine: a line's rounded amount and its explanation, written with
// integers where they fit, agree with the decimal reference, for the
// minor units of JPY, USD and BHD; for a plan without free quantity or
// bounds, the text is the tiers' alone.
func checkLine(t *testing.T, pr *plan.Pricer, q decimal.Decimal) {
	t.Helper()
	p := pr.Plan()
	for _, places := range []int32{0, 2, 3} {
		amount, x := pr.Line(q, places)
		require.Equal(t, plan.TextWithDecimals(x), x.String(), "q %s, %d places", q, places)
		if p.Pricing == plan.Percentage {
			require.True(t, x.Quantity().IsZero(), "a percentage plan prices no events from a quantity")
			continue
		}
		require.True(t, x.Quantity().Equal(q))
		want := pr.Amount(q).Round(places)
		if p.Minimum.Valid && want.LessThan(p.Minimum.Decimal.Round(places)) {
			want = p.Minimum.Decimal.Round(places)
		}
		if p.Maximum.Valid && want.GreaterThan(p.Maximum.Decimal.Round(places)) {
			want = p.Maximum.Decimal.Round(places)
		}
		require.Truef(t, amount.Equal(want), "q %s, %d places: line amount %s, want %s (exact %s)", q, places, amount, want, pr.Amount(q))
		if p.FreeQuantity.IsZero() && !p.Minimum.Valid && !p.Maximum.Valid {
			require.Equal(t, plan.DecimalText(pr, q, places), x.String(), "q %s, %d places", q, places)
		}
	}
}

func describe(p plan.TierPlan) string {
	var parts []string
	for _, t := range p.Tiers {
		end := "null"
		if t.End.Valid {
			end = t.End.Decimal.String()
		}
		parts = append(parts, fmt.Sprintf("[%s,%s,%s,%s]", t.Start, end, t.UnitPrice, t.FlatFee))
	}
	return strings.Join(parts, ",")
}

func TestPricerIsSeparateFromItsPlan(t *testing.T) {
	p := seedGraduated()
	pr := pricer(t, p)
	p.Tiers[0].UnitPrice = dec("1000")
	assertPrice(t, pr, "1", "12.00")
	got := pr.Plan()
	got.Tiers[0].UnitPrice = dec("1000")
	assertPrice(t, pr, "1", "12.00")
}

func TestPricerRefusesInvalidPlan(t *testing.T) {
	pr, err := plan.TierPlan{Pricing: plan.Graduated}.Pricer()
	assert.Nil(t, pr)
	assert.ErrorIs(t, err, pricekit.ErrInvalidTiers)
}

func BenchmarkAmount(b *testing.B) {
	for _, bc := range []struct {
		name string
		plan plan.TierPlan
		q    decimal.Decimal
	}{
		{"graduated", seedGraduated(), dec("12345.678")},
		{"volume", seedVolume(), dec("150.5")},
		{"graduated-fallback", seedGraduated(), dec("123456789012345678901234567890.5")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			pr := pricer(b, bc.plan)
			b.ReportAllocs()
			for b.Loop() {
				pr.Amount(bc.q)
			}
		})
	}
}

// BenchmarkLineIn prices a line, in a partial period, through a plain
// plan, the same plan with a free quantity and bounds that the line lies
// within, and with a maximum that caps it (prorated), and a percentage
// plan's charges.
func BenchmarkLineIn(b *testing.B) {
	bounded := seedGraduated()
	bounded.FreeQuantity, bounded.Minimum, bounded.Maximum = dec("100"), null("10.00"), null("1000000.00")
	capped := bounded
	capped.Maximum = null("500.00")
	for _, bc := range []struct {
		name string
		plan plan.TierPlan
	}{{"plain", seedGraduated()}, {"free-and-bounds", bounded}, {"capped", capped}} {
		b.Run(bc.name, func(b *testing.B) {
			pr := pricer(b, bc.plan)
			q := dec("12345.678")
			b.ReportAllocs()
			for b.Loop() {
				pr.LineIn(q, lateJanuary, 2)
			}
		})
	}
	b.Run("charges", func(b *testing.B) {
		pr := pricer(b, cardPlan())
		c := usage.Charges{Events: 412, Quantity: dec("8210.00"), Amount: dec("233.43"), Raised: 12, RaisedBy: dec("3.10")}
		b.ReportAllocs()
		for b.Loop() {
			pr.ChargeLine(c, lateJanuary, 2)
		}
	})
}
