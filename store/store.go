package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/usage"
)

// The refusals a store returns; match them with errors.Is.
const (
	ErrNotFound           = pricekit.ErrNotFound
	ErrConflict           = pricekit.ErrConflict
	ErrUnknownReference   = pricekit.ErrUnknownReference
	ErrCycle              = pricekit.ErrCycle
	ErrMissingInput       = pricekit.ErrMissingInput
	ErrInvalidInput       = pricekit.ErrInvalidInput
	ErrDuplicateUsage     = pricekit.ErrDuplicateUsage
	ErrUsageOutOfContract = pricekit.ErrUsageOutOfContract
)

// Batch is what one Save writes, all or nothing: documents of every kind,
// and optional version preconditions.
type Batch struct {
	contract.Objects
	// IfVersion makes the save conditional (optimistic concurrency): every
	// id listed must be stored at exactly that version (0: not stored yet),
	// or nothing is written and Save returns ErrConflict.
	IfVersion map[uuid.UUID]int64
}

// Saver writes documents. Save validates the batch, assigns ids to
// documents without one, checks every reference against the store and the
// batch itself (unknown_reference, cycle), and writes everything or
// nothing. A document whose id is stored already is replaced and its
// version goes up by one. It returns the documents as stored (ids filled).
//
// Customers and parent contracts belong to org: an empty organization_id is
// set to it, another one is refused.
type Saver interface {
	Save(ctx context.Context, org uuid.UUID, b Batch) (contract.Objects, error)
}

// Reader reads documents of one organization; an id of another
// organization, or of another kind, is ErrNotFound.
type Reader interface {
	// Get returns the documents with the given ids, of the given kind, in
	// the order asked, in a bundle; ErrNotFound when one is missing.
	Get(ctx context.Context, org uuid.UUID, kind contract.Kind, ids ...uuid.UUID) (contract.Objects, error)
	// List returns every document of the given kinds (all kinds when none
	// is given), in the order they were first saved.
	List(ctx context.Context, org uuid.UUID, kinds ...contract.Kind) (contract.Objects, error)
	// ParentContracts returns the parent contracts of a customer.
	ParentContracts(ctx context.Context, org, customerID uuid.UUID) ([]contract.ParentContract, error)
	// Version returns the stored version of a document (1 after its first
	// save), or ErrNotFound.
	Version(ctx context.Context, org, id uuid.UUID) (int64, error)
}

// UsageWriter ingests usage events (docs/errors.md): a batch is accepted or refused
// as a whole, the refusal naming every bad event; an id seen before with
// the same payload is a no-op, with another payload duplicate_usage.
type UsageWriter interface {
	Ingest(ctx context.Context, org uuid.UUID, events []usage.Event) (Ingested, error)
}

// Ingested reports what an accepted batch added.
type Ingested struct {
	Added    int // events stored
	Replayed int // events already stored with the same payload
}

// UsageReader reads stored usage.
type UsageReader interface {
	// Usage returns the events of the given product contracts whose day
	// (in the parent contract's time zone) lies in [from, to], in ingest
	// order.
	Usage(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID, from, to date.Date) ([]usage.Event, error)
	// UsageSince returns the same for the events accepted at or after
	// ingest position since, each with its day and position: what arrived
	// after a billing mark.
	UsageSince(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID, from, to date.Date, since int64) ([]usage.Stored, error)
}

// UsageMarker keeps the billing marks of parent contracts (see
// [usage.Mark]). A store only records them; what they mean for a report or
// a statement is package billing's to say.
type UsageMarker interface {
	// Mark records that the usage of a parent contract's product contracts
	// on days through `through`, as stored now, is billed: the mark holds
	// the store's ingest position at this moment, so that events accepted
	// later on those days are late. Marks only go forward: a day before the
	// last mark's is ErrInvalidInput, the same day again changes nothing.
	Mark(ctx context.Context, org, parentContract uuid.UUID, through date.Date) error
	// Marks lists a parent contract's marks, oldest first.
	Marks(ctx context.Context, org, parentContract uuid.UUID) ([]usage.Mark, error)
}

// UsageAggregator aggregates stored usage where it is kept: for each
// request, one [usage.Aggregates] per period (count, sum, max and latest of
// the events whose day, fixed when they were ingested, lies in it), in the
// order asked. A period without usage, or a contract without any, gives
// zero aggregates. It is how rating reads usage: the events never leave the
// store, and what it hands over does not grow with their number.
type UsageAggregator interface {
	Aggregate(ctx context.Context, org uuid.UUID, reqs []usage.Request) ([][]usage.Aggregates, error)
}

// Store is everything a back end provides.
type Store interface {
	Saver
	Reader
	TreeReader
	UsageWriter
	UsageReader
	UsageAggregator
	UsageMarker
}
