package contract_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/dectest"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
)

func dec(s string) decimal.Decimal { return dectest.Dec(s) }

// sameValue compares documents, decimals by value.
func sameValue(a, b any) bool { return dectest.Same(a, b) }

func TestSameValue(t *testing.T) {
	a := contract.Objects{Plans: []plan.TierPlan{{Tiers: []plan.Tier{{UnitPrice: decimal.RequireFromString("1.0")}}}}}
	b := contract.Objects{Plans: []plan.TierPlan{{Tiers: []plan.Tier{{UnitPrice: decimal.RequireFromString("1")}}}}}
	c := contract.Objects{Plans: []plan.TierPlan{{Tiers: []plan.Tier{{UnitPrice: decimal.RequireFromString("2")}}}}}
	if !sameValue(a, b) || sameValue(a, c) || sameValue(a, contract.Objects{}) ||
		sameValue(contract.SubContract{FixedFees: []uuid.UUID{}}, contract.SubContract{}) {
		t.Fatal("sameValue is wrong")
	}
}
