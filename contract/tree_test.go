package contract_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/testrun"
)

func TestCheckTree(t *testing.T) {
	a, b, c, d, p := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	type graph map[uuid.UUID][]uuid.UUID
	for _, tc := range []struct {
		name     string
		subs     graph
		products graph
		code     pricekit.Code // "": accepted
	}{
		{"chain", graph{a: {b}, b: {c}}, nil, ""},
		{"products once each", graph{a: {b, c}}, graph{b: {p}, c: {d}}, ""},
		{"self", graph{a: {a}}, nil, pricekit.ErrCycle},
		{"two", graph{a: {b}, b: {a}}, nil, pricekit.ErrCycle},
		{"below the root", graph{a: {b}, b: {c}, c: {d}, d: {b}}, nil, pricekit.ErrCycle},
		{"diamond: a contract placed twice", graph{a: {b, c}, b: {d}, c: {d}}, nil, pricekit.ErrInvalidInput},
		{"repeated child", graph{a: {b, b}}, nil, pricekit.ErrInvalidInput},
		{"a product contract in two sub contracts", graph{a: {b, c}}, graph{b: {p}, c: {p}}, pricekit.ErrInvalidInput},
		{"a product contract listed twice", nil, graph{a: {p, p}}, pricekit.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := contract.CheckTree(a, func(id uuid.UUID) ([]uuid.UUID, []uuid.UUID) { return tc.subs[id], tc.products[id] })
			if tc.code == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.code)
		})
	}
	t.Run("message names the loop", func(t *testing.T) {
		err := contract.CheckTree(a, func(id uuid.UUID) ([]uuid.UUID, []uuid.UUID) {
			return map[uuid.UUID][]uuid.UUID{a: {b}, b: {c}, c: {b}}[id], nil
		})
		require.ErrorIs(t, err, pricekit.ErrCycle)
		assert.Equal(t, "contract: sub_contracts: contract "+b.String()+" contains itself: "+
			b.String()+" → "+c.String()+" → "+b.String(), err.Error())
	})
}

// TestCheckTreeDepth: a parent contract and 100 levels of sub contracts
// are accepted, 101 are not; a chain far longer than that is walked with
// its own stack, and a loop closing it is reported as the cycle it is.
func TestCheckTreeDepth(t *testing.T) {
	chain := func(n int) ([]uuid.UUID, map[uuid.UUID][]uuid.UUID) {
		ids := make([]uuid.UUID, n)
		for i := range ids {
			ids[i] = uuid.New()
		}
		next := map[uuid.UUID][]uuid.UUID{}
		for i := range n - 1 {
			next[ids[i]] = []uuid.UUID{ids[i+1]}
		}
		return ids, next
	}
	lists := func(next map[uuid.UUID][]uuid.UUID) func(uuid.UUID) ([]uuid.UUID, []uuid.UUID) {
		return func(id uuid.UUID) ([]uuid.UUID, []uuid.UUID) { return next[id], nil }
	}
	ids, next := chain(contract.MaxDepth + 1) // the root and 100 levels
	require.NoError(t, contract.CheckTree(ids[0], lists(next)))
	ids, next = chain(contract.MaxDepth + 2)
	err := contract.CheckTree(ids[0], lists(next))
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	assert.Contains(t, err.Error(), "sub contract "+ids[len(ids)-1].String()+" is nested deeper than 100 levels")

	n := testrun.Cases(20_000, 200_000)
	ids, next = chain(n)
	require.ErrorIs(t, contract.CheckTree(ids[0], lists(next)), pricekit.ErrInvalidInput)
	next[ids[n-1]] = []uuid.UUID{ids[0]}
	err = contract.CheckTree(ids[0], lists(next))
	require.ErrorIs(t, err, pricekit.ErrCycle, "the cycle is reported before the depth")
	assert.Contains(t, err.Error(), fmt.Sprintf("through %d sub contracts", n))
	assert.Less(t, len(err.Error()), 200, "the message names the loop, not every level")
}
