package usage_test

import (
	"encoding/json"
	"testing"

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
