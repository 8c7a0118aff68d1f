package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
)

// countingReader records what Resolve asks of a store.
type countingReader struct {
	store.Reader
	calls int
	asked map[uuid.UUID]int
}

func (r *countingReader) Get(ctx context.Context, org uuid.UUID, kind contract.Kind, ids ...uuid.UUID) (contract.Objects, error) {
	r.calls++
	for _, id := range ids {
		r.asked[id]++
	}
	return r.Reader.Get(ctx, org, kind, ids...)
}

func (r *countingReader) Versions(ctx context.Context, org uuid.UUID, kind contract.Kind, id uuid.UUID) (contract.Objects, error) {
	r.calls++
	r.asked[id]++
	return r.Reader.Versions(ctx, org, kind, id)
}

// TestResolveReadsEachOnce checks that Resolve asks for every document once,
// however often the tree shares it (plans, fees and modifiers are shared; a
// contract has one place in a tree): one Get per level of sub contracts and
// per unversioned kind, and the versions of each versioned document.
func TestResolveReadsEachOnce(t *testing.T) {
	ctx := context.Background()
	org := uuid.New()
	p := tierPlan("0.10")
	fee := plan.FixedFee{ID: uuid.New(), Amount: dec("5")}
	minimum := modifier.Minimum{ID: uuid.New(), Amount: dec("20")}
	dates := contract.Dates{Start: day("2024-01-01")}
	pc1 := contract.ProductContract{ID: uuid.New(), PlanID: p.ID, Dates: dates}
	pc2 := contract.ProductContract{ID: uuid.New(), PlanID: p.ID, Dates: dates}
	leaf := contract.SubContract{ID: uuid.New(), Dates: dates, ProductContracts: []uuid.UUID{pc2.ID},
		FixedFees: []uuid.UUID{fee.ID}, Minimums: []uuid.UUID{minimum.ID}}
	left := contract.SubContract{ID: uuid.New(), Dates: dates, SubContracts: []uuid.UUID{leaf.ID}, FixedFees: []uuid.UUID{fee.ID}}
	right := contract.SubContract{ID: uuid.New(), Dates: dates, ProductContracts: []uuid.UUID{pc1.ID}, Minimums: []uuid.UUID{minimum.ID}}
	parent := contract.ParentContract{SubContract: contract.SubContract{ID: uuid.New(), Dates: dates,
		SubContracts: []uuid.UUID{left.ID, right.ID}, FixedFees: []uuid.UUID{fee.ID}, Minimums: []uuid.UUID{minimum.ID}}}
	s := memory.New()
	_, err := s.Save(ctx, org, store.Batch{Objects: contract.Objects{
		Plans: []plan.TierPlan{p, tierPlan("9")}, FixedFees: []plan.FixedFee{fee}, Minimums: []modifier.Minimum{minimum},
		ProductContracts: []contract.ProductContract{pc1, pc2},
		SubContracts:     []contract.SubContract{leaf, left, right},
		ParentContracts:  []contract.ParentContract{parent},
	}})
	require.NoError(t, err)

	r := &countingReader{Reader: s, asked: map[uuid.UUID]int{}}
	got, err := store.Resolve(ctx, r, org, parent.ID)
	require.NoError(t, err)
	for id, n := range r.asked {
		assert.Equal(t, 1, n, "document %s read %d times", id, n)
	}
	// parent, two levels of sub contracts, product contracts; the versions
	// of the plan, the fee and the minimum
	assert.Equal(t, 7, r.calls)
	assert.Len(t, got.ParentContracts, 1)
	assert.Len(t, got.SubContracts, 3)
	assert.Len(t, got.ProductContracts, 2)
	assert.Len(t, got.Plans, 1, "only the plan in the tree, once")
	assert.Len(t, got.FixedFees, 1)
	assert.Len(t, got.Minimums, 1)
}

func TestResolveRefusesNonParents(t *testing.T) {
	ctx := context.Background()
	org := uuid.New()
	s := memory.New()
	sub := contract.SubContract{ID: uuid.New(), Dates: contract.Dates{Start: day("2024-01-01")}}
	_, err := s.Save(ctx, org, store.Batch{Objects: contract.Objects{SubContracts: []contract.SubContract{sub}}})
	require.NoError(t, err)
	_, err = store.Resolve(ctx, s, org, sub.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = store.Resolve(ctx, s, uuid.New(), sub.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
}
