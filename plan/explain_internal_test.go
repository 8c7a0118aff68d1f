package plan

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"

	"github.com/pricekit/pricekit/internal/money"
)

func TestAppendFixedWritesAsMoneyText(t *testing.T) {
	for _, tt := range []struct {
		v          int64
		scale, min int32
		want       string
	}{
		{180000, 3, 2, "180.00"}, {125, 3, 2, "0.125"}, {5, 1, 0, "0.5"}, {50000, 2, 0, "500"},
		{0, 9, 2, "0.00"}, {0, 0, 0, "0"}, {-123, 1, 3, "-12.300"}, {7, 9, 0, "0.000000007"},
		{math.MinInt64, 0, 0, "-9223372036854775808"}, {math.MaxInt64, 18, 2, "9.223372036854775807"},
	} {
		got := string(appendFixed(nil, tt.v, tt.scale, tt.min))
		assert.Equal(t, tt.want, got)
		assert.Equal(t, money.Text(decimal.New(tt.v, -tt.scale), tt.min), got, "%d at %d", tt.v, tt.scale)
	}
}

func TestRoundFixedHalfAwayFromZero(t *testing.T) {
	for _, tt := range []struct {
		v             int64
		scale, places int32
		want          int64
	}{
		{5, 3, 2, 1}, {-5, 3, 2, -1}, {4, 3, 2, 0}, {-4, 3, 2, 0}, {12345, 2, 2, 12345}, {15, 1, 0, 2}, {-15, 1, 0, -2},
	} {
		got, ok := roundFixed(tt.v, tt.scale, tt.places)
		assert.True(t, ok)
		assert.Equal(t, tt.want, got, "%d at %d to %d", tt.v, tt.scale, tt.places)
		assert.True(t, decimal.New(got, -min(tt.scale, tt.places)).Equal(money.Round(decimal.New(tt.v, -tt.scale), tt.places)))
	}
	_, ok := roundFixed(1, 2, -1)
	assert.False(t, ok, "a negative number of places goes to decimals")
}
