// Package storetest is the conformance suite of pricekit stores, in the
// manner of testing/slogtest: every back end runs it from its own tests,
// under the race detector,
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
//	}
//
// and passes it to be a [store.Store]: the same documents, refusals (the
// codes and field paths of docs/errors.md) and usage rules everywhere.
//
// # What it checks
//
// Saving and reading every kind of document (values equal after a round
// trip, decimals by value); ids given to documents without one; replacement
// by id and versions; optimistic concurrency ([store.Batch] IfVersion);
// all-or-nothing batches; unknown references and references of the wrong
// kind, with their field paths; cycles in one batch and across saves, also
// through long chains; missing input; not found; first-save order of List;
// parent contracts by customer; isolation between organizations; copies in
// and out; [store.Resolve]; usage ingestion (replays, duplicates, events
// outside their contract, whole-batch refusals naming every bad event, time
// zones) and usage reads; concurrent saves, reads and ingests, including
// the same event from many goroutines and two saves that would together form
// a cycle; versions of tier plans, fixed fees, discounts and minimums (a day
// added or replaced, corrections, base first then by day, Get and List
// reading the latest, trees holding every version); and issued statements
// (numbers in sequence, issuing twice, conflicts, the statement byte for
// byte, the ingest position, concurrent issues).
//
// Each check is a subtest named by group and case, such as
// "Save/IfVersion/stale" or "Usage/OutOfContract/after_end", so one can be
// run alone with go test -run. Checks use random organization and document
// ids, so a back end whose newStore shares one database between calls still
// passes.
package storetest
