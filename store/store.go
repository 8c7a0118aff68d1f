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
// Tier plans, fixed fees, discounts and minimums have versions
// (docs/versions.md): the documents of one id in a batch are a version set
// ([contract.VersionSet]); a set holding a base version (no
// EffectiveFrom) replaces the document and every version it had, a set of
// dated versions only adds them, each replacing a stored one of the same
// day ([contract.MergeVersions]).
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
	// the order asked, in a bundle; ErrNotFound when one is missing. A
	// versioned document is given as its latest version.
	Get(ctx context.Context, org uuid.UUID, kind contract.Kind, ids ...uuid.UUID) (contract.Objects, error)
	// List returns every document of the given kinds (all kinds when none
	// is given), in the order they were first saved, each as its latest
	// version.
	List(ctx context.Context, org uuid.UUID, kinds ...contract.Kind) (contract.Objects, error)
	// ParentContracts returns the parent contracts of a customer.
	ParentContracts(ctx context.Context, org, customerID uuid.UUID) ([]contract.ParentContract, error)
	// Versions returns every version of a document, base first, then by
	// day: several for a versioned document saved with effective_from,
	// one otherwise. ErrNotFound when no document of that kind has the id.
	Versions(ctx context.Context, org uuid.UUID, kind contract.Kind, id uuid.UUID) (contract.Objects, error)
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
	// Position returns the organization's ingest position now: every
	// event accepted so far lies before it, every one accepted later at or
	// after it. Read before a rating, it says which events the rating saw.
	Position(ctx context.Context, org uuid.UUID) (int64, error)
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

// Issued is a statement as it was issued (docs/statements.md), as a store
// keeps it with its parent contract.
type Issued struct {
	Number      int       // 1, 2, … per parent contract, in period order
	PeriodStart date.Date // the statement's first day
	Statement   []byte    // its JSON as issued, given back byte for byte
	// Documents identifies the documents the statement was rated with (a
	// fingerprint package billing computes); a store only keeps it.
	Documents string
	// Position is the ingest position the statement was rated at, read
	// with [UsageMarker.Position] before rating it: events accepted from it
	// on came later.
	Position int64
	// Through, when set, is the last day the statement bills usage for:
	// the store marks the contract's usage billed through it at Position
	// (see [UsageMarker.Mark]), in the same write, unless a mark reaches
	// that day already. It is an instruction: a kept statement has none.
	Through date.Date
	// Adjusts lists the numbers of the earlier statements this one carries
	// adjustments of, in increasing order (package billing's to set; a
	// store only keeps it): what tells which statements to read to know
	// what was billed for a period.
	Adjusts []int
}

// StatementKeeper keeps the issued statements of parent contracts. A store
// only keeps them; which statement may be issued, and what it holds, is
// package billing's to say.
type StatementKeeper interface {
	// Issue keeps s as issued statement s.Number of parent contract id,
	// with the usage mark s.Through asks for, and returns it as kept.
	// s.Number must be one more than the number kept already (ErrConflict
	// otherwise: another issue came first);
	// a number kept already with the same PeriodStart returns the kept
	// statement unchanged (issuing twice), with another PeriodStart it is
	// ErrConflict. An id that is not a stored parent contract is
	// ErrNotFound; a Number below 1, a zero PeriodStart, or a Position
	// below 0 or beyond the ingest position now is ErrInvalidInput, an
	// empty Statement ErrMissingInput.
	Issue(ctx context.Context, org, id uuid.UUID, s Issued) (Issued, error)
	// Issued lists the issued statements of parent contract id, by number.
	// A parent contract with none gives none; another id is ErrNotFound.
	Issued(ctx context.Context, org, id uuid.UUID) ([]Issued, error)
	// IssuedIndex lists them as Issued does, without their Statement: what
	// tells which of them to read, in a call that does not grow with their
	// size.
	IssuedIndex(ctx context.Context, org, id uuid.UUID) ([]Issued, error)
	// IssuedStatements returns the issued statements of parent contract id
	// with the given numbers, in the order asked, each with its Statement;
	// a number not issued is ErrNotFound, as is an id that is not a parent
	// contract.
	IssuedStatements(ctx context.Context, org, id uuid.UUID, numbers ...int) ([]Issued, error)
}

// Documents is the part of a [Store] that keeps documents and issued
// statements, for a back end that keeps usage itself: store/clickhouse
// composes one with usage kept in ClickHouse. The memory and PostgreSQL
// stores are Documents.
type Documents interface {
	Saver
	Reader
	TreeReader
	StatementKeeper
	// UsageTargets returns what the usage of each given product contract
	// must fit: its product and dates, and the time zone of the parent
	// contract above it (of the parent contract saved last when several
	// hold it; UTC for a draft). An id that is no stored product contract
	// is left out.
	UsageTargets(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID) (map[uuid.UUID]usage.Target, error)
	// Keep keeps s as [StatementKeeper.Issue] does, for usage kept
	// elsewhere: s.Position is not checked against usage stored here (the
	// caller checks it against its own with [CheckPosition]) and s.Through
	// is not marked (the caller marks it where the usage is).
	Keep(ctx context.Context, org, id uuid.UUID, s Issued) (Issued, error)
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
	StatementKeeper
}
