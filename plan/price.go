package plan

import (
	"strings"

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
// decimals.
//
// A Pricer is immutable and safe for concurrent use.
type Pricer struct {
	plan    TierPlan
	lo, hi  []decimal.Decimal // hi of the last tier is unused (unbounded)
	fast    bool
	qScale  int32   // scale of the bounds
	pScale  int32   // scale of the unit prices
	fScale  int32   // scale of the flat fees
	loI     []int64 // at qScale
	hiI     []int64 // at qScale
	unitI   []int64 // at pScale
	flatI   []int64 // at fScale
	anyFlat bool
}

// Pricer validates p and returns its [Pricer].
func (p TierPlan) Pricer() (*Pricer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = p.Clone()
	n := len(p.Tiers)
	pr := &Pricer{plan: p, lo: make([]decimal.Decimal, n), hi: make([]decimal.Decimal, n)}
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
	if pr.plan.Pricing == Package || pr.qScale > 9 || pr.pScale > 9 || pr.fScale > fixed.MaxScale {
		return false
	}
	n := len(pr.lo)
	pr.loI, pr.hiI = make([]int64, n), make([]int64, n)
	pr.unitI, pr.flatI = make([]int64, n), make([]int64, n)
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
// aggregated and rounded): the graduated, volume or package math,
// flat fees included.
func (pr *Pricer) Amount(q decimal.Decimal) decimal.Decimal {
	if pr.fast {
		if v, scale, ok := pr.amountFast(q); ok {
			return fixed.ToDecimal(v, scale)
		}
	}
	amount, _ := pr.price(q, 0, false)
	return amount
}

// Explain returns the exact price of q and a calculation a person can
// follow, such as "100 × 0.10 = 10.00; 50 × 0.20 = 10.00". Amounts in it are
// written with places decimal places (the currency's minor unit), or more
// where a price has more digits: "0.125", but "180.00" and, for JPY, "500".
func (pr *Pricer) Explain(q decimal.Decimal, places int32) (decimal.Decimal, string) {
	return pr.price(q, places, true)
}

// amountFast prices q in scaled integers. It reports false when q or an
// intermediate value does not fit, and the caller falls back to decimals.
func (pr *Pricer) amountFast(q decimal.Decimal) (int64, int32, bool) {
	sq := max(pr.qScale, fixed.Scale(q))
	if sq > 9 {
		return 0, 0, false
	}
	qi, ok := fixed.FromDecimal(q, sq)
	if !ok || qi < 0 {
		return 0, 0, false
	}
	up := fixed.Pow10(sq - pr.qScale) // bounds to the quantity's scale
	as := max(pr.pScale+sq, pr.fScale)
	partUp := fixed.Pow10(as - pr.pScale - sq)
	flatUp := fixed.Pow10(as - pr.fScale)
	var sum int64
	add := func(v, mul int64) bool {
		if mul != 1 {
			if v, ok = fixed.Mul(v, mul); !ok {
				return false
			}
		}
		sum, ok = fixed.Add(sum, v)
		return ok
	}
	last := len(pr.loI) - 1
	switch pr.plan.Pricing {
	case Graduated:
		for i := 0; i <= last; i++ {
			lo, ok1 := fixed.Mul(pr.loI[i], up)
			if !ok1 {
				return 0, 0, false
			}
			if i > 0 && qi <= lo {
				break
			}
			part := qi - lo
			if i < last {
				hi, ok2 := fixed.Mul(pr.hiI[i], up)
				if !ok2 {
					return 0, 0, false
				}
				part = min(qi, hi) - lo
			}
			v, ok3 := fixed.Mul(part, pr.unitI[i])
			if !ok3 || !add(v, partUp) || !add(pr.flatI[i], flatUp) {
				return 0, 0, false
			}
		}
	case Volume:
		i := 0
		for ; i < last; i++ {
			hi, ok1 := fixed.Mul(pr.hiI[i], up)
			if !ok1 {
				return 0, 0, false
			}
			if qi <= hi {
				break
			}
		}
		v, ok1 := fixed.Mul(qi, pr.unitI[i])
		if !ok1 || !add(v, partUp) || !add(pr.flatI[i], flatUp) {
			return 0, 0, false
		}
	default:
		return 0, 0, false
	}
	return sum, as, true
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
