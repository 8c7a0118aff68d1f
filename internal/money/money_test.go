package money_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"

	"github.com/pricekit/pricekit/internal/money"
)

func TestText(t *testing.T) {
	tests := []struct {
		in     string
		places int32
		want   string
	}{
		{"180.000", 2, "180.00"},
		{"180", 2, "180.00"},
		{"0.125", 2, "0.125"},
		{"0.1250", 2, "0.125"},
		{"500.00", 0, "500"},
		{"0.5", 0, "0.5"},
		{"-12.3", 3, "-12.300"},
		{"0", 2, "0.00"},
		{"123456789012345678901234567890.1200", 2, "123456789012345678901234567890.12"},
		{"1e3", 2, "1000.00"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, money.Text(decimal.RequireFromString(tt.in), tt.places), tt.in)
	}
}

func TestRoundAndTrim(t *testing.T) {
	for in, want := range map[string]string{"0.005": "0.01", "-0.005": "-0.01", "0.0049": "0", "2.5": "2.5"} {
		assert.Equal(t, want, money.Round(decimal.RequireFromString(in), 2).String(), in)
	}
	for in, want := range map[string]int32{"150.0": 0, "1.50": 1, "0.000": 0, "12": 0, "1.0000000000000000000001": 22} {
		d := money.Trim(decimal.RequireFromString(in))
		assert.Equal(t, want, -min(d.Exponent(), 0), in)
		assert.True(t, d.Equal(decimal.RequireFromString(in)), "trimming keeps the value of %s", in)
	}
	// A decimal with ten thousand places trims without parsing text.
	tiny := decimal.New(1, -10001)
	assert.Equal(t, int32(10001), money.Places(tiny))
	assert.True(t, money.Trim(tiny).Equal(tiny))
}
