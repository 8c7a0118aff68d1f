package plan

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/fixed"
	"github.com/pricekit/pricekit/internal/money"
)

// Pricer prices quantities through a validated [TierPlan]. Build it once
// with [TierPlan.Pricer] and reuse it: it holds the tiers' bounds normalized
// (tier i covers quantities above lo[i] up to and including hi[i]) and, when
// they fit, as scaled integers, so that pricing a quantity costs a few
// integer operations instead of decimal arithmetic. Results are exact either
// way: a quantity or a product that does not fit an int64 falls back to
// decimals. For a percentage plan it states the per-event terms
// ([Pricer.Charge]) and makes lines from a period's charges
// ([Pricer.ChargeLine]).
//
// A Pricer is immutable and safe for concurrent use.
type Pricer struct {
	// The integer form first, with what a plain line reads, so that the
	// fast paths touch a few cache lines.
	fast    bool
	free    bool        // the plan has a free quantity
	extra   bool        // a line is more than the tiers' rounded price: a free quantity, bounds or percentage pricing
	pricing PricingType // the plan's
	qScale  int32       // scale of the bounds
	pScale  int32       // scale of the unit prices
	fScale  int32       // scale of the flat fees
	loI     []int64     // at qScale
	hiI     []int64     // at qScale
	unitI   []int64     // at pScale
	flatI   []int64     // at fScale
	anyFlat bool
	lo, hi  []decimal.Decimal // hi of the last tier is unused (unbounded)
	plan    TierPlan
}

// Pricer validates p and returns its [Pricer]. A plan identical to one
// compiled recently (same id, same values written the same way) gets the
// same Pricer back without being validated and compiled again: a plan
// shared by many contracts, each rated from its own copy of the
// documents, costs its work once.
func (p TierPlan) Pricer() (*Pricer, error) {
	if pr := cachedPricer(p); pr != nil {
		return pr, nil
	}
	pr, err := p.compilePricer()
	if err != nil {
		return nil, err
	}
	if compiledCount.Add(1) > maxCompiled {
		compiled.Clear() // a bound, not an eviction policy: the cache refills
		compiledCount.Store(1)
	}
	compiled.Store(p.ID, pr)
	return pr, nil
}

// compiled holds recently compiled Pricers by plan id; compiledCount
// bounds it at about maxCompiled.
var (
	compiled      sync.Map
	compiledCount atomic.Int64
)

const maxCompiled = 4096

// cachedPricer returns the Pricer compiled from a plan identical to p, if
// there is one.
func cachedPricer(p TierPlan) *Pricer {
	if v, ok := compiled.Load(p.ID); ok {
		if pr := v.(*Pricer); identical(pr.plan, p) {
			return pr
		}
	}
	return nil
}

// identical reports whether plans a and b have the same values, each
// decimal written the same way (5 and 5.0 differ: a Pricer's scales and
// results follow the spelling).
func identical(a, b TierPlan) bool {
	if a.ID != b.ID || a.EffectiveFrom != b.EffectiveFrom || a.DisplayName != b.DisplayName || a.Pricing != b.Pricing || a.Aggregation != b.Aggregation ||
		a.Rounding.Mode != b.Rounding.Mode || !same(a.Rounding.Increment, b.Rounding.Increment) ||
		!same(a.PackageSize, b.PackageSize) || len(a.Tiers) != len(b.Tiers) ||
		!same(a.FreeQuantity, b.FreeQuantity) || !sameNull(a.Minimum, b.Minimum) || !sameNull(a.Maximum, b.Maximum) ||
		!same(a.Rate, b.Rate) || !same(a.EventFee, b.EventFee) || a.FreeEvents != b.FreeEvents ||
		!sameNull(a.EventMinimum, b.EventMinimum) || !sameNull(a.EventMaximum, b.EventMaximum) {
		return false
	}
	for i := range a.Tiers {
		x, y := &a.Tiers[i], &b.Tiers[i]
		if x.End.Valid != y.End.Valid || (x.End.Valid && !same(x.End.Decimal, y.End.Decimal)) ||
			!same(x.Start, y.Start) || !same(x.UnitPrice, y.UnitPrice) || !same(x.FlatFee, y.FlatFee) {
			return false
		}
	}
	return true
}

// same reports whether a and b are one value written alike.
func same(a, b decimal.Decimal) bool { return a.Exponent() == b.Exponent() && a.Equal(b) }

// sameNull is same for optional values: both absent, or both the same.
func sameNull(a, b decimal.NullDecimal) bool {
	return a.Valid == b.Valid && (!a.Valid || same(a.Decimal, b.Decimal))
}

// compilePricer validates p and compiles its Pricer.
func (p TierPlan) compilePricer() (*Pricer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = p.Clone()
	n := len(p.Tiers)
	bounds := make([]decimal.Decimal, 2*n) // one allocation for both
	pr := &Pricer{plan: p, pricing: p.Pricing, lo: bounds[:n:n], hi: bounds[n:], free: p.FreeQuantity.IsPositive()}
	pr.extra = pr.free || p.Minimum.Valid || p.Maximum.Valid || p.Pricing == Percentage
	for i, t := range p.Tiers {
		if i > 0 {
			pr.lo[i] = pr.hi[i-1]
		}
		if t.End.Valid {
			pr.hi[i] = t.End.Decimal
		}
		pr.qScale = max(pr.qScale, fixed.Scale(pr.lo[i]), fixed.Scale(pr.hi[i]))
		pr.pScale = max(pr.pScale, fixed.Scale(t.UnitPrice))
		pr.fScale = max(pr.fScale, fixed.Scale(t.FlatFee))
		pr.anyFlat = pr.anyFlat || !t.FlatFee.IsZero()
	}
	pr.fast = pr.compile()
	return pr, nil
}

// compile fills the scaled-integer form; false when a value does not fit.
func (pr *Pricer) compile() bool {
	if pr.plan.Pricing == Package || pr.plan.Pricing == Percentage || pr.qScale > 9 || pr.pScale > 9 || pr.fScale > fixed.MaxScale {
		return false
	}
	n := len(pr.lo)
	ints := make([]int64, 4*n) // one allocation for all four
	pr.loI, pr.hiI, pr.unitI, pr.flatI = ints[:n:n], ints[n:2*n:2*n], ints[2*n:3*n:3*n], ints[3*n:]
	for i, t := range pr.plan.Tiers {
		var ok1, ok2, ok3, ok4 bool = true, true, true, true
		pr.loI[i], ok1 = fixed.FromDecimal(pr.lo[i], pr.qScale)
		if t.End.Valid {
			pr.hiI[i], ok2 = fixed.FromDecimal(pr.hi[i], pr.qScale)
		}
		pr.unitI[i], ok3 = fixed.FromDecimal(t.UnitPrice, pr.pScale)
		pr.flatI[i], ok4 = fixed.FromDecimal(t.FlatFee, pr.fScale)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return false
		}
	}
	return true
}

// Aggregation returns how the plan turns a period's events into a quantity.
func (pr *Pricer) Aggregation() Aggregation { return pr.plan.Aggregation }

// Rounding returns the plan's quantity rounding.
func (pr *Pricer) Rounding() QuantityRounding { return pr.plan.Rounding }

// Plan returns a copy of the plan p prices.
func (pr *Pricer) Plan() TierPlan { return pr.plan.Clone() }

// Amount returns the exact price of quantity q (not negative, already
// aggregated and rounded): the graduated, volume or package math of
// q less the plan's free quantity, flat fees included. The plan's minimum
// and maximum are not applied: they bound a line ([Pricer.LineIn]). A
// percentage plan prices events, not a quantity ([Pricer.ChargeLine]): its
// Amount is 0.
func (pr *Pricer) Amount(q decimal.Decimal) decimal.Decimal {
	if pr.free {
		q = pr.afterFree(q)
	}
	if pr.fast {
		if v, scale, ok := pr.amountFast(q); ok {
			return fixed.ToDecimal(v, scale)
		}
	}
	amount, _ := pr.price(q, 0, false)
	return amount
}

// tiersAmount is the exact price of quantity q through the tiers, the
// free quantity already deducted: Amount without it.
func (pr *Pricer) tiersAmount(q decimal.Decimal) decimal.Decimal {
	if pr.fast {
		if v, scale, ok := pr.amountFast(q); ok {
			return fixed.ToDecimal(v, scale)
		}
	}
	amount, _ := pr.price(q, 0, false)
	return amount
}

// Explain returns the exact price of q, as [Pricer.Amount] does, and its
// [Explanation], the text of which reads like "100 × 0.10 = 10.00; 50 ×
// 0.20 = 10.00" (after "first 100 free; " with a free quantity), its
// amounts with places decimal places (the currency's minor unit) or more
// where a price has more digits. For a percentage plan it explains no
// events.
func (pr *Pricer) Explain(q decimal.Decimal, places int32) (decimal.Decimal, Explanation) {
	if pr.plan.Pricing == Percentage {
		return decimal.Zero, Explanation{pr: pr, places: places, line: &lineNote{charged: true}}
	}
	return pr.Amount(q), Explanation{pr: pr, q: q, places: places}
}

// afterFree is what the tiers price of quantity q: q less the free
// quantity, and not below 0.
func (pr *Pricer) afterFree(q decimal.Decimal) decimal.Decimal {
	if !q.GreaterThan(pr.plan.FreeQuantity) {
		return decimal.Zero
	}
	return q.Sub(pr.plan.FreeQuantity)
}

// amountFast prices q in scaled integers. It reports false when q or an
// intermediate value does not fit, and the caller falls back to decimals.
func (pr *Pricer) amountFast(q decimal.Decimal) (int64, int32, bool) {
	sq, ok := pr.fastScale(q)
	if !ok {
		return 0, 0, false
	}
	scale := max(pr.pScale+sq, pr.fScale)
	partUp, flatUp := fixed.Pow10(scale-pr.pScale-sq), fixed.Pow10(scale-pr.fScale)
	var sum int64
	add := func(v, mul int64) bool {
		ok := true
		if mul != 1 {
			v, ok = fixed.Mul(v, mul)
		}
		if ok {
			sum, ok = fixed.Add(sum, v)
		}
		return ok
	}
	ok = pr.walkFast(q, sq, func(n int64, i int) bool {
		v, ok := fixed.Mul(n, pr.unitI[i])
		return ok && add(v, partUp) && add(pr.flatI[i], flatUp)
	})
	return sum, scale, ok
}

// fastScale returns the scale at which the integer paths hold quantity
// q: the bounds' or q's own, whichever has more places; false beyond 9.
func (pr *Pricer) fastScale(q decimal.Decimal) (int32, bool) {
	sq := max(pr.qScale, fixed.Scale(q))
	return sq, sq <= 9
}

// walkFast walks the tiers that price q, in integers at scale sq (from
// fastScale): it calls step with the quantity priced in each tier (at sq)
// and the tier's index — every tier q reaches for graduated pricing, the
// one it falls in for volume pricing. It reports false when q or a bound
// does not fit, when step does, and for a plan it cannot walk (package).
func (pr *Pricer) walkFast(q decimal.Decimal, sq int32, step func(n int64, i int) bool) bool {
	qi, ok := fixed.FromDecimal(q, sq)
	if !ok || qi < 0 {
		return false
	}
	up := fixed.Pow10(sq - pr.qScale) // bounds to the quantity's scale
	last := len(pr.loI) - 1
	switch pr.pricing {
	case Graduated:
		for i := 0; i <= last; i++ {
			lo, ok := fixed.Mul(pr.loI[i], up)
			if !ok {
				return false
			}
			if i > 0 && qi <= lo {
				break
			}
			n := qi - lo
			if i < last {
				hi, ok := fixed.Mul(pr.hiI[i], up)
				if !ok {
					return false
				}
				n = min(qi, hi) - lo
			}
			if !step(n, i) {
				return false
			}
		}
	case Volume:
		i := 0
		for ; i < last; i++ {
			hi, ok := fixed.Mul(pr.hiI[i], up)
			if !ok {
				return false
			}
			if qi <= hi {
				break
			}
		}
		if !step(qi, i) {
			return false
		}
	default:
		return false
	}
	return true
}

// price is the decimal reference implementation, optionally explaining
// itself.
func (pr *Pricer) price(q decimal.Decimal, places int32, explain bool) (decimal.Decimal, string) {
	text := func(d decimal.Decimal) string { return money.Text(d, places) }
	var (
		total decimal.Decimal
		steps []string
	)
	tiers := pr.plan.Tiers
	last := len(tiers) - 1
	charge := func(n decimal.Decimal, t Tier, withFlat bool) {
		part := n.Mul(t.UnitPrice)
		total = total.Add(part)
		if withFlat {
			total = total.Add(t.FlatFee)
		}
		if !explain {
			return
		}
		switch hasFlat := withFlat && !t.FlatFee.IsZero(); {
		case hasFlat && t.UnitPrice.IsZero():
			steps = append(steps, n.String()+" at flat "+text(t.FlatFee))
		case hasFlat:
			steps = append(steps, n.String()+" × "+text(t.UnitPrice)+" = "+text(part)+" + flat "+text(t.FlatFee))
		default:
			steps = append(steps, n.String()+" × "+text(t.UnitPrice)+" = "+text(part))
		}
	}
	switch pr.plan.Pricing {
	case Graduated:
		for i, t := range tiers {
			if i > 0 && !q.GreaterThan(pr.lo[i]) {
				break
			}
			part := q.Sub(pr.lo[i])
			if i < last && q.GreaterThan(pr.hi[i]) {
				part = pr.hi[i].Sub(pr.lo[i])
			}
			charge(part, t, true)
		}
	case Volume:
		i := 0
		for i < last && q.GreaterThan(pr.hi[i]) {
			i++
		}
		charge(q, tiers[i], true)
	case Package:
		packages, rem := q.QuoRem(pr.plan.PackageSize, 0)
		if rem.Sign() > 0 {
			packages = packages.Add(one)
		}
		t := tiers[0]
		part := packages.Mul(t.UnitPrice)
		total = part.Add(t.FlatFee)
		if explain {
			s := "ceil(" + q.String() + " / " + pr.plan.PackageSize.String() + ") = " + packages.String() +
				" packages × " + text(t.UnitPrice) + " = " + text(part)
			if !t.FlatFee.IsZero() {
				s += " + flat " + text(t.FlatFee)
			}
			steps = append(steps, s)
		}
	}
	return total, strings.Join(steps, "; ")
}
