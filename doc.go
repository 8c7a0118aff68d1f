// Package pricekit holds what every other package of the module shares: the
// refusal codes of SPEC section 3 and the [Error] that carries them.
//
// pricekit computes what a customer owes, in-process: tiered, volume and
// package usage pricing, fixed fees, discounts, minimums, prepaid credits with
// expiry and billing-frequency schedules over a hierarchy of contracts.
//
// # Packages
//
//   - [github.com/pricekit/pricekit/schedule]: billing frequencies and periods.
//   - [github.com/pricekit/pricekit/plan]: tier plans and fixed fees, and their math.
//   - [github.com/pricekit/pricekit/modifier]: discounts, minimums and credits.
//   - [github.com/pricekit/pricekit/contract]: customers and the contract tree.
//   - [github.com/pricekit/pricekit/usage]: usage events.
//   - [github.com/pricekit/pricekit/rating]: the pure engine that turns a tree and its usage into statements.
//   - [github.com/pricekit/pricekit/store]: storage interfaces, with an in-memory default in store/memory.
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
