package plan

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/jsonx"
)

type tierJSON struct {
	Start     decimal.Decimal     `json:"start"`
	End       decimal.NullDecimal `json:"end"`
	UnitPrice decimal.Decimal     `json:"unit_price"`
	FlatFee   decimal.Decimal     `json:"flat_fee"`
}

type roundingJSON struct {
	Increment decimal.Decimal `json:"increment"`
	Mode      string          `json:"mode"`
}

type planJSON struct {
	ID               string        `json:"id"`
	DisplayName      string        `json:"display_name"`
	Tiers            *[]tierJSON   `json:"tiers,omitempty"`
	PricingType      int           `json:"pricing_type"`
	Aggregation      string        `json:"aggregation"`
	PackageSize      *string       `json:"package_size,omitempty"`
	QuantityRounding *roundingJSON `json:"quantity_rounding,omitempty"`
	FreeQuantity     *string       `json:"free_quantity,omitempty"`
	Minimum          *string       `json:"minimum,omitempty"`
	Maximum          *string       `json:"maximum,omitempty"`
	Rate             *string       `json:"rate,omitempty"`
	EventFee         *string       `json:"event_fee,omitempty"`
	FreeEvents       int64         `json:"free_events,omitempty"`
	EventMinimum     *string       `json:"event_minimum,omitempty"`
	EventMaximum     *string       `json:"event_maximum,omitempty"`
	EffectiveFrom    *string       `json:"effective_from,omitempty"`
}

// MarshalJSON writes p canonically: tiers as objects, decimals as strings,
// optional fields only when set (rate always, for a percentage plan),
// tiers except for a percentage plan.
func (p TierPlan) MarshalJSON() ([]byte, error) {
	w := planJSON{ID: p.ID.String(), DisplayName: p.DisplayName, PricingType: int(p.Pricing),
		Aggregation: p.Aggregation.String(), FreeEvents: p.FreeEvents}
	if p.Pricing != Percentage || len(p.Tiers) > 0 {
		tiers := make([]tierJSON, len(p.Tiers))
		for i, t := range p.Tiers {
			tiers[i] = tierJSON(t)
		}
		w.Tiers = &tiers
	}
	if !p.Rounding.IsZero() {
		w.QuantityRounding = &roundingJSON{Increment: p.Rounding.Increment, Mode: p.Rounding.Mode.String()}
	}
	w.PackageSize = nonZero(p.PackageSize)
	w.FreeQuantity = nonZero(p.FreeQuantity)
	w.Minimum, w.Maximum = optional(p.Minimum), optional(p.Maximum)
	w.Rate, w.EventFee = nonZero(p.Rate), nonZero(p.EventFee)
	if p.Pricing == Percentage && w.Rate == nil {
		s := p.Rate.String()
		w.Rate = &s
	}
	w.EventMinimum, w.EventMaximum = optional(p.EventMinimum), optional(p.EventMaximum)
	w.EffectiveFrom = jsonx.DayText(p.EffectiveFrom)
	return json.Marshal(w)
}

// nonZero is the text of d, or nil for 0: an optional field of a default 0.
func nonZero(d decimal.Decimal) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

// optional is the text of d, or nil when it is absent.
func optional(d decimal.NullDecimal) *string {
	if !d.Valid {
		return nil
	}
	s := d.Decimal.String()
	return &s
}

// UnmarshalJSON reads a tier plan document in any of the seed's shapes
// (tiers as arrays or objects, pricing_type as number or name, decimals as
// numbers or strings), refuses unknown fields and validates the plan.
func (p *TierPlan) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("plan", data)
	if err != nil {
		return err
	}
	var v TierPlan
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	if raw := o.Raw("pricing_type"); raw != nil {
		var name string
		if json.Unmarshal(raw, &name) == nil {
			t, err := ParsePricingType(name)
			o.Add("pricing_type", err)
			v.Pricing = t
		} else if n, err := jsonx.ParseInt(raw); err != nil || n < int(Graduated) || n > int(Percentage) {
			o.Fail(pricekit.ErrInvalidInput, "pricing_type", "unknown pricing_type %s (want %s)", raw, wantPricing)
		} else {
			v.Pricing = PricingType(n)
		}
	} else {
		o.Fail(pricekit.ErrInvalidInput, "pricing_type", "pricing_type is required (%s)", wantPricing)
	}
	percentage := v.Pricing == Percentage
	// A field that a plan of the pricing type given has not is refused
	// even at its default (a percentage plan's "package_size": 0), which
	// Validate cannot tell from an absent one.
	refuse := func(name, why string) {
		if o.Has(name) {
			o.Fail(pricekit.ErrInvalidInput, name, "%s", why)
		}
	}
	if o.Has("aggregation") {
		a, err := ParseAggregation(o.String("aggregation"))
		o.Add("aggregation", err)
		v.Aggregation = a
	} else {
		o.Raw("aggregation")
	}
	if percentage {
		refuse("package_size", "a percentage plan has no package_size")
		refuse("free_quantity", "a percentage plan has no free_quantity (free_events gives events free)")
	}
	v.PackageSize, _ = o.Decimal("package_size")
	if raw := o.Raw("quantity_rounding"); raw != nil {
		r, err := parseRounding(raw)
		o.Add("quantity_rounding", err)
		v.Rounding = r
	}
	v.FreeQuantity, _ = o.Decimal("free_quantity")
	v.Minimum.Decimal, v.Minimum.Valid = o.Decimal("minimum")
	v.Maximum.Decimal, v.Maximum.Valid = o.Decimal("maximum")
	switch {
	case percentage:
		if o.Has("tiers") {
			o.Fail(pricekit.ErrInvalidInput, "tiers", "a percentage plan has no tiers")
		}
		o.Raw("tiers")
		if !o.Has("rate") {
			o.Fail(pricekit.ErrInvalidInput, "rate", "rate is required for a percentage plan (percent, ≥ 0)")
		}
	case !o.Has("tiers"):
		o.Raw("tiers")
		o.Fail(pricekit.ErrInvalidTiers, "tiers", "no tiers")
	default:
		for i, raw := range o.List("tiers") {
			t, err := parseTier(raw)
			o.Add(fmt.Sprintf("tiers[%d]", i), err)
			v.Tiers = append(v.Tiers, t)
		}
	}
	if v.Pricing != 0 && !percentage {
		for _, name := range [...]string{"rate", "event_fee", "free_events", "event_minimum", "event_maximum"} {
			refuse(name, name+" is for percentage plans (pricing_type 4) only")
		}
	}
	v.Rate, _ = o.Decimal("rate")
	v.EventFee, _ = o.Decimal("event_fee")
	if n, ok := o.Int("free_events"); ok {
		v.FreeEvents = int64(n)
	}
	v.EventMinimum.Decimal, v.EventMinimum.Valid = o.Decimal("event_minimum")
	v.EventMaximum.Decimal, v.EventMaximum.Valid = o.Decimal("event_maximum")
	v.EffectiveFrom, _ = o.Date("effective_from")
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*p = v
	return nil
}

func parseRounding(raw json.RawMessage) (QuantityRounding, error) {
	o, err := jsonx.Parse("plan", raw)
	if err != nil {
		return QuantityRounding{}, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "", "want {\"increment\", \"mode\"}")
	}
	var r QuantityRounding
	inc, ok := o.Decimal("increment")
	if !ok {
		o.Fail(pricekit.ErrInvalidInput, "increment", "increment is required")
	} else if !inc.IsPositive() {
		o.Fail(pricekit.ErrInvalidInput, "increment", "increment must be above 0")
	}
	r.Increment = inc
	switch mode := o.String("mode"); mode {
	case "up":
		r.Mode = RoundUp
	case "down":
		r.Mode = RoundDown
	case "half_up":
		r.Mode = RoundHalfUp
	case "":
		o.Fail(pricekit.ErrInvalidInput, "mode", "mode is required (up, down or half_up)")
	default:
		o.Fail(pricekit.ErrInvalidInput, "mode", "unknown mode %q (want up, down or half_up)", mode)
	}
	return r, o.Err()
}

// parseTier reads [start, end, unit_price], [start, end, unit_price,
// flat_fee] or {"start", "end", "unit_price", "flat_fee"}.
func parseTier(raw json.RawMessage) (Tier, error) {
	var t Tier
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return t, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "", "malformed tier")
		}
		if len(items) != 3 && len(items) != 4 {
			return t, pricekit.Errorf(pricekit.ErrInvalidTiers, "plan", "", fmt.Sprintf("a tier has 3 or 4 elements [start, end, unit_price, flat_fee], got %d", len(items)))
		}
		var errs []error
		get := func(i int, name string, nullable bool) (decimal.Decimal, bool) {
			if string(bytes.TrimSpace(items[i])) == "null" {
				if !nullable {
					errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", name, name+" may not be null"))
				}
				return decimal.Decimal{}, false
			}
			d, err := jsonx.ParseDecimal(items[i])
			if err != nil {
				errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", name, err.Error()))
				return decimal.Decimal{}, false
			}
			return d, true
		}
		t.Start, _ = get(0, "start", false)
		t.End.Decimal, t.End.Valid = get(1, "end", true)
		t.UnitPrice, _ = get(2, "unit_price", false)
		if len(items) == 4 {
			t.FlatFee, _ = get(3, "flat_fee", true)
		}
		return t, joinErrs(errs)
	}
	o, err := jsonx.Parse("plan", raw)
	if err != nil {
		return t, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "", "want a tier as [start, end, unit_price] or an object")
	}
	var ok bool
	if t.Start, ok = o.Decimal("start"); !ok && !o.Has("start") {
		o.Fail(pricekit.ErrInvalidInput, "start", "start is required")
	}
	t.End.Decimal, t.End.Valid = o.Decimal("end")
	if t.UnitPrice, ok = o.Decimal("unit_price"); !ok && !o.Has("unit_price") {
		o.Fail(pricekit.ErrInvalidInput, "unit_price", "unit_price is required")
	}
	t.FlatFee, _ = o.Decimal("flat_fee")
	return t, o.Err()
}
