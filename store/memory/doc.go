// Package memory is the in-memory pricekit store: a [store.Store] that keeps
// documents and usage in maps, for tests, examples and hosts that load
// their contracts at start-up. It passes the store/storetest conformance
// suite; nothing is persisted. The README's "Choosing a store" compares it
// with store/postgres.
//
// # Concurrency
//
// A [Store] is safe for concurrent use. One sync.RWMutex guards every
// organization's documents, their versions and first-save order, its usage
// log and the cache of what each product contract's usage must fit: Save and
// Ingest hold it for writing, so each is atomic and all-or-nothing; reads
// share it.
//
// # Copies
//
// Values are copied in and out: Save stores copies of the documents it is
// given and returns copies, and every read returns fresh copies, so a caller
// that changes a slice it passed or got (a sub contract's list of ids, a
// plan's tiers) never changes what is stored.
//
// # Ids
//
// A document saved without an id gets a time-ordered UUIDv7 unless
// [WithIDs] names another generator. The generator is called with the
// store's lock held, and only for a batch that passed validation.
package memory
