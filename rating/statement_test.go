package rating_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/rating"
)

// TestStatementRoundTrip: every statement of the golden files decodes and
// writes back byte for byte.
func TestStatementRoundTrip(t *testing.T) {
	files, err := filepath.Glob("../testdata/golden/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var doc struct {
			Statements []json.RawMessage `json:"statements"`
		}
		require.NoError(t, json.Unmarshal(data, &doc))
		for i, raw := range doc.Statements {
			var s rating.Statement
			require.NoError(t, json.Unmarshal(raw, &s), "%s statement %d", file, i)
			again, err := json.Marshal(s)
			require.NoError(t, err)
			var want, got any
			require.NoError(t, json.Unmarshal(raw, &want))
			require.NoError(t, json.Unmarshal(again, &got))
			assert.Equal(t, want, got, "%s statement %d", file, i)
		}
	}
}

// TestStatementCarriesItsCurrency: a statement made outside rating writes
// its amounts with its currency's places.
func TestStatementCarriesItsCurrency(t *testing.T) {
	for _, tt := range []struct{ currency, want string }{{"JPY", "1235"}, {"USD", "1234.50"}, {"KWD", "1234.500"}, {"", "1234.50"}} {
		s := rating.Statement{ContractID: uuid.New(), Currency: contract.Currency(tt.currency),
			PeriodStart: day("2024-01-01"), PeriodEnd: day("2024-01-31"), Total: dec("1234.5")}
		if tt.currency == "JPY" {
			s.Total = dec("1235")
		}
		data, err := json.Marshal(s)
		require.NoError(t, err)
		var w struct{ Currency, Total string }
		require.NoError(t, json.Unmarshal(data, &w))
		assert.Equal(t, tt.want, w.Total, tt.currency)
		if tt.currency == "" {
			assert.Equal(t, "USD", w.Currency, "the zero currency is USD")
		}
	}
}

const goodStatement = `{"contract_id": "00000000-0000-4000-8000-000000000001", "currency": "USD",
	"period_start": "2024-01-01", "period_end": "2024-01-31",
	"lines": [{"contract_id": "00000000-0000-4000-8000-000000000002", "kind": "fixed_fee",
		"fee_id": "00000000-0000-4000-8000-000000000003", "period_start": "2024-01-01", "period_end": "2024-01-31",
		"amount": "10.00", "proration": "1"}],
	"subtotal": "10.00", "discounts": "0.00", "minimums": "0.00", "maximums": "0.00", "adjustments": "0.00",
	"credits": "0.00", "total": "10.00", "credit_balances": []}`

func TestStatementUnmarshalRefusesBadInput(t *testing.T) {
	tests := []struct {
		name, from, to string
		fields         []string
	}{
		{"unknown field", `"credits": "0.00",`, `"credits": "0.00", "colour": "red",`, []string{"colour"}},
		{"total not the sum of the lines", `"total": "10.00"`, `"total": "11.00"`, []string{"total"}},
		{"unknown kind", `"kind": "fixed_fee"`, `"kind": "tip"`, []string{"lines[0].kind"}},
		{"malformed amount", `"amount": "10.00"`, `"amount": "ten"`, []string{"lines[0].amount"}},
		{"missing period", `"period_start": "2024-01-01", "period_end": "2024-01-31",
	"lines"`, `"period_end": "2024-01-31", "lines"`, []string{"period_start"}},
		{"unknown currency", `"currency": "USD"`, `"currency": "XXX"`, []string{"currency"}},
		{"end before start", `"period_end": "2024-01-31",
	"lines"`, `"period_end": "2023-12-31", "lines"`, []string{"period_end"}},
		{"two problems", `"kind": "fixed_fee"`, `"kind": "tip", "colour": 1`, []string{"lines[0].colour", "lines[0].kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(goodStatement, tt.from, tt.to, 1)
			require.NotEqual(t, goodStatement, doc)
			before := rating.Statement{Currency: "JPY"}
			s := before
			err := json.Unmarshal([]byte(doc), &s)
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Equal(t, tt.fields, fields(err))
			assert.Equal(t, before, s, "a refused document changes nothing")
		})
	}
	var s rating.Statement
	require.NoError(t, json.Unmarshal([]byte(goodStatement), &s))
	assertDec(t, "10", s.Total)
	require.ErrorIs(t, json.Unmarshal([]byte(`{}`), &s), pricekit.ErrMissingInput)
}

func FuzzStatementJSON(f *testing.F) {
	f.Add([]byte(goodStatement))
	f.Add([]byte(`{"lines": [{"kind": "usage", "quantity": "1e3"}]}`))
	f.Add([]byte(`{"contract_id":"00000000-0000-4000-8000-000000000001","period_start":"2024-02-01",` +
		`"period_end":"2024-02-29","lines":[{"contract_id":"00000000-0000-4000-8000-000000000002","kind":"adjustment",` +
		`"adjusts":{"number":1,"period_start":"2024-01-01","kind":"usage"},"period_start":"2024-01-01",` +
		`"period_end":"2024-01-31","quantity":"150","amount":"3.00","effective_from":"2024-01-01"}],` +
		`"subtotal":"0","discounts":"0","minimums":"0","maximums":"0","adjustments":"3.00","credits":"0",` +
		`"total":"3.00","credit_balances":[],"issued":true,"number":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s rating.Statement
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		out, err := json.Marshal(s)
		require.NoError(t, err)
		var again rating.Statement
		require.NoError(t, json.Unmarshal(out, &again), "%s", out)
		out2, err := json.Marshal(again)
		require.NoError(t, err)
		require.Equal(t, string(out), string(out2))
	})
}
