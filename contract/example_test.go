package contract_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
)

// A bundle of documents, as a scenario's "objects" holds them. Lists of ids
// may be written as a single id.
func ExampleObjects() {
	var o contract.Objects
	err := json.Unmarshal([]byte(`{
		"tiers": [{"id": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c02", "tiers": [[0, 100, 0.1], [101, null, 0.2]], "pricing_type": 1}],
		"parent_contracts": [{"display_name": "Acme", "start_date": "2023-01-01T00:00:00", "end_date": "2023-12-31T23:59:59",
			"product_contracts": "3f1a6c2e-8d4b-4e7a-9c1d-0b2e5f7a9c06"}]
	}`), &o)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := o.ParentContracts[0]
	fmt.Println(o.Len(), p.Start, p.End, len(p.ProductContracts), p.Currency, p.TimeZone)
	// Output:
	// 2 2023-01-01 2023-12-31 1 USD UTC
}

// A refusal names the document and the field at fault.
func ExampleObjects_refused() {
	var o contract.Objects
	err := json.Unmarshal([]byte(`{"tiers": [{"tiers": [[0, 100, 0.1], [101, 201, 0.2]], "pricing_type": 1}]}`), &o)
	fmt.Println(errors.Is(err, pricekit.ErrInvalidTiers))
	fmt.Println(pricekit.First(err).Field)
	// Output:
	// true
	// tiers[0].tiers[1].end
}

func ExampleCurrency_MinorUnit() {
	for _, code := range []string{"USD", "JPY", "KWD"} {
		c, _ := contract.ParseCurrency(code)
		fmt.Println(c, c.MinorUnit())
	}
	// Output:
	// USD 2
	// JPY 0
	// KWD 3
}
