// Package fixed holds exact scaled-integer arithmetic for pricekit's hot
// paths: a decimal d is held as an int64 v with d = v × 10^-scale. Every
// operation reports whether it stayed exact and in range; callers fall back
// to shopspring/decimal when it did not.
package fixed

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// MaxScale is the largest scale the fast paths use.
const MaxScale = 18

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// Pow10 returns 10^n for 0 ≤ n ≤ 18.
func Pow10(n int32) int64 { return pow10[n] }

// FromDecimal returns d × 10^scale as an int64 when that is exact and fits.
// It does not allocate.
func FromDecimal(d decimal.Decimal, scale int32) (int64, bool) {
	if scale < 0 || scale > MaxScale || d.NumDigits() > 18 {
		return 0, false
	}
	v, exp := d.CoefficientInt64(), d.Exponent()
	shift := exp + scale
	if shift < 0 { // d is written with more places than scale: exact only if they are zeros
		if -shift > MaxScale {
			return 0, v == 0
		}
		if p := pow10[-shift]; v%p == 0 {
			return v / p, true
		}
		return 0, false
	}
	if shift > MaxScale {
		if v == 0 {
			return 0, true
		}
		return 0, false
	}
	return Mul(v, pow10[shift])
}

// Scale returns the number of decimal places d is written with (never
// negative), for choosing a common scale.
func Scale(d decimal.Decimal) int32 {
	if e := d.Exponent(); e < 0 {
		return -e
	}
	return 0
}

// ToDecimal returns v × 10^-scale.
func ToDecimal(v int64, scale int32) decimal.Decimal { return decimal.New(v, -scale) }

// Mul returns a × b when it fits an int64.
func Mul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	neg := (a < 0) != (b < 0)
	ua, ub := abs(a), abs(b)
	hi, lo := bits.Mul64(ua, ub)
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(lo), true
	}
	return int64(lo), true
}

// Add returns a + b when it fits an int64.
func Add(a, b int64) (int64, bool) {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, false
	}
	return s, true
}

// Rescale returns v (at scale from) at scale to ≥ from, when it fits.
func Rescale(v int64, from, to int32) (int64, bool) {
	if to < from || to-from > MaxScale {
		return 0, false
	}
	return Mul(v, pow10[to-from])
}

func abs(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // MinInt64 maps to itself as 1<<63, which is right
	}
	return uint64(v)
}
