// Package billing is the workflow above a store: it rates contracts held in
// one, marks what was billed and reports usage. Everything here is built on
// what every store provides — documents, a snapshot of a tree, aggregates
// of usage and billing marks — so it behaves the same on every back end;
// no store prices anything.
//
// [Rate] rates stored usage: it resolves a parent contract's tree and hands
// it to the pure engine of package rating, which asks the store for the
// aggregates of the periods it prices. [Simulate] rates a usage list given
// in memory without storing anything (the seed's simulation mode).
// [MarkBilled] records what the host has billed, and [Report] reports
// usage by day or month, split into billed, pending and late. All refuse
// bad input with the codes of docs/errors.md and change nothing.
package billing

import (
	"context"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// Reader is what billing needs of a store: its documents, the aggregates
// of its usage and the issued statements it keeps.
type Reader interface {
	store.Reader
	store.UsageAggregator
	// IssuedIndex and IssuedStatements read issued statements, as
	// [store.StatementKeeper] does.
	IssuedIndex(ctx context.Context, org, id uuid.UUID) ([]store.Issued, error)
	IssuedStatements(ctx context.Context, org, id uuid.UUID, numbers ...int) ([]store.Issued, error)
}

// Rate returns the statements of stored parent contract id for every
// billing period overlapping [from, to] (zero: the contract's dates), from
// the usage stored for its product contracts. The store aggregates that
// usage period by period where it keeps it; no event is read into memory.
// A stored event is never a reason to refuse a rating: usage outside a
// contract's effective dates is kept and not billed.
//
// Issued statements (see [Issue]) come back as they were issued; the first
// statement after them carries the adjustments of everything that changed
// since (docs/statements.md).
func Rate(ctx context.Context, st Reader, org, id uuid.UUID, from, to date.Date) ([]rating.Statement, error) {
	l, err := load(ctx, st, org, id, true)
	if err != nil {
		return nil, err
	}
	l.in.From, l.in.To = from, to
	return rating.Rate(l.in)
}

// Input returns what rating needs to rate stored parent contract id: its
// tree with every version, its usage as the store aggregates it, a reader
// of its issued statements, and what changed since the last of them was
// issued (documents, by the fingerprint kept with it; usage, by the
// store's ingest position then). From and To are the caller's to set. The
// input's aggregator and reader use ctx: pass it to [rating.Rate] before
// ctx ends.
func Input(ctx context.Context, st Reader, org, id uuid.UUID) (rating.Input, error) {
	l, err := load(ctx, st, org, id, false)
	return l.in, err
}

// loaded is what billing reads of a stored contract to rate it.
type loaded struct {
	in        rating.Input
	index     []store.Issued // its issued statements, without their bytes
	documents string         // the tree's fingerprint, when some are issued
}

// load reads what rating needs of stored parent contract id (see Input).
// With share, the statements its reader reads share memory with the cache
// of decoded statements (see decodeIssued): for rating, which only reads
// them, and never for a caller.
func load(ctx context.Context, st Reader, org, id uuid.UUID, share bool) (loaded, error) {
	objs, err := store.Resolve(ctx, st, org, id)
	if err != nil {
		return loaded{}, err
	}
	l := loaded{in: rating.Input{Objects: objs, Contract: id, Aggregates: stored{ctx: ctx, st: st, org: org}}}
	if l.index, err = st.IssuedIndex(ctx, org, id); err != nil || len(l.index) == 0 {
		return l, err
	}
	l.in.IssuedFrom = newKept(ctx, st, org, id, l.index, share)
	last := l.index[len(l.index)-1]
	l.documents = fingerprint(objs)
	l.in.Changes = &rating.Changes{Documents: last.Documents != l.documents, Since: last.Position}
	return l, nil
}

// stored is a store's usage of one organization, as rating asks for it.
// It holds a context for the length of one call to Rate, never longer.
type stored struct {
	ctx context.Context
	st  store.UsageAggregator
	org uuid.UUID
}

func (s stored) Aggregate(reqs []usage.Request) ([][]usage.Aggregates, error) {
	return s.st.Aggregate(s.ctx, s.org, reqs)
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
