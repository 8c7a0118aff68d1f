package plan_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// checkDecoded is the fuzz property of every decoder: never panic; refuse
// with a coded error, or accept a valid value that re-encodes and decodes
// to an equal value.
func checkDecoded[T interface{ Validate() error }](t *testing.T, in []byte) (T, bool) {
	var v T
	if err := json.Unmarshal(in, &v); err != nil {
		if pricekit.First(err) == nil {
			require.False(t, json.Valid(in), "refusal without a code: %v", err)
		}
		return v, false
	}
	require.NoError(t, v.Validate())
	roundTrip(t, v)
	return v, true
}

func FuzzTierPlan(f *testing.F) {
	for _, name := range []string{"tier_plan.json", "refuse_tiers_not_from_zero.json", "refuse_tiers_bounded_last.json", "refuse_empty.json"} {
		f.Add(seedFile(f, name), "150")
	}
	f.Add([]byte(`{"tiers": [{"start": 0, "end": 10.5, "unit_price": "0.125", "flat_fee": 1}, {"start": 10.5, "unit_price": 1}], "pricing_type": "volume", "aggregation": "max"}`), "10.5")
	f.Add([]byte(`{"tiers": [[0, null, 10, 2]], "pricing_type": 3, "package_size": "2.5", "quantity_rounding": {"increment": 1, "mode": "up"}}`), "7")
	for _, s := range []string{
		`{"tiers": [[0, 100, 0.1], [101, null, 0.2]], "pricing_type": 1, "free_quantity": 100, "minimum": "10.00", "maximum": 25}`,
		`{"tiers": [[0, null, 0.1]], "pricing_type": "volume", "free_quantity": "0.5", "minimum": 0, "maximum": null}`,
		`{"tiers": [[0, null, 0.1]], "pricing_type": 1, "minimum": 30, "maximum": 20}`,
		`{"tiers": [[0, null, 0.1]], "pricing_type": 1, "free_quantity": -1, "rate": 1}`,
		`{"pricing_type": "percentage", "rate": "1.3", "event_fee": 0.30, "free_events": 1, "event_minimum": "0.50", "event_maximum": 10, "minimum": 5, "maximum": 500}`,
		`{"pricing_type": 4, "rate": 0, "free_events": 0}`,
		`{"pricing_type": 4, "rate": 1, "tiers": [[0, null, 1]], "package_size": 1, "free_quantity": 1, "aggregation": "max"}`,
		`{"pricing_type": 4, "rate": -1, "event_fee": -1, "free_events": 1.5, "event_minimum": 2, "event_maximum": 1}`,
		`{"pricing_type": 4}`,
	} {
		f.Add([]byte(s), "150")
	}
	f.Fuzz(func(t *testing.T, in []byte, q string) {
		p, ok := checkDecoded[plan.TierPlan](t, in)
		if !ok {
			return
		}
		checkPricer(t, p, q)
	})
}

// checkPricer prices q (made non-negative) through a valid plan: Amount and
// Explain agree and the price is not negative.
func checkPricer(t *testing.T, p plan.TierPlan, q string) {
	pr, err := p.Pricer()
	require.NoError(t, err)
	quantity, err := decimal.NewFromString(q)
	if err != nil || quantity.Exponent() < -40 || quantity.Exponent() > 40 || quantity.NumDigits() > 60 {
		quantity = decimal.NewFromInt(42)
	}
	quantity = p.Rounding.Apply(quantity.Abs())
	amount := pr.Amount(quantity)
	explained, calc := pr.Explain(quantity, 2)
	require.True(t, amount.Equal(explained), "q %s: Amount %s, Explain %s (%s)", quantity, amount, explained, calc)
	require.False(t, amount.IsNegative(), "q %s: %s", quantity, amount)
	checkLine(t, pr, quantity)
	// A line of 15 of 31 days lies within the plan's prorated bounds.
	period := schedule.Period{Start: 16, End: 31, FullStart: 0, FullEnd: 31}
	line, x := pr.LineIn(quantity, period, 2)
	if c := pr.Charge(); c != nil {
		line, x = pr.ChargeLine(usage.ChargeEach(*c, []decimal.Decimal{quantity, quantity.Shift(-1)}), period, 2)
	}
	require.False(t, line.IsNegative(), "q %s: %s (%s)", quantity, line, x)
	if p.Minimum.Valid {
		require.False(t, line.LessThan(period.Prorate(p.Minimum.Decimal, 2)), "q %s: %s (%s)", quantity, line, x)
	}
	if p.Maximum.Valid {
		require.False(t, line.GreaterThan(period.Prorate(p.Maximum.Decimal, 2)), "q %s: %s (%s)", quantity, line, x)
	}
	require.Equal(t, plan.TextWithDecimals(x), x.String())
}

func FuzzFixedFee(f *testing.F) {
	f.Add(seedFile(f, "fixed_fee.json"))
	for _, s := range []string{`{"amount": "9.99", "period": "once"}`, `{"amount": 30, "period": "3M"}`, `{"amount": -1}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkDecoded[plan.FixedFee](t, in)
	})
}

// FuzzValidateTiers builds tier lists from fuzzed bounds and prices: whatever
// ValidateTiers accepts must price consistently, and whatever it refuses is
// refused with a code and a tier's path.
func FuzzValidateTiers(f *testing.F) {
	f.Add("0", "100", "0.1", "101", "0.2", "2", uint8(1), "150")
	f.Add("1", "100", "0.1", "101", "0.2", "0", uint8(1), "150")
	f.Add("0", "100", "0.1", "100", "0.2", "0", uint8(2), "100.5")
	f.Add("0", "0", "1", "1", "1", "0", uint8(1), "0")
	f.Add("0", "10.5", "1", "11.5", "1", "0", uint8(3), "3")
	f.Fuzz(func(t *testing.T, start0, end0, unit0, start1, unit1, flat1 string, kind uint8, q string) {
		parse := func(s string) (decimal.Decimal, bool) {
			d, err := decimal.NewFromString(s)
			if err != nil || d.Exponent() < -15 || d.Exponent() > 15 || d.NumDigits() > 30 { // so that it reads back from JSON
				return decimal.Decimal{}, false
			}
			return d, true
		}
		var tiers []plan.Tier
		t0 := plan.Tier{}
		var ok [6]bool
		t0.Start, ok[0] = parse(start0)
		t0.End.Decimal, ok[1] = parse(end0)
		t0.End.Valid = ok[1]
		t0.UnitPrice, ok[2] = parse(unit0)
		t1 := plan.Tier{}
		t1.Start, ok[3] = parse(start1)
		t1.UnitPrice, ok[4] = parse(unit1)
		t1.FlatFee, ok[5] = parse(flat1)
		if !ok[0] || !ok[2] {
			return
		}
		tiers = append(tiers, t0)
		if ok[3] && ok[4] {
			tiers = append(tiers, t1)
		}
		err := plan.ValidateTiers(tiers)
		if err != nil {
			e := pricekit.First(err)
			require.NotNil(t, e)
			require.True(t, e.Code == pricekit.ErrInvalidTiers || e.Code == pricekit.ErrInvalidInput, "%v", err)
			require.Regexp(t, `^tiers(\[\d\]\.(start|end|unit_price|flat_fee))?$`, e.Field)
			return
		}
		p := plan.TierPlan{Tiers: tiers, Pricing: plan.PricingType(1 + kind%3), PackageSize: decimal.NewFromInt(3)}
		require.NoError(t, p.Validate(), fmt.Sprintf("%+v", p))
		checkPricer(t, p, q)
		roundTrip(t, p)
	})
}
