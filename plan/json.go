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
	Tiers            []tierJSON    `json:"tiers"`
	PricingType      int           `json:"pricing_type"`
	Aggregation      string        `json:"aggregation"`
	PackageSize      *string       `json:"package_size,omitempty"`
	QuantityRounding *roundingJSON `json:"quantity_rounding,omitempty"`
	EffectiveFrom    *string       `json:"effective_from,omitempty"`
}

// MarshalJSON writes p canonically: tiers as objects, decimals as strings.
func (p TierPlan) MarshalJSON() ([]byte, error) {
	w := planJSON{ID: p.ID.String(), DisplayName: p.DisplayName, PricingType: int(p.Pricing),
		Aggregation: p.Aggregation.String(), Tiers: make([]tierJSON, len(p.Tiers))}
	for i, t := range p.Tiers {
		w.Tiers[i] = tierJSON(t)
	}
	if !p.PackageSize.IsZero() {
		s := p.PackageSize.String()
		w.PackageSize = &s
	}
	if !p.Rounding.IsZero() {
		w.QuantityRounding = &roundingJSON{Increment: p.Rounding.Increment, Mode: p.Rounding.Mode.String()}
	}
	w.EffectiveFrom = jsonx.DayText(p.EffectiveFrom)
	return json.Marshal(w)
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
		} else if n, err := jsonx.ParseInt(raw); err != nil || n < 1 || n > 3 {
			o.Fail(pricekit.ErrInvalidInput, "pricing_type", "unknown pricing_type %s (want 1 graduated, 2 volume or 3 package)", raw)
		} else {
			v.Pricing = PricingType(n)
		}
	} else {
		o.Fail(pricekit.ErrInvalidInput, "pricing_type", "pricing_type is required (1 graduated, 2 volume or 3 package)")
	}
	if o.Has("aggregation") {
		a, err := ParseAggregation(o.String("aggregation"))
		o.Add("aggregation", err)
		v.Aggregation = a
	} else {
		o.Raw("aggregation")
	}
	v.PackageSize, _ = o.Decimal("package_size")
	if raw := o.Raw("quantity_rounding"); raw != nil {
		r, err := parseRounding(raw)
		o.Add("quantity_rounding", err)
		v.Rounding = r
	}
	if !o.Has("tiers") {
		o.Raw("tiers")
		o.Fail(pricekit.ErrInvalidTiers, "tiers", "no tiers")
	} else {
		for i, raw := range o.List("tiers") {
			t, err := parseTier(raw)
			o.Add(fmt.Sprintf("tiers[%d]", i), err)
			v.Tiers = append(v.Tiers, t)
		}
	}
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
