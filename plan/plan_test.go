package plan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
)

func TestValidateTiers(t *testing.T) {
	tests := []struct {
		name  string
		tiers []plan.Tier
		code  pricekit.Code // "" means valid
		field string
	}{
		{"whole-unit notation", []plan.Tier{tier("0", "100", "0.1", "0"), tier("101", "", "0.2", "0")}, "", ""},
		{"previous-end notation", []plan.Tier{tier("0", "100", "0.1", "0"), tier("100", "", "0.2", "0")}, "", ""},
		{"one unbounded tier", []plan.Tier{tier("0", "", "0.1", "0")}, "", ""},
		{"fractional bounds", []plan.Tier{tier("0", "10.5", "1", "0"), tier("10.5", "", "2", "0")}, "", ""},
		{"free tiers", []plan.Tier{tier("0", "5", "0", "0"), tier("6", "", "0", "0")}, "", ""},

		{"no tiers", nil, pricekit.ErrInvalidTiers, "tiers"},
		{"first tier not from zero", []plan.Tier{tier("1", "100", "0.1", "0"), tier("101", "", "0.2", "0")}, pricekit.ErrInvalidTiers, "tiers[0].start"},
		{"last tier bounded", []plan.Tier{tier("0", "100", "0.1", "0"), tier("101", "201", "0.2", "0")}, pricekit.ErrInvalidTiers, "tiers[1].end"},
		{"single bounded tier", []plan.Tier{tier("0", "100", "0.1", "0")}, pricekit.ErrInvalidTiers, "tiers[0].end"},
		{"gap", []plan.Tier{tier("0", "100", "0.1", "0"), tier("102", "", "0.2", "0")}, pricekit.ErrInvalidTiers, "tiers[1].start"},
		{"overlap", []plan.Tier{tier("0", "100", "0.1", "0"), tier("50", "", "0.2", "0")}, pricekit.ErrInvalidTiers, "tiers[1].start"},
		{"empty first tier [0,0]", []plan.Tier{tier("0", "0", "0.1", "0"), tier("1", "", "0.2", "0")}, pricekit.ErrInvalidTiers, "tiers[0].end"},
		{"empty middle tier", []plan.Tier{tier("0", "10", "1", "0"), tier("11", "11", "1", "0"), tier("12", "", "1", "0")}, pricekit.ErrInvalidTiers, "tiers[1].end"},
		{"bounds not increasing", []plan.Tier{tier("0", "100", "1", "0"), tier("101", "50", "1", "0"), tier("51", "", "1", "0")}, pricekit.ErrInvalidTiers, "tiers[1].end"},
		{"unbounded tier before the last", []plan.Tier{tier("0", "", "1", "0"), tier("101", "", "1", "0")}, pricekit.ErrInvalidTiers, "tiers[0].end"},
		{"whole-unit notation needs whole numbers", []plan.Tier{tier("0", "100.5", "1", "0"), tier("101.5", "", "1", "0")}, pricekit.ErrInvalidTiers, "tiers[1].start"},
		{"negative start", []plan.Tier{tier("-1", "", "1", "0")}, pricekit.ErrInvalidTiers, "tiers[0].start"},
		{"negative unit price", []plan.Tier{tier("0", "", "-0.1", "0")}, pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"negative flat fee", []plan.Tier{tier("0", "10", "1", "0"), tier("11", "", "1", "-2")}, pricekit.ErrInvalidInput, "tiers[1].flat_fee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := plan.ValidateTiers(tt.tiers)
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.code)
			e := pricekit.First(err)
			require.NotNil(t, e)
			assert.Equal(t, tt.field, e.Field)
			assert.Equal(t, "plan", e.Op)
		})
	}
}

func TestValidateTiersReportsEveryProblem(t *testing.T) {
	err := plan.ValidateTiers([]plan.Tier{tier("1", "100", "-1", "0"), tier("150", "120", "1", "0")})
	require.ErrorIs(t, err, pricekit.ErrInvalidTiers)
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	for _, want := range []string{
		"plan: tiers[0].start: first tier starts at 1 (want 0)",
		"plan: tiers[0].unit_price: unit price -1 is negative",
		"plan: tiers[1].start: gap after 100 (want 100 or 101)",
		"plan: tiers[1].end: end 120 is not above start 150",
		"plan: tiers[1].end: the last tier must be unbounded (end null), got 120",
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestTierPlanValidate(t *testing.T) {
	valid := []plan.Tier{tier("0", "", "1", "0")}
	tests := []struct {
		name  string
		plan  plan.TierPlan
		code  pricekit.Code
		field string
	}{
		{"no pricing type", plan.TierPlan{Tiers: valid}, pricekit.ErrInvalidInput, "pricing_type"},
		{"unknown pricing type", plan.TierPlan{Tiers: valid, Pricing: 4}, pricekit.ErrInvalidInput, "pricing_type"},
		{"unknown aggregation", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, Aggregation: 9}, pricekit.ErrInvalidInput, "aggregation"},
		{"package without package_size", plan.TierPlan{Tiers: valid, Pricing: plan.Package}, pricekit.ErrInvalidInput, "package_size"},
		{"negative package_size", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, PackageSize: dec("-5")}, pricekit.ErrInvalidInput, "package_size"},
		{"rounding without mode", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, Rounding: plan.QuantityRounding{Increment: dec("1")}},
			pricekit.ErrInvalidInput, "quantity_rounding.mode"},
		{"rounding without increment", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, Rounding: plan.QuantityRounding{Mode: plan.RoundUp}},
			pricekit.ErrInvalidInput, "quantity_rounding.increment"},
		{"tiers are checked too", plan.TierPlan{Pricing: plan.Graduated}, pricekit.ErrInvalidTiers, "tiers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.plan.Validate()
			require.ErrorIs(t, err, tt.code)
			assert.Equal(t, tt.field, pricekit.First(err).Field)
		})
	}
	require.NoError(t, plan.TierPlan{Tiers: valid, Pricing: plan.Package, PackageSize: dec("5"),
		Rounding: plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundHalfUp}}.Validate())
}

func TestEnums(t *testing.T) {
	for _, p := range []plan.PricingType{plan.Graduated, plan.Volume, plan.Package} {
		got, err := plan.ParsePricingType(p.String())
		require.NoError(t, err)
		assert.Equal(t, p, got)
	}
	_, err := plan.ParsePricingType("tiered")
	assert.ErrorIs(t, err, pricekit.ErrInvalidInput)
	for _, a := range []plan.Aggregation{plan.Sum, plan.Max, plan.Count, plan.Latest} {
		got, err := plan.ParseAggregation(a.String())
		require.NoError(t, err)
		assert.Equal(t, a, got)
	}
	_, err = plan.ParseAggregation("avg")
	assert.ErrorIs(t, err, pricekit.ErrInvalidInput)
	assert.Equal(t, "PricingType(9)", plan.PricingType(9).String())
	assert.Equal(t, "Aggregation(9)", plan.Aggregation(9).String())
	assert.Equal(t, "half_up", plan.RoundHalfUp.String())
}

func TestFixedFeeValidate(t *testing.T) {
	tests := []struct {
		name  string
		fee   plan.FixedFee
		field string
	}{
		{"negative amount", plan.FixedFee{Amount: dec("-1")}, "amount"},
		{"once and recurring", plan.FixedFee{Amount: dec("1"), Period: plan.FeePeriod{Once: true, Every: schedule.Every{N: 1, Unit: schedule.Month}}}, "period"},
		{"recurrence of zero", plan.FixedFee{Amount: dec("1"), Period: plan.FeePeriod{Every: schedule.Every{N: 0, Unit: schedule.Month}}}, "period"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fee.Validate()
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Equal(t, tt.field, pricekit.First(err).Field)
		})
	}
	require.NoError(t, plan.FixedFee{Amount: dec("0")}.Validate())
}
