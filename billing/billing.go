// Package billing rates contracts held in a store: it resolves a parent
// contract's tree, reads its usage and hands both to the pure engine of
// package rating.
//
// [Rate] rates stored usage; [Simulate] rates a usage list given in memory
// without storing anything (the seed's simulation mode). Both refuse bad
// input with the codes of docs/errors.md and change nothing.
package billing

import (
	"context"
	"math"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// Reader is what billing needs of a store.
type Reader interface {
	store.Reader
	store.UsageReader
}

// Rate returns the statements of stored parent contract id for every
// billing period overlapping [from, to] (zero: the contract's dates), from
// the usage stored for its product contracts.
func Rate(ctx context.Context, st Reader, org, id uuid.UUID, from, to date.Date) ([]rating.Statement, error) {
	objs, err := store.Resolve(ctx, st, org, id)
	if err != nil {
		return nil, err
	}
	events, err := st.Usage(ctx, org, productIDs(objs), date.Date(math.MinInt32), date.Date(math.MaxInt32))
	if err != nil {
		return nil, err
	}
	return rating.Rate(rating.Input{Objects: objs, Contract: id, Usage: events, From: from, To: to})
}

// Simulate rates stored parent contract id with the given usage instead of
// the stored one; nothing is stored. The events are validated as an
// ingestion would (duplicate_usage, usage_out_of_contract, invalid_input).
func Simulate(ctx context.Context, st store.Reader, org, id uuid.UUID, events []usage.Event, from, to date.Date) ([]rating.Statement, error) {
	objs, err := store.Resolve(ctx, st, org, id)
	if err != nil {
		return nil, err
	}
	return rating.Rate(rating.Input{Objects: objs, Contract: id, Usage: events, From: from, To: to})
}

func productIDs(o contract.Objects) []uuid.UUID {
	ids := make([]uuid.UUID, len(o.ProductContracts))
	for i, p := range o.ProductContracts {
		ids[i] = p.ID
	}
	return ids
}
