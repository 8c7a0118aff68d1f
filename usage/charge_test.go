package usage_test

import (
	"testing"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/usage"
)

func bound(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }

func TestChargeValidate(t *testing.T) {
	require.NoError(t, usage.Charge{}.Validate(), "a zero charge is valid: everything costs nothing")
	require.NoError(t, usage.Charge{Rate: dec("1.3"), Fee: dec("0.30"), Minimum: bound("0.5"), Maximum: bound("0.5"), Free: 10}.Validate())
	for name, tt := range map[string]struct {
		c      usage.Charge
		fields []string
	}{
		"negative rate":         {usage.Charge{Rate: dec("-0.1")}, []string{"rate"}},
		"negative fee":          {usage.Charge{Rate: dec("1"), Fee: dec("-1")}, []string{"fee"}},
		"negative bounds":       {usage.Charge{Minimum: bound("-1"), Maximum: bound("-2")}, []string{"minimum", "maximum", "minimum"}},
		"minimum above maximum": {usage.Charge{Minimum: bound("3"), Maximum: bound("2")}, []string{"minimum"}},
		"negative free":         {usage.Charge{Free: -1}, []string{"free"}},
		"too many digits":       {usage.Charge{Rate: dec("1234567890123456789012345678901234567890")}, []string{"rate"}},
	} {
		t.Run(name, func(t *testing.T) {
			err := tt.c.Validate()
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Equal(t, tt.fields, fields(err))
		})
	}
	r := usage.Request{Contract: contractA, Bounds: []date.Date{day("2024-01-01"), day("2024-02-01")}, Charge: &usage.Charge{Free: -1}}
	err := usage.ValidateRequests([]usage.Request{r})
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	assert.Equal(t, []string{"requests[0].charge.free"}, fields(err))
}

func TestChargePrice(t *testing.T) {
	c := usage.Charge{Rate: dec("1.3"), Fee: dec("0.30"), Minimum: bound("0.50"), Maximum: bound("5")}
	for _, tt := range []struct{ v, raw, charged string }{
		{"100", "1.6", "1.6"},
		{"10", "0.43", "0.50"}, // raised
		{"1000", "13.3", "5"},  // lowered
		{"0", "0.3", "0.5"},
	} {
		raw, charged := c.Price(dec(tt.v))
		assert.True(t, raw.Equal(dec(tt.raw)), "%s: raw %s", tt.v, raw)
		assert.True(t, charged.Equal(dec(tt.charged)), "%s: charged %s", tt.v, charged)
	}
}

func TestChargeEach(t *testing.T) {
	c := usage.Charge{Rate: dec("1.3"), Fee: dec("0.30"), Minimum: bound("0.50"), Maximum: bound("5"), Free: 1}
	got := usage.ChargeEach(c, []decimal.Decimal{dec("999"), dec("100"), dec("10"), dec("1000"), dec("10")})
	want := usage.Charges{Events: 4, Quantity: dec("1120"), Amount: dec("7.6"),
		Raised: 2, RaisedBy: dec("0.14"), Lowered: 1, LoweredBy: dec("8.3")}
	assert.True(t, want.Equal(got), "%+v", got)
	// The amount is the rate's share, the fees, and what the bounds moved.
	assert.True(t, got.Amount.Equal(dec("1120").Mul(dec("0.013")).Add(dec("1.2")).Add(got.RaisedBy).Sub(got.LoweredBy)))

	assert.True(t, usage.Charges{}.Equal(usage.ChargeEach(c, []decimal.Decimal{dec("5")})), "the one event is free")
	sum := got.Add(got)
	assert.Equal(t, int64(8), sum.Events)
	assert.True(t, sum.Amount.Equal(dec("15.2")))
	assert.True(t, got.Equal(got.Add(usage.Charges{})) && got.Equal(usage.Charges{}.Add(got)))
}
