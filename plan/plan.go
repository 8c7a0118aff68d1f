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

// PricingType is how a plan prices a period's usage (docs/pricing.md):
// a quantity through the tiers, or each event on its own.
type PricingType byte

// The pricing types, written 1 to 4 or "graduated", "volume", "package",
// "percentage".
const (
	Graduated  PricingType = 1 // each part of the quantity in the tier it falls in
	Volume     PricingType = 2 // the whole quantity at the tier where it ends
	Package    PricingType = 3 // whole packages of PackageSize at the first tier's price
	Percentage PricingType = 4 // each event at a percentage of its quantity plus a fee, no tiers
)

// wantPricing is what a refused pricing_type is told to be.
const wantPricing = "1 graduated, 2 volume, 3 package or 4 percentage"

// ParsePricingType reads a pricing type's name ("graduated", "volume",
// "package" or "percentage"); anything else is refused with a
// *[pricekit.Error] of code invalid_input.
func ParsePricingType(s string) (PricingType, error) {
	for t := Graduated; t <= Percentage; t++ {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "",
		fmt.Sprintf("unknown pricing_type %q (want %s)", clip(s), wantPricing))
}

// clip shortens a bad value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// String returns "graduated", "volume", "package" or "percentage".
func (t PricingType) String() string {
	switch t {
	case Graduated:
		return "graduated"
	case Volume:
		return "volume"
	case Package:
		return "package"
	case Percentage:
		return "percentage"
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
// A plan of pricing type [Graduated], [Volume] or [Package] prices a
// period's quantity through its tiers, after deducting FreeQuantity; a
// [Percentage] plan has no tiers and prices each event on its own (Rate,
// EventFee, FreeEvents, EventMinimum, EventMaximum). Either way Minimum and
// Maximum bound the line the plan prices, per period.
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
	// FreeQuantity is how many of a period's first units cost nothing:
	// the tiers price max(0, quantity − FreeQuantity). Not for
	// percentage plans.
	FreeQuantity decimal.Decimal
	// Minimum and Maximum, when Valid, bound the amount of each line the
	// plan prices: per period, prorated for a partial period like a fixed
	// fee. Minimum ≤ Maximum.
	Minimum decimal.NullDecimal
	Maximum decimal.NullDecimal
	// Rate, in percent, EventFee, FreeEvents, EventMinimum and
	// EventMaximum are a Percentage plan's per-event terms (see
	// [Pricer.Charge]); every other plan leaves them zero.
	Rate         decimal.Decimal
	EventFee     decimal.Decimal
	FreeEvents   int64
	EventMinimum decimal.NullDecimal
	EventMaximum decimal.NullDecimal
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
	var stack [16]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("plan", "display_name", p.DisplayName),
		limits.Decimal("plan", "package_size", p.PackageSize),
		limits.Decimal("plan", "quantity_rounding.increment", p.Rounding.Increment),
		limits.Decimal("plan", "free_quantity", p.FreeQuantity),
		limitsNull("minimum", p.Minimum), limitsNull("maximum", p.Maximum),
		limits.Decimal("plan", "rate", p.Rate),
		limits.Decimal("plan", "event_fee", p.EventFee),
		limitsNull("event_minimum", p.EventMinimum), limitsNull("event_maximum", p.EventMaximum))
	bad := func(code pricekit.Code, field, format string, args ...any) {
		errs = append(errs, pricekit.Errorf(code, "plan", field, fmt.Sprintf(format, args...)))
	}
	if p.Pricing < Graduated || p.Pricing > Percentage {
		bad(pricekit.ErrInvalidInput, "pricing_type", "pricing_type is required (%s)", wantPricing)
	}
	if p.Aggregation > Latest {
		bad(pricekit.ErrInvalidInput, "aggregation", "unknown aggregation")
	}
	errs = bounds(errs, "minimum", p.Minimum, "maximum", p.Maximum)
	if p.Pricing != Percentage {
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
		if p.FreeQuantity.IsNegative() {
			bad(pricekit.ErrInvalidInput, "free_quantity", "free_quantity %s is negative", p.FreeQuantity)
		}
		for _, f := range p.eventTerms() {
			if f.set {
				bad(pricekit.ErrInvalidInput, f.name, "%s is for percentage plans (pricing_type 4) only", f.name)
			}
		}
		if err := ValidateTiers(p.Tiers); err != nil {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	}
	// A percentage plan prices each event's own quantity: nothing that
	// works on a period's quantity applies.
	if len(p.Tiers) > 0 {
		bad(pricekit.ErrInvalidInput, "tiers", "a percentage plan has no tiers")
	}
	if !p.PackageSize.IsZero() {
		bad(pricekit.ErrInvalidInput, "package_size", "a percentage plan has no package_size")
	}
	if !p.FreeQuantity.IsZero() {
		bad(pricekit.ErrInvalidInput, "free_quantity", "a percentage plan has no free_quantity (free_events gives events free)")
	}
	if !p.Rounding.IsZero() || !p.Rounding.Increment.IsZero() {
		bad(pricekit.ErrInvalidInput, "quantity_rounding", "a percentage plan prices each event's own quantity: it has no quantity_rounding")
	}
	if p.Aggregation != Sum {
		bad(pricekit.ErrInvalidInput, "aggregation", "a percentage plan sums its events (aggregation sum), got %s", p.Aggregation)
	}
	if p.Rate.IsNegative() {
		bad(pricekit.ErrInvalidInput, "rate", "rate %s is negative", p.Rate)
	}
	if p.EventFee.IsNegative() {
		bad(pricekit.ErrInvalidInput, "event_fee", "event_fee %s is negative", p.EventFee)
	}
	if p.FreeEvents < 0 {
		bad(pricekit.ErrInvalidInput, "free_events", "free_events %d is negative", p.FreeEvents)
	}
	errs = bounds(errs, "event_minimum", p.EventMinimum, "event_maximum", p.EventMaximum)
	return errors.Join(errs...)
}

// limitsNull checks an optional decimal against the limits, when it is
// given.
func limitsNull(field string, d decimal.NullDecimal) error {
	if !d.Valid {
		return nil
	}
	return limits.Decimal("plan", field, d.Decimal)
}

// bounds appends the problems of a pair of optional bounds: a negative
// one, and a minimum above the maximum (reported at the minimum).
func bounds(errs []error, minName string, lo decimal.NullDecimal, maxName string, hi decimal.NullDecimal) []error {
	for _, b := range []struct {
		name string
		d    decimal.NullDecimal
	}{{minName, lo}, {maxName, hi}} {
		if b.d.Valid && b.d.Decimal.IsNegative() {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", b.name, fmt.Sprintf("%s %s is negative", b.name, b.d.Decimal)))
		}
	}
	if lo.Valid && hi.Valid && lo.Decimal.GreaterThan(hi.Decimal) {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", minName,
			fmt.Sprintf("%s %s exceeds %s %s", minName, lo.Decimal, maxName, hi.Decimal)))
	}
	return errs
}

// eventTerm is one of a percentage plan's per-event fields, and whether
// a plan sets it.
type eventTerm struct {
	name string
	set  bool
}

// eventTerms lists the per-event fields of p, in the order of the
// document.
func (p TierPlan) eventTerms() [5]eventTerm {
	return [5]eventTerm{{"rate", !p.Rate.IsZero()}, {"event_fee", !p.EventFee.IsZero()}, {"free_events", p.FreeEvents != 0},
		{"event_minimum", p.EventMinimum.Valid}, {"event_maximum", p.EventMaximum.Valid}}
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
