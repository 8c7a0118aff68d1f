package usage

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
)

// Request asks for the usage of one product contract over consecutive
// periods: period k is the days [Bounds[k], Bounds[k+1]), each event counted
// on the day it was given when it was accepted. It is what rating asks of
// wherever usage is kept, so that a store aggregates where the data is and
// hands over one [Aggregates] per period, never the events.
type Request struct {
	Contract uuid.UUID // a product contract
	Bounds   []date.Date
}

// Periods returns the number of periods r asks for.
func (r Request) Periods() int { return max(len(r.Bounds)-1, 0) }

// Validate checks that r names a contract and that its bounds increase.
func (r Request) Validate() error {
	bad := func(field, format string, args ...any) error {
		return pricekit.Errorf(pricekit.ErrInvalidInput, "usage", field, fmt.Sprintf(format, args...))
	}
	if r.Contract == uuid.Nil {
		return bad("contract", "a request needs a product contract")
	}
	if len(r.Bounds) < 2 {
		return bad("bounds", "want at least two period boundaries, got %d", len(r.Bounds))
	}
	for k := 1; k < len(r.Bounds); k++ {
		if r.Bounds[k] <= r.Bounds[k-1] {
			return bad(fmt.Sprintf("bounds[%d]", k), "%s does not follow %s", r.Bounds[k], r.Bounds[k-1])
		}
	}
	return nil
}

// ValidateRequests checks every request, naming the bad ones as
// requests[i].
func ValidateRequests(reqs []Request) error {
	var errs []error
	for i, r := range reqs {
		if err := r.Validate(); err != nil {
			errs = append(errs, pricekit.Prefix(fmt.Sprintf("requests[%d]", i), err))
		}
	}
	return errors.Join(errs...)
}

// Aggregates are what one period's events add up to, every aggregation at
// once: their number, the sum, the largest and the latest quantity (the
// last by day, then by the order they were accepted). The zero Aggregates
// are a period without usage: 0 for each.
type Aggregates struct {
	Count  int64
	Sum    decimal.Decimal
	Max    decimal.Decimal
	Latest decimal.Decimal
}
