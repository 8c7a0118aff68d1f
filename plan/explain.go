package plan

import (
	"math"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/fixed"
	"github.com/pricekit/pricekit/internal/money"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// Explanation is how a [Pricer] priced a line, such as "100 × 0.10 =
// 10.00; 50 × 0.20 = 10.00". It holds what the price was computed from —
// the plan and the quantity, or a percentage line's events, and the plan
// bound that moved the amount — and writes the text only when asked
// ([Explanation.String], [Explanation.AppendText]), so pricing a line
// costs no formatting until someone reads it. Amounts in the text have
// the currency's decimal places, or more where a price has more digits:
// "0.125", but "180.00" and, for JPY, "500". The text says which units
// were free ("first 100 free; 50 × 0.10 = 5.00"), what a percentage line's
// events cost ("412 events: 1.3% of 8210.00 = 106.73 + 412 × 0.30 =
// 123.60") and when the plan's minimum or maximum applied ("; raised to
// the plan minimum 10.00", "; capped at the plan maximum 25.00 × 15/31
// days = 12.10").
//
// The zero Explanation explains nothing and writes as "".
type Explanation struct {
	pr     *Pricer
	q      decimal.Decimal
	places int32
	line   *lineNote // nil: the tiers' price of q, as it is
}

// lineNote is what a line holds beyond the tiers' price of its quantity:
// the events of a percentage line, and the plan bound that set the
// amount.
type lineNote struct {
	charged bool // a percentage line, of charges
	charges usage.Charges
	bound   boundKind
	period  schedule.Period // the period the bound was prorated for
	got     decimal.Decimal // the bound prorated and rounded: the line's amount
}

// boundKind says which of a plan's bounds set a line's amount.
type boundKind byte

const (
	noBound boundKind = iota
	raised            // to the plan minimum
	capped            // at the plan maximum
)

// Quantity returns the quantity x prices: the line's quantity, free units
// included, or the sum of a percentage line's paying events.
func (x Explanation) Quantity() decimal.Decimal { return x.q }

// Rounding returns the quantity rounding of the plan x prices through.
func (x Explanation) Rounding() QuantityRounding { return x.pr.Rounding() }

// IsZero reports whether x explains nothing.
func (x Explanation) IsZero() bool { return x.pr == nil }

// String returns the text of x.
func (x Explanation) String() string { return string(x.AppendText(nil)) }

// AppendText appends the text of x to b.
func (x Explanation) AppendText(b []byte) []byte {
	if pr := x.pr; pr != nil && pr.fast && x.line == nil && !pr.free { // the path of every plain line
		if out, ok := pr.appendFast(b, x.q, x.places); ok {
			return out
		}
	}
	return x.appendText(b, true)
}

// appendText writes the text of x, with integers where they fit when fast
// is true, with decimals only otherwise (the same text).
func (x Explanation) appendText(b []byte, fast bool) []byte {
	pr := x.pr
	if pr == nil {
		return b
	}
	if x.line != nil && x.line.charged {
		b = pr.appendCharges(b, x.line.charges, x.places)
	} else {
		q := x.q
		if pr.free {
			b = pr.appendFree(b, q)
			q = pr.afterFree(q)
		}
		b = pr.appendTiers(b, q, x.places, fast)
	}
	if x.line != nil && x.line.bound != noBound {
		b = pr.appendBound(b, x.line, x.places)
	}
	return b
}

// appendTiers writes how the tiers price quantity q.
func (pr *Pricer) appendTiers(b []byte, q decimal.Decimal, places int32, fast bool) []byte {
	if fast && pr.fast {
		if out, ok := pr.appendFast(b, q, places); ok {
			return out
		}
	}
	_, s := pr.price(q, places, true)
	return append(b, s...)
}

// appendFree writes the free units of quantity q: "first 100 free; ", or
// "80 of 100 free; " when they cover q.
func (pr *Pricer) appendFree(b []byte, q decimal.Decimal) []byte {
	if q.GreaterThan(pr.plan.FreeQuantity) {
		b = append(b, "first "...)
	} else {
		b = append(b, q.String()...)
		b = append(b, " of "...)
	}
	b = append(b, pr.plan.FreeQuantity.String()...)
	return append(b, " free; "...)
}

// appendBound writes the plan bound that set a line's amount: "; raised
// to the plan minimum 10.00", "; capped at the plan maximum 25.00 × 15/31
// days = 12.10".
func (pr *Pricer) appendBound(b []byte, n *lineNote, places int32) []byte {
	limit := pr.plan.Minimum.Decimal
	if n.bound == raised {
		b = append(b, "; raised to the plan minimum "...)
	} else {
		limit = pr.plan.Maximum.Decimal
		b = append(b, "; capped at the plan maximum "...)
	}
	b = append(b, money.Text(limit, places)...)
	if n.period.Partial() {
		b = append(b, " × "...)
		b = append(b, n.period.FactorText()...)
		b = append(b, " days"...)
	} else if limit.Equal(n.got) {
		return b
	}
	b = append(b, " = "...)
	return append(b, money.Text(n.got, places)...)
}

// appendFast writes the explanation of q with integers, the same text as
// price writes with decimals; false when a value does not fit.
func (pr *Pricer) appendFast(b []byte, q decimal.Decimal, places int32) ([]byte, bool) {
	sq, ok := pr.fastScale(q)
	if !ok {
		return b, false
	}
	start := len(b)
	ok = pr.walkFast(q, sq, func(n int64, i int) bool {
		part, ok := fixed.Mul(n, pr.unitI[i])
		if !ok {
			return false
		}
		if len(b) > start {
			b = append(b, "; "...)
		}
		b = appendFixed(b, n, sq, 0)
		flat := pr.flatI[i]
		if flat != 0 && pr.unitI[i] == 0 {
			b = append(b, " at flat "...)
			b = appendFixed(b, flat, pr.fScale, places)
			return true
		}
		b = append(b, " × "...)
		b = appendFixed(b, pr.unitI[i], pr.pScale, places)
		b = append(b, " = "...)
		b = appendFixed(b, part, sq+pr.pScale, places)
		if flat != 0 {
			b = append(b, " + flat "...)
			b = appendFixed(b, flat, pr.fScale, places)
		}
		return true
	})
	if !ok {
		return b[:start], false
	}
	return b, true
}

// appendFixed writes v × 10^-scale with its significant decimal places,
// and at least minPlaces of them: money.Text's rule, and decimal's String
// for minPlaces 0.
func appendFixed(b []byte, v int64, scale, minPlaces int32) []byte {
	var u uint64
	if v < 0 {
		b = append(b, '-')
		u = uint64(-(v + 1)) + 1 // v may be MinInt64
	} else {
		u = uint64(v)
	}
	need := scale
	for need > 0 && u%10 == 0 && u != 0 {
		u /= 10
		need--
	}
	if u == 0 {
		need = 0
	}
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], u, 10)
	if int32(len(d)) > need {
		b = append(b, d[:int32(len(d))-need]...)
		d = d[int32(len(d))-need:]
	} else {
		b = append(b, '0')
	}
	places := max(minPlaces, need)
	if places == 0 {
		return b
	}
	b = append(b, '.')
	for range need - int32(len(d)) {
		b = append(b, '0')
	}
	b = append(b, d...)
	for range places - need {
		b = append(b, '0')
	}
	return b
}

// Line prices quantity q (aggregated, and rounded as the plan says) as a
// statement line of a full period shows it: [Pricer.LineIn] for a period
// that is not partial.
func (pr *Pricer) Line(q decimal.Decimal, places int32) (decimal.Decimal, Explanation) {
	if pr.extra {
		return pr.extraLine(q, schedule.Period{}, places)
	}
	x := Explanation{pr: pr, q: q, places: places}
	// A plain plan's line, written out here and in LineIn rather than
	// called: it is the path of nearly every line rated.
	if pr.fast {
		if v, scale, ok := pr.amountFast(q); ok {
			if r, ok := roundFixed(v, scale, places); ok {
				return fixed.ToDecimal(r, min(scale, max(places, 0))), x
			}
		}
	}
	return money.Round(pr.Amount(q), places), x // no free quantity: the tiers' price
}

// LineIn prices quantity q (aggregated, and rounded as the plan says) as
// the statement line of period p shows it: the tiers' price of q less the
// free quantity, rounded once to places decimal places, half away from
// zero, then raised to the plan's minimum or lowered to its maximum, each
// prorated for p like a fixed fee ([schedule.Period.Prorate]; the zero
// Period is a full one); and the explanation of it. For a percentage plan
// it is the line of a period without events ([Pricer.ChargeLine]). For a
// plan without free quantity or bounds, with integers, it costs one
// decimal for the amount and no text.
func (pr *Pricer) LineIn(q decimal.Decimal, p schedule.Period, places int32) (decimal.Decimal, Explanation) {
	if pr.extra {
		return pr.extraLine(q, p, places)
	}
	x := Explanation{pr: pr, q: q, places: places}
	if pr.fast { // as in Line
		if v, scale, ok := pr.amountFast(q); ok {
			if r, ok := roundFixed(v, scale, places); ok {
				return fixed.ToDecimal(r, min(scale, max(places, 0))), x
			}
		}
	}
	return money.Round(pr.Amount(q), places), x // no free quantity: the tiers' price
}

// extraLine is LineIn for a plan with a free quantity, bounds, or
// percentage pricing.
func (pr *Pricer) extraLine(q decimal.Decimal, p schedule.Period, places int32) (decimal.Decimal, Explanation) {
	if pr.plan.Pricing == Percentage {
		return pr.ChargeLine(usage.Charges{}, p, places)
	}
	priced := q
	if pr.free {
		priced = pr.afterFree(q)
	}
	return pr.bound(pr.rounded(priced, places), Explanation{pr: pr, q: q, places: places}, p, places)
}

// rounded is the tiers' price of quantity q (the free quantity deducted)
// rounded to places, in integers when they fit.
func (pr *Pricer) rounded(q decimal.Decimal, places int32) decimal.Decimal {
	if pr.fast {
		if v, scale, ok := pr.amountFast(q); ok {
			if r, ok := roundFixed(v, scale, places); ok {
				return fixed.ToDecimal(r, min(scale, max(places, 0)))
			}
		}
	}
	return money.Round(pr.tiersAmount(q), places)
}

// bound applies the plan's minimum and maximum, prorated for period p and
// rounded to places, to a line's rounded amount, and notes in x the one
// that set it. Rounding keeps order and a prorated bound is already
// rounded, so bounding the rounded amount is rounding the bounded one.
//
// A bound is prorated only when it may apply: an amount (a multiple of
// the minor unit) at or above the minimum is at or above it prorated and
// rounded, and one at or below the maximum × the factor is at or below
// that rounded.
func (pr *Pricer) bound(amount decimal.Decimal, x Explanation, p schedule.Period, places int32) (decimal.Decimal, Explanation) {
	kind, got := noBound, amount
	if m := pr.plan.Minimum; m.Valid && amount.LessThan(m.Decimal) {
		if lo := p.Prorate(m.Decimal, places); amount.LessThan(lo) {
			kind, got = raised, lo
		}
	}
	if m := pr.plan.Maximum; m.Valid && kind == noBound && above(amount, m.Decimal, p) {
		if hi := p.Prorate(m.Decimal, places); amount.GreaterThan(hi) {
			kind, got = capped, hi
		}
	}
	if kind == noBound {
		return amount, x
	}
	if x.line == nil {
		x.line = &lineNote{}
	}
	x.line.bound, x.line.period, x.line.got = kind, p, got
	return got, x
}

// above reports whether amount exceeds limit × the proration factor of p,
// exactly (Days ÷ FullDays, as [schedule.Period.Prorate] has it).
func above(amount, limit decimal.Decimal, p schedule.Period) bool {
	if !p.Partial() || p.FullDays() == 0 {
		return amount.GreaterThan(limit)
	}
	return amount.Mul(decimal.NewFromInt(int64(p.FullDays()))).GreaterThan(limit.Mul(decimal.NewFromInt(int64(p.Days()))))
}

// roundFixed rounds v × 10^-scale to places decimal places, half away
// from zero, giving the result at scale min(scale, places); false when
// places is negative.
func roundFixed(v int64, scale, places int32) (int64, bool) {
	if places < 0 {
		return 0, false
	}
	if places >= scale {
		return v, true
	}
	div := fixed.Pow10(scale - places)
	r, rem := v/div, v%div
	if rem < 0 {
		rem = -rem
	}
	if rem >= div-rem { // rem ≥ div/2, without overflow
		if v < 0 {
			r--
		} else if r == math.MaxInt64 {
			return 0, false
		} else {
			r++
		}
	}
	return r, true
}
