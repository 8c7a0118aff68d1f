package plan

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/limits"
)

// PricingType is how a quantity is priced through the tiers (docs/pricing.md).
type PricingType byte

// The pricing types, written 1, 2, 3 or "graduated", "volume", "package".
const (
	Graduated PricingType = 1 // each part of the quantity in the tier it falls in
	Volume    PricingType = 2 // the whole quantity at the tier where it ends
	Package   PricingType = 3 // whole packages of PackageSize at the first tier's price
)

// ParsePricingType reads a pricing type's name ("graduated", "volume" or
// "package"); anything else is refused with a *[pricekit.Error] of code
// invalid_input.
func ParsePricingType(s string) (PricingType, error) {
	for t := Graduated; t <= Package; t++ {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "",
		fmt.Sprintf("unknown pricing_type %q (want 1 graduated, 2 volume or 3 package)", clip(s)))
}

// clip shortens a bad value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// String returns "graduated", "volume" or "package".
func (t PricingType) String() string {
	switch t {
	case Graduated:
		return "graduated"
	case Volume:
		return "volume"
	case Package:
		return "package"
	}
	return "PricingType(" + strconv.Itoa(int(t)) + ")"
}

// Aggregation turns a period's usage events into one quantity.
type Aggregation byte

// The aggregations; Sum is the zero value and the default.
const (
	Sum    Aggregation = iota // the sum of the quantities
	Max                       // the largest quantity
	Count                     // the number of events
	Latest                    // the quantity of the last event by day, then by ingest order
)

// ParseAggregation reads "sum", "max", "count" or "latest"; anything else
// is refused with a *[pricekit.Error] of code invalid_input.
func ParseAggregation(s string) (Aggregation, error) {
	for a := Sum; a <= Latest; a++ {
		if a.String() == s {
			return a, nil
		}
	}
	return 0, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "",
		fmt.Sprintf("unknown aggregation %q (want sum, max, count or latest)", clip(s)))
}

// String returns the aggregation's name.
func (a Aggregation) String() string {
	switch a {
	case Sum:
		return "sum"
	case Max:
		return "max"
	case Count:
		return "count"
	case Latest:
		return "latest"
	}
	return "Aggregation(" + strconv.Itoa(int(a)) + ")"
}

// RoundingMode says which way a quantity is rounded to its increment.
type RoundingMode byte

// The rounding modes of quantity_rounding.
const (
	RoundUp     RoundingMode = iota + 1 // to the next multiple
	RoundDown                           // to the previous multiple
	RoundHalfUp                         // to the nearest, halves up
)

// String returns "up", "down" or "half_up".
func (m RoundingMode) String() string {
	switch m {
	case RoundUp:
		return "up"
	case RoundDown:
		return "down"
	case RoundHalfUp:
		return "half_up"
	}
	return "RoundingMode(" + strconv.Itoa(int(m)) + ")"
}

// QuantityRounding rounds a period's aggregated quantity to a multiple of
// Increment before pricing. The zero QuantityRounding rounds nothing.
type QuantityRounding struct {
	Increment decimal.Decimal
	Mode      RoundingMode
}

// IsZero reports whether r rounds nothing.
func (r QuantityRounding) IsZero() bool { return r.Mode == 0 }

// Apply rounds q (not negative) to a multiple of the increment.
func (r QuantityRounding) Apply(q decimal.Decimal) decimal.Decimal {
	if r.IsZero() || !r.Increment.IsPositive() {
		return q
	}
	n, rem := q.QuoRem(r.Increment, 0)
	switch r.Mode {
	case RoundUp:
		if rem.Sign() > 0 {
			n = n.Add(one)
		}
	case RoundHalfUp:
		if rem.Add(rem).Cmp(r.Increment) >= 0 {
			n = n.Add(one)
		}
	}
	return n.Mul(r.Increment)
}

var one = decimal.NewFromInt(1)

// Tier is one step of a tier plan: quantities above Start up to and
// including End cost UnitPrice each, and entering the tier costs FlatFee.
// An End that is not Valid is unbounded.
type Tier struct {
	Start     decimal.Decimal
	End       decimal.NullDecimal
	UnitPrice decimal.Decimal
	FlatFee   decimal.Decimal
}

// TierPlan prices a product contract's usage (docs/pricing.md). It is an entity,
// stored by id and shared by many product contracts.
//
// The zero TierPlan is invalid: it has no tiers and no pricing type.
type TierPlan struct {
	ID          uuid.UUID
	DisplayName string
	Tiers       []Tier
	Pricing     PricingType // "pricing_type" in JSON
	Aggregation Aggregation
	PackageSize decimal.Decimal // > 0 for Package plans
	Rounding    QuantityRounding
	// EffectiveFrom is the first day of the periods this version prices
	// (docs/versions.md); zero: the base version.
	EffectiveFrom date.Date
}

// Clone returns a copy of p that shares no memory with it.
func (p TierPlan) Clone() TierPlan {
	p.Tiers = append([]Tier(nil), p.Tiers...)
	return p
}

// Validate reports every problem with p, joined: invalid_tiers for the shape
// of the tiers, invalid_input for the rest.
func (p TierPlan) Validate() error {
	if cachedPricer(p) != nil {
		return nil // an identical plan was validated and compiled
	}
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("plan", "display_name", p.DisplayName),
		limits.Decimal("plan", "package_size", p.PackageSize),
		limits.Decimal("plan", "quantity_rounding.increment", p.Rounding.Increment))
	bad := func(code pricekit.Code, field, format string, args ...any) {
		errs = append(errs, pricekit.Errorf(code, "plan", field, fmt.Sprintf(format, args...)))
	}
	if p.Pricing < Graduated || p.Pricing > Package {
		bad(pricekit.ErrInvalidInput, "pricing_type", "pricing_type is required (1 graduated, 2 volume or 3 package)")
	}
	if p.Aggregation > Latest {
		bad(pricekit.ErrInvalidInput, "aggregation", "unknown aggregation")
	}
	if p.Pricing == Package && !p.PackageSize.IsPositive() {
		bad(pricekit.ErrInvalidInput, "package_size", "a package plan needs package_size > 0")
	}
	if p.PackageSize.IsNegative() {
		bad(pricekit.ErrInvalidInput, "package_size", "package_size %s is negative", p.PackageSize)
	}
	if !p.Rounding.IsZero() || !p.Rounding.Increment.IsZero() {
		if !p.Rounding.Increment.IsPositive() {
			bad(pricekit.ErrInvalidInput, "quantity_rounding.increment", "increment must be above 0")
		}
		if p.Rounding.Mode < RoundUp || p.Rounding.Mode > RoundHalfUp {
			bad(pricekit.ErrInvalidInput, "quantity_rounding.mode", "mode must be up, down or half_up")
		}
	}
	if err := ValidateTiers(p.Tiers); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ValidateTiers checks the shape of a tier list (docs/pricing.md): the first
// tier starts at 0, each next one starts where the previous ended (written as
// the previous end, or the previous end + 1 when both are whole numbers),
// bounded tiers end above their start, only the last is unbounded, and no
// price is negative.
func ValidateTiers(tiers []Tier) error {
	var errs []error
	bad := func(code pricekit.Code, i int, field, format string, args ...any) {
		errs = append(errs, pricekit.Errorf(code, "plan", fmt.Sprintf("tiers[%d].%s", i, field), fmt.Sprintf(format, args...)))
	}
	if len(tiers) == 0 {
		return pricekit.Errorf(pricekit.ErrInvalidTiers, "plan", "tiers", "no tiers")
	}
	for i, t := range tiers {
		for _, f := range []struct {
			name string
			d    decimal.Decimal
		}{{"start", t.Start}, {"end", t.End.Decimal}, {"unit_price", t.UnitPrice}, {"flat_fee", t.FlatFee}} {
			if digits, places := limits.Size(f.d); digits > limits.MaxDigits || places > limits.MaxPlaces {
				// The path is written only for a refusal: validating
				// a good plan formats nothing.
				errs = append(errs, limits.Decimal("plan", fmt.Sprintf("tiers[%d].%s", i, f.name), f.d))
			}
		}
		if t.UnitPrice.IsNegative() {
			bad(pricekit.ErrInvalidInput, i, "unit_price", "unit price %s is negative", t.UnitPrice)
		}
		if t.FlatFee.IsNegative() {
			bad(pricekit.ErrInvalidInput, i, "flat_fee", "flat fee %s is negative", t.FlatFee)
		}
		if i == 0 {
			if !t.Start.IsZero() {
				bad(pricekit.ErrInvalidTiers, i, "start", "first tier starts at %s (want 0)", t.Start)
			}
		} else {
			prev := tiers[i-1]
			switch {
			case !prev.End.Valid:
				// reported below as an unbounded tier that is not the last
			case t.Start.Equal(prev.End.Decimal):
			case t.Start.IsInteger() && prev.End.Decimal.IsInteger() && t.Start.Equal(prev.End.Decimal.Add(one)):
			case t.Start.LessThan(prev.End.Decimal):
				bad(pricekit.ErrInvalidTiers, i, "start", "overlaps the previous tier, which ends at %s (want %s)", prev.End.Decimal, wantNext(prev.End.Decimal))
			default:
				bad(pricekit.ErrInvalidTiers, i, "start", "gap after %s (want %s)", prev.End.Decimal, wantNext(prev.End.Decimal))
			}
		}
		if t.End.Valid {
			if !t.End.Decimal.GreaterThan(t.Start) {
				bad(pricekit.ErrInvalidTiers, i, "end", "end %s is not above start %s", t.End.Decimal, t.Start)
			}
			if i == len(tiers)-1 {
				bad(pricekit.ErrInvalidTiers, i, "end", "the last tier must be unbounded (end null), got %s", t.End.Decimal)
			}
		} else if i < len(tiers)-1 {
			bad(pricekit.ErrInvalidTiers, i, "end", "only the last tier may be unbounded")
		}
	}
	return errors.Join(errs...)
}

func wantNext(end decimal.Decimal) string {
	if end.IsInteger() {
		return end.String() + " or " + end.Add(one).String()
	}
	return end.String()
}
