package usage

import (
	"errors"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/limits"
)

// Charge asks for a period's events to be priced one at a time, as
// percentage pricing does (docs/pricing.md): the period's first Free
// events, by day and then by the order they were accepted, cost nothing,
// and every later one, of quantity v, costs
//
//	clamp(v × Rate/100 + Fee, Minimum, Maximum)
//
// where a bound that is not Valid does not apply. A store computes it where
// the events are, so that rating receives each period's [Charges], never
// the events.
type Charge struct {
	Rate    decimal.Decimal     // percent of an event's quantity, ≥ 0
	Fee     decimal.Decimal     // a fixed amount per paying event, ≥ 0
	Minimum decimal.NullDecimal // a paying event's least charge
	Maximum decimal.NullDecimal // a paying event's greatest charge
	Free    int64               // the period's first events that cost nothing
}

// Validate checks that c's amounts are within the limits and not negative,
// and that its minimum does not exceed its maximum.
func (c Charge) Validate() error {
	var errs []error
	amount := func(field string, d decimal.Decimal) {
		if err := limits.Decimal("usage", field, d); err != nil {
			errs = append(errs, err)
		} else if d.IsNegative() {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", field, "must not be negative, got "+d.String()))
		}
	}
	amount("rate", c.Rate)
	amount("fee", c.Fee)
	if c.Minimum.Valid {
		amount("minimum", c.Minimum.Decimal)
	}
	if c.Maximum.Valid {
		amount("maximum", c.Maximum.Decimal)
	}
	if c.Minimum.Valid && c.Maximum.Valid && c.Minimum.Decimal.GreaterThan(c.Maximum.Decimal) {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", "minimum",
			"the minimum "+c.Minimum.Decimal.String()+" exceeds the maximum "+c.Maximum.Decimal.String()))
	}
	if c.Free < 0 {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", "free", "must not be negative"))
	}
	return errors.Join(errs...)
}

// Price returns what one paying event of quantity v costs under c before
// its bounds, and that amount clamped to them: the rule every store
// applies, spelled out once in decimals.
func (c Charge) Price(v decimal.Decimal) (raw, charged decimal.Decimal) {
	raw = v.Mul(c.Rate.Shift(-2)).Add(c.Fee)
	charged = raw
	if c.Minimum.Valid && charged.LessThan(c.Minimum.Decimal) {
		charged = c.Minimum.Decimal
	}
	if c.Maximum.Valid && charged.GreaterThan(c.Maximum.Decimal) {
		charged = c.Maximum.Decimal
	}
	return raw, charged
}

// Charges are one period's events priced by a [Charge]: the paying events
// (those after the free ones), their quantity, the exact sum of what they
// cost, and how many of them a bound moved, by how much in all. Amount is
// always Quantity × Rate/100 + Events × Fee + RaisedBy − LoweredBy.
type Charges struct {
	Events    int64
	Quantity  decimal.Decimal
	Amount    decimal.Decimal
	Raised    int64           // paying events raised to the minimum
	RaisedBy  decimal.Decimal // the sum of what raising them added
	Lowered   int64           // paying events lowered to the maximum
	LoweredBy decimal.Decimal // the sum of what lowering them took off
}

// Add returns the charges of c's events and d's, priced on their own.
func (c Charges) Add(d Charges) Charges {
	if d.Events == 0 {
		return c
	}
	if c.Events == 0 {
		return d
	}
	return Charges{
		Events:    c.Events + d.Events,
		Quantity:  c.Quantity.Add(d.Quantity),
		Amount:    c.Amount.Add(d.Amount),
		Raised:    c.Raised + d.Raised,
		RaisedBy:  c.RaisedBy.Add(d.RaisedBy),
		Lowered:   c.Lowered + d.Lowered,
		LoweredBy: c.LoweredBy.Add(d.LoweredBy),
	}
}

// Equal reports whether c and d hold the same values (5 equals 5.0).
func (c Charges) Equal(d Charges) bool {
	return c.Events == d.Events && c.Raised == d.Raised && c.Lowered == d.Lowered &&
		c.Quantity.Equal(d.Quantity) && c.Amount.Equal(d.Amount) &&
		c.RaisedBy.Equal(d.RaisedBy) && c.LoweredBy.Equal(d.LoweredBy)
}

// ChargeEach prices a period's quantities, given in order (by day, then by
// the order accepted), under c: the reference rule, in decimals, that a
// store's faster code must agree with.
func ChargeEach(c Charge, quantities []decimal.Decimal) Charges {
	var out Charges
	for i, v := range quantities {
		if int64(i) < c.Free {
			continue
		}
		raw, charged := c.Price(v)
		out.Events++
		out.Quantity = out.Quantity.Add(v)
		out.Amount = out.Amount.Add(charged)
		switch d := charged.Sub(raw); d.Sign() {
		case 1:
			out.Raised++
			out.RaisedBy = out.RaisedBy.Add(d)
		case -1:
			out.Lowered++
			out.LoweredBy = out.LoweredBy.Sub(d)
		}
	}
	return out
}
