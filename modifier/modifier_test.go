package modifier_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/schedule"
)

func day(s string) date.Date { return date.MustParseISO(s) }

func seedFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../testdata/seed/" + name)
	require.NoError(t, err)
	return data
}

// roundTrip encodes v, decodes it into a new T and checks that it is equal,
// decimals compared by value.
func roundTrip[T any](t testing.TB, v T) {
	t.Helper()
	out, err := json.Marshal(v)
	require.NoError(t, err)
	var again T
	require.NoError(t, json.Unmarshal(out, &again), "%s", out)
	if !sameValue(v, again) {
		t.Fatalf("round trip changed the value:\n  %+v\n  %s\n  %+v", v, out, again)
	}
}

func TestDiscountApply(t *testing.T) {
	tests := []struct {
		name     string
		discount modifier.Discount
		subtotal string
		want     string
	}{
		{"10 percent of 120.00", modifier.Discount{Percentage: null("10")}, "120.00", "12.00"},
		{"percentage is exact", modifier.Discount{Percentage: null("33.333333333333333333")}, "0.01", "0.0033333333333333333333"},
		{"100 percent", modifier.Discount{Percentage: null("100")}, "57.31", "57.31"},
		{"0 percent", modifier.Discount{Percentage: null("0")}, "57.31", "0"},
		{"amount below the subtotal", modifier.Discount{Amount: null("25")}, "120.00", "25"},
		{"amount capped at the subtotal", modifier.Discount{Amount: null("50")}, "30.00", "30.00"},
		{"below the threshold", modifier.Discount{Percentage: null("10"), Threshold: null("100")}, "99.99", "0"},
		{"at the threshold", modifier.Discount{Percentage: null("10"), Threshold: null("100")}, "100.00", "10.00"},
		{"zero subtotal", modifier.Discount{Amount: null("5")}, "0", "0"},
		{"negative subtotal", modifier.Discount{Percentage: null("10")}, "-20", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.discount.Validate())
			got := tt.discount.Apply(dec(tt.subtotal))
			assert.True(t, got.Equal(dec(tt.want)), "got %s, want %s", got, tt.want)
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		v     interface{ Validate() error }
		field string
	}{
		{"discount with both", modifier.Discount{Percentage: null("10"), Amount: null("5")}, "percentage"},
		{"discount with neither", modifier.Discount{Threshold: null("5")}, "percentage"},
		{"percentage below 0", modifier.Discount{Percentage: null("-0.01")}, "percentage"},
		{"percentage above 100", modifier.Discount{Percentage: null("100.01")}, "percentage"},
		{"negative discount amount", modifier.Discount{Amount: null("-1")}, "amount"},
		{"negative threshold", modifier.Discount{Amount: null("1"), Threshold: null("-1")}, "threshold"},
		{"negative minimum", modifier.Minimum{Amount: dec("-0.01")}, "amount"},
		{"negative credit", modifier.Credit{Amount: dec("-5")}, "amount"},
		{"credit expiry of zero", modifier.Credit{Amount: dec("5"), Expiry: schedule.Every{N: 0, Unit: schedule.Year}}, "expiry"},
		{"credit expiry without unit", modifier.Credit{Amount: dec("5"), Expiry: schedule.Every{N: 1}}, "expiry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.v.Validate()
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			e := pricekit.First(err)
			assert.Equal(t, tt.field, e.Field)
			assert.Equal(t, "modifier", e.Op)
		})
	}
	for _, v := range []interface{ Validate() error }{
		modifier.Discount{Percentage: null("0")}, modifier.Discount{Percentage: null("100"), Threshold: null("0")},
		modifier.Discount{Amount: null("0")}, modifier.Minimum{}, modifier.Credit{},
	} {
		assert.NoError(t, v.Validate(), "%+v", v)
	}
}

func TestCreditWindow(t *testing.T) {
	tests := []struct {
		name          string
		credit        modifier.Credit
		nodeStart     string
		grant, expiry string // expiry "" is never
	}{
		{"defaults to the node's start, never expires", modifier.Credit{}, "2024-01-15", "2024-01-15", ""},
		{"one year from its own start", modifier.Credit{Expiry: schedule.Every{N: 1, Unit: schedule.Year}, StartDate: day("2024-02-29")}, "2024-01-01", "2024-02-29", "2025-02-28"},
		{"one month from 31 Jan", modifier.Credit{Expiry: schedule.Every{N: 1, Unit: schedule.Month}}, "2024-01-31", "2024-01-31", "2024-02-29"},
		{"30 days", modifier.Credit{Expiry: schedule.Every{N: 30, Unit: schedule.Day}}, "2024-01-31", "2024-01-31", "2024-03-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grant, expiry := tt.credit.Window(day(tt.nodeStart))
			assert.Equal(t, day(tt.grant), grant)
			if tt.expiry == "" {
				assert.Equal(t, date.Date(0), expiry)
			} else {
				assert.Equal(t, day(tt.expiry), expiry)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		decode func([]byte) (any, error)
		want   any
	}{
		{"seed discount", string(seedFile(t, "discount.json")), decodeAs[modifier.Discount],
			modifier.Discount{DisplayName: "Test Discount", Percentage: null("10"), Threshold: null("100")}},
		{"amount discount", `{"amount": "5.50"}`, decodeAs[modifier.Discount], modifier.Discount{Amount: null("5.5")}},
		{"zero percent", `{"percentage": 0, "threshold": null}`, decodeAs[modifier.Discount], modifier.Discount{Percentage: null("0")}},
		{"seed minimum", string(seedFile(t, "minimum.json")), decodeAs[modifier.Minimum],
			modifier.Minimum{DisplayName: "Test Minimum", Amount: dec("100")}},
		{"seed credit", string(seedFile(t, "credit.json")), decodeAs[modifier.Credit],
			modifier.Credit{DisplayName: "Test Credit", Amount: dec("100"), Expiry: schedule.Every{N: 1, Unit: schedule.Year}, Priority: 50}},
		{"credit with every field", `{"id": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c08", "amount": "25", "expiry": "6M", "priority": 1, "start_date": "2024-03-01T12:00:00Z"}`,
			decodeAs[modifier.Credit], modifier.Credit{ID: [16]byte{0x3f, 0x1a, 0x6c, 0x2e, 0x8d, 0x4b, 0x4e, 0x7a, 0x9c, 0x1d, 0x0b, 0x2e, 0x5f, 0x7a, 0x9c, 0x08},
				Amount: dec("25"), Expiry: schedule.Every{N: 6, Unit: schedule.Month}, Priority: 1, StartDate: day("2024-03-01")}},
		{"credit that never expires", `{"amount": 1, "expiry": null, "priority": -3}`, decodeAs[modifier.Credit],
			modifier.Credit{Amount: dec("1"), Priority: -3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.decode([]byte(tt.in))
			require.NoError(t, err)
			assert.True(t, sameValue(tt.want, got), "got %+v", got)
			switch v := got.(type) {
			case modifier.Discount:
				roundTrip(t, v)
			case modifier.Minimum:
				roundTrip(t, v)
			case modifier.Credit:
				roundTrip(t, v)
			default:
				t.Fatalf("unexpected %T", got)
			}
		})
	}
}

func decodeAs[T any](data []byte) (any, error) {
	var v T
	err := json.Unmarshal(data, &v)
	return v, err
}

func TestJSONRefusals(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		decode func([]byte) (any, error)
		code   pricekit.Code
		field  string
	}{
		{"empty discount", `{}`, decodeAs[modifier.Discount], pricekit.ErrMissingInput, ""},
		{"empty minimum", `{}`, decodeAs[modifier.Minimum], pricekit.ErrMissingInput, ""},
		{"empty credit", `{}`, decodeAs[modifier.Credit], pricekit.ErrMissingInput, ""},
		{"discount unknown field", `{"invalidField": "invalidValue"}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "invalidField"},
		{"minimum unknown field", `{"invalidField": "invalidValue"}`, decodeAs[modifier.Minimum], pricekit.ErrInvalidInput, "invalidField"},
		{"credit unknown field", `{"invalidField": "invalidValue"}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "invalidField"},
		{"discount with percentage and amount", `{"percentage": 10, "amount": 5}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "percentage"},
		{"discount with neither", `{"threshold": 5}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "percentage"},
		{"percentage above 100", `{"percentage": 100.5}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "percentage"},
		{"negative percentage", `{"percentage": -1}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "percentage"},
		{"percentage NaN", `{"percentage": "NaN"}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "percentage"},
		{"percentage with a space", `{"percentage": " 1"}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "percentage"},
		{"percentage 1e5 string", `{"percentage": "1e5"}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "percentage"},
		{"negative discount amount", `{"amount": "-5"}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "amount"},
		{"threshold as text", `{"amount": 5, "threshold": "lots"}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "threshold"},
		{"negative threshold", `{"amount": 5, "threshold": -1}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "threshold"},
		{"malformed discount id", `{"id": "3f1a6c2e8d4b4e7a9c1d0b2e5f7a9c08", "amount": 5}`, decodeAs[modifier.Discount], pricekit.ErrInvalidInput, "id"},
		{"minimum without amount", `{"display_name": "m"}`, decodeAs[modifier.Minimum], pricekit.ErrInvalidInput, "amount"},
		{"negative minimum", `{"amount": -100}`, decodeAs[modifier.Minimum], pricekit.ErrInvalidInput, "amount"},
		{"minimum amount as a list", `{"amount": [100]}`, decodeAs[modifier.Minimum], pricekit.ErrInvalidInput, "amount"},
		{"credit without amount", `{"expiry": "1Y"}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "amount"},
		{"negative credit", `{"amount": -1}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "amount"},
		{"unknown expiry", `{"amount": 1, "expiry": "1 year"}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "expiry"},
		{"expiry as a number", `{"amount": 1, "expiry": 12}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "expiry"},
		{"priority 1.5", `{"amount": 1, "priority": 1.5}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "priority"},
		{"priority as a string", `{"amount": 1, "priority": "1"}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "priority"},
		{"no such day", `{"amount": 1, "start_date": "2023-02-29"}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "start_date"},
		{"month 13", `{"amount": 1, "start_date": "2024-13-01"}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "start_date"},
		{"malformed date", `{"amount": 1, "start_date": "01/02/2024"}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "start_date"},
		{"date with a bad time", `{"amount": 1, "start_date": "2024-01-02T25:00:00"}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "start_date"},
		{"date as a number", `{"amount": 1, "start_date": 20240102}`, decodeAs[modifier.Credit], pricekit.ErrInvalidInput, "start_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.decode([]byte(tt.in))
			require.ErrorIs(t, err, tt.code)
			assert.Equal(t, tt.field, pricekit.First(err).Field, "%v", err)
		})
	}
}

func TestDiscountJSONWritesOneKind(t *testing.T) {
	out, err := json.Marshal(modifier.Discount{Percentage: null("10")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id": "00000000-0000-0000-0000-000000000000", "display_name": "", "percentage": "10", "threshold": null}`, string(out))
	var d modifier.Discount
	require.NoError(t, json.Unmarshal(out, &d))
	assert.False(t, d.Amount.Valid)
	assert.True(t, d.Percentage.Decimal.Equal(decimal.NewFromInt(10)))
}
