package schedule_test

import (
	"github.com/pricekit/pricekit"

	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/schedule"
)

func TestParseEvery(t *testing.T) {
	good := []struct {
		in   string
		want schedule.Every
		text string
	}{
		{"1Y", schedule.Every{N: 1, Unit: schedule.Year}, "1Y"},
		{"6M", schedule.Every{N: 6, Unit: schedule.Month}, "6M"},
		{"30D", schedule.Every{N: 30, Unit: schedule.Day}, "30D"},
		{"2W", schedule.Every{N: 2, Unit: schedule.Week}, "2W"},
		{"1Q", schedule.Every{N: 1, Unit: schedule.Quarter}, "1Q"},
		{"3m", schedule.Every{N: 3, Unit: schedule.Month}, "3M"},
		{" 12M ", schedule.Every{N: 12, Unit: schedule.Month}, "12M"},
		{"10000D", schedule.Every{N: 10000, Unit: schedule.Day}, "10000D"},
	}
	for _, tt := range good {
		t.Run(tt.in, func(t *testing.T) {
			got, err := schedule.ParseEvery(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.text, got.String())
			text, err := got.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.text, string(text))
		})
	}
	for _, in := range []string{"", "M", "1", "0M", "-1M", "+1M", "1X", "1.5M", "M1", "1 M", "10001D", "1MM", "once", "99999999999999999999Y"} {
		t.Run("bad "+in, func(t *testing.T) {
			_, err := schedule.ParseEvery(in)
			assert.ErrorIs(t, err, pricekit.ErrInvalidInput)
		})
	}
}

func TestEveryNth(t *testing.T) {
	tests := []struct {
		every, anchor string
		k             int
		want          string
	}{
		{"1M", "2024-01-31", 0, "2024-01-31"},
		{"1M", "2024-01-31", 1, "2024-02-29"},
		{"1M", "2024-01-31", 2, "2024-03-31"},
		{"1M", "2024-01-31", 3, "2024-04-30"},
		{"1M", "2024-01-31", 13, "2025-02-28"},
		{"1M", "2024-01-31", -1, "2023-12-31"},
		{"1M", "2024-01-31", -11, "2023-02-28"},
		{"3M", "2023-11-30", 1, "2024-02-29"},
		{"1Q", "2023-11-30", 2, "2024-05-30"},
		{"1Y", "2024-02-29", 1, "2025-02-28"},
		{"1Y", "2024-02-29", 4, "2028-02-29"},
		{"2W", "2024-01-01", 1, "2024-01-15"},
		{"30D", "2024-01-31", 1, "2024-03-01"},
	}
	for _, tt := range tests {
		t.Run(tt.every+" from "+tt.anchor, func(t *testing.T) {
			e, err := schedule.ParseEvery(tt.every)
			require.NoError(t, err)
			assert.Equal(t, day(tt.want), e.Nth(day(tt.anchor), tt.k), "k=%d", tt.k)
		})
	}
}

func TestParseUnit(t *testing.T) {
	for _, u := range []schedule.Unit{schedule.Day, schedule.Week, schedule.Month, schedule.Quarter, schedule.Year} {
		got, err := schedule.ParseUnit(u.String())
		require.NoError(t, err)
		assert.Equal(t, u, got)
	}
	_, err := schedule.ParseUnit("X")
	assert.ErrorIs(t, err, pricekit.ErrInvalidInput)
	assert.Equal(t, "Unit(0)", schedule.Unit(0).String())
	assert.Equal(t, "Type(7)", schedule.Type(7).String())
	assert.Equal(t, "calendar", schedule.Calendar.String())
	assert.Equal(t, "E", schedule.AnchorEnd.String())
}

func TestDaysIn(t *testing.T) {
	tests := []struct{ y, m, want int }{
		{2024, 2, 29}, {2023, 2, 28}, {1900, 2, 28}, {2000, 2, 29}, {2024, 4, 30}, {2024, 12, 31}, {2024, 1, 31},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, schedule.DaysIn(tt.y, tt.m), "%d-%02d", tt.y, tt.m)
	}
}
