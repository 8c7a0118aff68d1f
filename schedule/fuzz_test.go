package schedule_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/schedule"
)

// FuzzBillingFrequency checks that decoding never panics and that what it
// accepts is valid, re-encodes and reads back equal, and cuts contiguous
// periods.
func FuzzBillingFrequency(f *testing.F) {
	seed, err := os.ReadFile("../testdata/seed/billing_frequency.json")
	require.NoError(f, err)
	f.Add(string(seed))
	for _, s := range []string{
		`{"frequency": "M"}`,
		`{"type": "calendar", "interval": 2, "frequency": "M", "anchor": "E", "eq": true, "day": 31}`,
		`{"type": 2, "frequency": "W"}`,
		`{"type": 2, "frequency": "Q", "day": 25, "eq": true}`,
		`{"frequency": "Y", "interval": 1000}`,
		`{"frequency": "M", "day": 25}`,
		`{"frequency": "M", "interval": 1.5}`,
		`{}`,
	} {
		f.Add(s)
	}
	start, end, until := day("2023-11-30"), day("2026-03-01"), day("2027-01-01")
	f.Fuzz(func(t *testing.T, in string) {
		var v schedule.BillingFrequency
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			if pricekit.First(err) == nil {
				// Only a document encoding/json itself rejects may fail
				// without a pricekit error.
				require.False(t, json.Valid([]byte(in)), "error without a code: %v", err)
			}
			return
		}
		require.NoError(t, v.Validate())
		out, err := json.Marshal(v)
		require.NoError(t, err)
		var again schedule.BillingFrequency
		require.NoError(t, json.Unmarshal(out, &again), "%s", out)
		assert.Equal(t, v, again)

		periods := v.Periods(start, end, until)
		require.NotEmpty(t, periods)
		assert.Equal(t, start, periods[0].Start)
		for i, p := range periods {
			require.Less(t, p.Start, p.End)
			require.LessOrEqual(t, p.FullStart, p.Start)
			require.LessOrEqual(t, p.End, p.FullEnd)
			if i > 0 {
				require.Equal(t, periods[i-1].End, p.Start)
			}
		}
	})
}

// FuzzParseEvery checks that ParseEvery never panics and that what it
// accepts writes itself in a form it reads back equal.
func FuzzParseEvery(f *testing.F) {
	for _, s := range []string{"1Y", "6M", "30D", "2W", "1Q", "3m", " 1M ", "0M", "-1D", "+2W", "1.5M", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := schedule.ParseEvery(in)
		if err != nil {
			return
		}
		require.GreaterOrEqual(t, e.N, 1)
		again, err := schedule.ParseEvery(e.String())
		require.NoError(t, err)
		assert.Equal(t, e, again)
		anchor := day("2024-01-31")
		assert.Greater(t, e.Nth(anchor, 1), anchor)
	})
}
