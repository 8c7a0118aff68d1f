package plan

import (
	"math"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/fixed"
	"github.com/pricekit/pricekit/internal/money"
)

// Explanation is how a [Pricer] priced a quantity, such as "100 × 0.10 =
// 10.00; 50 × 0.20 = 10.00". It holds what the price was computed from —
// the plan and the quantity — and writes the text only when asked
// ([Explanation.String], [Explanation.AppendText]), so pricing a line
// costs no formatting until someone reads it. Amounts in the text have
// the currency's decimal places, or more where a price has more digits:
// "0.125", but "180.00" and, for JPY, "500".
//
// The zero Explanation explains nothing and writes as "".
type Explanation struct {
	pr     *Pricer
	q      decimal.Decimal
	places int32
}

// Quantity returns the quantity x prices.
func (x Explanation) Quantity() decimal.Decimal { return x.q }

// Rounding returns the quantity rounding of the plan x prices through.
func (x Explanation) Rounding() QuantityRounding { return x.pr.Rounding() }

// IsZero reports whether x explains nothing.
func (x Explanation) IsZero() bool { return x.pr == nil }

// String returns the text of x.
func (x Explanation) String() string { return string(x.AppendText(nil)) }

// AppendText appends the text of x to b.
func (x Explanation) AppendText(b []byte) []byte {
	if x.pr == nil {
		return b
	}
	if x.pr.fast {
		if out, ok := x.pr.appendFast(b, x.q, x.places); ok {
			return out
		}
	}
	_, s := x.pr.price(x.q, x.places, true)
	return append(b, s...)
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
// statement line shows it: the amount rounded once to places decimal
// places, half away from zero, and the explanation of the exact price.
// With integers, it costs one decimal for the amount and no text.
func (pr *Pricer) Line(q decimal.Decimal, places int32) (decimal.Decimal, Explanation) {
	x := Explanation{pr: pr, q: q, places: places}
	if pr.fast {
		if v, scale, ok := pr.amountFast(q); ok {
			if r, ok := roundFixed(v, scale, places); ok {
				return fixed.ToDecimal(r, min(scale, max(places, 0))), x
			}
		}
	}
	return money.Round(pr.Amount(q), places), x
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
