// Package pricekit holds what every other package of the module shares: the
// refusal codes (docs/errors.md) and the [Error] that carries them.
//
// pricekit computes what a customer owes, in-process: tiered, volume and
// package usage pricing, fixed fees, discounts, minimums, prepaid credits with
// expiry and billing-frequency schedules over a hierarchy of contracts.
//
// The meaning of every document, the JSON, the statement format and the
// error codes are described in the repository's reference, docs/README.md.
//
// # Packages
//
//   - [github.com/pricekit/pricekit/schedule]: billing frequencies and periods.
//   - [github.com/pricekit/pricekit/plan]: tier plans and fixed fees, and their math.
//   - [github.com/pricekit/pricekit/modifier]: discounts, minimums and credits.
//   - [github.com/pricekit/pricekit/contract]: customers and the contract tree.
//   - [github.com/pricekit/pricekit/usage]: usage events.
//   - [github.com/pricekit/pricekit/rating]: the pure engine that turns a tree and its usage into statements.
//   - [github.com/pricekit/pricekit/store]: storage interfaces and the conformance suite
//     (store/storetest); back ends in [github.com/pricekit/pricekit/store/memory] and
//     [github.com/pricekit/pricekit/store/postgres].
//   - [github.com/pricekit/pricekit/billing]: rates contracts held in a store.
//   - [github.com/pricekit/pricekit/scenario]: scenario documents.
//
// # Errors
//
// Every refusal is an *[Error] with a stable [Code], the path of the offending
// field and a message. Match codes with errors.Is:
//
//	if errors.Is(err, pricekit.ErrUnknownReference) { … }
//
// Validation collects every problem with errors.Join, so one pass shows them
// all; [First] picks the first one for a one-line report.
package pricekit
