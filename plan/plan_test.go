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
		{"unknown pricing type", plan.TierPlan{Tiers: valid, Pricing: 5}, pricekit.ErrInvalidInput, "pricing_type"},
		{"unknown aggregation", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, Aggregation: 9}, pricekit.ErrInvalidInput, "aggregation"},
		{"package without package_size", plan.TierPlan{Tiers: valid, Pricing: plan.Package}, pricekit.ErrInvalidInput, "package_size"},
		{"negative package_size", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, PackageSize: dec("-5")}, pricekit.ErrInvalidInput, "package_size"},
		{"rounding without mode", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, Rounding: plan.QuantityRounding{Increment: dec("1")}},
			pricekit.ErrInvalidInput, "quantity_rounding.mode"},
		{"rounding without increment", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, Rounding: plan.QuantityRounding{Mode: plan.RoundUp}},
			pricekit.ErrInvalidInput, "quantity_rounding.increment"},
		{"tiers are checked too", plan.TierPlan{Pricing: plan.Graduated}, pricekit.ErrInvalidTiers, "tiers"},

		// Free quantity and plan bounds (every pricing type).
		{"negative free_quantity", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, FreeQuantity: dec("-1")}, pricekit.ErrInvalidInput, "free_quantity"},
		{"free_quantity beyond the limits", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, FreeQuantity: dec("0.00000000000000000000000000001")},
			pricekit.ErrInvalidInput, "free_quantity"},
		{"negative minimum", plan.TierPlan{Tiers: valid, Pricing: plan.Volume, Minimum: null("-0.01")}, pricekit.ErrInvalidInput, "minimum"},
		{"negative maximum", plan.TierPlan{Tiers: valid, Pricing: plan.Volume, Maximum: null("-5")}, pricekit.ErrInvalidInput, "maximum"},
		{"minimum above maximum", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, Minimum: null("30"), Maximum: null("20")}, pricekit.ErrInvalidInput, "minimum"},
		{"maximum beyond the limits", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, Maximum: null("123456789012345678901234567890123456789")},
			pricekit.ErrInvalidInput, "maximum"},
		{"percentage minimum above maximum", plan.TierPlan{Pricing: plan.Percentage, Minimum: null("2"), Maximum: null("1")}, pricekit.ErrInvalidInput, "minimum"},

		// Percentage plans.
		{"percentage with tiers", plan.TierPlan{Tiers: valid, Pricing: plan.Percentage}, pricekit.ErrInvalidInput, "tiers"},
		{"percentage with package_size", plan.TierPlan{Pricing: plan.Percentage, PackageSize: dec("5")}, pricekit.ErrInvalidInput, "package_size"},
		{"percentage with free_quantity", plan.TierPlan{Pricing: plan.Percentage, FreeQuantity: dec("5")}, pricekit.ErrInvalidInput, "free_quantity"},
		{"percentage with quantity_rounding", plan.TierPlan{Pricing: plan.Percentage, Rounding: plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundUp}},
			pricekit.ErrInvalidInput, "quantity_rounding"},
		{"percentage aggregating max", plan.TierPlan{Pricing: plan.Percentage, Aggregation: plan.Max}, pricekit.ErrInvalidInput, "aggregation"},
		{"percentage counting", plan.TierPlan{Pricing: plan.Percentage, Aggregation: plan.Count}, pricekit.ErrInvalidInput, "aggregation"},
		{"negative rate", plan.TierPlan{Pricing: plan.Percentage, Rate: dec("-1.3")}, pricekit.ErrInvalidInput, "rate"},
		{"rate beyond the limits", plan.TierPlan{Pricing: plan.Percentage, Rate: dec("1.00000000000000000000000000001")}, pricekit.ErrInvalidInput, "rate"},
		{"negative event_fee", plan.TierPlan{Pricing: plan.Percentage, EventFee: dec("-0.30")}, pricekit.ErrInvalidInput, "event_fee"},
		{"negative free_events", plan.TierPlan{Pricing: plan.Percentage, FreeEvents: -1}, pricekit.ErrInvalidInput, "free_events"},
		{"negative event_minimum", plan.TierPlan{Pricing: plan.Percentage, EventMinimum: null("-1")}, pricekit.ErrInvalidInput, "event_minimum"},
		{"negative event_maximum", plan.TierPlan{Pricing: plan.Percentage, EventMaximum: null("-1")}, pricekit.ErrInvalidInput, "event_maximum"},
		{"event_minimum above event_maximum", plan.TierPlan{Pricing: plan.Percentage, EventMinimum: null("1"), EventMaximum: null("0.5")},
			pricekit.ErrInvalidInput, "event_minimum"},
		{"event_minimum beyond the limits", plan.TierPlan{Pricing: plan.Percentage, EventMinimum: null("0.00000000000000000000000000001")},
			pricekit.ErrInvalidInput, "event_minimum"},
		{"rate on a graduated plan", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, Rate: dec("1")}, pricekit.ErrInvalidInput, "rate"},
		{"event_fee on a volume plan", plan.TierPlan{Tiers: valid, Pricing: plan.Volume, EventFee: dec("1")}, pricekit.ErrInvalidInput, "event_fee"},
		{"free_events on a graduated plan", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, FreeEvents: 3}, pricekit.ErrInvalidInput, "free_events"},
		{"event_minimum on a package plan", plan.TierPlan{Tiers: valid, Pricing: plan.Package, PackageSize: dec("1"), EventMinimum: null("0")},
			pricekit.ErrInvalidInput, "event_minimum"},
		{"event_maximum on a graduated plan", plan.TierPlan{Tiers: valid, Pricing: plan.Graduated, EventMaximum: null("1")}, pricekit.ErrInvalidInput, "event_maximum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.plan.Validate()
			require.ErrorIs(t, err, tt.code)
			assert.Equal(t, tt.field, pricekit.First(err).Field)
		})
	}
	for _, ok := range []plan.TierPlan{
		{Tiers: valid, Pricing: plan.Package, PackageSize: dec("5"), Rounding: plan.QuantityRounding{Increment: dec("1"), Mode: plan.RoundHalfUp}},
		{Tiers: valid, Pricing: plan.Graduated, FreeQuantity: dec("100"), Minimum: null("10"), Maximum: null("10")},
		{Tiers: valid, Pricing: plan.Volume, Maximum: null("0")},
		{Pricing: plan.Percentage}, // 0%: a rate of 0 is allowed
		{Pricing: plan.Percentage, Rate: dec("250"), EventFee: dec("0.30"), FreeEvents: 1000, EventMinimum: null("0.5"), EventMaximum: null("0.5"),
			Minimum: null("10"), Maximum: null("100")},
	} {
		require.NoError(t, ok.Validate(), "%+v", ok)
	}
}

// TestTierPlanValidateReportsEveryProblem: one pass names every fault.
func TestTierPlanValidateReportsEveryProblem(t *testing.T) {
	err := plan.TierPlan{Pricing: plan.Percentage, Tiers: []plan.Tier{tier("0", "", "1", "0")}, Aggregation: plan.Max, Rate: dec("-1"),
		EventMinimum: null("2"), EventMaximum: null("1"), Minimum: null("-1")}.Validate()
	var fields []string
	for _, e := range pricekit.All(err) {
		assert.Equal(t, pricekit.ErrInvalidInput, e.Code, "%v", e)
		fields = append(fields, e.Field)
	}
	assert.ElementsMatch(t, []string{"minimum", "tiers", "aggregation", "rate", "event_minimum"}, fields, "%v", err)
}

func TestEnums(t *testing.T) {
	for _, p := range []plan.PricingType{plan.Graduated, plan.Volume, plan.Package, plan.Percentage} {
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
	assert.Equal(t, "percentage", plan.Percentage.String())
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
