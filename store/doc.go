// Package store defines where pricekit keeps its documents and usage: the
// interfaces a back end implements, the errors it refuses with, and the
// checks every back end shares. The documents themselves are described in
// the repository's reference, docs/documents.md, and the refusals in
// docs/errors.md.
//
// # Interfaces
//
// A back end provides a [Store]: a [Saver] and a [Reader] for documents
// (customers, plans, fixed fees, modifiers, billing frequencies and
// contracts, the kinds of [contract.Objects]), and a [UsageWriter] and a
// [UsageReader] for usage events. Every method takes a context first and the
// organization second: an organization sees only its own documents and
// usage, and an id of another organization is [ErrNotFound]. Three back
// ends come with pricekit: store/memory for tests and embedding,
// store/postgres for production, and store/clickhouse for usage at scale,
// which keeps usage in ClickHouse and composes with either of the other two
// for the rest: they are [Documents], the part of a store that keeps
// documents and issued statements.
//
// # Saving
//
// [Saver.Save] writes a [Batch] all or nothing. Before it writes, it checks
// every document on its own (invalid_input, invalid_tiers), every reference
// between documents against the batch and the store ([CheckReferences]:
// unknown_reference, with the path of the field such as
// "sub_contracts[0].minimums[1]"), and that no contract contains itself
// ([CheckCycles]: cycle). A document without an id gets a new one; saving an
// id that is stored replaces the document, so contracts that reference a
// replaced plan or modifier see the new version from then on. An id names
// one kind of document for good.
//
// # Versions
//
// Every stored document has a version: 1 after its first save, one more
// after each replacement ([Reader.Version]). [Batch.IfVersion] makes a save
// conditional, for optimistic concurrency: when a listed document is not at
// the version given (0: not stored yet) nothing is written and Save returns
// [ErrConflict].
//
// # Usage
//
// [UsageWriter.Ingest] accepts or refuses a batch of events as a whole; the
// refusal names every bad event as usage[i]. An event id is an idempotency
// key: the same payload again is counted once, another payload under a
// stored id is [ErrDuplicateUsage]. An event must name a stored product
// contract, its product, and a day within the contract's dates, taken in
// the time zone of the parent contract above it ([ErrUsageOutOfContract]).
//
// # Reading a tree
//
// [Resolve] reads a parent contract and everything beneath it, each
// document once, as the bundle the rating engine prices.
//
// # Errors
//
// The refusals are the codes of package pricekit ([ErrNotFound],
// [ErrConflict], [ErrUnknownReference], [ErrCycle], …); match them with
// errors.Is. A refusal that finds several problems joins them, each a
// *pricekit.Error with its field path.
//
// # Conformance
//
// Package store/storetest is the conformance suite: every back end runs
// storetest.Run from its tests, and passes it under the race detector.
package store
