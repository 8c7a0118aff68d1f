package contract_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
)

// checkDecoded is the fuzz property of every decoder: never panic; refuse
// with a coded error, or accept a valid value that re-encodes and decodes
// to an equal value.
func checkDecoded[T interface{ Validate() error }](t *testing.T, in []byte) {
	var v T
	if err := json.Unmarshal(in, &v); err != nil {
		if pricekit.First(err) == nil {
			require.False(t, json.Valid(in), "refusal without a code: %v", err)
		}
		return
	}
	require.NoError(t, v.Validate())
	roundTrip(t, v)
}

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		f.Add(seedFile(f, name))
	}
	f.Add(seedFile(f, "refuse_empty.json"))
	f.Add(seedFile(f, "refuse_invalid_field.json"))
}

func FuzzCustomer(f *testing.F) {
	addSeeds(f, "customer.json")
	f.Add([]byte(`{"display_name": "Acme", "customer_name": "Acme Inc", "organization_id": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c09"}`))
	f.Fuzz(func(t *testing.T, in []byte) { checkDecoded[contract.Customer](t, in) })
}

func FuzzProductContract(f *testing.F) {
	addSeeds(f, "product_contract.json")
	f.Add([]byte(`{"tiers": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c02", "start_date": "2024-01-31T23:30:00-05:00", "end_date": null}`))
	f.Fuzz(func(t *testing.T, in []byte) { checkDecoded[contract.ProductContract](t, in) })
}

func FuzzSubContract(f *testing.F) {
	addSeeds(f, "sub_contract.json")
	f.Add([]byte(`{"start_date": "2024-01-01", "discounts": [], "credits": null, "sub_contracts": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c0b"}`))
	f.Fuzz(func(t *testing.T, in []byte) { checkDecoded[contract.SubContract](t, in) })
}

func FuzzParentContract(f *testing.F) {
	addSeeds(f, "parent_contract.json")
	f.Add([]byte(`{"start_date": "2024-01-01", "currency": "JPY", "timezone": "UTC", "override_underlying": true}`))
	f.Fuzz(func(t *testing.T, in []byte) { checkDecoded[contract.ParentContract](t, in) })
}

func FuzzObjects(f *testing.F) {
	f.Add(seedBundle(f))
	f.Add([]byte(`{"tiers": [{"tiers": [[0, 10, 1, 2], [10, null, "0.5"]], "pricing_type": "volume"}], "minimums": [{"amount": 5}]}`))
	f.Add([]byte(`{"minimums": [null], "widgets": []}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, in []byte) { checkDecoded[contract.Objects](t, in) })
}
