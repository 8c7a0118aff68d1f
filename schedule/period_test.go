package schedule_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"

	"github.com/pricekit/pricekit/schedule"
)

func TestPeriodProrate(t *testing.T) {
	tests := []struct {
		name   string
		p      span
		amount string
		places int32
		want   string
		factor string
	}{
		{"full period rounds only", full("2024-01-01", "2024-02-01"), "10.005", 2, "10.01", "1"},
		{"22 of 31 days", span{"2023-08-10", "2023-09-01", "2023-08-01", "2023-09-01"}, "50.00", 2, "35.48", "22/31"},
		{"one third rounds down", span{"2024-01-01", "2024-01-02", "2024-01-01", "2024-01-04"}, "0.10", 2, "0.03", "1/3"},
		{"half a cent rounds away from zero", span{"2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03"}, "0.05", 2, "0.03", "1/2"},
		{"negative half a cent rounds away from zero", span{"2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03"}, "-0.05", 2, "-0.03", "1/2"},
		{"yen", span{"2024-02-15", "2024-03-01", "2024-02-15", "2024-03-15"}, "1000", 0, "517", "15/29"},
		{"dinar", span{"2024-02-15", "2024-03-01", "2024-02-15", "2024-03-15"}, "1", 3, "0.517", "15/29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p.period()
			got := p.Prorate(decimal.RequireFromString(tt.amount), tt.places)
			assert.True(t, got.Equal(decimal.RequireFromString(tt.want)), "got %s, want %s", got, tt.want)
			assert.Equal(t, tt.factor, p.FactorText())
		})
	}
}

func TestPeriodBasics(t *testing.T) {
	p := span{"2024-02-15", "2024-03-01", "2024-02-15", "2024-03-15"}.period()
	assert.Equal(t, 15, p.Days())
	assert.Equal(t, 29, p.FullDays())
	assert.Equal(t, day("2024-02-29"), p.Last())
	assert.True(t, p.Partial())
	assert.True(t, p.Contains(day("2024-02-15")))
	assert.True(t, p.Contains(day("2024-02-29")))
	assert.False(t, p.Contains(day("2024-03-01")), "End is exclusive")
	assert.False(t, p.Contains(day("2024-02-14")))
	assert.True(t, p.Factor().Equal(decimal.RequireFromString("0.5172413793103448")), "factor %s", p.Factor())

	f := full("2024-01-01", "2024-02-01").period()
	assert.False(t, f.Partial())
	assert.True(t, f.Factor().Equal(decimal.NewFromInt(1)))

	var zero schedule.Period
	assert.Equal(t, 0, zero.Days())
	assert.False(t, zero.Contains(day("2024-01-01")))
	assert.True(t, zero.Factor().Equal(decimal.NewFromInt(1)))
}
