package store_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
)

// lookup is a stored set of documents for CheckReferences.
type lookup map[uuid.UUID]contract.Kind

func (l lookup) kind(id uuid.UUID) (contract.Kind, bool) { k, ok := l[id]; return k, ok }

// problems lists the field and message of every *pricekit.Error in err.
func problems(err error) map[string]string {
	out := map[string]string{}
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case *pricekit.Error:
			out[e.Field] = e.Message
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

func TestCheckReferences(t *testing.T) {
	planID, freqID, feeID, subID := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	stored := lookup{planID: contract.KindPlan, freqID: contract.KindBillingFrequency, feeID: contract.KindFixedFee,
		subID: contract.KindSubContract}
	missing := uuid.New()

	t.Run("all known", func(t *testing.T) {
		inBatch := modifier.Minimum{ID: uuid.New()}
		b := contract.Objects{
			Minimums:         []modifier.Minimum{inBatch},
			ProductContracts: []contract.ProductContract{{ID: uuid.New(), PlanID: planID, BillingFrequency: freqID}},
			SubContracts: []contract.SubContract{{ID: uuid.New(), BillingFrequency: freqID, FixedFees: []uuid.UUID{feeID},
				Minimums: []uuid.UUID{inBatch.ID}, SubContracts: []uuid.UUID{subID}}},
		}
		require.NoError(t, store.CheckReferences(b, stored.kind))
	})
	t.Run("every problem, with its path", func(t *testing.T) {
		b := contract.Objects{
			ProductContracts: []contract.ProductContract{{ID: uuid.New(), PlanID: missing, BillingFrequency: planID}},
			SubContracts: []contract.SubContract{{ID: uuid.New(), FixedFees: []uuid.UUID{feeID, missing},
				Discounts: []uuid.UUID{feeID}}},
			ParentContracts: []contract.ParentContract{{SubContract: contract.SubContract{ID: uuid.New(),
				SubContracts: []uuid.UUID{subID, missing}, Credits: []uuid.UUID{missing}}}},
		}
		err := store.CheckReferences(b, stored.kind)
		require.ErrorIs(t, err, store.ErrUnknownReference)
		assert.Equal(t, map[string]string{
			"product_contracts[0].tiers":             "no tier plan " + missing.String(),
			"product_contracts[0].billing_frequency": planID.String() + " is a tier plan, not a billing frequency",
			"sub_contracts[0].fixed_fees[1]":         "no fixed fee " + missing.String(),
			"sub_contracts[0].discounts[0]":          feeID.String() + " is a fixed fee, not a discount",
			"parent_contracts[0].sub_contracts[1]":   "no sub contract " + missing.String(),
			"parent_contracts[0].credits[0]":         "no credit " + missing.String(),
		}, problems(err))
	})
	t.Run("a parent is not a sub contract", func(t *testing.T) {
		parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New()}}
		b := contract.Objects{
			SubContracts:    []contract.SubContract{{ID: uuid.New(), SubContracts: []uuid.UUID{parent.ID}}},
			ParentContracts: []contract.ParentContract{parent},
		}
		err := store.CheckReferences(b, stored.kind)
		require.ErrorIs(t, err, store.ErrUnknownReference)
		assert.Contains(t, problems(err), "sub_contracts[0].sub_contracts[0]")
	})
}

func day(s string) date.Date { return date.MustParseISO(s) }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// tierPlan returns a valid one-tier plan.
func tierPlan(price string) plan.TierPlan {
	return plan.TierPlan{ID: uuid.New(), Pricing: plan.Graduated, Tiers: []plan.Tier{{UnitPrice: dec(price)}}}
}
