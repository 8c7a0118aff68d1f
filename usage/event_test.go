package usage_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/usage"
)

func TestEventJSONRefusals(t *testing.T) {
	const c = `"contract_id":"00000000-0000-0000-0000-00000000000a"`
	tests := []struct {
		name, doc, field string
	}{
		{"negative quantity", `{"id":"u1",` + c + `,"date":"2024-01-05","quantity":-5}`, "quantity"},
		{"negative quantity as text", `{"id":"u1",` + c + `,"date":"2024-01-05","quantity":"-0.01"}`, "quantity"},
		{"quantity not a number", `{"id":"u1",` + c + `,"date":"2024-01-05","quantity":"five"}`, "quantity"},
		{"quantity with spaces", `{"id":"u1",` + c + `,"date":"2024-01-05","quantity":" 5"}`, "quantity"},
		{"quantity NaN", `{"id":"u1",` + c + `,"date":"2024-01-05","quantity":"NaN"}`, "quantity"},
		{"quantity exponent in text", `{"id":"u1",` + c + `,"date":"2024-01-05","quantity":"1e3"}`, "quantity"},
		{"quantity absurd", `{"id":"u1",` + c + `,"date":"2024-01-05","quantity":1e400}`, "quantity"},
		{"quantity missing", `{"id":"u1",` + c + `,"date":"2024-01-05"}`, "quantity"},
		{"quantity a bool", `{"id":"u1",` + c + `,"date":"2024-01-05","quantity":true}`, "quantity"},
		{"empty id", `{"id":"",` + c + `,"date":"2024-01-05","quantity":1}`, "id"},
		{"id a number", `{"id":7,` + c + `,"date":"2024-01-05","quantity":1}`, "id"},
		{"malformed contract id", `{"id":"u1","contract_id":"nope","date":"2024-01-05","quantity":1}`, "contract_id"},
		{"no contract id", `{"id":"u1","date":"2024-01-05","quantity":1}`, "contract_id"},
		{"malformed date", `{"id":"u1",` + c + `,"date":"2024-02-30","quantity":1}`, "date"},
		{"malformed timestamp", `{"id":"u1",` + c + `,"timestamp":"yesterday","quantity":1}`, "timestamp"},
		{"date and timestamp", `{"id":"u1",` + c + `,"date":"2024-01-05","timestamp":"2024-01-05T10:00:00Z","quantity":1}`, "timestamp"},
		{"neither date nor timestamp", `{"id":"u1",` + c + `,"quantity":1}`, "date"},
		{"unknown field", `{"id":"u1",` + c + `,"date":"2024-01-05","quantity":1,"qty":1}`, "qty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e usage.Event
			err := json.Unmarshal([]byte(tt.doc), &e)
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Contains(t, fields(err), tt.field)
		})
	}
}

func TestEventJSON(t *testing.T) {
	var e usage.Event
	require.NoError(t, json.Unmarshal([]byte(`{"id":"u1","contract_id":"00000000-0000-0000-0000-00000000000a",`+
		`"timestamp":"2024-03-10T07:30:00-10:00","quantity":"2.50"}`), &e))
	assert.Equal(t, contractA, e.ContractID)
	assert.Equal(t, "2024-03-10T17:30:00Z", e.Timestamp.UTC().Format("2006-01-02T15:04:05Z07:00"))
	out, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"u1","contract_id":"00000000-0000-0000-0000-00000000000a",`+
		`"timestamp":"2024-03-10T07:30:00-10:00","quantity":"2.5"}`, string(out))
}
