package usagelog_test

import (
	"strings"
	"testing"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/usagelog"
)

// FuzzTotal adds quantities given as text, one per line, and checks every
// aggregate against plain decimal arithmetic.
func FuzzTotal(f *testing.F) {
	f.Add("1\n2.5\n0.000000001")
	f.Add("12345678901234567890.123456789012345678\n7\n9223372036.854775807\n9223372036.854775808")
	f.Add("0.0000000000000000001\n1.0000000000000000000")
	f.Fuzz(func(t *testing.T, text string) {
		var tot usagelog.Total
		var ref reference
		for i, s := range strings.Split(text, "\n") {
			q, err := decimal.NewFromString(s)
			if err != nil || q.IsNegative() || len(s) > 60 || q.Exponent() < -40 || q.Exponent() > 40 {
				continue
			}
			d := date.New(2024, 1, 1) + date.Date(i%4)
			tot.Add(q, d)
			ref.add(q, d)
		}
		assertTotal(t, ref, tot, text)
	})
}
