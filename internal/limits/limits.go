// Package limits holds the bounds every document and event must keep,
// whether it arrives as JSON or through the Go API: text is valid UTF-8
// without NUL characters; a decimal has at most 38 significant digits and
// 28 after the point; a day lies in 0001-01-02 .. 9999-12-31. Beyond them a
// value is invalid_input, in every store alike.
package limits

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
)

// Text checks that s is valid UTF-8 without NUL characters.
func Text(op, field, s string) error {
	switch {
	case !utf8.ValidString(s):
		return pricekit.Errorf(pricekit.ErrInvalidInput, op, field, "text is not valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		return pricekit.Errorf(pricekit.ErrInvalidInput, op, field, fmt.Sprintf("text holds a NUL character at byte %d", strings.IndexByte(s, 0)))
	}
	return nil
}

// The bounds of a decimal.
const (
	MaxDigits = 38 // significant digits
	MaxPlaces = 28 // digits after the point, trailing zeros aside
)

// Decimal checks that d has at most MaxDigits significant digits and at
// most MaxPlaces after the point (trailing zeros after the point do not
// count: 1.50 has one place). It never builds d's digits, so a decimal of
// any size is checked at once.
func Decimal(op, field string, d decimal.Decimal) error {
	digits, places := Size(d)
	switch {
	case places > MaxPlaces:
		return pricekit.Errorf(pricekit.ErrInvalidInput, op, field,
			fmt.Sprintf("decimal has %s digits after the point; at most %d are kept", count(places), MaxPlaces))
	case digits > MaxDigits:
		return pricekit.Errorf(pricekit.ErrInvalidInput, op, field,
			fmt.Sprintf("decimal has %s significant digits; at most %d are kept", count(digits), MaxDigits))
	}
	return nil
}

func count(n int64) string {
	if n > 1_000_000 {
		return "more than a million"
	}
	return strconv.FormatInt(n, 10)
}

// Size returns the number of significant digits of d (those of its integer
// part, and after the point through the last that is not zero, leading
// zeros after the point aside) and of its places after the point.
func Size(d decimal.Decimal) (digits, places int64) {
	if d.IsZero() {
		return 0, 0
	}
	n, exp := int64(d.NumDigits()), int64(d.Exponent())
	if exp >= 0 {
		return n + exp, 0
	}
	if -exp > MaxDigits+MaxPlaces+n {
		// So many places that even after dropping every trailing zero
		// the coefficient could not cover them.
		return n, -exp - (n - 1)
	}
	places = int64(trailingPlaces(d))
	trimmed := -exp - places // trailing zeros after the point
	return n - trimmed, places
}

// trailingPlaces is the number of places d needs, trailing zeros dropped.
func trailingPlaces(d decimal.Decimal) int32 {
	exp := d.Exponent()
	if d.NumDigits() <= 18 {
		v, places := d.CoefficientInt64(), -exp
		for places > 0 && v%10 == 0 {
			v /= 10
			places--
		}
		return places
	}
	c := d.Coefficient()
	ten, r := big.NewInt(10), new(big.Int)
	places := -exp
	for places > 0 {
		q, m := new(big.Int).QuoRem(c, ten, r)
		if m.Sign() != 0 {
			break
		}
		c = q
		places--
	}
	return places
}

// First and Last are the days a date may name: 0001-01-02 and 9999-12-31.
var (
	First = date.New(1, 1, 2)
	Last  = date.New(9999, 12, 31)
)

// Day checks that d lies in First .. Last.
func Day(op, field string, d date.Date) error {
	if d < First || d > Last {
		return pricekit.Errorf(pricekit.ErrInvalidInput, op, field,
			fmt.Sprintf("day %s is outside %s .. %s", d, First, Last))
	}
	return nil
}

// MaxEventID is the longest usage event id, in bytes.
const MaxEventID = 1024

// EventID checks an event id: text of at most MaxEventID bytes.
func EventID(op, field, id string) error {
	if len(id) > MaxEventID {
		return pricekit.Errorf(pricekit.ErrInvalidInput, op, field,
			fmt.Sprintf("id is %d bytes long; at most %d are kept", len(id), MaxEventID))
	}
	return Text(op, field, id)
}
