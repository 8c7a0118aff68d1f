package jsonx_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/jsonx"
)

func TestParseDecimal(t *testing.T) {
	good := []struct{ in, want string }{
		{`1`, "1"}, {`-0.5`, "-0.5"}, {`100.0`, "100"}, {`1e5`, "100000"}, {`1E-2`, "0.01"}, {`-0`, "0"},
		{`"12"`, "12"}, {`"-0.5"`, "-0.5"}, {`"+1"`, "1"}, {`".5"`, "0.5"}, {`"0.10"`, "0.1"},
		{` 7 `, "7"}, {`1e37`, "1" + strings.Repeat("0", 37)}, // 38 digits
		{`"` + strings.Repeat("9", 38) + `"`, strings.Repeat("9", 38)},
		{`"0.` + strings.Repeat("0", 27) + `1"`, "1e-28"}, // 28 places
		{`"1.5` + strings.Repeat("0", 40) + `"`, "1.5"},   // trailing zeros are not places
		{`"` + strings.Repeat("9", 10) + "." + strings.Repeat("9", 28) + `"`, strings.Repeat("9", 10) + "." + strings.Repeat("9", 28)},
	}
	for _, tt := range good {
		t.Run(tt.in, func(t *testing.T) {
			d, err := jsonx.ParseDecimal(json.RawMessage(tt.in))
			require.NoError(t, err)
			assert.True(t, d.Equal(decimal.RequireFromString(tt.want)), "got %s", d)
		})
	}
	bad := []string{
		`"NaN"`, `"Infinity"`, `"-Inf"`, `" 1"`, `"1 "`, `"1e5"`, `"1,5"`, `""`, `"0x10"`, `"1."`, `"--1"`,
		`true`, `null`, `[1]`, `{}`, `"1"2`,
		strings.Repeat("1", 39), // 39 significant digits
		`1e38`, `1e-29`,         // 39 digits; 29 places
		`1e2000000000`, `1e-2000000000`, // exponents far out of range, refused before the number is built
		`"0.` + strings.Repeat("0", 28) + `1"`, // 29 places
		`"` + strings.Repeat("9", 10) + "." + strings.Repeat("9", 29) + `"`,
		`"` + strings.Repeat("0", 201) + `"`, // too long to read
	}
	for _, in := range bad {
		t.Run("bad "+in, func(t *testing.T) {
			_, err := jsonx.ParseDecimal(json.RawMessage(in))
			assert.ErrorIs(t, err, pricekit.ErrInvalidInput)
		})
	}
}

// Every decimal ParseDecimal accepts is written back in a form it accepts.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{`1`, `-0.5`, `1e37`, `"0.10"`, `".5"`, `"NaN"`, `12345678901234567890e18`, `1e-28`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := jsonx.ParseDecimal(json.RawMessage(in))
		if err != nil {
			return
		}
		out, err := json.Marshal(d)
		require.NoError(t, err)
		again, err := jsonx.ParseDecimal(out)
		require.NoError(t, err, "%s", out)
		require.True(t, d.Equal(again))
	})
}

func TestParseInt(t *testing.T) {
	for in, want := range map[string]int{`1`: 1, `-3`: -3, ` 42 `: 42, `0`: 0, `2147483647`: 2147483647} {
		n, err := jsonx.ParseInt(json.RawMessage(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, n)
	}
	for _, in := range []string{`1.5`, `1.0`, `"1"`, `1e3`, `2147483648`, `99999999999`, `true`, `null`, `[1]`} {
		_, err := jsonx.ParseInt(json.RawMessage(in))
		assert.ErrorIs(t, err, pricekit.ErrInvalidInput, in)
	}
}

func TestParseUUID(t *testing.T) {
	want := uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c01")
	for _, in := range []string{`"3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c01"`, `"3F1A6C2E-8D4B-4E7A-9C1D-0B2E5F7A9C01"`} {
		id, err := jsonx.ParseUUID(json.RawMessage(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, id)
	}
	for _, in := range []string{
		`"3f1a6c2e8d4b4e7a9c1d0b2e5f7a9c01"`, `"{3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c01}"`,
		`"urn:uuid:3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c01"`, `"3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c0g"`,
		`"3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c0"`, `7`, `""`, `null`,
	} {
		_, err := jsonx.ParseUUID(json.RawMessage(in))
		assert.ErrorIs(t, err, pricekit.ErrInvalidInput, in)
	}
}

func TestParseDay(t *testing.T) {
	good := map[string]string{
		"2024-01-31":                "2024-01-31",
		"2024-02-29":                "2024-02-29",
		"2024-01-31T00:00:00":       "2024-01-31",
		"2023-12-31T23:59:59":       "2023-12-31",
		"2023-12-31T23:59:59.5":     "2023-12-31",
		"2024-01-31T23:30:00-05:00": "2024-01-31",
		"2024-01-31T01:00:00+14:00": "2024-01-31",
		"2024-01-31T10:00:00Z":      "2024-01-31",
		"2024-01-31 10:00:00":       "2024-01-31",
	}
	for in, want := range good {
		t.Run(in, func(t *testing.T) {
			d, err := jsonx.ParseDay(in)
			require.NoError(t, err)
			assert.Equal(t, date.MustParseISO(want), d)
		})
	}
	for _, in := range []string{"", "2024-1-31", "2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "31/01/2024",
		"2024-01-31T", "2024-01-31x", "2024-01-31T25:00:00", "20240131", "+2024-01-31"} {
		t.Run("bad "+in, func(t *testing.T) {
			_, err := jsonx.ParseDay(in)
			assert.ErrorIs(t, err, pricekit.ErrInvalidInput)
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	ts, err := jsonx.ParseTimestamp("2024-01-31T10:00:00")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC), ts, "no offset is UTC")
	ts, err = jsonx.ParseTimestamp("2024-01-31T10:00:00+02:00")
	require.NoError(t, err)
	assert.True(t, ts.Equal(time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)))
	_, err = jsonx.ParseTimestamp("yesterday")
	assert.ErrorIs(t, err, pricekit.ErrInvalidInput)
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		code  pricekit.Code
		field string
	}{
		{"empty", ``, pricekit.ErrMissingInput, ""},
		{"blank", " \n\t", pricekit.ErrMissingInput, ""},
		{"null", `null`, pricekit.ErrMissingInput, ""},
		{"empty object", `{}`, pricekit.ErrMissingInput, ""},
		{"list", `[]`, pricekit.ErrInvalidInput, ""},
		{"string", `"x"`, pricekit.ErrInvalidInput, ""},
		{"malformed", `{"a": }`, pricekit.ErrInvalidInput, ""},
		{"trailing data", `{"a": 1} {"b": 2}`, pricekit.ErrInvalidInput, ""},
		{"duplicate key", `{"a": 1, "b": 2, "a": 3}`, pricekit.ErrInvalidInput, "a"},
		{"duplicate key, escaped", `{"amount": 1, "\u0061mount": 2}`, pricekit.ErrInvalidInput, "amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jsonx.Parse("test", []byte(tt.in))
			require.ErrorIs(t, err, tt.code)
			e := pricekit.First(err)
			assert.Equal(t, tt.field, e.Field)
			assert.Equal(t, "test", e.Op)
		})
	}
}

func TestObject(t *testing.T) {
	o, err := jsonx.Parse("test", []byte(`{
		"name": "n", "flag": true, "count": 3, "price": "1.50", "id": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c01",
		"one": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c02", "many": ["3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c03", "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c04"],
		"none": [], "day": "2024-01-31T12:00:00", "list": [1, 2], "nothing": null, "zzz": 1, "aaa": 2
	}`))
	require.NoError(t, err)
	assert.Equal(t, "n", o.String("name"))
	assert.True(t, o.Bool("flag"))
	n, ok := o.Int("count")
	assert.True(t, ok)
	assert.Equal(t, 3, n)
	d, ok := o.Decimal("price")
	assert.True(t, ok)
	assert.True(t, d.Equal(decimal.RequireFromString("1.5")))
	id, ok := o.UUID("id")
	assert.True(t, ok)
	assert.Equal(t, uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c01"), id)
	assert.Equal(t, []uuid.UUID{uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c02")}, o.UUIDs("one"))
	assert.Len(t, o.UUIDs("many"), 2)
	assert.Nil(t, o.UUIDs("none"), "an empty list reads as nil")
	assert.Nil(t, o.UUIDs("absent"))
	day, ok := o.Date("day")
	assert.True(t, ok)
	assert.Equal(t, date.New(2024, 1, 31), day)
	assert.Len(t, o.List("list"), 2)
	assert.False(t, o.Has("nothing"))
	assert.Nil(t, o.Raw("nothing"))
	_, ok = o.Decimal("nothing")
	assert.False(t, ok)
	assert.Equal(t, "", o.String("absent"))

	o.Add("nested", pricekit.Errorf(pricekit.ErrInvalidTiers, "test", "[1].start", "gap"))
	err = o.Err()
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	require.ErrorIs(t, err, pricekit.ErrInvalidTiers)
	assert.Equal(t, "aaa", pricekit.First(err).Field, "unknown fields come first, sorted")
	assert.Equal(t, "test: aaa: unknown field\ntest: zzz: unknown field\ntest: nested[1].start: gap", err.Error())
}

func TestObjectTypeErrors(t *testing.T) {
	o, err := jsonx.Parse("test", []byte(`{"s": 1, "b": "yes", "i": 1.5, "d": "x", "u": "x", "us": 5, "ul": ["x"], "day": 5, "l": {}}`))
	require.NoError(t, err)
	o.String("s")
	o.Bool("b")
	o.Int("i")
	o.Decimal("d")
	o.UUID("u")
	o.UUIDs("us")
	o.UUIDs("ul")
	o.Date("day")
	o.List("l")
	err = o.Err()
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		fields = append(fields, e.(*pricekit.Error).Field)
	}
	assert.Equal(t, []string{"s", "b", "i", "d", "u", "us", "ul[0]", "day", "l"}, fields)
}

func TestFields(t *testing.T) {
	o, err := jsonx.Parse("test", []byte(`{"a": 1, "b": null}`))
	require.NoError(t, err)
	f := o.Fields()
	assert.Equal(t, map[string]json.RawMessage{"a": json.RawMessage("1"), "b": json.RawMessage("null")}, f)
	f["c"] = json.RawMessage("2")
	assert.Len(t, o.Fields(), 2, "a copy")
	assert.Error(t, o.Err(), "none of them read")
}
