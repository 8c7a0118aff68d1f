package pricekit_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/plan"
)

// A refusal carries a stable code to branch on, the path of the field at
// fault and a message for a person.
func Example() {
	var p plan.TierPlan
	err := json.Unmarshal([]byte(`{"tiers": [[1, 100, 0.1], [101, null, 0.2]], "pricing_type": 1}`), &p)
	if errors.Is(err, pricekit.ErrInvalidTiers) {
		e := pricekit.First(err)
		fmt.Println(e.Code, e.Field)
		fmt.Println(err)
	}
	// Output:
	// invalid_tiers tiers[0].start
	// plan: tiers[0].start: first tier starts at 1 (want 0)
}

// Reading a document reports every problem it finds, unknown fields first;
// First picks one for a one-line report.
func ExampleFirst() {
	var p plan.TierPlan
	err := json.Unmarshal([]byte(`{"tiers": [[0, null, 0.1]], "pricing_type": 9, "colour": "blue"}`), &p)
	fmt.Println(err)
	fmt.Println("first:", pricekit.First(err).Field)
	// Output:
	// plan: colour: unknown field
	// plan: pricing_type: unknown pricing_type 9 (want 1 graduated, 2 volume, 3 package or 4 percentage)
	// first: colour
}

func ExamplePrefix() {
	err := pricekit.Prefix("tiers[2]", pricekit.Errorf(pricekit.ErrInvalidTiers, "plan", "tiers[1].start", "gap after 100 (want 100 or 101)"))
	fmt.Println(err)
	// Output:
	// plan: tiers[2].tiers[1].start: gap after 100 (want 100 or 101)
}
