package contract_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
)

// The ids written in testdata/seed.
var (
	idFrequency = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c01")
	idPlan      = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c02")
	idProduct   = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c03")
	idMinimum   = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c04")
	idDiscount  = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c05")
	idPC        = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c06")
	idFee       = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c07")
	idCredit    = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c08")
	idOrg       = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c09")
	idCustomer  = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c0a")
	idSub       = uuid.MustParse("3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c0b")
)

func day(s string) date.Date { return date.MustParseISO(s) }

func seedFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "seed", name))
	require.NoError(t, err)
	return data
}

// roundTrip encodes v, decodes it into a new T and checks that it is equal,
// decimals compared by value, and that the canonical form is stable.
func roundTrip[T any](t testing.TB, v T) {
	t.Helper()
	out, err := json.Marshal(v)
	require.NoError(t, err)
	var again T
	require.NoError(t, json.Unmarshal(out, &again), "%s", out)
	if !sameValue(v, again) {
		t.Fatalf("round trip changed the value:\n  %+v\n  %s\n  %+v", v, out, again)
	}
	out2, err := json.Marshal(again)
	require.NoError(t, err)
	assert.JSONEq(t, string(out), string(out2))
}

func decode[T any](t testing.TB, data []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(data, &v), "%s", data)
	roundTrip(t, v)
	return v
}

func TestSeedDocuments(t *testing.T) {
	t.Run("fixed fee", func(t *testing.T) {
		f := decode[plan.FixedFee](t, seedFile(t, "fixed_fee.json"))
		assert.Equal(t, "Test Fixed Fee", f.DisplayName)
		assert.True(t, f.Amount.Equal(dec("100")))
		assert.Equal(t, plan.FeePeriod{}, f.Period, "period null: every billing period")
	})
	t.Run("tier plan", func(t *testing.T) {
		p := decode[plan.TierPlan](t, seedFile(t, "tier_plan.json"))
		assert.Equal(t, "Test Tier", p.DisplayName)
		assert.Equal(t, plan.Graduated, p.Pricing)
		require.Len(t, p.Tiers, 2)
		assert.True(t, p.Tiers[0].End.Decimal.Equal(dec("100")))
		assert.True(t, p.Tiers[1].Start.Equal(dec("101")))
		assert.False(t, p.Tiers[1].End.Valid)
		assert.True(t, p.Tiers[1].UnitPrice.Equal(dec("0.2")))
	})
	t.Run("discount", func(t *testing.T) {
		d := decode[modifier.Discount](t, seedFile(t, "discount.json"))
		assert.True(t, d.Percentage.Valid && d.Percentage.Decimal.Equal(dec("10")))
		assert.False(t, d.Amount.Valid)
		assert.True(t, d.Threshold.Valid && d.Threshold.Decimal.Equal(dec("100")))
	})
	t.Run("billing frequency", func(t *testing.T) {
		f := decode[schedule.BillingFrequency](t, seedFile(t, "billing_frequency.json"))
		assert.Equal(t, schedule.BillingFrequency{DisplayName: "Test Billing Frequency", Type: schedule.Anniversary,
			Interval: 1, Unit: schedule.Day, Anchor: schedule.AnchorStart}, f)
	})
	t.Run("minimum", func(t *testing.T) {
		m := decode[modifier.Minimum](t, seedFile(t, "minimum.json"))
		assert.True(t, m.Amount.Equal(dec("100")))
	})
	t.Run("credit", func(t *testing.T) {
		c := decode[modifier.Credit](t, seedFile(t, "credit.json"))
		assert.True(t, c.Amount.Equal(dec("100")))
		assert.Equal(t, schedule.Every{N: 1, Unit: schedule.Year}, c.Expiry)
		assert.Equal(t, modifier.DefaultPriority, c.Priority)
		assert.Equal(t, date.Date(0), c.StartDate, "no start_date: the node's start")
	})
	t.Run("product contract", func(t *testing.T) {
		p := decode[contract.ProductContract](t, seedFile(t, "product_contract.json"))
		assert.Equal(t, contract.ProductContract{DisplayName: "Test Product Contract", ProductID: idProduct, PlanID: idPlan,
			BillingFrequency: idFrequency, Dates: contract.Dates{Start: day("2023-01-01"), End: day("2023-12-31")}}, p)
		assert.Equal(t, day("2024-01-01"), p.EndExclusive())
	})
	t.Run("sub contract", func(t *testing.T) {
		s := decode[contract.SubContract](t, seedFile(t, "sub_contract.json"))
		assert.Equal(t, contract.SubContract{DisplayName: "Test Subcontract", BillingFrequency: idFrequency,
			Dates:            contract.Dates{Start: day("2023-01-01"), End: day("2023-12-31")},
			ProductContracts: []uuid.UUID{idPC}, FixedFees: []uuid.UUID{idFee}, Discounts: []uuid.UUID{idDiscount},
			Minimums: []uuid.UUID{idMinimum}, Credits: []uuid.UUID{idCredit}}, s)
	})
	t.Run("parent contract", func(t *testing.T) {
		p := decode[contract.ParentContract](t, seedFile(t, "parent_contract.json"))
		assert.Equal(t, contract.ParentContract{
			SubContract: contract.SubContract{DisplayName: "Test Parent Contract", BillingFrequency: idFrequency,
				Dates:            contract.Dates{Start: day("2023-01-01"), End: day("2023-12-31")},
				ProductContracts: []uuid.UUID{idPC}, FixedFees: []uuid.UUID{idFee}, Credits: []uuid.UUID{idCredit},
				SubContracts: []uuid.UUID{idSub}},
			OrganizationID: idOrg, CustomerID: idCustomer, Currency: "USD", TimeZone: "UTC",
		}, p)
		assert.Equal(t, int32(2), p.Currency.MinorUnit())
	})
	t.Run("customer", func(t *testing.T) {
		c := decode[contract.Customer](t, seedFile(t, "customer.json"))
		assert.Equal(t, contract.Customer{Name: "Test Customer", Email: "test@test.com"}, c)
	})
}

// kinds decodes data as every kind of document.
var kinds = map[string]func([]byte) error{
	"customer":          unmarshal[contract.Customer],
	"fixed fee":         unmarshal[plan.FixedFee],
	"tier plan":         unmarshal[plan.TierPlan],
	"discount":          unmarshal[modifier.Discount],
	"minimum":           unmarshal[modifier.Minimum],
	"credit":            unmarshal[modifier.Credit],
	"billing frequency": unmarshal[schedule.BillingFrequency],
	"product contract":  unmarshal[contract.ProductContract],
	"sub contract":      unmarshal[contract.SubContract],
	"parent contract":   unmarshal[contract.ParentContract],
}

func unmarshal[T any](data []byte) error {
	var v T
	return json.Unmarshal(data, &v)
}

func TestSeedRefusals(t *testing.T) {
	for kind, decode := range kinds {
		t.Run("empty "+kind, func(t *testing.T) {
			require.ErrorIs(t, decode(seedFile(t, "refuse_empty.json")), pricekit.ErrMissingInput)
		})
		t.Run("invalid field "+kind, func(t *testing.T) {
			err := decode(seedFile(t, "refuse_invalid_field.json"))
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Equal(t, "invalidField", pricekit.First(err).Field)
		})
	}
	for _, tt := range []struct{ file, field string }{
		{"refuse_tiers_not_from_zero.json", "tiers[0].start"},
		{"refuse_tiers_bounded_last.json", "tiers[1].end"},
	} {
		t.Run(strings.TrimSuffix(tt.file, ".json"), func(t *testing.T) {
			err := kinds["tier plan"](seedFile(t, tt.file))
			require.ErrorIs(t, err, pricekit.ErrInvalidTiers)
			assert.Equal(t, tt.field, pricekit.First(err).Field)
		})
	}
}

// seedBundle puts every seed document into one objects bundle.
func seedBundle(t testing.TB) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("{")
	for i, kv := range [][2]string{
		{"customers", "customer.json"}, {"fixed_fees", "fixed_fee.json"}, {"tiers", "tier_plan.json"},
		{"discounts", "discount.json"}, {"minimums", "minimum.json"}, {"credits", "credit.json"},
		{"billing_frequencies", "billing_frequency.json"}, {"product_contracts", "product_contract.json"},
		{"sub_contracts", "sub_contract.json"}, {"parent_contracts", "parent_contract.json"},
	} {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"` + kv[0] + `": [` + strings.TrimSpace(string(seedFile(t, kv[1]))) + "]")
	}
	b.WriteString("}")
	return []byte(b.String())
}

func TestObjectsJSON(t *testing.T) {
	o := decode[contract.Objects](t, seedBundle(t))
	assert.Equal(t, 10, o.Len())
	require.NoError(t, o.Validate())
	written, err := json.Marshal(o)
	require.NoError(t, err)
	for _, kind := range contract.Kinds() {
		assert.Contains(t, string(written), `"`+string(kind)+`"`, "a bundle writes a list of every kind")
	}
	assert.Equal(t, []uuid.UUID{idSub}, o.ParentContracts[0].SubContracts)
	assert.True(t, o.Plans[0].Tiers[1].UnitPrice.Equal(dec("0.2")))

	t.Run("empty bundle", func(t *testing.T) {
		for _, in := range []string{`{}`, `null`, `{"customers": null, "tiers": []}`} {
			var o contract.Objects
			require.NoError(t, json.Unmarshal([]byte(in), &o), in)
			assert.Equal(t, 0, o.Len())
		}
	})
}

func TestObjectsJSONRefusals(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		code  pricekit.Code
		field string
	}{
		{"unknown kind", `{"widgets": []}`, pricekit.ErrInvalidInput, "widgets"},
		{"kind not a list", `{"customers": {"customer_name": "x"}}`, pricekit.ErrInvalidInput, "customers"},
		{"not an object", `[]`, pricekit.ErrInvalidInput, ""},
		{"bad tiers deep inside", `{"tiers": [` + string(seedFile(t, "tier_plan.json")) + `, ` + string(seedFile(t, "refuse_tiers_bounded_last.json")) + `]}`,
			pricekit.ErrInvalidTiers, "tiers[1].tiers[1].end"},
		{"empty document in a list", `{"minimums": [{}]}`, pricekit.ErrMissingInput, "minimums[0]"},
		{"null document in a list", `{"minimums": [null]}`, pricekit.ErrMissingInput, "minimums[0]"},
		{"number in a list", `{"customers": [5]}`, pricekit.ErrInvalidInput, "customers[0]"},
		{"unknown field in a document", `{"credits": [{"amount": 1, "invalidField": 2}]}`, pricekit.ErrInvalidInput, "credits[0].invalidField"},
		{"bad id in a list of ids", `{"sub_contracts": [{"start_date": "2024-01-01", "fixed_fees": ["x"]}]}`, pricekit.ErrInvalidInput, "sub_contracts[0].fixed_fees[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := contract.Objects{Customers: []contract.Customer{{Name: "untouched"}}}
			err := json.Unmarshal([]byte(tt.in), &o)
			require.ErrorIs(t, err, tt.code)
			assert.Equal(t, tt.field, pricekit.First(err).Field, "%v", err)
			assert.Equal(t, 1, o.Len(), "a refused bundle changes nothing")
		})
	}
	t.Run("every problem is reported", func(t *testing.T) {
		var o contract.Objects
		err := json.Unmarshal([]byte(`{"minimums": [{"amount": -1}], "discounts": [{"percentage": 101}]}`), &o)
		require.ErrorIs(t, err, pricekit.ErrInvalidInput)
		assert.Contains(t, err.Error(), "minimums[0].amount")
		assert.Contains(t, err.Error(), "discounts[0].percentage")
	})
}

func TestObjectsValidate(t *testing.T) {
	o := contract.Objects{
		Plans:            []plan.TierPlan{{Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: dec("1"), UnitPrice: dec("1")}}}},
		ProductContracts: []contract.ProductContract{{PlanID: idPlan}},
	}
	err := o.Validate()
	require.ErrorIs(t, err, pricekit.ErrInvalidTiers)
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	assert.Equal(t, "tiers[0].tiers[0].start", pricekit.First(err).Field)
	assert.Contains(t, err.Error(), "product_contracts[0].start_date")
}

func TestObjectsIDsAndClone(t *testing.T) {
	var o contract.Objects
	require.NoError(t, json.Unmarshal(seedBundle(t), &o))
	n := 0
	o.IDs(func() uuid.UUID { n++; return uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(n)}) })
	assert.Equal(t, 10, n, "every document of the seed lacks an id")
	assert.NotEqual(t, uuid.Nil, o.ParentContracts[0].ID)
	before := o.Customers[0].ID
	o.IDs(func() uuid.UUID { t.Fatal("no id is missing"); return uuid.Nil })
	assert.Equal(t, before, o.Customers[0].ID)

	c := o.Clone()
	require.True(t, sameValue(o, c))
	c.ParentContracts[0].SubContracts[0] = uuid.Nil
	c.SubContracts[0].Minimums[0] = uuid.Nil
	c.Plans[0].Tiers[0].UnitPrice = dec("99")
	assert.Equal(t, idSub, o.ParentContracts[0].SubContracts[0])
	assert.Equal(t, idMinimum, o.SubContracts[0].Minimums[0])
	assert.True(t, o.Plans[0].Tiers[0].UnitPrice.Equal(dec("0.1")))
}

// TestOneDecodeReportsEveryProblem: an unknown field does not hide a
// document's other problems, of every kind; a problem of reading a field
// is not repeated by its validation.
func TestOneDecodeReportsEveryProblem(t *testing.T) {
	tests := []struct {
		kind   string
		doc    string
		fields []string
	}{
		{"fixed_fees", `{"colour": 1, "amount": -5}`, []string{"colour", "amount"}},
		{"tiers", `{"colour": 1, "pricing_type": 1, "tiers": [[0, 10, 1], [20, null, -1]]}`,
			[]string{"colour", "tiers[1].unit_price", "tiers[1].start"}},
		{"discounts", `{"colour": 1, "percentage": 120}`, []string{"colour", "percentage"}},
		{"discounts", `{"percentage": "abc"}`, []string{"percentage"}},
		{"minimums", `{"colour": 1, "amount": -1}`, []string{"colour", "amount"}},
		{"credits", `{"colour": 1, "amount": -1, "expiry": "1X"}`, []string{"colour", "expiry", "amount"}},
		{"billing_frequencies", `{"colour": 1, "frequency": "M", "interval": 0}`, []string{"colour", "interval"}},
		{"product_contracts", `{"colour": 1, "start_date": "2024-02-01", "end_date": "2024-01-01"}`,
			[]string{"colour", "tiers", "end_date"}},
		{"sub_contracts", `{"colour": 1}`, []string{"colour", "start_date"}},
		{"parent_contracts", `{"colour": 1, "currency": "XXX"}`, []string{"colour", "currency", "start_date"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.doc, func(t *testing.T) {
			var o contract.Objects
			err := json.Unmarshal([]byte(`{"`+tt.kind+`": [`+tt.doc+`]}`), &o)
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			var got []string
			for _, e := range flatten(err) {
				got = append(got, strings.TrimPrefix(e.Field, tt.kind+"[0]."))
			}
			assert.ElementsMatch(t, tt.fields, got)
		})
	}
}

func flatten(err error) []*pricekit.Error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*pricekit.Error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if e, ok := err.(*pricekit.Error); ok {
		return []*pricekit.Error{e}
	}
	return nil
}
