package memory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/store/storetest"
	"github.com/pricekit/pricekit/usage"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
}

// sequence returns an id generator that hands out 00000000-…-0001, …-0002, ….
func sequence() (func() uuid.UUID, *int) {
	n := 0
	return func() uuid.UUID {
		n++
		var id uuid.UUID
		id[15] = byte(n)
		return id
	}, &n
}

func TestWithIDs(t *testing.T) {
	ctx := context.Background()
	org := uuid.New()
	newID, calls := sequence()
	s := memory.New(memory.WithIDs(newID))

	given := uuid.New()
	got, err := s.Save(ctx, org, store.Batch{Objects: contract.Objects{
		Minimums: []modifier.Minimum{{Amount: decimal.NewFromInt(1)}, {ID: given, Amount: decimal.NewFromInt(2)}},
		Credits:  []modifier.Credit{{Amount: decimal.NewFromInt(3)}},
	}})
	require.NoError(t, err)
	assert.Equal(t, 2, *calls, "the generator is asked once per document without an id")
	assert.Equal(t, uuid.MustParse("00000000-0000-0000-0000-000000000001"), got.Minimums[0].ID)
	assert.Equal(t, given, got.Minimums[1].ID, "a given id is kept")
	assert.Equal(t, uuid.MustParse("00000000-0000-0000-0000-000000000002"), got.Credits[0].ID)

	stored, err := s.Get(ctx, org, contract.KindCredit, got.Credits[0].ID)
	require.NoError(t, err)
	require.Len(t, stored.Credits, 1)
	assert.True(t, stored.Credits[0].Amount.Equal(decimal.NewFromInt(3)))
}

func TestRefusedSaveUsesNoID(t *testing.T) {
	newID, calls := sequence()
	s := memory.New(memory.WithIDs(newID))
	_, err := s.Save(context.Background(), uuid.New(), store.Batch{Objects: contract.Objects{
		Minimums: []modifier.Minimum{{Amount: decimal.NewFromInt(-1)}},
	}})
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Zero(t, *calls, "an invalid batch asked for ids")
}

func TestDefaultIDsAreTimeOrdered(t *testing.T) {
	s := memory.New()
	got, err := s.Save(context.Background(), uuid.New(), store.Batch{Objects: contract.Objects{
		Minimums: []modifier.Minimum{{Amount: decimal.NewFromInt(1)}, {Amount: decimal.NewFromInt(2)}},
	}})
	require.NoError(t, err)
	for _, m := range got.Minimums {
		assert.Equal(t, uuid.Version(7), m.ID.Version())
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := memory.New()
	org := uuid.New()
	_, err := s.Save(ctx, org, store.Batch{Objects: contract.Objects{Minimums: []modifier.Minimum{{Amount: decimal.NewFromInt(1)}}}})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Get(ctx, org, contract.KindMinimum, uuid.New())
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.List(ctx, org)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.ParentContracts(ctx, org, uuid.New())
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Version(ctx, org, uuid.New())
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Ingest(ctx, org, []usage.Event{{ContractID: uuid.New(), Date: date.New(2024, 1, 1)}})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Usage(ctx, org, nil, 0, 0)
	assert.ErrorIs(t, err, context.Canceled)

	all, err := s.List(context.Background(), org)
	require.NoError(t, err)
	assert.Zero(t, all.Len(), "a canceled save wrote")
}

// Save a small tree, read it back and replace a plan.
func Example() {
	ctx := context.Background()
	org := uuid.MustParse("0190d5a0-0000-7000-8000-000000000001")
	newID, _ := sequence()
	s := memory.New(memory.WithIDs(newID))

	// Documents without an id get one; save bottom-up and link by id.
	saved, err := s.Save(ctx, org, store.Batch{Objects: contract.Objects{
		Plans: []plan.TierPlan{{DisplayName: "storage", Pricing: plan.Volume,
			Tiers: []plan.Tier{{UnitPrice: decimal.RequireFromString("0.023")}}}},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	storage := saved.Plans[0]
	_, err = s.Save(ctx, org, store.Batch{Objects: contract.Objects{
		ProductContracts: []contract.ProductContract{{DisplayName: "s3", PlanID: storage.ID,
			Dates: contract.Dates{Start: date.New(2024, 1, 1)}}},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Replacing the plan, on the condition nobody else did first.
	storage.Tiers[0].UnitPrice = decimal.RequireFromString("0.021")
	_, err = s.Save(ctx, org, store.Batch{
		Objects:   contract.Objects{Plans: []plan.TierPlan{storage}},
		IfVersion: map[uuid.UUID]int64{storage.ID: 1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	all, _ := s.List(ctx, org)
	for _, p := range all.ProductContracts {
		plans, _ := s.Get(ctx, org, contract.KindPlan, p.PlanID)
		v, _ := s.Version(ctx, org, p.PlanID)
		fmt.Printf("%s %s: %s at %s (plan version %d)\n", p.ID, p.DisplayName,
			plans.Plans[0].DisplayName, plans.Plans[0].Tiers[0].UnitPrice, v)
	}
	// Output:
	// 00000000-0000-0000-0000-000000000002 s3: storage at 0.021 (plan version 2)
}
