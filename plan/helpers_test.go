package plan_test

import (
	"reflect"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/plan"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// tier builds a tier from text; an empty end is unbounded.
func tier(start, end, unit, flat string) plan.Tier {
	t := plan.Tier{Start: dec(start), UnitPrice: dec(unit), FlatFee: dec(flat)}
	if end != "" {
		t.End = decimal.NewNullDecimal(dec(end))
	}
	return t
}

var decimalType = reflect.TypeOf(decimal.Decimal{})

// sameValue is reflect.DeepEqual, except that decimals compare by value
// (1.0 equals 1.00).
func sameValue(a, b any) bool { return same(reflect.ValueOf(a), reflect.ValueOf(b)) }

func same(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() || (a.IsValid() && a.Type() != b.Type()) {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() == decimalType {
		return a.Interface().(decimal.Decimal).Equal(b.Interface().(decimal.Decimal))
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return false
		}
		fallthrough
	case reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return same(a.Elem(), b.Elem())
	}
	return a.Equal(b)
}

func TestSameValue(t *testing.T) {
	a := plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "1.0", "0")}, Pricing: plan.Graduated}
	b := plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "1.00", "0.000")}, Pricing: plan.Graduated}
	c := plan.TierPlan{Tiers: []plan.Tier{tier("0", "", "1.01", "0")}, Pricing: plan.Graduated}
	d := plan.TierPlan{Tiers: []plan.Tier{tier("0", "5", "1.0", "0")}, Pricing: plan.Graduated}
	if !sameValue(a, b) || sameValue(a, c) || sameValue(a, d) || sameValue(a, plan.TierPlan{Pricing: plan.Graduated}) {
		t.Fatal("sameValue is wrong")
	}
}
