package fixed_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"

	"github.com/pricekit/pricekit/internal/fixed"
)

func TestFromDecimal(t *testing.T) {
	tests := []struct {
		name  string
		d     decimal.Decimal
		scale int32
		want  int64
		ok    bool
	}{
		{"1.5 at 2", decimal.RequireFromString("1.5"), 2, 150, true},
		{"-1.25 at 3", decimal.RequireFromString("-1.25"), 3, -1250, true},
		{"too many places", decimal.RequireFromString("1.555"), 2, 0, false},
		{"zero at 18", decimal.Zero, 18, 0, true},
		{"zero with a big exponent", decimal.New(0, 30), 0, 0, true},
		{"1e18", decimal.New(1, 18), 0, 1e18, true},
		{"1e19 does not fit", decimal.New(1, 19), 0, 0, false},
		{"1e30", decimal.New(1, 30), 0, 0, false},
		{"19 digits", decimal.RequireFromString("9223372036854775807"), 0, 0, false},
		{"overflow by scaling", decimal.RequireFromString("922337203685477580"), 2, 0, false},
		{"scale above 18", decimal.NewFromInt(1), 19, 0, false},
		{"negative scale", decimal.NewFromInt(1), -1, 0, false},
		{"trailing zeros", decimal.RequireFromString("2.500"), 1, 25, true},
		{"trailing zeros beyond the scale", decimal.RequireFromString("1.2300"), 2, 123, true},
		{"a digit beyond the scale", decimal.RequireFromString("1.2301"), 2, 0, false},
		{"zero written with many places", decimal.New(0, -30), 2, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := fixed.FromDecimal(tt.d, tt.scale)
			assert.Equal(t, tt.ok, ok)
			if tt.ok {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func TestFromDecimalRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		d := decimal.New(r.Int64N(1e15)-5e14, -r.Int32N(10))
		scale := r.Int32N(fixed.MaxScale + 1)
		v, ok := fixed.FromDecimal(d, scale)
		if !ok {
			continue
		}
		if back := fixed.ToDecimal(v, scale); !back.Equal(d) {
			t.Fatalf("%s at %d: %d → %s", d, scale, v, back)
		}
	}
}

func TestArithmetic(t *testing.T) {
	mul := []struct {
		a, b, want int64
		ok         bool
	}{
		{3, -4, -12, true}, {0, math.MaxInt64, 0, true}, {-7, -6, 42, true},
		{1 << 62, 2, 0, false}, {math.MaxInt64, -2, 0, false}, {math.MinInt64, 1, 0, false},
		{3037000499, 3037000499, 9223372030926249001, true},
	}
	for _, tt := range mul {
		got, ok := fixed.Mul(tt.a, tt.b)
		assert.Equal(t, tt.ok, ok, "%d × %d", tt.a, tt.b)
		if ok {
			assert.Equal(t, tt.want, got, "%d × %d", tt.a, tt.b)
		}
	}
	add := []struct {
		a, b, want int64
		ok         bool
	}{
		{-5, 3, -2, true}, {math.MaxInt64, 0, math.MaxInt64, true}, {math.MaxInt64, -1, math.MaxInt64 - 1, true},
		{math.MaxInt64, 1, 0, false}, {math.MinInt64, -1, 0, false}, {math.MinInt64, math.MaxInt64, -1, true},
	}
	for _, tt := range add {
		got, ok := fixed.Add(tt.a, tt.b)
		assert.Equal(t, tt.ok, ok, "%d + %d", tt.a, tt.b)
		if ok {
			assert.Equal(t, tt.want, got, "%d + %d", tt.a, tt.b)
		}
	}
	v, ok := fixed.Rescale(15, 1, 3)
	assert.True(t, ok)
	assert.Equal(t, int64(1500), v)
	_, ok = fixed.Rescale(15, 3, 1)
	assert.False(t, ok, "rescaling down would lose digits")
	_, ok = fixed.Rescale(1, 0, 19)
	assert.False(t, ok)
	assert.Equal(t, int64(1e18), fixed.Pow10(18))
	assert.Equal(t, int32(2), fixed.Scale(decimal.RequireFromString("1.50")))
	assert.Equal(t, int32(0), fixed.Scale(decimal.New(1, 3)))
	assert.True(t, fixed.ToDecimal(-150, 2).Equal(decimal.RequireFromString("-1.5")))
}
