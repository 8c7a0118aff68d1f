package modifier_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/modifier"
)

// checkDecoded is the fuzz property of every decoder: never panic; refuse
// with a coded error, or accept a valid value that re-encodes and decodes
// to an equal value.
func checkDecoded[T interface{ Validate() error }](t *testing.T, in []byte) (T, bool) {
	var v T
	if err := json.Unmarshal(in, &v); err != nil {
		if pricekit.First(err) == nil {
			require.False(t, json.Valid(in), "refusal without a code: %v", err)
		}
		return v, false
	}
	require.NoError(t, v.Validate())
	roundTrip(t, v)
	return v, true
}

func FuzzDiscount(f *testing.F) {
	f.Add(seedFile(f, "discount.json"), "150")
	for _, s := range []string{`{"amount": "5.50"}`, `{"percentage": 10, "amount": 5}`, `{"percentage": "100", "threshold": "0"}`, `{}`,
		`{"amount": 20, "duration": "once", "start_date": "2024-02-15"}`, `{"percentage": 5, "duration": 3, "effective_from": "2024-03-01"}`,
		`{"percentage": 5, "duration": 0}`} {
		f.Add([]byte(s), "99.99")
	}
	f.Fuzz(func(t *testing.T, in []byte, subtotal string) {
		d, ok := checkDecoded[modifier.Discount](t, in)
		if !ok {
			return
		}
		var s modifier.Minimum // reuse the strict decimal reader through a minimum's amount
		if json.Unmarshal([]byte(`{"amount": `+subtotal+`}`), &s) != nil {
			return
		}
		got := d.Apply(s.Amount)
		require.False(t, got.IsNegative(), "discount %s on %s", got, s.Amount)
		require.False(t, got.GreaterThan(s.Amount), "discount %s on %s", got, s.Amount)
	})
}

func FuzzMinimum(f *testing.F) {
	f.Add(seedFile(f, "minimum.json"))
	for _, s := range []string{`{"amount": "0.001"}`, `{"amount": -1}`, `{}`, `{"amount": 1200, "period": "1Y"}`,
		`{"amount": 5, "period": "0M", "effective_from": "2024-01-01"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkDecoded[modifier.Minimum](t, in)
	})
}

func FuzzMaximum(f *testing.F) {
	for _, s := range []string{`{"amount": "150.00"}`, `{"amount": -1}`, `{}`, `{"amount": 5, "effective_from": "2024-01-01"}`,
		`{"amount": 5, "period": "1M"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkDecoded[modifier.Maximum](t, in)
	})
}

func FuzzCredit(f *testing.F) {
	f.Add(seedFile(f, "credit.json"))
	for _, s := range []string{
		`{"amount": "25", "expiry": "6M", "priority": 1, "start_date": "2024-03-01T12:00:00Z"}`,
		`{"amount": 1, "expiry": null, "priority": -3, "start_date": "0000-01-01"}`,
		`{"amount": 1, "start_date": "2024-02-30"}`,
		`{}`,
		`{"amount": 30, "recurrence": "1M", "rollover": "0.5"}`,
		`{"amount": 30, "recurrence": "2W", "expiry": "10D", "rollover": 1}`,
		`{"amount": 30, "rollover": 0.5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c, ok := checkDecoded[modifier.Credit](t, in)
		if !ok {
			return
		}
		grant, expiry := c.Window(1)
		require.True(t, expiry == 0 || expiry > grant, "window [%s, %s)", grant, expiry)
		if !c.Recurrence.IsZero() {
			next, _ := c.Grant(1, 1)
			require.Greater(t, next, grant, "grants follow each other")
		}
	})
}
