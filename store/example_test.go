package store_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
)

// Resolve reads a parent contract with everything beneath it, ready for
// rating.
func ExampleResolve() {
	ctx := context.Background()
	org := uuid.MustParse("0190d5a0-0000-7000-8000-000000000001")
	s := memory.New()

	api := plan.TierPlan{ID: uuid.New(), DisplayName: "API calls", Pricing: plan.Graduated,
		Tiers: []plan.Tier{{UnitPrice: dec("0.002")}}}
	calls := contract.ProductContract{ID: uuid.New(), DisplayName: "calls", PlanID: api.ID,
		Dates: contract.Dates{Start: day("2024-01-01")}}
	acme := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(), DisplayName: "Acme 2024",
		Dates: contract.Dates{Start: day("2024-01-01")}, ProductContracts: []uuid.UUID{calls.ID}}}
	_, err := s.Save(ctx, org, store.Batch{Objects: contract.Objects{
		Plans:            []plan.TierPlan{api},
		ProductContracts: []contract.ProductContract{calls},
		ParentContracts:  []contract.ParentContract{acme},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}

	tree, err := store.Resolve(ctx, s, org, acme.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tree.ParentContracts[0].DisplayName, "prices", tree.ProductContracts[0].DisplayName,
		"with", tree.Plans[0].DisplayName, "at", tree.Plans[0].Tiers[0].UnitPrice)

	_, err = store.Resolve(ctx, s, org, calls.ID)
	fmt.Println(errors.Is(err, store.ErrNotFound))
	// Output:
	// Acme 2024 prices calls with API calls at 0.002
	// true
}
