package usage_test

import (
	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
)

var contractA = uuid.MustParse("00000000-0000-0000-0000-00000000000a")

func day(s string) date.Date       { return date.MustParseISO(s) }
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fields lists the field of every *pricekit.Error in err.
func fields(err error) []string {
	var out []string
	for _, e := range pricekit.All(err) {
		out = append(out, e.Field)
	}
	return out
}
