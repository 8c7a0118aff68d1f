package usage_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/usage"
)

func FuzzEventJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"u1","contract_id":"00000000-0000-0000-0000-00000000000a","date":"2024-01-05","quantity":5}`,
		`{"id":"u2","contract_id":"00000000-0000-0000-0000-00000000000a","product_id":"00000000-0000-0000-0000-0000000000a1","timestamp":"2024-03-10T07:30:00-10:00","quantity":"2.50"}`,
		`{"contract_id":"00000000-0000-0000-0000-00000000000a","date":"2023-12-31T23:59:59","quantity":"12345678901234567890.123456789012345678"}`,
		`{"id":"","contract_id":"x","date":"2024-13-01","quantity":-1}`,
		`{"id":"u1","contract_id":"00000000-0000-0000-0000-00000000000a","date":"2024-01-05","quantity":1e40}`,
		`{"id":"u1","quantity":NaN}`, `[]`, `null`, `{"extra":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var e usage.Event
		if err := json.Unmarshal(data, &e); err != nil {
			return
		}
		require.NoError(t, e.Validate(), "an event that reads is valid")
		out, err := json.Marshal(e)
		require.NoError(t, err)
		var back usage.Event
		require.NoError(t, json.Unmarshal(out, &back), "%s", out)
		assert.True(t, e.SamePayload(back), "%s", out)
	})
}

// FuzzTotal adds quantities given as text, one per line, and checks every
// aggregate against plain decimal arithmetic.
func FuzzTotal(f *testing.F) {
	f.Add("1\n2.5\n0.000000001")
	f.Add("12345678901234567890.123456789012345678\n7\n9223372036.854775807\n9223372036.854775808")
	f.Add("0.0000000000000000001\n1.0000000000000000000")
	f.Fuzz(func(t *testing.T, text string) {
		var tot usage.Total
		var ref reference
		for i, s := range strings.Split(text, "\n") {
			q, err := decimal.NewFromString(s)
			if err != nil || q.IsNegative() || len(s) > 60 || q.Exponent() < -40 || q.Exponent() > 40 {
				continue
			}
			d := date.New(2024, 1, 1) + date.Date(i%4)
			tot.Add(q, d)
			ref.add(q, d)
		}
		assertTotal(t, ref, tot, text)
	})
}
