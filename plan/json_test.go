package plan_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
)

func seedFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../testdata/seed/" + name)
	require.NoError(t, err)
	return data
}

// roundTrip encodes v, decodes it into a new T and checks that it is equal,
// decimals compared by value.
func roundTrip[T any](t testing.TB, v T) {
	t.Helper()
	out, err := json.Marshal(v)
	require.NoError(t, err)
	var again T
	require.NoError(t, json.Unmarshal(out, &again), "%s", out)
	if !sameValue(v, again) {
		t.Fatalf("round trip changed the value:\n  %+v\n  %s\n  %+v", v, out, again)
	}
	out2, err := json.Marshal(again)
	require.NoError(t, err)
	assert.JSONEq(t, string(out), string(out2), "canonical form is stable")
}

func TestTierPlanJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want plan.TierPlan
	}{
		{"seed document", string(seedFile(t, "tier_plan.json")), plan.TierPlan{DisplayName: "Test Tier", Pricing: plan.Graduated,
			Tiers: []plan.Tier{tier("0", "100", "0.1", "0"), tier("101", "", "0.2", "0")}}},
		{"four-element tiers, strings, names", `{"tiers": [["0", "10", "10.00", "2.00"], [11, 20, 5, 3], [21, null, 5, null]], "pricing_type": "graduated", "aggregation": "max"}`,
			plan.TierPlan{Pricing: plan.Graduated, Aggregation: plan.Max, Tiers: []plan.Tier{
				tier("0", "10", "10", "2"), tier("11", "20", "5", "3"), tier("21", "", "5", "0")}}},
		{"object tiers, missing end is unbounded", `{"tiers": [{"start": 0, "end": 100, "unit_price": 2, "flat_fee": 10}, {"start": 100, "unit_price": "1"}], "pricing_type": 2}`,
			plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{tier("0", "100", "2", "10"), tier("100", "", "1", "0")}}},
		{"package with rounding", `{"tiers": [[0, null, 10]], "pricing_type": 3, "package_size": 5, "quantity_rounding": {"increment": "0.5", "mode": "half_up"}, "aggregation": "latest"}`,
			plan.TierPlan{Pricing: plan.Package, PackageSize: dec("5"), Aggregation: plan.Latest,
				Rounding: plan.QuantityRounding{Increment: dec("0.5"), Mode: plan.RoundHalfUp}, Tiers: []plan.Tier{tier("0", "", "10", "0")}}},
		{"exponent numbers", `{"tiers": [[0, 1e2, 1E-1], [1.01e2, null, 2e-1]], "pricing_type": 1}`,
			plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "100", "0.1", "0"), tier("101", "", "0.2", "0")}}},
		{"free quantity and bounds", `{"tiers": [[0, null, 0.1]], "pricing_type": 1, "free_quantity": 100, "minimum": "10.00", "maximum": 25}`,
			plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "", "0.1", "0")}, FreeQuantity: dec("100"),
				Minimum: null("10"), Maximum: null("25")}},
		{"a minimum alone, a null maximum", `{"tiers": [[0, null, 0.1]], "pricing_type": "volume", "minimum": 0, "maximum": null, "free_quantity": null}`,
			plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{tier("0", "", "0.1", "0")}, Minimum: null("0")}},
		{"percentage", `{"pricing_type": "percentage", "rate": "1.3", "event_fee": 0.30, "free_events": 100, "event_minimum": "0.50",
			"event_maximum": 10, "minimum": 5, "maximum": "500", "aggregation": "sum"}`,
			plan.TierPlan{Pricing: plan.Percentage, Rate: dec("1.3"), EventFee: dec("0.3"), FreeEvents: 100,
				EventMinimum: null("0.5"), EventMaximum: null("10"), Minimum: null("5"), Maximum: null("500")}},
		{"percentage by number, rate only", `{"pricing_type": 4, "rate": 2.9, "tiers": null}`,
			plan.TierPlan{Pricing: plan.Percentage, Rate: dec("2.9")}},
		{"percentage of 0", `{"pricing_type": 4, "rate": 0, "event_fee": "0.25"}`,
			plan.TierPlan{Pricing: plan.Percentage, EventFee: dec("0.25")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p plan.TierPlan
			require.NoError(t, json.Unmarshal([]byte(tt.in), &p))
			assert.True(t, sameValue(tt.want, p), "got %+v", p)
			roundTrip(t, p)
		})
	}
}

func TestTierPlanJSONRefusals(t *testing.T) {
	const ok = `[[0, 100, 0.1], [101, null, 0.2]]`
	doc := func(tiers, rest string) string { return `{"tiers": ` + tiers + `, "pricing_type": 1` + rest + `}` }
	tests := []struct {
		name  string
		in    string
		code  pricekit.Code
		field string
	}{
		{"empty document", string(seedFile(t, "refuse_empty.json")), pricekit.ErrMissingInput, ""},
		{"unknown field only", string(seedFile(t, "refuse_invalid_field.json")), pricekit.ErrInvalidInput, "invalidField"},
		{"seed: first tier not from 0", string(seedFile(t, "refuse_tiers_not_from_zero.json")), pricekit.ErrInvalidTiers, "tiers[0].start"},
		{"seed: last tier bounded", string(seedFile(t, "refuse_tiers_bounded_last.json")), pricekit.ErrInvalidTiers, "tiers[1].end"},
		{"gap", doc(`[[0, 100, 0.1], [102, null, 0.2]]`, ""), pricekit.ErrInvalidTiers, "tiers[1].start"},
		{"overlap", doc(`[[0, 100, 0.1], [99, null, 0.2]]`, ""), pricekit.ErrInvalidTiers, "tiers[1].start"},
		{"[0,0]", doc(`[[0, 0, 0.1], [1, null, 0.2]]`, ""), pricekit.ErrInvalidTiers, "tiers[0].end"},
		{"bounds not increasing", doc(`[[0, 100, 1], [101, 50, 1], [51, null, 1]]`, ""), pricekit.ErrInvalidTiers, "tiers[1].end"},
		{"no tiers field", `{"pricing_type": 1}`, pricekit.ErrInvalidTiers, "tiers"},
		{"null tiers", `{"tiers": null, "pricing_type": 1}`, pricekit.ErrInvalidTiers, "tiers"},
		{"empty tiers", doc(`[]`, ""), pricekit.ErrInvalidTiers, "tiers"},
		{"tier of two elements", doc(`[[0, null]]`, ""), pricekit.ErrInvalidTiers, "tiers[0]"},
		{"tier of five elements", doc(`[[0, null, 1, 2, 3]]`, ""), pricekit.ErrInvalidTiers, "tiers[0]"},
		{"tiers not a list", doc(`"0-100"`, ""), pricekit.ErrInvalidInput, "tiers"},
		{"tier not a list or object", doc(`[5]`, ""), pricekit.ErrInvalidInput, "tiers[0]"},
		{"start null", doc(`[[null, null, 1]]`, ""), pricekit.ErrInvalidInput, "tiers[0].start"},
		{"unit_price null", doc(`[[0, null, null]]`, ""), pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"NaN string", doc(`[[0, null, "NaN"]]`, ""), pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"Infinity string", doc(`[[0, null, "Infinity"]]`, ""), pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"leading space", doc(`[[0, null, " 1"]]`, ""), pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"exponent in a string", doc(`[[0, null, "1e5"]]`, ""), pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"boolean price", doc(`[[0, null, true]]`, ""), pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"too many digits", doc(`[[0, null, 1234567890123456789012345678901234567890123456789012345678901]]`, ""), pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"exponent out of range", doc(`[[0, null, 1e99]]`, ""), pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"negative unit price", doc(`[[0, 10, 1], [11, null, -0.1]]`, ""), pricekit.ErrInvalidInput, "tiers[1].unit_price"},
		{"negative flat fee", doc(`[[0, null, 1, -1]]`, ""), pricekit.ErrInvalidInput, "tiers[0].flat_fee"},
		{"bad end", doc(`[[0, "ten", 1], [11, null, 1]]`, ""), pricekit.ErrInvalidInput, "tiers[0].end"},
		{"object tier, unknown field", doc(`[{"start": 0, "unit_price": 1, "price": 2}]`, ""), pricekit.ErrInvalidInput, "tiers[0].price"},
		{"object tier, no unit_price", doc(`[{"start": 0}]`, ""), pricekit.ErrInvalidInput, "tiers[0].unit_price"},
		{"object tier, no start", doc(`[{"unit_price": 1}]`, ""), pricekit.ErrInvalidInput, "tiers[0].start"},
		{"object tier, bad start", doc(`[{"start": "x", "unit_price": 1}]`, ""), pricekit.ErrInvalidInput, "tiers[0].start"},
		{"pricing_type missing", `{"tiers": ` + ok + `}`, pricekit.ErrInvalidInput, "pricing_type"},
		{"pricing_type 0", `{"tiers": ` + ok + `, "pricing_type": 0}`, pricekit.ErrInvalidInput, "pricing_type"},
		{"pricing_type 5", `{"tiers": ` + ok + `, "pricing_type": 5}`, pricekit.ErrInvalidInput, "pricing_type"},
		{"pricing_type 1.5", `{"tiers": ` + ok + `, "pricing_type": 1.5}`, pricekit.ErrInvalidInput, "pricing_type"},
		{"pricing_type \"1\"", `{"tiers": ` + ok + `, "pricing_type": "1"}`, pricekit.ErrInvalidInput, "pricing_type"},
		{"pricing_type unknown name", `{"tiers": ` + ok + `, "pricing_type": "tiered"}`, pricekit.ErrInvalidInput, "pricing_type"},
		{"unknown aggregation", doc(ok, `, "aggregation": "avg"`), pricekit.ErrInvalidInput, "aggregation"},
		{"aggregation as a number", doc(ok, `, "aggregation": 1`), pricekit.ErrInvalidInput, "aggregation"},
		{"package without package_size", `{"tiers": [[0, null, 10]], "pricing_type": 3}`, pricekit.ErrInvalidInput, "package_size"},
		{"package_size 0", `{"tiers": [[0, null, 10]], "pricing_type": 3, "package_size": 0}`, pricekit.ErrInvalidInput, "package_size"},
		{"negative package_size", doc(ok, `, "package_size": -5`), pricekit.ErrInvalidInput, "package_size"},
		{"package_size as text", doc(ok, `, "package_size": "five"`), pricekit.ErrInvalidInput, "package_size"},
		{"quantity_rounding without mode", doc(ok, `, "quantity_rounding": {"increment": "1"}`), pricekit.ErrInvalidInput, "quantity_rounding.mode"},
		{"quantity_rounding without increment", doc(ok, `, "quantity_rounding": {"mode": "up"}`), pricekit.ErrInvalidInput, "quantity_rounding.increment"},
		{"quantity_rounding increment 0", doc(ok, `, "quantity_rounding": {"increment": 0, "mode": "up"}`), pricekit.ErrInvalidInput, "quantity_rounding.increment"},
		{"quantity_rounding unknown mode", doc(ok, `, "quantity_rounding": {"increment": 1, "mode": "sideways"}`), pricekit.ErrInvalidInput, "quantity_rounding.mode"},
		{"quantity_rounding unknown field", doc(ok, `, "quantity_rounding": {"increment": 1, "mode": "up", "step": 2}`), pricekit.ErrInvalidInput, "quantity_rounding.step"},
		{"quantity_rounding empty", doc(ok, `, "quantity_rounding": {}`), pricekit.ErrInvalidInput, "quantity_rounding"},
		{"quantity_rounding not an object", doc(ok, `, "quantity_rounding": "up"`), pricekit.ErrInvalidInput, "quantity_rounding"},
		{"malformed id", doc(ok, `, "id": "123"`), pricekit.ErrInvalidInput, "id"},

		{"negative free_quantity", doc(ok, `, "free_quantity": -1`), pricekit.ErrInvalidInput, "free_quantity"},
		{"free_quantity as text", doc(ok, `, "free_quantity": "a hundred"`), pricekit.ErrInvalidInput, "free_quantity"},
		{"free_quantity as a boolean", doc(ok, `, "free_quantity": true`), pricekit.ErrInvalidInput, "free_quantity"},
		{"free_quantity with too many places", doc(ok, `, "free_quantity": "0.00000000000000000000000000001"`), pricekit.ErrInvalidInput, "free_quantity"},
		{"negative minimum", doc(ok, `, "minimum": "-10.00"`), pricekit.ErrInvalidInput, "minimum"},
		{"minimum NaN", doc(ok, `, "minimum": "NaN"`), pricekit.ErrInvalidInput, "minimum"},
		{"negative maximum", doc(ok, `, "maximum": -1`), pricekit.ErrInvalidInput, "maximum"},
		{"maximum as a list", doc(ok, `, "maximum": [25]`), pricekit.ErrInvalidInput, "maximum"},
		{"maximum out of range", doc(ok, `, "maximum": 1e99`), pricekit.ErrInvalidInput, "maximum"},
		{"minimum above maximum", doc(ok, `, "minimum": 30, "maximum": "20.00"`), pricekit.ErrInvalidInput, "minimum"},

		{"percentage with tiers", `{"pricing_type": "percentage", "rate": 1, "tiers": [[0, null, 1]]}`, pricekit.ErrInvalidInput, "tiers"},
		{"percentage with empty tiers", `{"pricing_type": 4, "rate": 1, "tiers": []}`, pricekit.ErrInvalidInput, "tiers"},
		{"percentage without rate", `{"pricing_type": "percentage", "event_fee": 0.30}`, pricekit.ErrInvalidInput, "rate"},
		{"percentage with a null rate", `{"pricing_type": "percentage", "rate": null}`, pricekit.ErrInvalidInput, "rate"},
		{"percentage with package_size", `{"pricing_type": 4, "rate": 1, "package_size": 10}`, pricekit.ErrInvalidInput, "package_size"},
		{"percentage with package_size 0", `{"pricing_type": 4, "rate": 1, "package_size": 0}`, pricekit.ErrInvalidInput, "package_size"},
		{"percentage with free_quantity", `{"pricing_type": 4, "rate": 1, "free_quantity": 100}`, pricekit.ErrInvalidInput, "free_quantity"},
		{"percentage with free_quantity 0", `{"pricing_type": 4, "rate": 1, "free_quantity": "0"}`, pricekit.ErrInvalidInput, "free_quantity"},
		{"percentage with quantity_rounding", `{"pricing_type": 4, "rate": 1, "quantity_rounding": {"increment": 1, "mode": "up"}}`,
			pricekit.ErrInvalidInput, "quantity_rounding"},
		{"percentage aggregating max", `{"pricing_type": 4, "rate": 1, "aggregation": "max"}`, pricekit.ErrInvalidInput, "aggregation"},
		{"percentage aggregating latest", `{"pricing_type": 4, "rate": 1, "aggregation": "latest"}`, pricekit.ErrInvalidInput, "aggregation"},
		{"negative rate", `{"pricing_type": 4, "rate": -1.3}`, pricekit.ErrInvalidInput, "rate"},
		{"rate as text", `{"pricing_type": 4, "rate": "1.3%"}`, pricekit.ErrInvalidInput, "rate"},
		{"negative event_fee", `{"pricing_type": 4, "rate": 1, "event_fee": "-0.30"}`, pricekit.ErrInvalidInput, "event_fee"},
		{"event_fee as a boolean", `{"pricing_type": 4, "rate": 1, "event_fee": false}`, pricekit.ErrInvalidInput, "event_fee"},
		{"negative free_events", `{"pricing_type": 4, "rate": 1, "free_events": -1}`, pricekit.ErrInvalidInput, "free_events"},
		{"free_events 1.0", `{"pricing_type": 4, "rate": 1, "free_events": 1.0}`, pricekit.ErrInvalidInput, "free_events"},
		{"free_events as a string", `{"pricing_type": 4, "rate": 1, "free_events": "3"}`, pricekit.ErrInvalidInput, "free_events"},
		{"free_events with an exponent", `{"pricing_type": 4, "rate": 1, "free_events": 1e3}`, pricekit.ErrInvalidInput, "free_events"},
		{"free_events too large", `{"pricing_type": 4, "rate": 1, "free_events": 99999999999}`, pricekit.ErrInvalidInput, "free_events"},
		{"negative event_minimum", `{"pricing_type": 4, "rate": 1, "event_minimum": -0.5}`, pricekit.ErrInvalidInput, "event_minimum"},
		{"negative event_maximum", `{"pricing_type": 4, "rate": 1, "event_maximum": "-10"}`, pricekit.ErrInvalidInput, "event_maximum"},
		{"event_minimum above event_maximum", `{"pricing_type": 4, "rate": 1, "event_minimum": 2, "event_maximum": 1}`, pricekit.ErrInvalidInput, "event_minimum"},
		{"percentage minimum above maximum", `{"pricing_type": 4, "rate": 1, "minimum": 2, "maximum": 1}`, pricekit.ErrInvalidInput, "minimum"},
		{"rate on a graduated plan", doc(ok, `, "rate": 0`), pricekit.ErrInvalidInput, "rate"},
		{"event_fee on a graduated plan", doc(ok, `, "event_fee": 0.30`), pricekit.ErrInvalidInput, "event_fee"},
		{"free_events on a graduated plan", doc(ok, `, "free_events": 0`), pricekit.ErrInvalidInput, "free_events"},
		{"event_minimum on a graduated plan", doc(ok, `, "event_minimum": 1`), pricekit.ErrInvalidInput, "event_minimum"},
		{"event_maximum on a graduated plan", doc(ok, `, "event_maximum": 1`), pricekit.ErrInvalidInput, "event_maximum"},
		{"unknown field", doc(ok, `, "invalidField": "invalidValue"`), pricekit.ErrInvalidInput, "invalidField"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := plan.TierPlan{DisplayName: "untouched"}
			p := before
			err := json.Unmarshal([]byte(tt.in), &p)
			require.ErrorIs(t, err, tt.code)
			e := pricekit.First(err)
			require.NotNil(t, e)
			assert.Equal(t, tt.field, e.Field, "%v", err)
			assert.True(t, sameValue(before, p), "a refused document changes nothing")
		})
	}
}

// TestTierPlanCanonicalJSON: decimals are written as strings, optional
// fields only when set, a percentage plan without tiers and with its rate.
func TestTierPlanCanonicalJSON(t *testing.T) {
	const id = `"00000000-0000-0000-0000-000000000000"`
	tests := []struct {
		name string
		plan plan.TierPlan
		want string
	}{
		{"free quantity and bounds", plan.TierPlan{Pricing: plan.Graduated, Tiers: []plan.Tier{tier("0", "", "0.10", "0")},
			FreeQuantity: dec("100"), Minimum: null("10.00"), Maximum: null("25")},
			`{"id": ` + id + `, "display_name": "", "pricing_type": 1, "aggregation": "sum",
			  "tiers": [{"start": "0", "end": null, "unit_price": "0.1", "flat_fee": "0"}],
			  "free_quantity": "100", "minimum": "10", "maximum": "25"}`},
		{"a minimum of 0 is written", plan.TierPlan{Pricing: plan.Volume, Tiers: []plan.Tier{tier("0", "", "1", "0")}, Minimum: null("0")},
			`{"id": ` + id + `, "display_name": "", "pricing_type": 2, "aggregation": "sum",
			  "tiers": [{"start": "0", "end": null, "unit_price": "1", "flat_fee": "0"}], "minimum": "0"}`},
		{"percentage", plan.TierPlan{Pricing: plan.Percentage, Rate: dec("1.3"), EventFee: dec("0.30"), FreeEvents: 100,
			EventMinimum: null("0.50"), EventMaximum: null("10"), Maximum: null("500")},
			`{"id": ` + id + `, "display_name": "", "pricing_type": 4, "aggregation": "sum", "rate": "1.3", "event_fee": "0.3",
			  "free_events": 100, "event_minimum": "0.5", "event_maximum": "10", "maximum": "500"}`},
		{"percentage of 0", plan.TierPlan{Pricing: plan.Percentage},
			`{"id": ` + id + `, "display_name": "", "pricing_type": 4, "aggregation": "sum", "rate": "0"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := json.Marshal(tt.plan)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
			roundTrip(t, tt.plan)
		})
	}
}

func TestFixedFeeJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want plan.FixedFee
	}{
		{"seed document", string(seedFile(t, "fixed_fee.json")), plan.FixedFee{DisplayName: "Test Fixed Fee", Amount: dec("100")}},
		{"once", `{"amount": "9.99", "period": "once"}`, plan.FixedFee{Amount: dec("9.99"), Period: plan.FeePeriod{Once: true}}},
		{"quarterly", `{"amount": 30, "period": "3M"}`, plan.FixedFee{Amount: dec("30"), Period: plan.FeePeriod{Every: schedule.Every{N: 3, Unit: schedule.Month}}}},
		{"yearly", `{"amount": 0, "period": "1Y"}`, plan.FixedFee{Amount: decimal.Zero, Period: plan.FeePeriod{Every: schedule.Every{N: 1, Unit: schedule.Year}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f plan.FixedFee
			require.NoError(t, json.Unmarshal([]byte(tt.in), &f))
			assert.True(t, sameValue(tt.want, f), "got %+v", f)
			roundTrip(t, f)
		})
	}
}

func TestFixedFeeJSONRefusals(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		code  pricekit.Code
		field string
	}{
		{"empty document", `{}`, pricekit.ErrMissingInput, ""},
		{"unknown field", `{"invalidField": "invalidValue"}`, pricekit.ErrInvalidInput, "invalidField"},
		{"no amount", `{"display_name": "fee"}`, pricekit.ErrInvalidInput, "amount"},
		{"negative amount", `{"amount": -1}`, pricekit.ErrInvalidInput, "amount"},
		{"amount as text", `{"amount": "ten"}`, pricekit.ErrInvalidInput, "amount"},
		{"amount with a space", `{"amount": "10 "}`, pricekit.ErrInvalidInput, "amount"},
		{"amount NaN", `{"amount": "NaN"}`, pricekit.ErrInvalidInput, "amount"},
		{"amount with an exponent string", `{"amount": "1e5"}`, pricekit.ErrInvalidInput, "amount"},
		{"unknown period", `{"amount": 1, "period": "monthly"}`, pricekit.ErrInvalidInput, "period"},
		{"period as a number", `{"amount": 1, "period": 3}`, pricekit.ErrInvalidInput, "period"},
		{"period of zero", `{"amount": 1, "period": "0M"}`, pricekit.ErrInvalidInput, "period"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f plan.FixedFee
			err := json.Unmarshal([]byte(tt.in), &f)
			require.ErrorIs(t, err, tt.code)
			assert.Equal(t, tt.field, pricekit.First(err).Field, "%v", err)
		})
	}
}
