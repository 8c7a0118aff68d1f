// Package money is pricekit's one place for rounding amounts and for
// writing them for a person.
//
// Amounts are exact decimals until a statement line is made; then they are
// rounded once, to the currency's minor unit, half away from zero (0.005 →
// 0.01, −0.005 → −0.01). Text shows an amount as a person reads it: with
// the currency's decimal places, and with more only when the amount has
// more digits that are not zeros (a unit price of 0.125 stays 0.125).
package money

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Round rounds d to places decimal places, half away from zero.
func Round(d decimal.Decimal, places int32) decimal.Decimal { return d.Round(places) }

// Text writes d with places decimal places, or more when d has more
// significant ones: 180.000 → "180.00", 0.125 → "0.125"; for JPY (places
// 0) 500.00 → "500" and 0.5 → "0.5".
func Text(d decimal.Decimal, places int32) string {
	return d.StringFixed(max(places, Places(d)))
}

// Places returns the number of decimal places d needs: its digits after
// the point, trailing zeros dropped.
func Places(d decimal.Decimal) int32 {
	exp := d.Exponent()
	if exp >= 0 {
		return 0
	}
	if d.NumDigits() <= 18 {
		v, places := d.CoefficientInt64(), -exp
		if v == 0 {
			return 0
		}
		for places > 0 && v%10 == 0 {
			v /= 10
			places--
		}
		return places
	}
	s := d.String() // without trailing zeros
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return int32(len(s) - i - 1)
	}
	return 0
}

// Trim returns d without trailing zeros after the point (150.0 → 150), so
// that a quantity reads the same whatever the scale it was summed at.
func Trim(d decimal.Decimal) decimal.Decimal {
	p := Places(d)
	if -d.Exponent() <= p {
		return d
	}
	return d.Truncate(p) // exact: only zeros are dropped
}
