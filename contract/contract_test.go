package contract_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
)

func TestDates(t *testing.T) {
	d := contract.Dates{Start: day("2023-01-01"), End: day("2023-12-31")}
	assert.Equal(t, day("2024-01-01"), d.EndExclusive())
	assert.True(t, d.Contains(day("2023-01-01")))
	assert.True(t, d.Contains(day("2023-12-31")), "end_date is the last day billed")
	assert.False(t, d.Contains(day("2024-01-01")))
	assert.False(t, d.Contains(day("2022-12-31")))

	evergreen := contract.Dates{Start: day("2023-01-01")}
	assert.Zero(t, evergreen.EndExclusive())
	assert.True(t, evergreen.Contains(day("2999-01-01")))
}

func TestValidate(t *testing.T) {
	dates := contract.Dates{Start: day("2023-01-01"), End: day("2023-12-31")}
	self := uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9cff")
	tests := []struct {
		name  string
		v     interface{ Validate() error }
		code  pricekit.Code
		field string
	}{
		{"product without plan", contract.ProductContract{Dates: dates}, pricekit.ErrInvalidInput, "tiers"},
		{"product without start", contract.ProductContract{PlanID: idPlan}, pricekit.ErrInvalidInput, "start_date"},
		{"product ending before it starts", contract.ProductContract{PlanID: idPlan, Dates: contract.Dates{Start: day("2023-02-01"), End: day("2023-01-31")}},
			pricekit.ErrInvalidInput, "end_date"},
		{"sub without start", contract.SubContract{}, pricekit.ErrInvalidInput, "start_date"},
		{"sub containing itself", contract.SubContract{ID: self, Dates: dates, SubContracts: []uuid.UUID{self}}, pricekit.ErrCycle, "sub_contracts"},
		{"parent containing itself", contract.ParentContract{SubContract: contract.SubContract{ID: self, Dates: dates, SubContracts: []uuid.UUID{self}}},
			pricekit.ErrCycle, "sub_contracts"},
		{"parent ending before it starts", contract.ParentContract{SubContract: contract.SubContract{Dates: contract.Dates{Start: day("2023-02-01"), End: day("2023-01-01")}}},
			pricekit.ErrInvalidInput, "end_date"},
		{"unknown currency", contract.ParentContract{SubContract: contract.SubContract{Dates: dates}, Currency: "XXY"}, pricekit.ErrInvalidInput, "currency"},
		{"unknown time zone", contract.ParentContract{SubContract: contract.SubContract{Dates: dates}, TimeZone: "Mars/Olympus_Mons"}, pricekit.ErrInvalidInput, "timezone"},
		{"host-dependent time zone", contract.ParentContract{SubContract: contract.SubContract{Dates: dates}, TimeZone: "Local"}, pricekit.ErrInvalidInput, "timezone"},
		{"customer name with a NUL", contract.Customer{Name: "Acme\x00"}, pricekit.ErrInvalidInput, "customer_name"},
		{"customer email not UTF-8", contract.Customer{Email: "a\xffb@example.com"}, pricekit.ErrInvalidInput, "customer_email"},
		{"customer display name not UTF-8", contract.Customer{DisplayName: "\xc3"}, pricekit.ErrInvalidInput, "display_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.v.Validate()
			require.ErrorIs(t, err, tt.code)
			e := pricekit.First(err)
			assert.Equal(t, tt.field, e.Field)
			assert.Equal(t, "contract", e.Op)
		})
	}
	for _, v := range []interface{ Validate() error }{
		contract.ProductContract{PlanID: idPlan, Dates: dates},
		contract.ProductContract{PlanID: idPlan, Dates: contract.Dates{Start: day("2023-01-01"), End: day("2023-01-01")}},
		contract.SubContract{Dates: contract.Dates{Start: day("2023-01-01")}},
		contract.ParentContract{SubContract: contract.SubContract{Dates: dates}, Currency: "JPY", TimeZone: "UTC"},
		contract.Customer{},
		contract.Customer{DisplayName: "Zoë", Name: "株式会社", Email: "zoë@example.com"},
	} {
		assert.NoError(t, v.Validate(), "%+v", v)
	}
}

func TestCurrency(t *testing.T) {
	tests := []struct {
		code  string
		minor int32
	}{
		{"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"JPY", 0}, {"KRW", 0}, {"KWD", 3}, {"BHD", 3}, {"CLF", 4},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c, err := contract.ParseCurrency(tt.code)
			require.NoError(t, err)
			assert.Equal(t, tt.minor, c.MinorUnit())
			assert.Equal(t, tt.code, c.Code())
			assert.True(t, c.Valid())
		})
	}
	for _, bad := range []string{"", "usd", "US", "XXY", " USD"} {
		_, err := contract.ParseCurrency(bad)
		assert.ErrorIs(t, err, pricekit.ErrInvalidInput, bad)
	}
	var zero contract.Currency
	assert.Equal(t, "USD", zero.Code())
	assert.Equal(t, int32(2), zero.MinorUnit())
	assert.True(t, zero.Valid())
	assert.False(t, contract.Currency("XXY").Valid())
}

func TestLocation(t *testing.T) {
	for _, tz := range []string{"", "UTC"} {
		loc, err := contract.ParentContract{TimeZone: tz}.Location()
		require.NoError(t, err)
		assert.Equal(t, time.UTC, loc)
	}
}

func TestContractJSONRefusals(t *testing.T) {
	const start = `"start_date": "2023-01-01"`
	product := func(rest string) string {
		return `{"tiers": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c02", ` + start + rest + `}`
	}
	tests := []struct {
		name  string
		kind  string
		in    string
		code  pricekit.Code
		field string
	}{
		{"product: no start", "product contract", `{"tiers": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c02"}`, pricekit.ErrInvalidInput, "start_date"},
		{"product: no plan", "product contract", `{` + start + `}`, pricekit.ErrInvalidInput, "tiers"},
		{"product: end before start", "product contract", product(`, "end_date": "2022-12-31T23:59:59"`), pricekit.ErrInvalidInput, "end_date"},
		{"product: malformed date", "product contract", product(`, "end_date": "31/12/2023"`), pricekit.ErrInvalidInput, "end_date"},
		{"product: no such day", "product contract", product(`, "end_date": "2023-02-29"`), pricekit.ErrInvalidInput, "end_date"},
		{"product: date with garbage", "product contract", product(`, "end_date": "2023-12-31 and then some"`), pricekit.ErrInvalidInput, "end_date"},
		{"product: date as a number", "product contract", product(`, "end_date": 20231231`), pricekit.ErrInvalidInput, "end_date"},
		{"product: malformed plan id", "product contract", `{"tiers": "plan-1", ` + start + `}`, pricekit.ErrInvalidInput, "tiers"},
		{"product: plan id as a list", "product contract", `{"tiers": ["3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c02"], ` + start + `}`, pricekit.ErrInvalidInput, "tiers"},
		{"product: uuid without dashes", "product contract", product(`, "product_id": "3f1a6c2e8d4b4e7a9c1d0b2e5f7a9c03"`), pricekit.ErrInvalidInput, "product_id"},
		{"product: uuid in braces", "product contract", product(`, "product_id": "{3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c03}"`), pricekit.ErrInvalidInput, "product_id"},
		{"product: frequency id as a number", "product contract", product(`, "billing_frequency": 7`), pricekit.ErrInvalidInput, "billing_frequency"},
		{"product: unknown field", "product contract", product(`, "price": 5`), pricekit.ErrInvalidInput, "price"},
		{"sub: no start", "sub contract", `{"display_name": "s"}`, pricekit.ErrInvalidInput, "start_date"},
		{"sub: bad id in a list", "sub contract", `{` + start + `, "product_contracts": ["3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c06", "x"]}`, pricekit.ErrInvalidInput, "product_contracts[1]"},
		{"sub: list as a number", "sub contract", `{` + start + `, "fixed_fees": 5}`, pricekit.ErrInvalidInput, "fixed_fees"},
		{"sub: list of lists", "sub contract", `{` + start + `, "credits": [["3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c08"]]}`, pricekit.ErrInvalidInput, "credits[0]"},
		{"sub: override as a string", "sub contract", `{` + start + `, "override_underlying": "false"}`, pricekit.ErrInvalidInput, "override_underlying"},
		{"sub: contains itself", "sub contract", `{"id": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c0b", ` + start + `, "sub_contracts": "3F1A6C2E-8D4B-4E7A-9C1D-0B2E5F7A9C0B"}`, pricekit.ErrCycle, "sub_contracts"},
		{"parent: unknown currency", "parent contract", `{` + start + `, "currency": "XXY"}`, pricekit.ErrInvalidInput, "currency"},
		{"parent: lower-case currency", "parent contract", `{` + start + `, "currency": "usd"}`, pricekit.ErrInvalidInput, "currency"},
		{"parent: currency as a number", "parent contract", `{` + start + `, "currency": 840}`, pricekit.ErrInvalidInput, "currency"},
		{"parent: unknown time zone", "parent contract", `{` + start + `, "timezone": "Nowhere/City"}`, pricekit.ErrInvalidInput, "timezone"},
		{"parent: malformed customer id", "parent contract", `{` + start + `, "customer_id": "c1"}`, pricekit.ErrInvalidInput, "customer_id"},
		{"parent: unknown field", "parent contract", `{` + start + `, "customer": "c1"}`, pricekit.ErrInvalidInput, "customer"},
		{"customer: email as a number", "customer", `{"customer_name": "n", "customer_email": 5}`, pricekit.ErrInvalidInput, "customer_email"},
		{"customer: malformed organization", "customer", `{"organization_id": "org"}`, pricekit.ErrInvalidInput, "organization_id"},
		{"customer: duplicate field", "customer", `{"customer_name": "a", "customer_name": "b"}`, pricekit.ErrInvalidInput, "customer_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decode, ok := kinds[tt.kind]
			require.True(t, ok, tt.kind)
			err := decode([]byte(tt.in))
			require.ErrorIs(t, err, tt.code)
			assert.Equal(t, tt.field, pricekit.First(err).Field, "%v", err)
		})
	}
}

func TestContractJSON(t *testing.T) {
	t.Run("evergreen with datetimes and offsets", func(t *testing.T) {
		p := decode[contract.ProductContract](t, []byte(`{"tiers": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c02", "start_date": "2024-01-31T23:30:00-05:00", "end_date": null}`))
		assert.Equal(t, day("2024-01-31"), p.Start, "the day written, whatever the offset")
		assert.Equal(t, contract.Dates{Start: day("2024-01-31")}, p.Dates)
	})
	t.Run("empty lists read as none", func(t *testing.T) {
		s := decode[contract.SubContract](t, []byte(`{"start_date": "2024-01-01", "discounts": [], "credits": null}`))
		assert.Nil(t, s.Discounts)
		assert.Nil(t, s.Credits)
		out, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Contains(t, string(out), `"discounts":[]`, "lists are always written as lists")
	})
	t.Run("parent with currency and zone", func(t *testing.T) {
		p := decode[contract.ParentContract](t, []byte(`{"start_date": "2024-01-01", "currency": "JPY", "timezone": "UTC", "override_underlying": true}`))
		assert.Equal(t, contract.Currency("JPY"), p.Currency)
		assert.Equal(t, int32(0), p.Currency.MinorUnit())
		assert.True(t, p.OverrideUnderlying)
	})
	t.Run("customer with organization", func(t *testing.T) {
		c := decode[contract.Customer](t, []byte(`{"display_name": "Acme", "customer_name": "Acme Inc", "organization_id": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c09"}`))
		assert.Equal(t, idOrg, c.OrganizationID)
	})
}
