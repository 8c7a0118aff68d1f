package clickhouse

import (
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/usage"
)

// FuzzColumnLimits checks the refusal of what the columns cannot hold
// against what a Decimal(38, 12) and a Date column are: a quantity passes
// exactly when writing it with 12 places loses nothing and leaves at most
// 26 digits before the point, a day when it lies in 1970-01-01 … 2105-12-31.
// It needs no server.
func FuzzColumnLimits(f *testing.F) {
	for _, s := range []string{"1", "0.000000000001", "0.0000000000001", "1.5000000000000000",
		"99999999999999999999999999.999999999999", "100000000000000000000000000", "-0", "12345.678"} {
		f.Add(s, int64(20000))
	}
	f.Add("1", int64(-1))
	f.Add("1", int64(49710))
	contract := uuid.New()
	targets := map[uuid.UUID]usage.Target{contract: {Start: date.New(1, 1, 2), End: date.New(9999, 12, 31)}}
	f.Fuzz(func(t *testing.T, qty string, days int64) {
		q, err := decimal.NewFromString(qty)
		if err != nil || q.IsNegative() {
			return
		}
		d := date.New(1970, 1, 1) + date.Date(days)
		e := usage.Event{ID: "e", ContractID: contract, Date: d, Quantity: q}
		if e.Validate() != nil {
			return // Accept refuses it on its own
		}
		fixed := q.StringFixed(quantityPlaces)
		back, err := decimal.NewFromString(fixed)
		digits := len(q.Truncate(0).Abs().String())
		fits := err == nil && back.Equal(q) && (q.Abs().LessThan(decimal.NewFromInt(1)) || digits <= 26)
		inRange := d >= firstDay && d <= lastDay
		got := columnLimits([]usage.Event{e}, targets)
		if (got == nil) != (fits && inRange) {
			t.Fatalf("quantity %s (fits: %v), day %s (in range: %v): got %v", q, fits, d, inRange, got)
		}
	})
}
