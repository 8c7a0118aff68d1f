package modifier_test

import (
	"encoding/json"
	"fmt"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/modifier"
)

// The seed's discount: 10 % once the subtotal reaches 100.
func ExampleDiscount_Apply() {
	var d modifier.Discount
	if err := json.Unmarshal([]byte(`{"display_name": "Test Discount", "percentage": 10.0, "threshold": 100.0}`), &d); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range []string{"99.99", "120.00"} {
		fmt.Println(s, "→", d.Apply(decimal.RequireFromString(s)).StringFixed(2))
	}
	// Output:
	// 99.99 → 0.00
	// 120.00 → 12.00
}

// A credit granted with its node on 31 Jan 2024 and valid for a month pays
// statements whose periods start before 29 Feb.
func ExampleCredit_Window() {
	var c modifier.Credit
	if err := json.Unmarshal([]byte(`{"amount": 100, "expiry": "1M"}`), &c); err != nil {
		fmt.Println(err)
		return
	}
	grant, expiry := c.Window(date.New(2024, 1, 31))
	fmt.Println(grant, expiry, c.Priority)
	// Output:
	// 2024-01-31 2024-02-29 50
}
